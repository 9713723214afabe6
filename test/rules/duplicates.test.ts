/** X1–X11 over plain facts: each rule's case, and the near misses it must not flag. */
import { evaluateHousehold } from '../../domain/findings/evaluate';
import type { Finding, HospitalSettlement } from '../../domain/findings/facts';
import { aid, DEFAULT_RULES, household, person, rule, spell, TODAY } from './facts';

function run(ids: string[], facts: Parameters<typeof evaluateHousehold>[0]): Finding[] {
  return evaluateHousehold(facts, DEFAULT_RULES.filter((r) => ids.includes(r.id)), TODAY);
}

describe('X1 低保 and 特困 for one person', () => {
  const p = person('1950-05-05', 11);

  it('finds overlapping periods and measures the overlap', () => {
    const dibao = aid('DIBAO', p, { start: '2024-01-01', end: null });
    const tekun = aid('TEKUN', p, { start: '2025-03-01', end: '2025-12-31' });
    const [f, ...rest] = run(['X1'], household([p], [dibao, tekun]));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ruleId: 'X1', severity: 'CONFLICT', scope: 'PERSON', idNumbers: [p.idNumber], departments: ['CIVIL_AFFAIRS'], ongoing: false });
    expect(f.records).toEqual([dibao, tekun]);
    expect(f.measure).toEqual({ type: 'OVERLAP', overlap: { start: '2025-03-01', end: '2025-12-31' }, days: 306 });
    expect(f.explanation).toContain('2025-03-01 至 2025-12-31');
    expect(f.explanation).not.toContain(p.idNumber);
  });

  it('finds two open-ended periods, still overlapping today', () => {
    const [f] = run(['X1'], household([p], [aid('DIBAO', p, { start: '2024-01-01' }), aid('TEKUN', p, { start: '2026-03-01' })]));
    expect(f.measure).toEqual({ type: 'OVERLAP', overlap: { start: '2026-03-01', end: null }, days: 15 });
    expect(f.ongoing).toBe(true);
  });

  it('does not flag periods that touch, an open period after a closed one, or cancelled aid', () => {
    expect(run(['X1'], household([p], [aid('DIBAO', p, { start: '2024-01-01', end: '2025-06-30' }), aid('TEKUN', p, { start: '2025-07-01' })]))).toEqual([]);
    expect(run(['X1'], household([p], [aid('TEKUN', p, { start: '2020-01-01', end: '2023-12-31' }), aid('DIBAO', p, { start: '2024-01-01' })]))).toEqual([]);
    expect(run(['X1'], household([p], [aid('DIBAO', p, { start: '2024-01-01' }), aid('TEKUN', p, { start: '2024-01-01' }, { status: 'CANCELLED' })]))).toEqual([]);
  });

  it('does not pair one person’s 低保 with another member’s 特困', () => {
    const q = person('1952-06-06', 22);
    expect(run(['X1'], household([p, q], [aid('DIBAO', p, { start: '2024-01-01' }), aid('TEKUN', q, { start: '2024-01-01' })]))).toEqual([]);
  });

  it('finds nothing among many periods that never overlap', () => {
    // 2,000 consecutive monthly spells each way, none overlapping. How fast the sweep is goes in
    // bench/rules-sweep.ts: a duration is not an outcome, and fails on a loaded machine.
    const records = [];
    for (let i = 0; i < 2000; i++) {
      const y = 1900 + Math.floor(i / 6);
      const m = (i % 6) * 2 + 1;
      const start = `${y}-${String(m).padStart(2, '0')}-01`;
      const end = `${y}-${String(m).padStart(2, '0')}-28`;
      records.push(aid('DIBAO', p, { start, end }), aid('TEKUN', p, { start: `${y}-${String(m + 1).padStart(2, '0')}-01`, end: `${y}-${String(m + 1).padStart(2, '0')}-28` }));
    }
    expect(run(['X1'], household([p], records))).toEqual([]);
  });
});

