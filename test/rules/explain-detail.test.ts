/** Prose for a reader without health detail says no more than that reader's fields would (issue 15). */
import { describeCondition, explain } from '../../domain/findings/explain';
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
