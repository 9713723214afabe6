/** The pre-grant check over plain facts, and what makes a finding the same finding. */
import { checkProposal, evaluateHousehold, PROPOSED_REF } from '../../domain/findings/evaluate';
import type { HospitalSettlement } from '../../domain/findings/facts';
import { explain } from '../../domain/findings/explain';
import { aid, DEFAULT_RULES, household, person, rule, TODAY } from './facts';

const head = person('1970-01-01', 31);
const spouse = person('1972-02-02', 42);

describe('checkProposal', () => {
  const standing = [aid('DIBAO', head, { start: '2024-01-01' }), aid('TEKUN', spouse, { start: '2024-01-01' }), aid('DIBAO', spouse, { start: '2024-01-01' })];

  it('returns the conflicts the proposal causes, and not the household’s standing ones', () => {
    const facts = household([head, spouse], standing, { homeMembers: new Set([head.idNumber]) });
    const found = checkProposal(facts, { programme: 'TEKUN', beneficiaryIdNumber: head.idNumber, periodStart: '2026-04-01', periodEnd: null, grantDate: null, amountFen: 90_000 }, DEFAULT_RULES, TODAY);
    expect(found.map((f) => f.ruleId)).toEqual(['X1']);
    expect(found[0].records.map((r) => r.sourceRef)).toContain(PROPOSED_REF);
    expect(found[0].measure).toEqual({ type: 'OVERLAP', overlap: { start: '2026-04-01', end: null }, days: 0 });
  });

  it('says of an open overlap that starts after today that it will overlap, not that it has for 0 days', () => {
    const facts = household([head], [aid('DIBAO', head, { start: '2024-01-01' })]);
    const later = { programme: 'TEKUN' as const, beneficiaryIdNumber: head.idNumber, periodEnd: null, grantDate: null, amountFen: 90_000 };
    const [future] = checkProposal(facts, { ...later, periodStart: '2026-04-01' }, DEFAULT_RULES, TODAY);
    const text = explain(rule('X1'), future.measure, future.records);
    expect(text).toContain('自 2026-04-01 起将重叠');
    expect(text).not.toMatch(/至今|已 0 天/);
    // One already running is still counted up to today (TODAY is 2026-03-15: 1 to 15 March).
    const [running] = checkProposal(facts, { ...later, periodStart: '2026-03-01' }, DEFAULT_RULES, TODAY);
    expect(explain(rule('X1'), running.measure, running.records)).toContain('至今仍在重叠（已 15 天）');
  });

  it('skips a rule only for a department it needs to judge the proposal, and not for another that failed', () => {
    const facts = household([head], [aid('DIBAO', head, { start: '2024-01-01' })], { homeMembers: new Set([head.idNumber]) });
    const dibaoAgain = { programme: 'DIBAO' as const, beneficiaryIdNumber: head.idNumber, periodStart: '2026-04-01', periodEnd: null, grantDate: null, amountFen: 72_000 };
    // X9 names housing's programmes too, but judges 低保 by civil affairs' 低保 alone: housing down
    // (read for a meeting's dossier in the same request) skipped it, and the duplicate went unseen.
    expect(checkProposal(facts, dibaoAgain, DEFAULT_RULES, TODAY, { unavailable: new Set(['HOUSING', 'DISABILITY']) }).map((f) => f.ruleId)).toEqual(['X9']);
    // Civil affairs down, the rule cannot judge it (and the check reports civil affairs as not answering).
    expect(checkProposal(facts, dibaoAgain, DEFAULT_RULES, TODAY, { unavailable: new Set(['CIVIL_AFFAIRS']) })).toEqual([]);
  });

  it('returns nothing for a proposal that starts when the other aid has ended', () => {
    const facts = household([head], [aid('DIBAO', head, { start: '2024-01-01', end: '2026-03-31' })]);
    expect(checkProposal(facts, { programme: 'TEKUN', beneficiaryIdNumber: head.idNumber, periodStart: '2026-04-01', periodEnd: null, grantDate: null, amountFen: 90_000 }, DEFAULT_RULES, TODAY)).toEqual([]);
  });

  it('warns of a second temporary aid for the same cause, and of the 低保 review it prompts', () => {
    const facts = household([head, spouse], [aid('TEMP_AID', spouse, { date: '2025-12-01' }, { cause: 'ILLNESS' })], { homeMembers: new Set([head.idNumber]) });
    const proposal = { programme: 'TEMP_AID' as const, beneficiaryIdNumber: head.idNumber, periodStart: null, periodEnd: null, grantDate: TODAY, amountFen: 200_000, cause: 'ILLNESS' as const };
    expect(checkProposal(facts, proposal, DEFAULT_RULES, TODAY).map((f) => [f.ruleId, f.severity])).toEqual([
      ['X5', 'WARNING'],
      ['M5', 'MISSED_AID'],
    ]);
    expect(checkProposal(facts, { ...proposal, secondAid: true }, DEFAULT_RULES, TODAY).map((f) => f.ruleId)).toEqual(['M5']);
  });

  it('checks medical aid against the settlement it is for', () => {
    const s: HospitalSettlement = { settlementRef: 'S1', idNumber: head.idNumber, hospitalName: 'h', admittedOn: '2026-01-01', dischargedOn: '2026-01-05', settledOn: '2026-01-05', diagnosis: null, totalCostFen: 1_000_000, basicInsurancePaidFen: 600_000, criticalIllnessInsurancePaidFen: 100_000, medicalAidPaidFen: 0, outOfPocketFen: 300_000 };
    const facts = household([head], [aid('UNION_ILLNESS', head, { date: '2026-02-01' }, { amountFen: 200_000, settlementRef: 'S1' })], { settlements: new Map([['S1', s]]) });
    const proposal = { programme: 'MEDICAL_AID' as const, beneficiaryIdNumber: head.idNumber, periodStart: null, periodEnd: null, grantDate: TODAY, settlementRef: 'S1' };
    expect(checkProposal(facts, { ...proposal, amountFen: 100_000 }, DEFAULT_RULES, TODAY)).toEqual([]);
    const [f] = checkProposal(facts, { ...proposal, amountFen: 150_000 }, DEFAULT_RULES, TODAY);
    expect(f.measure).toMatchObject({ type: 'SETTLEMENT_EXCESS', excessFen: 50_000 });
  });

  it('refuses recurring aid to a person who has died', () => {
    const dead = person('1940-01-01', 11, '2026-01-10');
    const [f] = checkProposal(household([dead], []), { programme: 'DISABILITY_NURSING', beneficiaryIdNumber: dead.idNumber, periodStart: '2026-04-01', periodEnd: null, grantDate: null, amountFen: 10_000 }, DEFAULT_RULES, TODAY);
    expect(f).toMatchObject({ ruleId: 'X8', measure: { type: 'AFTER_DEATH', months: 1 } });
  });
});