describe('X2 and X3', () => {
  it('flags 特困 with an orphan allowance, and the living subsidy with 特困', () => {
    const child = person('2014-02-02', 13);
    const adult = person('1980-03-03', 25);
    const found = run(
      ['X2', 'X3'],
      household(
        [child, adult],
        [aid('TEKUN', child, { start: '2025-01-01' }), aid('ORPHAN', child, { start: '2025-06-01', end: '2025-08-31' }), aid('TEKUN', adult, { start: '2025-01-01' }), aid('DISABILITY_LIVING', adult, { start: '2025-01-01', end: '2025-01-31' })],
      ),
    );
    expect(found.map((f) => [f.ruleId, f.idNumbers[0]]).sort()).toEqual([['X2', child.idNumber], ['X3', adult.idNumber]].sort());
    expect(found.find((f) => f.ruleId === 'X3')?.departments).toEqual(['CIVIL_AFFAIRS', 'DISABILITY']);
  });
});

describe('X4 public rental and rent subsidy for one household', () => {
  const head = person('1970-01-01', 31);
  const spouse = person('1972-02-02', 42);

  it('pairs records of different members of the same household', () => {
    const [f] = run(['X4'], household([head, spouse], [aid('PUBLIC_RENTAL', head, { start: '2025-01-01' }), aid('RENT_SUBSIDY', spouse, { start: '2025-10-01', end: '2026-01-31' })]));
    expect(f).toMatchObject({ ruleId: 'X4', scope: 'HOUSEHOLD', householdId: 1, idNumbers: [head.idNumber, spouse.idNumber].sort(), departments: ['HOUSING'] });
    expect(f.measure).toMatchObject({ overlap: { start: '2025-10-01', end: '2026-01-31' } });
  });

  it('counts only the part of a period spent in the household (a person moving household)', () => {
    // The spouse left on 2025-10-01 (first day outside): her subsidy from October is another household's.
    const spells = [spell(1, head), spell(1, spouse, '2000-01-01', '2025-10-01'), spell(2, spouse, '2025-10-01')];
    const facts = household([head, spouse], [aid('PUBLIC_RENTAL', head, { start: '2025-01-01' }), aid('RENT_SUBSIDY', spouse, { start: '2025-10-01' })], { spells, homeMembers: new Set([head.idNumber]) });
    expect(run(['X4'], facts)).toEqual([]);
    // One day earlier, and the last day as a member overlaps.
    const earlier = household([head, spouse], [aid('PUBLIC_RENTAL', head, { start: '2025-01-01' }), aid('RENT_SUBSIDY', spouse, { start: '2025-09-30' })], { spells, homeMembers: new Set([head.idNumber]) });
    expect(run(['X4'], earlier).map((f) => f.measure)).toEqual([{ type: 'OVERLAP', overlap: { start: '2025-09-30', end: '2025-09-30' }, days: 1 }]);
  });

  it('does not count an allocation still under housing’s review (PENDING): nothing is paid on it yet', () => {
    const rental = aid('PUBLIC_RENTAL', head, { start: '2025-01-01' });
    const subsidy = aid('RENT_SUBSIDY', spouse, { start: '2025-10-01' });
    expect(run(['X4'], household([head, spouse], [rental, { ...subsidy, status: 'PENDING' }]))).toEqual([]);
    expect(run(['X4'], household([head, spouse], [rental, subsidy]))).toHaveLength(1);
  });
});

