/** Prose for a reader without health detail says no more than that reader's fields would (issue 15). */
import { describeCondition, explain, ruleExplanationTellsHealth } from '../../domain/findings/explain';
import { activeRuleSet } from '../../rules/load';
import type { Measure, MetCondition } from '../../domain/findings/facts';
import { rule } from './facts';

const NO_HEALTH = { health: false };

describe('explanations without health detail', () => {
  it('names no cause of repeated temporary aid, whichever it is (its absence alone would name illness)', () => {
    for (const cause of ['ILLNESS', 'JOB_LOSS'] as const) {
      const measure: Measure = { type: 'REPEATED', cause, count: 2, windowMonths: 12 };
      expect(explain(rule('X5'), measure, [])).toContain('因同一事由（');
      const plain = explain(rule('X5'), measure, [], NO_HEALTH);
      expect(plain).toContain('因同一事由');
      expect(plain).not.toMatch(/疾病|失业|（/);
    }
  });

  it('names no settlement, date, burden or excess of a hospital stay (the aid is shown, and aid less the excess is the burden)', () => {
    const measure: Measure = { type: 'SETTLEMENT_EXCESS', settlementRef: 'SETL-1', settledOn: '2026-01-05', burdenFen: 500_000, aidFen: 550_000, excessFen: 50_000 };
    const full = explain(rule('X7'), measure, []);
    expect(full).toContain('SETL-1');
    expect(full).toContain('超出 500.00 元');
    const plain = explain(rule('X7'), measure, [], NO_HEALTH);
    expect(plain).not.toMatch(/SETL-1|2026-01-05|(^|[^\d])(5000|500)\.00/);
    expect(plain).toContain('5500.00 元');
  });

  it('states an out-of-pocket condition without its amount', () => {
    const met: MetCondition = { fact: 'OUT_OF_POCKET', totalFen: 1_500_565, thresholdFen: 1_000_000, over: true, from: '2025-03-15', to: '2026-03-15', settlementRefs: ['S1'] };
    expect(describeCondition(met)).toContain('15005.65');
    expect(describeCondition(met, NO_HEALTH)).not.toMatch(/15005\.65|住院/);
    const measure: Measure = { type: 'MISSED', met: [met], expected: ['MEDICAL_AID'] } as unknown as Measure;
    expect(explain(rule('M4'), measure, [], NO_HEALTH)).not.toContain('15005.65');
  });
});

describe('which rules’ explanations can tell of health (ruleExplanationTellsHealth)', () => {
  it('classifies every default rule from its definition: a stay, a disability, an illness or an illness cause named, or none', () => {
    const verdicts = Object.fromEntries(activeRuleSet({}).rules.map((r) => [r.id, ruleExplanationTellsHealth(r)]));
    expect(verdicts).toEqual({
      // 低保/特困, orphan allowances, housing, student grants (X6, X12, and X13's stage): nothing of health.
      X1: false, X2: false, X4: false, X6: false, X10: false, X11: false, X12: false, X13: false,
      // The disability living subsidy (X3), a cause per grant (X5), a stay (X7), disability subsidies on the roll (X8, X9).
      X3: true, X5: true, X7: true, X8: true, X9: true,
      // Certificates (M1, M2), an out-of-pocket total (M4); a student without education aid (M3) and temporary aid counted without its cause (M5) name none.
      M1: true, M2: true, M3: false, M4: true, M5: false,
    });
  });

  it('follows a locality’s change of a rule: repeated grants counted without their cause name none, a medical programme named does', () => {
    const x5 = rule('X5');
    if (x5.kind !== 'REPEATED_GRANTS') throw new Error('X5 counts repeated grants');
    expect(ruleExplanationTellsHealth({ ...x5, sameCause: false })).toBe(false);
    expect(ruleExplanationTellsHealth({ ...x5, sameCause: false, programmes: ['TEMP_AID', 'MEDICAL_AID'] })).toBe(true);
    const m3 = rule('M3');
    if (m3.kind !== 'MISSED_AID') throw new Error('M3 is a missed-aid rule');
    expect(ruleExplanationTellsHealth({ ...m3, when: [...m3.when, { fact: 'DISABILITY_CERTIFICATE' }] })).toBe(true);
    // An `unless` condition is never written into a finding's text.
    expect(ruleExplanationTellsHealth({ ...m3, unless: [{ fact: 'OUT_OF_POCKET', windowMonths: 12, overFen: 1 }] })).toBe(false);
  });

  it('agrees with the prose: a rule classed as naming no health writes the same text with and without health detail', () => {
    const m5 = rule('M5');
    const grants: MetCondition = { fact: 'GRANTS', programmes: ['TEMP_AID'], count: 2, from: '2025-03-15', to: '2026-03-15' };
    const measure: Measure = { type: 'MISSED', expected: ['DIBAO', 'TEKUN'], met: [grants] };
    expect(explain(m5, measure, [], NO_HEALTH)).toBe(explain(m5, measure, []));
  });
});
