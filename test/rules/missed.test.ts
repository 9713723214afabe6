/** M1–M5 over plain facts: a condition present and the expected aid absent. */
import { evaluateHousehold } from '../../domain/findings/evaluate';
import type { DisabilityCertificate, Finding, HospitalSettlement } from '../../domain/findings/facts';
import { buildRuleSet } from '../../domain/findings/rule-set';
import defaults from '../../rules/default.json';
import { aid, DEFAULT_RULES, household, person, spell, TODAY } from './facts';

function run(ids: string[], facts: Parameters<typeof evaluateHousehold>[0]): Finding[] {
  return evaluateHousehold(facts, DEFAULT_RULES.filter((r) => ids.includes(r.id)), TODAY);
}

function certificate(who: { idNumber: string }, level: number, extra: Partial<DisabilityCertificate> = {}): DisabilityCertificate {
  return { certificateNumber: `${who.idNumber}4${level}`, idNumber: who.idNumber, category: 4, level, issuedOn: '2019-05-01', validUntil: null, status: 'VALID', ...extra };
}

describe('M1 level 1 or 2 with no nursing subsidy', () => {
  const p = person('1977-09-03', 42);

  it('flags a valid level-2 certificate without the subsidy', () => {
    const [f] = run(['M1'], household([p], [], { certificates: [certificate(p, 2)] }));
    expect(f).toMatchObject({ ruleId: 'M1', severity: 'MISSED_AID', idNumbers: [p.idNumber], departments: ['DISABILITY'], records: [], ongoing: true });
    expect(f.measure).toEqual({ type: 'MISSED', expected: ['DISABILITY_NURSING'], met: [{ fact: 'DISABILITY_CERTIFICATE', certificateNumber: `${p.idNumber}42`, category: 4, level: 2 }] });
  });

  it('does not flag level 3, an expired or revoked certificate, a subsidy held, or a dead person', () => {
    expect(run(['M1'], household([p], [], { certificates: [certificate(p, 3)] }))).toEqual([]);
    expect(run(['M1'], household([p], [], { certificates: [certificate(p, 1, { validUntil: '2026-03-14' })] }))).toEqual([]);
    expect(run(['M1'], household([p], [], { certificates: [certificate(p, 1, { status: 'REVOKED' })] }))).toEqual([]);
    expect(run(['M1'], household([p], [aid('DISABILITY_NURSING', p, { start: '2020-01-01' })], { certificates: [certificate(p, 1)] }))).toEqual([]);
    const dead = person('1977-09-03', 42, '2026-01-01');
    expect(run(['M1'], household([dead], [], { certificates: [certificate(dead, 1)] }))).toEqual([]);
  });

  it('counts a suspended (暂停) subsidy as held: a suspension under review is a decision, not a gap', () => {
    expect(run(['M1'], household([p], [aid('DISABILITY_NURSING', p, { start: '2020-01-01' }, { status: 'SUSPENDED' })], { certificates: [certificate(p, 1)] }))).toEqual([]);
  });

  it('flags a subsidy that ended before today', () => {
    expect(run(['M1'], household([p], [aid('DISABILITY_NURSING', p, { start: '2020-01-01', end: '2026-02-28' })], { certificates: [certificate(p, 1)] }))).toHaveLength(1);
  });
});

