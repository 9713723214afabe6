/**
 * Decisions decided together on one hospital stay, weighed together (sameStayFindings): what is paid,
 * the household's slips still waiting on the stay, then the decisions in the order aid is paid after
 * insurance (X7's patientOnly, medical aid, first), the excess carried by the decision that brings the
 * sum over and each after it. Pure: no database.
 */
import { sameStayFindings, type StayDecision } from '../../domain/cases/decision-checks';
import type { StayWeighed } from '../../domain/findings/evaluate';
import { loadRuleSet } from '../../rules/load';

const rules = loadRuleSet({}).rules;
const STAY = 'SETL-1';
const BURDEN = 1_000_000;

const weighed = (paidFen = 0, ruleId = 'X7'): StayWeighed[] => [{ ruleId, settlementRef: STAY, burdenFen: BURDEN, paidFen }];
const decision = (programmeCode: string, amountFen: number, label: string, extra: Partial<{ stays: StayWeighed[]; ruleIds: string[]; settlementRef: string | null }> = {}) => ({
  programmeCode,
  amountFen,
  settlementRef: STAY,
  label,
  stays: weighed(),
  ruleIds: [] as string[],
  ...extra,
});
/** Per decision, its findings as `ruleId:severity`. */
const found = (decisions: Parameters<typeof sameStayFindings>[0], pending: StayDecision[] = []) =>
  sameStayFindings(decisions, pending, rules).map((fs) => fs.map((f) => `${f.ruleId}:${f.severity}`));

describe('decisions on one stay, weighed together', () => {
  it('finds nothing where the sum is exactly the burden, and X7 on the later payer ¥0.01 over', () => {
    expect(found([decision('UNION_ILLNESS', 400_000, 'u'), decision('MEDICAL_AID', 600_000, 'm')])).toEqual([[], []]);
    expect(found([decision('UNION_ILLNESS', 400_001, 'u'), decision('MEDICAL_AID', 600_000, 'm')])).toEqual([['X7:CONFLICT'], []]);
    // Medical aid first whatever the meeting's order; within a rank, the order decided.
    expect(found([decision('MEDICAL_AID', 600_000, 'm'), decision('CHARITY_MEDICAL', 300_000, 'c'), decision('UNION_ILLNESS', 100_001, 'u')])).toEqual([[], [], ['X7:CONFLICT']]);
    expect(found([decision('CHARITY_MEDICAL', 500_000, 'c'), decision('UNION_ILLNESS', 500_000, 'u'), decision('MEDICAL_AID', 500_000, 'm')])).toEqual([[], ['X7:CONFLICT'], []]);
  });

  it('counts what is paid and the slips still waiting on the stay before the decisions now decided', () => {
    expect(found([decision('MEDICAL_AID', 500_000, 'm', { stays: weighed(400_000) }), decision('UNION_ILLNESS', 100_001, 'u', { stays: weighed(400_000) })])).toEqual([[], ['X7:CONFLICT']]);
    // One decision beside a waiting slip: the slip stands, the decision carries the excess (medical aid too).
    const slip = { programmeCode: 'UNION_ILLNESS', amountFen: 400_000, settlementRef: STAY, label: '本案转办单 7' };
    expect(found([decision('MEDICAL_AID', 600_000, 'm')], [slip])).toEqual([[]]);
    expect(found([decision('MEDICAL_AID', 600_001, 'm')], [slip])).toEqual([['X7:CONFLICT']]);
    const summary = sameStayFindings([decision('MEDICAL_AID', 600_001, 'm')], [slip], rules)[0][0];
    expect(summary).toMatchObject({ againstDecision: true, departments: expect.arrayContaining(['UNION', 'HEALTH']) });
    expect(summary.summary).toContain('本案转办单 7');
    // Slips on another stay, or of a programme X7 does not add up, are not the stay's.
    expect(found([decision('MEDICAL_AID', 600_001, 'm')], [{ ...slip, settlementRef: 'SETL-2' }, { ...slip, programmeCode: 'TEMP_AID' }])).toEqual([[]]);
  });

  it('leaves a decision over alone to its own check, a stay its check did not weigh out, and a decision on another stay apart', () => {
    // The union's over alone: its own check says X7; the medical aid, first, is within.
    expect(found([decision('UNION_ILLNESS', 1_000_001, 'u', { ruleIds: ['X7'] }), decision('MEDICAL_AID', 1, 'm')])).toEqual([[], []]);
    // A stay not weighed (unknown to medical insurance, or medical insurance down): no burden to weigh against.
    expect(found([decision('UNION_ILLNESS', 900_000, 'u', { stays: [] }), decision('MEDICAL_AID', 900_000, 'm', { stays: [] })])).toEqual([[], []]);
    expect(found([decision('UNION_ILLNESS', 900_000, 'u', { settlementRef: 'SETL-2', stays: [{ ruleId: 'X7', settlementRef: 'SETL-2', burdenFen: BURDEN, paidFen: 0 }] }), decision('MEDICAL_AID', 900_000, 'm')])).toEqual([[], []]);
  });

  it('follows the rule set: a rule switched off adds up nothing', () => {
    const off = rules.map((r) => (r.id === 'X7' ? { ...r, enabled: false } : r));
    expect(sameStayFindings([decision('UNION_ILLNESS', 900_000, 'u'), decision('MEDICAL_AID', 900_000, 'm')], [], off)).toEqual([[], []]);
  });
});
