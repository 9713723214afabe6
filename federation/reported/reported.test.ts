/**
 * The reported-aid part of the demo (federation/reported/demo.ts), in the shared demo population:
 * what the demo reporters would have sent is there at a prefecture city's rates, each record as
 * the ledger keeps it (programme of its reporter, amounts in fen within the programme's range,
 * dates on or before the reference date, one reference each).
 */
import { demoPopulation } from '../../test/support/demo-population';
import { cell } from '../../tools/generate/tables';

const REPORTER_OF: Record<string, string> = {
  WINTER_SPRING_RELIEF: 'EMERGENCY_MANAGEMENT',
  DISASTER_TRANSITION: 'EMERGENCY_MANAGEMENT',
  LEGAL_AID: 'JUSTICE',
  HOPE_PROJECT: 'YOUTH_LEAGUE',
  SPRING_BUD: 'WOMENS_FEDERATION',
  TWO_CANCERS_AID: 'WOMENS_FEDERATION',
  CHARITY_EDUCATION: 'CHARITY',
  CHARITY_MEDICAL: 'CHARITY',
  CHARITY_JISHIJIU_99: 'CHARITY',
};

/** Amounts in fen each programme's demo records fall within. */
const AMOUNT_RANGE: Record<string, [number, number]> = {
  WINTER_SPRING_RELIEF: [30_000, 100_000],
  DISASTER_TRANSITION: [60_000, 60_000],
  LEGAL_AID: [0, 0],
  HOPE_PROJECT: [50_000, 200_000],
  SPRING_BUD: [50_000, 150_000],
  TWO_CANCERS_AID: [1_000_000, 1_000_000],
  CHARITY_EDUCATION: [100_000, 500_000],
  CHARITY_MEDICAL: [100_000, 1_000_000],
  CHARITY_JISHIJIU_99: [50_000, 300_000],
};

describe('reported aid in the demo, in the shared demo population', () => {
  const { rows, referenceDate, personById, households } = demoPopulation();
  const records = rows.reported_aid.map((r) => ({
    reporter: cell('reported_aid', r, 'reporter_office') as string,
    reference: cell('reported_aid', r, 'reference') as string,
    beneficiary: cell('reported_aid', r, 'beneficiary_id_number') as string,
    programme: cell('reported_aid', r, 'programme') as string,
    grantDate: cell('reported_aid', r, 'grant_date') as string | null,
    periodStart: cell('reported_aid', r, 'period_start') as string | null,
    periodEnd: cell('reported_aid', r, 'period_end') as string | null,
    amountFen: cell('reported_aid', r, 'amount_fen') as number,
    contentHash: cell('reported_aid', r, 'content_hash') as string,
    receivedAt: cell('reported_aid', r, 'received_at') as string,
  }));

  it('reaches a few per cent of households, through the main programmes of every kind of reporter', () => {
    const householdOf = new Map(rows.household_member.map((m) => [m[1] as string, m[0] as number]));
    const reached = new Set(records.map((r) => householdOf.get(r.beneficiary)));
    expect(reached.size / households).toBeGreaterThan(0.005);
    expect(reached.size / households).toBeLessThan(0.1);
    const programmes = new Set(records.map((r) => r.programme));
    for (const p of ['WINTER_SPRING_RELIEF', 'CHARITY_MEDICAL', 'CHARITY_EDUCATION']) expect(programmes).toContain(p);
    expect(programmes.has('HOPE_PROJECT') || programmes.has('SPRING_BUD')).toBe(true);
  });

  it('records each as its reporter sends it: its own programme, an amount in range, a generated beneficiary, one reference each', () => {
    expect(records.length).toBeGreaterThan(20);
    expect(new Set(records.map((r) => r.reference)).size).toBe(records.length);
    for (const r of records) {
      expect({ programme: r.programme, reporter: r.reporter }).toEqual({ programme: r.programme, reporter: REPORTER_OF[r.programme] });
      const [lo, hi] = AMOUNT_RANGE[r.programme];
      expect(Number.isInteger(r.amountFen)).toBe(true);
      expect(r.amountFen).toBeGreaterThanOrEqual(lo);
      expect(r.amountFen).toBeLessThanOrEqual(hi);
      expect(personById.has(r.beneficiary)).toBe(true);
      expect(r.contentHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('dates each grant or period on or before the reference date, and receives it after it started', () => {
    for (const r of records) {
      const day = r.grantDate ?? r.periodStart;
      expect(day).not.toBeNull();
      expect((r.grantDate === null) === (r.periodStart !== null && r.periodEnd !== null)).toBe(true);
      expect(day! <= referenceDate).toBe(true);
      if (r.periodEnd) expect(r.periodEnd >= r.periodStart!).toBe(true);
      const received = r.receivedAt.slice(0, 10);
      expect(received >= day! || received === referenceDate).toBe(true);
      expect(received <= referenceDate).toBe(true);
    }
  });
});