describe('M2 disabled member of a 低保 household with no living subsidy', () => {
  const head = person('1975-04-12', 31);
  const spouse = person('1977-09-03', 42);

  it('flags the disabled member when any member holds 低保 today', () => {
    const found = run(['M2'], household([head, spouse], [aid('DIBAO', head, { start: '2024-01-01' })], { certificates: [certificate(spouse, 4)] }));
    expect(found.map((f) => f.idNumbers)).toEqual([[spouse.idNumber]]);
    expect(found[0].measure).toMatchObject({ met: [{ fact: 'HOUSEHOLD_HOLDS', programmes: ['DIBAO'] }, { fact: 'DISABILITY_CERTIFICATE', level: 4 }] });
  });

  it('does not flag when the 低保 ended, or when the subsidy is paid', () => {
    expect(run(['M2'], household([head, spouse], [aid('DIBAO', head, { start: '2024-01-01', end: '2025-12-31' })], { certificates: [certificate(spouse, 4)] }))).toEqual([]);
    expect(run(['M2'], household([head, spouse], [aid('DIBAO', head, { start: '2024-01-01' }), aid('DISABILITY_LIVING', spouse, { start: '2024-02-01' })], { certificates: [certificate(spouse, 4)] }))).toEqual([]);
  });

  it('counts a suspended 低保 as the household’s, as the missed-aid rules count every suspension', () => {
    expect(run(['M2'], household([head, spouse], [aid('DIBAO', head, { start: '2024-01-01' }, { status: 'SUSPENDED' })], { certificates: [certificate(spouse, 4)] })).map((f) => f.idNumbers)).toEqual([[spouse.idNumber]]);
  });

  it('does not flag a member the orphan allowance or 特困 support keeps (X3: the subsidy is not owed beside them), only while they hold it', () => {
    const withAid = (programme: 'ORPHAN' | 'TEKUN', period: { start: string; end?: string }) =>
      run(['M2'], household([head, spouse], [aid('DIBAO', head, { start: '2024-01-01' }), aid(programme, spouse, period)], { certificates: [certificate(spouse, 4)] }));
    expect(withAid('ORPHAN', { start: '2024-01-01' })).toEqual([]);
    expect(withAid('TEKUN', { start: '2024-01-01' })).toEqual([]);
    expect(withAid('TEKUN', { start: '2024-01-01', end: '2025-12-31' }).map((f) => f.idNumbers)).toEqual([[spouse.idNumber]]);
  });

  it('does not count a former member’s 低保', () => {
    const spells = [spell(1, head, '2000-01-01', '2025-01-01'), spell(1, spouse)];
    expect(run(['M2'], household([head, spouse], [aid('DIBAO', head, { start: '2024-01-01' })], { spells, homeMembers: new Set([spouse.idNumber]), certificates: [certificate(spouse, 4)] }))).toEqual([]);
  });
});

describe('M3 student in a 低保 or 特困 household with no education aid this school year', () => {
  const head = person('1975-04-12', 31);
  const child = person('2012-06-20', 13);
  const base = [aid('TEKUN', head, { start: '2024-01-01' })];

  it('flags a school-age student on the roll with nothing this school year', () => {
    const lastYear = aid('NATIONAL_GRANT', child, { date: '2025-03-01' }, { schoolYear: '2024-2025' });
    const [f, ...rest] = run(['M3'], household([head, child], [...base, lastYear], { students: [{ idNumber: child.idNumber }] }));
    expect(rest).toEqual([]);
    // Every office whose education aid would end it: reporters' too.
    expect(f).toMatchObject({ idNumbers: [child.idNumber], departments: ['CHARITY', 'EDUCATION', 'UNION', 'WOMENS_FEDERATION', 'YOUTH_LEAGUE'] });
    expect(f.measure).toMatchObject({ met: [{ fact: 'STUDENT', age: 13, schoolYear: '2025-2026' }, { fact: 'HOUSEHOLD_HOLDS', programmes: ['TEKUN'] }] });
  });

  it('does not flag a 17-year-old who finished school, or one who left with a leaving date past', () => {
    const leaver = person('2008-09-01', 17);
    expect(run(['M3'], household([head, leaver], base, { students: [{ idNumber: leaver.idNumber, status: 'LEFT', leftOn: '2025-06-30' }] }))).toEqual([]);
    expect(run(['M3'], household([head, leaver], base, { students: [{ idNumber: leaver.idNumber, status: 'IN_SCHOOL', leftOn: '2026-01-15' }] }))).toEqual([]);
    // Still in school (leaving in the summer): still owed aid.
    expect(run(['M3'], household([head, leaver], base, { students: [{ idNumber: leaver.idNumber, status: 'IN_SCHOOL', leftOn: '2026-06-30' }] }))).toHaveLength(1);
  });

  it('does not flag a student funded this year (by any department), an adult, or a child not on the roll', () => {
    const students = [{ idNumber: child.idNumber }];
    expect(run(['M3'], household([head, child], [...base, aid('UNION_AUTUMN_EDU', child, { date: '2025-08-20' }, { schoolYear: '2025-2026' })], { students }))).toEqual([]);
    expect(run(['M3'], household([head, child], base))).toEqual([]);
    // Education aid reported directly (希望工程, 春蕾计划, 慈善助学) is education aid too; one of last school year is not.
    for (const programme of ['HOPE_PROJECT', 'SPRING_BUD', 'CHARITY_EDUCATION'] as const) {
      expect(run(['M3'], household([head, child], [...base, aid(programme, child, { date: '2025-10-20' })], { students }))).toEqual([]);
      expect(run(['M3'], household([head, child], [...base, aid(programme, child, { date: '2025-06-20' })], { students }))).toHaveLength(1);
    }
    const adult = person('2005-01-01', 13);
    expect(run(['M3'], household([head, adult], base, { students: [{ idNumber: adult.idNumber }] }))).toEqual([]);
  });
});