describe('finding identity', () => {
  const dibao = aid('DIBAO', head, { start: '2024-01-01', end: '2026-06-30' });
  const tekun = aid('TEKUN', head, { start: '2025-01-01' });
  const [base] = evaluateHousehold(household([head], [dibao, tekun]), DEFAULT_RULES, TODAY);

  it('keeps its fingerprint and content when records come back in another order', () => {
    const [again] = evaluateHousehold(household([head], [tekun, dibao]), DEFAULT_RULES, TODAY);
    expect(again.fingerprint).toBe(base.fingerprint);
    expect(again.contentHash).toBe(base.contentHash);
  });

  it('keeps its fingerprint but changes content when a record changes', () => {
    const [changed] = evaluateHousehold(household([head], [{ ...dibao, periodEnd: '2026-05-31' }, tekun]), DEFAULT_RULES, TODAY);
    expect(changed.fingerprint).toBe(base.fingerprint);
    expect(changed.contentHash).not.toBe(base.contentHash);
  });

  it('does not change when only today moves on (status derived from the date)', () => {
    const [later] = evaluateHousehold(household([head], [{ ...dibao, status: 'ENDED' }, tekun]), DEFAULT_RULES, '2026-08-01');
    expect([later.fingerprint, later.contentHash]).toEqual([base.fingerprint, base.contentHash]);
  });

  it('is a different finding for another record', () => {
    const [other] = evaluateHousehold(household([head], [dibao, { ...tekun, sourceRef: `${tekun.sourceRef.split(':')[0]}:999` }]), DEFAULT_RULES, TODAY);
    expect(other.fingerprint).not.toBe(base.fingerprint);
  });
});
