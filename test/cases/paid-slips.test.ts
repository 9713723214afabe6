/**
 * Which slips still waiting are paid at the source (paidSlips): a record is a slip's where completing
 * the slip with it would pass on everything but the payment's amount (department, programme, person,
 * cause, stay, on or after the decision), in force, and fulfilling no other decision; one record is
 * one slip's. And what a decision's check says of such a slip (paidSlipFindings). Pure: no database.
 */
import { oneOffAid, type AidRecord } from '../../domain/aid';
import { paidSlipFindings, paidSlips } from '../../domain/cases/decision-checks';
import type { DecidedAid } from '../../domain/cases/fulfilment';
import { loadRuleSet } from '../../rules/load';

const rules = loadRuleSet({}).rules;
const A = '370811197504120031';
const B = '370811194801300024';
const members = [A, B];
const STAY = 'SETL-1';

const decided = (over: Partial<DecidedAid> = {}): DecidedAid => ({ department: 'HEALTH', programmeCode: 'MEDICAL_AID', amountFen: 500_000, beneficiaryIdNumber: B, decidedOn: '2026-03-12', settlementRef: STAY, cause: null, ...over });
const payment = (key: string, over: Partial<AidRecord> = {}): AidRecord => ({
  ...oneOffAid({ department: 'HEALTH', programme: 'MEDICAL_AID', beneficiaryIdNumber: B, grantDate: '2026-03-13', amountFen: 500_000, status: 'PAID', sourceRef: `pay:${key}`, settlementRef: STAY }),
  ...over,
});
const paidIds = (slips: { id: number; decided: DecidedAid }[], records: AidRecord[], used: (r: AidRecord) => boolean = () => false) =>
  Object.fromEntries([...paidSlips(slips, records, members, used)].map(([id, r]) => [id, r.sourceRef]));

describe('a slip paid at the source', () => {
  it('is paid by the record completing it would take, whatever its amount', () => {
    expect(paidIds([{ id: 1, decided: decided() }], [payment('P1', { amountFen: 1 })])).toEqual({ 1: 'pay:P1' });
  });

  it('is not paid by another grant: before the decision, another stay, person, programme, office or cause, revoked, or fulfilling another decision', () => {
    const slip = [{ id: 1, decided: decided() }];
    expect(paidIds(slip, [payment('P1', { grantDate: '2026-03-11' })])).toEqual({});
    expect(paidIds(slip, [payment('P1', { settlementRef: 'SETL-2' })])).toEqual({});
    expect(paidIds(slip, [payment('P1', { beneficiaryIdNumber: A })])).toEqual({});
    expect(paidIds(slip, [payment('P1', { programme: 'PREMIUM_SUBSIDY' })])).toEqual({});
    expect(paidIds(slip, [payment('P1', { department: 'UNION' })])).toEqual({});
    expect(paidIds(slip, [payment('P1', { status: 'CANCELLED' })])).toEqual({});
    expect(paidIds(slip, [payment('P1')], (r) => r.sourceRef === 'pay:P1')).toEqual({});
    const temp = [{ id: 2, decided: decided({ department: 'CIVIL_AFFAIRS', programmeCode: 'TEMP_AID', settlementRef: null, cause: 'ILLNESS' }) }];
    const grant = (cause: AidRecord['cause']) => payment('T1', { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', settlementRef: null, cause });
    expect(paidIds(temp, [grant('ACCIDENT')])).toEqual({});
    expect(paidIds(temp, [grant('UNRECOGNISED')])).toEqual({});
    expect(paidIds(temp, [grant('ILLNESS')])).toEqual({ 2: 'pay:T1' });
  });

  it('is not paid by a record of another school year than decided, as a completion refuses it (AID_RECORD_SCHOOL_YEAR_MISMATCH); one naming none is taken', () => {
    const autumn = [{ id: 3, decided: decided({ department: 'UNION', programmeCode: 'UNION_AUTUMN_EDU', settlementRef: null, schoolYear: '2026-2027' }) }];
    const grant = (schoolYear: string | null) => payment('J1', { department: 'UNION', programme: 'UNION_AUTUMN_EDU', settlementRef: null, schoolYear });
    expect(paidIds(autumn, [grant('2025-2026')])).toEqual({});
    expect(paidIds(autumn, [grant('2026-2027')])).toEqual({ 3: 'pay:J1' });
    expect(paidIds(autumn, [grant(null)])).toEqual({ 3: 'pay:J1' });
  });

  it('takes one record per slip: two slips and one record are one paid, one waiting; each slip finds a record where it can', () => {
    expect(Object.keys(paidIds([{ id: 1, decided: decided() }, { id: 2, decided: decided() }], [payment('P1')]))).toHaveLength(1);
    // Slip 1 (no stay named) fits both records and takes the earlier first; slip 2 (the stay) fits only that one: each is paid.
    const payments = [payment('P1'), payment('P2', { grantDate: '2026-03-14', settlementRef: 'SETL-2' })];
    expect(paidIds([{ id: 1, decided: decided({ settlementRef: null }) }, { id: 2, decided: decided() }], payments)).toEqual({ 1: 'pay:P2', 2: 'pay:P1' });
  });

  it('is said on a decision it would have been weighed with (same stay, or the same programme and person), as a WARNING; not on one it has nothing to do with', () => {
    const slip = { programmeCode: 'MEDICAL_AID', subject: B, label: '本案转办单 7', amountFen: 500_000, settlementRef: STAY, schoolYear: null, officeName: '任城区医疗保障局' };
    const paid = [{ slip, record: payment('P1') }];
    const union = paidSlipFindings({ programmeCode: 'UNION_ILLNESS', subject: A, settlementRef: STAY, schoolYear: null }, paid, rules, '2026-03-15');
    expect(union).toEqual([expect.objectContaining({ ruleId: 'SLIP_LOOKS_PAID', severity: 'WARNING', departments: ['HEALTH'] })]);
    expect(union[0].summary).toContain('本案转办单 7');
    // The office as Office.name names it, its county's, not the bare department every county has.
    expect(union[0].summary).toContain('请任城区医疗保障局以该记录办结');
    expect(union[0].summary).not.toContain(STAY);
    expect(paidSlipFindings({ programmeCode: 'MEDICAL_AID', subject: B, settlementRef: null, schoolYear: null }, paid, rules, '2026-03-15')).toHaveLength(1);
    expect(paidSlipFindings({ programmeCode: 'UNION_ILLNESS', subject: A, settlementRef: 'SETL-2', schoolYear: null }, paid, rules, '2026-03-15')).toEqual([]);
    expect(paidSlipFindings({ programmeCode: 'DIBAO', subject: A, settlementRef: null, schoolYear: null }, paid, rules, '2026-03-15')).toEqual([]);
    // A grant scheduled after today: counted as the pre-grant check counts it, completed once paid.
    expect(paidSlipFindings({ programmeCode: 'MEDICAL_AID', subject: B, settlementRef: null, schoolYear: null }, [{ slip, record: payment('P1', { grantDate: '2026-03-20', status: 'SCHEDULED' }) }], rules, '2026-03-15')[0].summary).toContain('发放后');
  });
});