describe('X5 repeated temporary aid for one cause in 12 months', () => {
  const head = person('1970-01-01', 31);
  const son = person('1995-02-02', 53);

  it('flags the second grant within 12 months, naming both', () => {
    const a = aid('TEMP_AID', head, { date: '2025-01-10' }, { cause: 'ILLNESS' });
    const b = aid('TEMP_AID', son, { date: '2026-01-10' }, { cause: 'ILLNESS' });
    const [f, ...rest] = run(['X5'], household([head, son], [a, b]));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ruleId: 'X5', severity: 'WARNING', scope: 'HOUSEHOLD', records: [a, b], measure: { type: 'REPEATED', cause: 'ILLNESS', count: 2, windowMonths: 12 } });
  });

  it('does not flag a day past the window, another cause, or a cancelled grant', () => {
    expect(run(['X5'], household([head], [aid('TEMP_AID', head, { date: '2025-01-10' }, { cause: 'ILLNESS' }), aid('TEMP_AID', head, { date: '2026-01-11' }, { cause: 'ILLNESS' })]))).toEqual([]);
    expect(run(['X5'], household([head], [aid('TEMP_AID', head, { date: '2025-01-10' }, { cause: 'ILLNESS' }), aid('TEMP_AID', head, { date: '2025-05-11' }, { cause: 'DISASTER' })]))).toEqual([]);
    expect(run(['X5'], household([head], [aid('TEMP_AID', head, { date: '2025-01-10' }, { cause: 'ILLNESS' }), aid('TEMP_AID', head, { date: '2025-05-11' }, { cause: 'ILLNESS', status: 'CANCELLED' })]))).toEqual([]);
  });

  it('groups a grant of an undocumented cause code (UNRECOGNISED) with no other: not two of them under different codes, not one beside a known cause', () => {
    const seven = aid('TEMP_AID', head, { date: '2025-01-10' }, { cause: 'UNRECOGNISED', sourceCauseCode: '07' });
    const eight = aid('TEMP_AID', son, { date: '2025-05-11' }, { cause: 'UNRECOGNISED', sourceCauseCode: '08' });
    expect(run(['X5'], household([head, son], [seven, eight]))).toEqual([]);
    expect(run(['X5'], household([head, son], [seven, aid('TEMP_AID', son, { date: '2025-05-11' }, { cause: 'OTHER' })]))).toEqual([]);
    // It does not hide a repetition of a known cause either.
    expect(run(['X5'], household([head, son], [seven, aid('TEMP_AID', head, { date: '2025-02-10' }, { cause: 'OTHER' }), aid('TEMP_AID', son, { date: '2025-06-10' }, { cause: 'OTHER' })]))).toHaveLength(1);
  });

  it('counts a leap day by the Civil Code: 2024-02-29 reaches 2025-02-28, not 2025-03-01', () => {
    const leap = aid('TEMP_AID', head, { date: '2024-02-29' }, { cause: 'ACCIDENT' });
    expect(run(['X5'], household([head], [leap, aid('TEMP_AID', head, { date: '2025-02-28' }, { cause: 'ACCIDENT' })]))).toHaveLength(1);
    expect(run(['X5'], household([head], [leap, aid('TEMP_AID', head, { date: '2025-03-01' }, { cause: 'ACCIDENT' })]))).toEqual([]);
  });

  it('exempts a grant approved as a second aid, by the source flag or by a hub approval', () => {
    const first = aid('TEMP_AID', head, { date: '2025-06-01' }, { cause: 'ILLNESS' });
    const flagged = aid('TEMP_AID', head, { date: '2025-09-01' }, { cause: 'ILLNESS', secondAid: true });
    expect(run(['X5'], household([head], [first, flagged]))).toEqual([]);
    const plain = aid('TEMP_AID', head, { date: '2025-09-01' }, { cause: 'ILLNESS' });
    const approvals = [{ idNumber: head.idNumber, cause: 'ILLNESS' as const, approvedOn: '2025-08-20', aidRecordKey: null }];
    expect(run(['X5'], household([head], [first, plain], { secondAidApprovals: approvals }))).toEqual([]);
    // A third grant is flagged even after an approved second one.
    const third = aid('TEMP_AID', head, { date: '2025-12-01' }, { cause: 'ILLNESS' });
    expect(run(['X5'], household([head], [first, flagged, third])).map((f) => f.records)).toEqual([[first, flagged, third]]);
  });

  it('does not count a grant paid to a member before they joined the household', () => {
    const spells = [spell(1, head), spell(1, son, '2025-06-01')];
    const facts = household([head, son], [aid('TEMP_AID', son, { date: '2025-03-01' }, { cause: 'ILLNESS' }), aid('TEMP_AID', head, { date: '2025-07-01' }, { cause: 'ILLNESS' })], { spells });
    expect(run(['X5'], facts)).toEqual([]);
  });
});