describe('M4 out-of-pocket over the threshold with no medical aid', () => {
  const p = person('1948-01-30', 24);
  function stay(ref: string, settledOn: string, outOfPocketFen: number, medicalAidPaidFen = 0): [string, HospitalSettlement] {
    return [ref, { settlementRef: ref, idNumber: p.idNumber, hospitalName: 'h', admittedOn: settledOn, dischargedOn: settledOn, settledOn, diagnosis: null, totalCostFen: 3 * outOfPocketFen, basicInsurancePaidFen: outOfPocketFen, criticalIllnessInsurancePaidFen: outOfPocketFen - medicalAidPaidFen, medicalAidPaidFen, outOfPocketFen }];
  }

  it('adds up the stays in the last 12 months', () => {
    const settlements = new Map([stay('S1', '2025-04-01', 600_000), stay('S2', '2026-02-01', 400_001), stay('S0', '2025-03-15', 900_000)]);
    const [f] = run(['M4'], household([p], [], { settlements }));
    expect(f.measure).toMatchObject({ met: [{ fact: 'OUT_OF_POCKET', totalFen: 1_000_001, thresholdFen: 1_000_000, over: true, from: '2025-03-16', to: TODAY, settlementRefs: ['S1', 'S2'] }] });
    expect(f.departments).toEqual(['HEALTH']);
  });

  it('does not flag exactly the threshold when the basis says 超过 (overFen), and does when a rule says 达到 (minFen)', () => {
    const settlements = new Map([stay('S1', '2025-04-01', 600_000), stay('S2', '2026-02-01', 400_000)]);
    expect(run(['M4'], household([p], [], { settlements }))).toEqual([]);
    const atLeast = buildRuleSet(defaults, { rules: [{ id: 'M4', when: [{ fact: 'OUT_OF_POCKET', windowMonths: 12, minFen: 1_000_000 }] }] }, { defaults: 'd' }).rules.filter((r) => r.id === 'M4');
    const [f] = evaluateHousehold(household([p], [], { settlements }), atLeast, TODAY);
    expect(f.measure).toMatchObject({ met: [{ fact: 'OUT_OF_POCKET', totalFen: 1_000_000, thresholdFen: 1_000_000, over: false }] });
  });

  it('does not flag below the threshold or with medical aid in the window', () => {
    expect(run(['M4'], household([p], [], { settlements: new Map([stay('S1', '2025-04-01', 999_999)]) }))).toEqual([]);
    const settlements = new Map([stay('S1', '2025-04-01', 1_500_000)]);
    expect(run(['M4'], household([p], [aid('MEDICAL_AID', p, { date: '2025-04-01' }, { settlementRef: 'S1' })], { settlements }))).toEqual([]);
  });
});

describe('M5 two temporary aids in 12 months with no basic living aid', () => {
  const head = person('1970-01-01', 31);
  const son = person('1995-02-02', 53);

  it('flags the household, whatever the causes', () => {
    const a = aid('TEMP_AID', head, { date: '2025-05-01' }, { cause: 'ILLNESS' });
    const b = aid('TEMP_AID', son, { date: '2026-01-20' }, { cause: 'ACCIDENT' });
    const [f] = run(['M5'], household([head, son], [a, b]));
    expect(f).toMatchObject({ ruleId: 'M5', scope: 'HOUSEHOLD', records: [a, b], departments: ['CIVIL_AFFAIRS'] });
  });

  it('does not flag a household on 低保, or grants older than 12 months', () => {
    const grants = [aid('TEMP_AID', head, { date: '2025-05-01' }), aid('TEMP_AID', son, { date: '2026-01-20' })];
    expect(run(['M5'], household([head, son], [...grants, aid('DIBAO', head, { start: '2026-02-01' })]))).toEqual([]);
    expect(run(['M5'], household([head, son], [aid('TEMP_AID', head, { date: '2025-03-15' }), aid('TEMP_AID', son, { date: '2026-01-20' })]))).toEqual([]);
  });
});
