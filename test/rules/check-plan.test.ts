/**
 * What a pre-grant check reads is worked out from the rule set once per programme (and whether a
 * stay is named), not on every check between its household read and its department round.
 */
import { departmentsForProposal, programmesForProposal, rulesConcerning } from '../../domain/findings/evaluate';
import { checkPlan } from '../../resolvers/findings/live';
import { DEFAULT_RULES } from './facts';

describe('checkPlan', () => {
  it('derives the rules concerned, the departments and programmes they read, as a check did each time', () => {
    for (const [programme, settlementRef] of [['TEMP_AID', null], ['TEKUN', null], ['MEDICAL_AID', 'S1'], ['MEDICAL_AID', null], ['NATIONAL_GRANT', null]] as const) {
      const plan = checkPlan(DEFAULT_RULES, { programme, settlementRef });
      const concerned = rulesConcerning(DEFAULT_RULES, programme);
      expect(plan.concerned).toEqual(concerned);
      expect([...plan.needed].sort()).toEqual([...new Set(concerned.flatMap((r) => [...departmentsForProposal(r, { programme, settlementRef })]))].sort());
      expect(plan.programmes).toEqual(programmesForProposal(concerned));
      expect(plan.wantsApprovals).toBe(concerned.some((r) => r.kind === 'REPEATED_GRANTS' && r.secondAidExempt));
      expect(plan.readsEveryStay).toBe(concerned.some((r) => r.kind === 'MISSED_AID' && r.when.some((c) => c.fact === 'OUT_OF_POCKET')));
    }
    // X5 exempts an approved second aid; medical insurance is read for a named stay only (X7).
    expect(checkPlan(DEFAULT_RULES, { programme: 'TEMP_AID', settlementRef: null }).wantsApprovals).toBe(true);
    expect(checkPlan(DEFAULT_RULES, { programme: 'MEDICAL_AID', settlementRef: 'S1' }).needed.has('HEALTH')).toBe(true);
  });

  it('is made once per rule set, programme and stay named or not', () => {
    const first = checkPlan(DEFAULT_RULES, { programme: 'MEDICAL_AID', settlementRef: 'S1' });
    expect(checkPlan(DEFAULT_RULES, { programme: 'MEDICAL_AID', settlementRef: 'S2' })).toBe(first);
    expect(checkPlan(DEFAULT_RULES, { programme: 'MEDICAL_AID', settlementRef: null })).not.toBe(first);
    expect(checkPlan(DEFAULT_RULES, { programme: 'TEKUN', settlementRef: null })).not.toBe(first);
    // Another rule set (a locality's file read again): planned afresh.
    const again = DEFAULT_RULES.map((r) => ({ ...r }));
    expect(checkPlan(again, { programme: 'MEDICAL_AID', settlementRef: 'S1' })).not.toBe(first);
    expect(checkPlan(again, { programme: 'MEDICAL_AID', settlementRef: 'S1' }).concerned).toEqual(first.concerned);
  });
});