describe('X6 the same student funded twice in one school year', () => {
  const child = person('2010-06-20', 13);
  it('flags a national grant and 金秋助学 in the same school year, not in different ones', () => {
    const grant = aid('NATIONAL_GRANT', child, { date: '2025-10-15' }, { schoolYear: '2025-2026' });
    const autumn = aid('UNION_AUTUMN_EDU', child, { date: '2025-08-20' }, { schoolYear: '2025-2026' });
    const [f] = run(['X6'], household([child], [grant, autumn]));
    expect(f).toMatchObject({ ruleId: 'X6', measure: { type: 'SAME_PERIOD', period: '2025-2026' }, departments: ['EDUCATION', 'UNION'] });
    const lastYear = aid('UNION_AUTUMN_EDU', child, { date: '2024-08-20' }, { schoolYear: '2024-2025' });
    expect(run(['X6'], household([child], [grant, lastYear]))).toEqual([]);
  });
});

describe('X7 aid tied to one settlement above its out-of-pocket amount', () => {
  const patient = person('1948-01-30', 24);
  const worker = person('1975-04-12', 31);
  const settlement: HospitalSettlement = {
    settlementRef: 'S1',
    idNumber: patient.idNumber,
    hospitalName: 'h',
    admittedOn: '2026-01-02',
    dischargedOn: '2026-01-10',
    settledOn: '2026-01-10',
    diagnosis: null,
    totalCostFen: 4_823_050,
    basicInsurancePaidFen: 3_012_000,
    criticalIllnessInsurancePaidFen: 610_000,
    medicalAidPaidFen: 500_000,
    outOfPocketFen: 701_050,
  };
  const inSettlement = aid('MEDICAL_AID', patient, { date: '2026-01-10' }, { amountFen: 500_000, settlementRef: 'S1' });

  it('compares aid with the burden before aid (out of pocket plus medical aid paid inside)', () => {
    const exact = aid('UNION_ILLNESS', worker, { date: '2026-02-01' }, { amountFen: 701_050, settlementRef: 'S1' });
    const facts = (extra: typeof exact) => household([patient, worker], [inSettlement, extra], { settlements: new Map([['S1', settlement]]) });
    expect(run(['X7'], facts(exact))).toEqual([]);
    const over = { ...exact, amountFen: 701_051 };
    const [f] = run(['X7'], facts(over));
    expect(f).toMatchObject({ ruleId: 'X7', scope: 'SETTLEMENT', departments: ['HEALTH', 'UNION'] });
    expect(f.measure).toEqual({ type: 'SETTLEMENT_EXCESS', settlementRef: 'S1', settledOn: '2026-01-10', burdenFen: 1_201_050, aidFen: 1_201_051, excessFen: 1 });
    expect(f.idNumbers).toEqual([patient.idNumber, worker.idNumber].sort());
  });

  it('ignores aid tied to a settlement medical insurance does not have (reversed)', () => {
    const big = aid('UNION_ILLNESS', worker, { date: '2026-02-01' }, { amountFen: 9_000_000, settlementRef: 'S-REVERSED' });
    expect(run(['X7'], household([patient, worker], [big], { settlements: new Map([['S1', settlement]]) }))).toEqual([]);
  });
});

describe('X8 recurring aid after death', () => {
  it('counts the months paid after the month of death', () => {
    const p = person('1940-01-01', 11, '2025-10-15');
    const dibao = aid('DIBAO', p, { start: '2024-01-01', end: '2026-01-31' }, { amountFen: 72_000 });
    const [f] = run(['X8'], household([p], [dibao]));
    expect(f.measure).toEqual({ type: 'AFTER_DEATH', deathDate: '2025-10-15', unpaid: { start: '2025-11-01', end: '2026-01-31' }, months: 3, excessFen: 216_000 });
    expect(f.ongoing).toBe(false);
  });

  it('counts an open period up to today and calls it ongoing', () => {
    const p = person('1940-01-01', 11, '2025-12-31');
    const [f] = run(['X8'], household([p], [aid('DISABILITY_NURSING', p, { start: '2020-01-01' }, { amountFen: 10_000 })]));
    expect(f).toMatchObject({ ongoing: true, measure: { months: 3, excessFen: 30_000, unpaid: { start: '2026-01-01', end: null } } });
  });

  it('does not flag aid stopping at the end of the month of death (death on its last day)', () => {
    const p = person('1940-01-01', 11, '2025-10-31');
    expect(run(['X8'], household([p], [aid('DIBAO', p, { start: '2024-01-01', end: '2025-10-31' })]))).toEqual([]);
    expect(run(['X8'], household([p], [aid('DISABILITY_LIVING', p, { start: '2024-01-01', end: '2025-10-31' })]))).toEqual([]);
  });
});

describe('X9 the same recurring programme twice at once', () => {
  const p = person('1960-01-01', 11);
  it('flags two 低保 enrolments (two families) overlapping, not consecutive ones', () => {
    const a = aid('DIBAO', p, { start: '2024-01-01', end: '2025-06-30' }, { sourceHouseholdRef: 'F1' });
    const b = aid('DIBAO', p, { start: '2025-06-01' }, { sourceHouseholdRef: 'F2' });
    const [f, ...rest] = run(['X9'], household([p], [a, b]));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ruleId: 'X9', records: [a, b], measure: { overlap: { start: '2025-06-01', end: '2025-06-30' }, days: 30 } });
    expect(run(['X9'], household([p], [{ ...a }, aid('DIBAO', p, { start: '2025-07-01' })]))).toEqual([]);
  });
});

describe('an enrolment the source marks ended with no end date', () => {
  const p = person('1950-05-05', 11);
  const stopped = (programme: 'TEKUN' | 'DIBAO', start: string) => aid(programme, p, { start }, { status: 'ENDED' });

  it('is no ongoing overlap (X1): only its start day is known', () => {
    const [f, ...rest] = run(['X1'], household([p], [aid('DIBAO', p, { start: '2024-01-01' }), stopped('TEKUN', '2025-03-01')]));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ongoing: false, measure: { overlap: { start: '2025-03-01', end: '2025-03-01' }, days: 1 } });
  });

  it('counts after a death (X8) only when it began after the month of death, as the overlap rules read it', () => {
    const dead = person('1940-01-01', 12, '2025-10-15');
    expect(run(['X8'], household([dead], [aid('DIBAO', dead, { start: '2024-01-01' }, { status: 'ENDED' })]))).toEqual([]);
    const [f] = run(['X8'], household([dead], [aid('DIBAO', dead, { start: '2025-12-01' }, { status: 'ENDED', amountFen: 72_000 })]));
    expect(f).toMatchObject({ ongoing: false, measure: { unpaid: { start: '2025-12-01', end: '2025-12-01' }, months: 1, excessFen: 72_000 } });
  });
});

describe('a suspended or revoked enrolment is not current aid for duplicate checks', () => {
  const p = person('1950-05-05', 14);
  const child = person('2014-04-04', 15);

  it('is no ongoing overlap (X1, X3): only its start day is known', () => {
    const [f, ...rest] = run(['X1'], household([p], [aid('DIBAO', p, { start: '2024-01-01' }, { status: 'SUSPENDED' }), aid('TEKUN', p, { start: '2023-06-01' })]));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ongoing: false, measure: { overlap: { start: '2024-01-01', end: '2024-01-01' }, days: 1 } });
    // Without the suspension the same two records overlap to this day.
    expect(run(['X1'], household([p], [aid('DIBAO', p, { start: '2024-01-01' }), aid('TEKUN', p, { start: '2023-06-01' })]))[0]).toMatchObject({ ongoing: true });
    const living = aid('DISABILITY_LIVING', child, { start: '2025-01-01' }, { status: 'SUSPENDED' });
    expect(run(['X3'], household([child], [living, aid('ORPHAN', child, { start: '2025-02-01' })]))).toEqual([]);
  });

  it('a revoked (撤销) one counts for nothing (X3, X11)', () => {
    const revoked = aid('DISABILITY_LIVING', child, { start: '2024-01-01' }, { status: 'CANCELLED' });
    expect(run(['X3'], household([child], [revoked, aid('ORPHAN', child, { start: '2024-01-01' })]))).toEqual([]);
    expect(run(['X11'], household([child], [aid('ORPHAN', child, { start: '2024-01-01' }, { status: 'CANCELLED' }), aid('UNSUPPORTED_CHILD', child, { start: '2024-01-01' })]))).toEqual([]);
  });

  it('counts after a death (X8) only from a start after the month of death', () => {
    const dead = person('1940-01-01', 16, '2025-10-15');
    expect(run(['X8'], household([dead], [aid('TEKUN', dead, { start: '2024-01-01' }, { status: 'SUSPENDED' })]))).toEqual([]);
  });
});

describe('X10 two public-rental allocations in one household', () => {
  const a = person('1975-05-05', 11);
  const b = person('1977-07-07', 22);
  it('flags two members’ overlapping allocations for the days both were members, not one person’s (X9’s) nor a former member’s', () => {
    const x = aid('PUBLIC_RENTAL', a, { start: '2024-03-01' });
    const y = aid('PUBLIC_RENTAL', b, { start: '2025-06-01', end: '2025-11-30' });
    const [f, ...rest] = run(['X10'], household([a, b], [x, y]));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ruleId: 'X10', scope: 'HOUSEHOLD', idNumbers: [a.idNumber, b.idNumber].sort(), measure: { overlap: { start: '2025-06-01', end: '2025-11-30' }, days: 183 } });
    expect(run(['X10'], household([a], [x, aid('PUBLIC_RENTAL', a, { start: '2025-01-01' })]))).toEqual([]);
    const left = [spell(1, a), spell(1, b, '2000-01-01', '2025-06-01')];
    expect(run(['X10'], household([a, b], [x, y], { spells: left, homeMembers: new Set([a.idNumber]) }))).toEqual([]);
  });
});

describe('X11 orphan and 事实无人抚养 allowances for the same child', () => {
  const c = person('2015-08-08', 13);
  it('flags the months both ran, not one after the other', () => {
    const [f] = run(['X11'], household([c], [aid('ORPHAN', c, { start: '2024-01-01' }), aid('UNSUPPORTED_CHILD', c, { start: '2025-01-01', end: '2025-07-03' })]));
    expect(f).toMatchObject({ ruleId: 'X11', measure: { overlap: { start: '2025-01-01', end: '2025-07-03' }, days: 184 } });
    expect(run(['X11'], household([c], [aid('ORPHAN', c, { start: '2025-07-04' }), aid('UNSUPPORTED_CHILD', c, { start: '2025-01-01', end: '2025-07-03' })]))).toEqual([]);
  });
});

describe('unavailable departments', () => {
  it('skips rules that read a department that did not answer', () => {
    const p = person('1950-05-05', 11);
    const facts = household([p], [aid('DIBAO', p, { start: '2024-01-01' }), aid('TEKUN', p, { start: '2024-01-01' }), aid('DISABILITY_LIVING', p, { start: '2024-01-01' })]);
    const found = evaluateHousehold(facts, DEFAULT_RULES, TODAY, { unavailable: new Set(['DISABILITY']) });
    expect(found.map((f) => f.ruleId)).toEqual(['X1']);
    expect(rule('X3')).toBeDefined();
  });
});
