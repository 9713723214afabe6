/**
 * Planted cases: households written after the generated population, each holding one known case
 * of a duplicate-aid or missed-aid rule, or a near miss that must not be flagged (periods that
 * touch but do not overlap, open-ended periods, leap days, a person moving household, a death on
 * the last day of a paid month, an amount exactly at the limit). The manifest lists every planted
 * household with the findings it must give, so a test can check that every case is found and no
 * near miss is flagged.
 *
 * Planted households are built apart from the random population (whose own sprinkled defects are
 * background), so what each one must give is known exactly. Their people carry the address code
 * 370899, which the generator never uses, so their ID numbers cannot collide with generated ones.
 * Dates are relative to the reference date, as in the rest of the demo data.
 */
import { addDays, monthEnd } from '../../domain/dates';
import { makeIdNumber } from '../../domain/id-number';
import { addMonths, schoolYearBounds, schoolYearOf } from '../../domain/findings/periods';
import { emptyRows, TABLES, type Cell, type TableName, type TableRows } from './tables';
import { DEPARTMENT_CODES } from '../../domain/departments';
import type { SchoolStage } from '../../domain/school-stages';
import { ADAPTERS } from '../../federation/registry';
import type { PlantSettlementYuan, PlantSink, PlantStatus, PlantVerbs } from '../../federation/demo-contract';

/** Each kind of planted fact, written by the department that holds it (its `demo.plant`). */
const VERBS: ReadonlyMap<keyof PlantVerbs, PlantVerbs[keyof PlantVerbs]> = (() => {
  const verbs = new Map<keyof PlantVerbs, PlantVerbs[keyof PlantVerbs]>();
  for (const code of DEPARTMENT_CODES) {
    for (const [name, verb] of Object.entries(ADAPTERS[code].demo?.plant ?? {}) as [keyof PlantVerbs, PlantVerbs[keyof PlantVerbs]][]) {
      if (verbs.has(name)) throw new Error(`two departments plant ${name}`);
      verbs.set(name, verb);
    }
  }
  return verbs;
})();

/** Where planted households live: a village of 任城区 古槐街道, so a scan of 370811 or 370800 finds them. */
export const PLANT_VILLAGE = '370811001001';
const PLANT_ADDRESS_CODE = '370899';

export interface PlantedHousehold {
  /** Stable name of the case, e.g. X1-overlap or NM-X5-leap-day. */
  id: string;
  /** CASE: the rules in `expected` must fire; NEAR_MISS: nothing may fire. */
  kind: 'CASE' | 'NEAR_MISS';
  /** The rule the case (or near miss) is about. */
  rule: string;
  what: string;
  householdId: number;
  registrationNo: string;
  /** Rule ids of the findings this household must give, sorted (empty for a near miss). */
  expected: string[];
}

/** A planted person in no household (a care-home resident): a region scan of the city judges them on their own. */
export interface PlantedPerson {
  id: string;
  kind: 'CASE' | 'NEAR_MISS';
  rule: string;
  what: string;
  idNumber: string;
  /** Rule ids of the findings (with no household) this person must give, sorted. */
  expected: string[];
}

export interface PlantManifest {
  referenceDate: string;
  village: string;
  households: PlantedHousehold[];
  /** People in no household; their ID numbers' county (370899) lies under the city, not under a county of it. */
  people: PlantedPerson[];
}

export interface PlantOptions {
  referenceDate: string;
  /** The first free hub household id (planted households take ids from here). */
  firstHouseholdId: number;
  /** ID numbers already in use (an appended run). */
  isTaken?: (idNumber: string) => boolean;
}

type Gender = 'M' | 'F';

interface Member {
  id: string;
  birth: string;
}

function monthStartOf(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

function monthEndOf(date: string): string {
  return monthEnd(date.slice(0, 7));
}

/** The latest 29 February whose 12-month window (and the day after it) lies before `ref`. */
function leapDayBefore(ref: string): string {
  for (let y = Number(ref.slice(0, 4)) - 1; ; y--) {
    if ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) {
      const leap = `${y}-02-29`;
      if (`${y + 1}-03-01` < ref) return leap;
    }
  }
}

class Planter {
  readonly rows: TableRows = emptyRows();
  readonly households: PlantedHousehold[] = [];
  readonly people: PlantedPerson[] = [];
  private nextHousehold: number;
  private sequence = 0;

  constructor(
    readonly ref: string,
    firstHouseholdId: number,
    private readonly isTaken: (id: string) => boolean,
  ) {
    this.nextHousehold = firstHouseholdId;
    this.sink = { ref, village: PLANT_VILLAGE, push: (table, values) => this.push(table, values) };
  }

  /** Months from the reference date (negative: before it). */
  m(months: number): string {
    return addMonths(this.ref, months);
  }

  private push(table: TableName, values: Record<string, Cell>): void {
    this.rows[table].push(TABLES[table].columns.map((c) => (c in values ? values[c] : null)));
  }

  private idNumber(birth: string, gender: Gender): string {
    for (;;) {
      this.sequence += 1;
      const seq = (this.sequence % 499) * 2 + (gender === 'M' ? 1 : 2);
      const id = makeIdNumber(PLANT_ADDRESS_CODE, birth, seq);
      if (!this.isTaken(id)) return id;
    }
  }

  person(age: number, gender: Gender, name: string, death: string | null = null): Member & { gender: Gender; name: string; death: string | null } {
    // Born on a day of the reference month, `age` years before (the 10th: every month has one).
    const birth = `${Number(this.ref.slice(0, 4)) - age - (this.ref.slice(8) < '10' ? 1 : 0)}-${this.ref.slice(5, 7)}-10`;
    return { id: this.idNumber(birth, gender), birth, gender, name, death };
  }

  household(
    id: string,
    kind: PlantedHousehold['kind'],
    rule: string,
    what: string,
    expected: string[],
    members: { person: ReturnType<Planter['person']>; relation: string; joined?: string; left?: string | null }[],
  ): number {
    const householdId = this.nextHousehold++;
    const registrationNo = `PLANT-${householdId}-${id}`.slice(0, 32);
    this.push('household', { id: householdId, registration_no: registrationNo, region_code: PLANT_VILLAGE, address: `济宁市任城区古槐街道（演示植入：${id}）` });
    for (const m of members) {
      if (!this.rows.person.some((r) => r[0] === m.person.id)) {
        this.push('person', { id_number: m.person.id, name: m.person.name, gender: m.person.gender, birth_date: m.person.birth, death_date: m.person.death });
      }
      this.push('household_member', { household_id: householdId, id_number: m.person.id, relation: m.relation, joined_on: m.joined ?? m.person.birth, left_on: m.left ?? null });
    }
    this.households.push({ id, kind, rule, what, householdId, registrationNo, expected: [...expected].sort() });
    return householdId;
  }

  /** A person the hub knows in no household. */
  outsideHousehold(id: string, kind: PlantedPerson['kind'], rule: string, what: string, expected: string[], who: ReturnType<Planter['person']>): void {
    this.push('person', { id_number: who.id, name: who.name, gender: who.gender, birth_date: who.birth, death_date: who.death });
    this.people.push({ id, kind, rule, what, idNumber: who.id, expected: [...expected].sort() });
  }

  private readonly sink: PlantSink;

  /** The department's verb that writes one kind of fact (federation/demo-contract.ts, PlantVerbs). */
  private verb<K extends keyof PlantVerbs>(name: K): PlantVerbs[K] {
    const verb = VERBS.get(name);
    if (!verb) throw new Error(`no department plants ${name}`);
    return verb as PlantVerbs[K];
  }

  dibao(familyNo: string, county: string, head: Member, approved: string, members: { person: Member; joined?: string; left?: string | null }[], ended: string | null = null): void {
    this.verb('dibao')(this.sink, familyNo, county, head, approved, members, ended);
  }

  tekun(who: Member, start: string, end: string | null): void {
    this.verb('tekun')(this.sink, who, start, end);
  }

  tempAid(who: Member, cause: string, date: string, secondAid = false, familyNo: string | null = null): void {
    this.verb('tempAid')(this.sink, who, cause, date, secondAid, familyNo);
  }

  certificate(who: Member, type: number, level: number): string {
    return this.verb('certificate')(this.sink, who, type, level);
  }

  subsidy(certNo: string, type: 'SH' | 'HL', start: string, end: string | null, status?: PlantStatus): void {
    this.verb('subsidy')(this.sink, certNo, type, start, end, status);
  }

  settlement(setlId: string, who: Member, settled: string, yuan: PlantSettlementYuan): void {
    this.verb('settlement')(this.sink, setlId, who, settled, yuan);
  }

  childAllowance(who: Member, start: string, end: string | null, opts?: { category?: 'GE' | 'SW'; status?: PlantStatus }): void {
    this.verb('childAllowance')(this.sink, who, start, end, opts);
  }

  workerFile(fileNo: string, who: Member): void {
    this.verb('workerFile')(this.sink, fileNo, who);
  }

  unionGrant(fileNo: string, type: 'DB' | 'JQ', date: string, amountFen: number, extra: { student?: Member; schoolYear?: string; setlRef?: string } = {}): void {
    this.verb('unionGrant')(this.sink, fileNo, type, date, amountFen, extra);
  }

  student(studentNo: string, who: Member, grade: number, stage: SchoolStage, opts?: { enrolYear?: string; left?: string }): void {
    this.verb('student')(this.sink, studentNo, who, grade, stage, opts);
  }

  funding(studentNo: string, schoolYear: string, paid: string, programme: 'NATIONAL_GRANT' | 'TUITION_WAIVER' | 'BOARDING_SUBSIDY'): void {
    this.verb('funding')(this.sink, studentNo, schoolYear, paid, programme);
  }

  rental(appNo: string, who: Member, allocations: { type: 'SW' | 'BT'; start: string; end: string | null }[]): void {
    this.verb('rental')(this.sink, appNo, who, allocations);
  }
}

/** The planted households and their manifest, determined by the reference date and the first id. */
export function plantCases(opts: PlantOptions): { rows: TableRows; manifest: PlantManifest } {
  const p = new Planter(opts.referenceDate, opts.firstHouseholdId, opts.isTaken ?? (() => false));
  const ref = opts.referenceDate;
  const head = (person: ReturnType<Planter['person']>) => ({ person, relation: 'HEAD' });
  const spouse = (person: ReturnType<Planter['person']>) => ({ person, relation: 'SPOUSE' });
  const child = (person: ReturnType<Planter['person']>) => ({ person, relation: 'CHILD' });

  // ---- Cases: each household must give exactly the findings listed. ----
  {
    const a = p.person(70, 'M', '植入甲');
    const h = p.household('X1-overlap', 'CASE', 'X1', '低保 (open) and 特困 for ten months at once', ['X1'], [head(a)]);
    p.dibao(`PL${h}`, '370811', a, monthStartOf(p.m(-24)), [{ person: a }]);
    p.tekun(a, monthStartOf(p.m(-12)), monthEndOf(p.m(-2)));
  }
  {
    const g = p.person(68, 'F', '植入乙');
    const c = p.person(10, 'F', '植入丙');
    p.household('X2-tekun-orphan', 'CASE', 'X2', 'a child on 特困 and the orphan allowance for six months', ['X2'], [head(g), { person: c, relation: 'GRANDCHILD' }]);
    p.tekun(c, monthStartOf(p.m(-18)), null);
    p.childAllowance(c, monthStartOf(p.m(-12)), monthEndOf(p.m(-7)));
  }
  {
    const a = p.person(45, 'M', '植入丁');
    p.household('X3-living-tekun', 'CASE', 'X3', 'the living subsidy and 特困 at once, both still running', ['X3'], [head(a)]);
    const cert = p.certificate(a, 4, 3);
    p.subsidy(cert, 'SH', p.m(-20), null);
    p.tekun(a, monthStartOf(p.m(-10)), null);
  }
  {
    const a = p.person(50, 'M', '植入戊');
    const b = p.person(48, 'F', '植入己');
    const h = p.household('X4-rental-forms', 'CASE', 'X4', 'public rental and a rent subsidy for the same household', ['X4'], [head(a), spouse(b)]);
    p.rental(`PLGZF${h}`, a, [
      { type: 'SW', start: monthStartOf(p.m(-15)), end: null },
      { type: 'BT', start: monthStartOf(p.m(-6)), end: monthEndOf(p.m(-1)) },
    ]);
  }
  {
    const a = p.person(55, 'M', '植入庚');
    const b = p.person(53, 'F', '植入辛');
    const h = p.household('X5-same-cause', 'CASE', 'X5', 'two temporary aids for illness seven months apart, in a 低保 household', ['X5'], [head(a), spouse(b)]);
    p.dibao(`PL${h}`, '370811', a, p.m(-36), [{ person: a }, { person: b }]);
    p.tempAid(a, '01', p.m(-10), false, `PL${h}`);
    p.tempAid(b, '01', p.m(-3), false, `PL${h}`);
  }
  {
    const leap = leapDayBefore(ref);
    const a = p.person(60, 'M', '植入壬');
    const h = p.household('X5-leap-day', 'CASE', 'X5', `grants on ${leap} and twelve months later (${addMonths(leap, 12)}), same cause`, ['X5'], [head(a)]);
    p.dibao(`PL${h}`, '370811', a, addMonths(leap, -24), [{ person: a }]);
    p.tempAid(a, '02', leap, false, `PL${h}`);
    p.tempAid(a, '02', addMonths(leap, 12), false, `PL${h}`);
  }
  {
    // A 普通高中 student: 国家助学金 is for 普通高中, 中职 and 高校 (X13 would flag it for a younger pupil).
    const parent = p.person(40, 'M', '植入癸');
    const c = p.person(16, 'M', '植入子');
    const h = p.household('X6-two-funders', 'CASE', 'X6', 'a national grant and 金秋助学 for the same school year', ['X6'], [head(parent), child(c)]);
    const sy = schoolYearOf(addMonths(ref, -3));
    const { from } = schoolYearBounds(sy);
    p.student(`PLS${h}`, c, 2, 'SENIOR_SECONDARY');
    p.funding(`PLS${h}`, sy, addDays(from, 44), 'NATIONAL_GRANT');
    p.workerFile(`PLGH${h}`, parent);
    p.unionGrant(`PLGH${h}`, 'JQ', addDays(from, -10), 200_000, { student: c, schoolYear: sy });
  }
  {
    const a = p.person(60, 'M', '植入丑');
    const h = p.household('X7-over-burden', 'CASE', 'X7', 'medical aid 2,000 + union illness aid 3,500 on a stay whose burden was 5,000 yuan', ['X7'], [head(a)]);
    p.settlement(`PLSETL${h}`, a, p.m(-2), { total: 20000, hifp: 12000, hifmi: 3000, maf: 2000, psn: 3000 });
    p.workerFile(`PLGH${h}`, a);
    p.unionGrant(`PLGH${h}`, 'DB', addDays(p.m(-2), 20), 350_000, { setlRef: `PLSETL${h}` });
  }
  {
    const death = `${p.m(-4).slice(0, 7)}-15`;
    const a = p.person(80, 'M', '植入寅', death);
    const h = p.household('X8-after-death', 'CASE', 'X8', `died ${death}; the 低保 share still runs`, ['X8'], [{ person: a, relation: 'HEAD', left: death }]);
    p.dibao(`PL${h}`, '370811', a, p.m(-60), [{ person: a }]);
  }
  {
    const a = p.person(65, 'F', '植入卯');
    const h = p.household('X9-two-counties', 'CASE', 'X9', '低保 in two families in two counties at once', ['X9'], [head(a)]);
    p.dibao(`PL${h}A`, '370811', a, p.m(-30), [{ person: a }]);
    p.dibao(`PL${h}B`, '370812', a, p.m(-8), [{ person: a }]);
  }
  {
    const a = p.person(35, 'M', '植入辰');
    p.household('M1-no-nursing', 'CASE', 'M1', 'level-2 certificate, no nursing subsidy', ['M1'], [head(a)]);
    p.certificate(a, 1, 2);
  }
  {
    const a = p.person(50, 'M', '植入巳');
    const s = p.person(20, 'M', '植入午');
    const h = p.household('M2-no-living', 'CASE', 'M2', 'a disabled son in a 低保 household, no living subsidy', ['M2'], [head(a), child(s)]);
    p.dibao(`PL${h}`, '370811', a, p.m(-24), [{ person: a }, { person: s }]);
    p.certificate(s, 5, 4);
  }
  {
    const mother = p.person(38, 'F', '植入未');
    const c = p.person(11, 'F', '植入申');
    const h = p.household('M3-no-education-aid', 'CASE', 'M3', 'a pupil in a 低保 household with no aid this school year', ['M3'], [head(mother), child(c)]);
    p.dibao(`PL${h}`, '370811', mother, p.m(-30), [{ person: mother }, { person: c }]);
    p.student(`PLS${h}`, c, 5, 'PRIMARY');
    const last = schoolYearOf(addMonths(schoolYearBounds(schoolYearOf(ref)).from, -1));
    p.funding(`PLS${h}`, last, addDays(schoolYearBounds(last).from, 44), 'BOARDING_SUBSIDY');
  }
  {
    const a = p.person(58, 'M', '植入酉');
    const h = p.household('M4-high-costs', 'CASE', 'M4', 'out of pocket 6,000 + 5,000 yuan in 12 months, no medical aid', ['M4'], [head(a)]);
    p.settlement(`PLSETL${h}A`, a, p.m(-8), { total: 30000, hifp: 20000, hifmi: 4000, maf: 0, psn: 6000 });
    p.settlement(`PLSETL${h}B`, a, p.m(-1), { total: 25000, hifp: 17000, hifmi: 3000, maf: 0, psn: 5000 });
  }
  {
    const a = p.person(45, 'M', '植入戌');
    const b = p.person(44, 'F', '植入亥');
    p.household('M5-two-temp-aids', 'CASE', 'M5', 'temporary aid for an accident and for job loss in 12 months, not on 低保', ['M5'], [head(a), spouse(b)]);
    p.tempAid(a, '02', p.m(-9));
    p.tempAid(b, '04', p.m(-2));
  }

  // ---- Near misses: none of these may give any finding. ----
  {
    const a = p.person(72, 'M', '近似甲');
    const h = p.household('NM-X1-touching', 'NEAR_MISS', 'X1', '低保 ends the day before 特困 starts', [], [head(a)]);
    p.dibao(`PL${h}`, '370811', a, monthStartOf(p.m(-24)), [{ person: a }], monthEndOf(p.m(-7)));
    p.tekun(a, monthStartOf(p.m(-6)), null);
  }
  {
    const a = p.person(74, 'F', '近似乙');
    const h = p.household('NM-X1-open-after-closed', 'NEAR_MISS', 'X1', 'open-ended 低保 after a 特困 spell that closed before it', [], [head(a)]);
    p.tekun(a, monthStartOf(p.m(-60)), monthEndOf(p.m(-31)));
    p.dibao(`PL${h}`, '370811', a, monthStartOf(p.m(-30)), [{ person: a }]);
  }
  {
    const a = p.person(47, 'M', '近似丙');
    p.household('NM-X3-months-touch', 'NEAR_MISS', 'X3', 'the living subsidy paid to the end of a month, 特困 from the first of the next', [], [head(a)]);
    const cert = p.certificate(a, 4, 3);
    p.subsidy(cert, 'SH', p.m(-30), p.m(-13));
    p.tekun(a, monthStartOf(p.m(-12)), null);
  }
  {
    const leap = leapDayBefore(ref);
    const a = p.person(61, 'M', '近似丁');
    const h = p.household('NM-X5-leap-day', 'NEAR_MISS', 'X5', `grants on ${leap} and on ${addDays(addMonths(leap, 12), 1)}: a day past the window`, [], [head(a)]);
    p.dibao(`PL${h}`, '370811', a, addMonths(leap, -24), [{ person: a }]);
    p.tempAid(a, '02', leap, false, `PL${h}`);
    p.tempAid(a, '02', addDays(addMonths(leap, 12), 1), false, `PL${h}`);
  }
  {
    const a = p.person(57, 'F', '近似戊');
    const h = p.household('NM-X5-second-aid', 'NEAR_MISS', 'X5', 'the second grant for the same cause is an approved second aid', [], [head(a)]);
    p.dibao(`PL${h}`, '370811', a, p.m(-36), [{ person: a }]);
    p.tempAid(a, '01', p.m(-8), false, `PL${h}`);
    p.tempAid(a, '01', p.m(-2), true, `PL${h}`);
  }
  {
    // A person moving household: her grant before the move stays with the household she left.
    const a = p.person(52, 'M', '近似己');
    const mover = p.person(50, 'F', '近似庚');
    const b = p.person(54, 'M', '近似辛');
    const move = monthStartOf(p.m(-6));
    const left = p.household('NM-X5-moved-out', 'NEAR_MISS', 'X5', 'one grant before a member moved out', [], [head(a), { person: mover, relation: 'SPOUSE', left: move }]);
    const joined = p.household('NM-X5-moved-in', 'NEAR_MISS', 'X5', 'a member who moved in brought an earlier grant for the same cause', [], [head(b), { person: mover, relation: 'SPOUSE', joined: move }]);
    p.dibao(`PL${left}`, '370811', a, p.m(-36), [{ person: a }, { person: mover, left: addDays(move, -1) }]);
    p.dibao(`PL${joined}`, '370811', b, p.m(-36), [{ person: b }, { person: mover, joined: move }]);
    p.tempAid(mover, '01', p.m(-9), false, `PL${left}`);
    p.tempAid(b, '01', p.m(-3), false, `PL${joined}`);
  }
  {
    const death = monthEndOf(p.m(-5));
    const a = p.person(83, 'F', '近似壬', death);
    const h = p.household('NM-X8-last-day', 'NEAR_MISS', 'X8', `died on ${death}, the last day of a paid month; aid stopped with that month`, [], [{ person: a, relation: 'HEAD', left: death }]);
    p.dibao(`PL${h}`, '370811', a, p.m(-60), [{ person: a, left: death }]);
    const cert = p.certificate(a, 1, 1);
    p.subsidy(cert, 'HL', p.m(-60), death);
  }
  {
    const a = p.person(62, 'M', '近似癸');
    const h = p.household('NM-X7-exact', 'NEAR_MISS', 'X7', 'aid on a stay exactly equal to its burden', [], [head(a)]);
    p.settlement(`PLSETL${h}`, a, p.m(-2), { total: 20000, hifp: 12000, hifmi: 3000, maf: 2000, psn: 3000 });
    p.workerFile(`PLGH${h}`, a);
    p.unionGrant(`PLGH${h}`, 'DB', addDays(p.m(-2), 20), 300_000, { setlRef: `PLSETL${h}` });
  }
  {
    const parent = p.person(41, 'F', '近似子');
    const c = p.person(17, 'F', '近似丑');
    const h = p.household('NM-X6-other-year', 'NEAR_MISS', 'X6', 'a national grant one school year, 金秋助学 the next', [], [head(parent), child(c)]);
    const sy = schoolYearOf(addMonths(ref, -3));
    const prev = schoolYearOf(addMonths(schoolYearBounds(sy).from, -1));
    p.student(`PLS${h}`, c, 3, 'SENIOR_SECONDARY');
    p.funding(`PLS${h}`, prev, addDays(schoolYearBounds(prev).from, 44), 'NATIONAL_GRANT');
    p.workerFile(`PLGH${h}`, parent);
    p.unionGrant(`PLGH${h}`, 'JQ', addDays(schoolYearBounds(sy).from, -10), 200_000, { student: c, schoolYear: sy });
  }
  {
    const a = p.person(36, 'M', '近似寅');
    p.household('NM-M1-has-nursing', 'NEAR_MISS', 'M1', 'level-1 certificate with the nursing subsidy', [], [head(a)]);
    const cert = p.certificate(a, 4, 1);
    p.subsidy(cert, 'HL', p.m(-40), null);
  }
  {
    const a = p.person(59, 'F', '近似卯');
    p.household('NM-M4-below-and-outside', 'NEAR_MISS', 'M4', 'out of pocket 9,999.99 yuan in 12 months; a large stay just outside the window', [], [head(a)]);
    p.settlement(`PLSETL${opts.firstHouseholdId}NA`, a, p.m(-6), { total: 29999.99, hifp: 17000, hifmi: 3000, maf: 0, psn: 9999.99 });
    p.settlement(`PLSETL${opts.firstHouseholdId}NB`, a, p.m(-12), { total: 60000, hifp: 30000, hifmi: 10000, maf: 0, psn: 20000 });
  }
  {
    const a = p.person(66, 'M', '近似辰');
    const h = p.household('NM-X9-consecutive', 'NEAR_MISS', 'X9', '低保 in one family to the end of a month, in another from the next day', [], [head(a)]);
    p.dibao(`PL${h}A`, '370811', a, p.m(-30), [{ person: a }], monthEndOf(p.m(-8)));
    p.dibao(`PL${h}B`, '370812', a, addDays(monthEndOf(p.m(-8)), 1), [{ person: a }]);
  }

  // ---- Issue 13: X10 and X11, and aid the department suspended or revoked. Planted after every
  // earlier household, so those keep their ids, people and rows (and their findings' identities). ----
  {
    const a = p.person(52, 'M', '植入午');
    const b = p.person(50, 'F', '植入未');
    const h = p.household('X10-two-allocations', 'CASE', 'X10', 'husband and wife each allocated a public-rental flat, six months at once', ['X10'], [head(a), spouse(b)]);
    p.rental(`PLGZF${h}A`, a, [{ type: 'SW', start: monthStartOf(p.m(-24)), end: null }]);
    p.rental(`PLGZF${h}B`, b, [{ type: 'SW', start: monthStartOf(p.m(-8)), end: monthEndOf(p.m(-3)) }]);
  }
  {
    const g = p.person(66, 'F', '植入申');
    const c = p.person(9, 'M', '植入酉');
    p.household('X11-orphan-and-unsupported', 'CASE', 'X11', 'a child paid the orphan and the 事实无人抚养 allowance for six months at once', ['X11'], [head(g), { person: c, relation: 'GRANDCHILD' }]);
    p.childAllowance(c, monthStartOf(p.m(-18)), null);
    p.childAllowance(c, monthStartOf(p.m(-10)), monthEndOf(p.m(-5)), { category: 'SW' });
  }
  {
    const a = p.person(57, 'M', '近似巳');
    const b = p.person(55, 'F', '近似午');
    const h = p.household('NM-X10-consecutive', 'NEAR_MISS', 'X10', 'one spouse’s public-rental flat to the end of a month, the other’s from the next day', [], [head(a), spouse(b)]);
    p.rental(`PLGZF${h}A`, a, [{ type: 'SW', start: monthStartOf(p.m(-30)), end: monthEndOf(p.m(-10)) }]);
    p.rental(`PLGZF${h}B`, b, [{ type: 'SW', start: addDays(monthEndOf(p.m(-10)), 1), end: null }]);
  }
  {
    const g = p.person(70, 'M', '近似未');
    const c = p.person(11, 'F', '近似申');
    p.household('NM-X11-revoked', 'NEAR_MISS', 'X11', 'an orphan allowance revoked (撤销) beside a running 事实无人抚养 allowance', [], [head(g), { person: c, relation: 'GRANDCHILD' }]);
    p.childAllowance(c, monthStartOf(p.m(-18)), null, { status: 'REVOKED' });
    p.childAllowance(c, monthStartOf(p.m(-10)), null, { category: 'SW' });
  }
  {
    const a = p.person(47, 'M', '近似酉');
    p.household('NM-X3-suspended', 'NEAR_MISS', 'X3', 'a suspended (暂停) living subsidy beside 特困 support that began after it', [], [head(a)]);
    const cert = p.certificate(a, 4, 3);
    p.subsidy(cert, 'SH', p.m(-20), null, 'SUSPENDED');
    p.tekun(a, monthStartOf(p.m(-10)), null);
  }
  // ---- X12: 金秋助学 twice in one school year; planted after every earlier household. ----
  {
    const parent = p.person(44, 'M', '植入亥');
    const c = p.person(16, 'F', '植入甲');
    const h = p.household('X12-autumn-twice', 'CASE', 'X12', '金秋助学 paid twice to one student for the same school year', ['X12'], [head(parent), child(c)]);
    const sy = schoolYearOf(addMonths(ref, -3));
    const { from } = schoolYearBounds(sy);
    p.workerFile(`PLGH${h}`, parent);
    p.unionGrant(`PLGH${h}`, 'JQ', addDays(from, -10), 200_000, { student: c, schoolYear: sy });
    p.unionGrant(`PLGH${h}`, 'JQ', addDays(from, 60), 150_000, { student: c, schoolYear: sy });
  }
  {
    const parent = p.person(45, 'F', '近似亥');
    const c = p.person(17, 'M', '近似甲');
    const h = p.household('NM-X12-next-year', 'NEAR_MISS', 'X12', '金秋助学 one school year and again the next', [], [head(parent), child(c)]);
    const sy = schoolYearOf(addMonths(ref, -3));
    const prev = schoolYearOf(addMonths(schoolYearBounds(sy).from, -1));
    p.workerFile(`PLGH${h}`, parent);
    p.unionGrant(`PLGH${h}`, 'JQ', addDays(schoolYearBounds(prev).from, -10), 200_000, { student: c, schoolYear: prev });
    p.unionGrant(`PLGH${h}`, 'JQ', addDays(schoolYearBounds(sy).from, -10), 200_000, { student: c, schoolYear: sy });
  }
  // ---- X13: education aid of another school stage; planted after every earlier household. ----
  {
    const parent = p.person(36, 'F', '植入乙');
    const c = p.person(9, 'M', '植入丙');
    const h = p.household('X13-grant-to-pupil', 'CASE', 'X13', '国家助学金 paid to a primary pupil', ['X13'], [head(parent), child(c)]);
    const sy = schoolYearOf(addMonths(ref, -3));
    p.student(`PLS${h}`, c, 3, 'PRIMARY');
    p.funding(`PLS${h}`, sy, addDays(schoolYearBounds(sy).from, 44), 'NATIONAL_GRANT');
  }
  {
    // The boarding subsidy was paid last school year, in 初中; he is in 普通高中 since this one: judged on its day, it fits.
    const parent = p.person(42, 'M', '近似乙');
    const c = p.person(16, 'M', '近似丙');
    const h = p.household('NM-X13-boarded-in-junior', 'NEAR_MISS', 'X13', '寄宿生生活费补助 paid in 初中 to a student in 普通高中 now', [], [head(parent), child(c)]);
    const sy = schoolYearOf(addMonths(ref, -3));
    const prev = schoolYearOf(addMonths(schoolYearBounds(sy).from, -1));
    const start = Number(sy.slice(0, 4));
    p.student(`PLS${h}A`, c, 3, 'JUNIOR_SECONDARY', { enrolYear: String(start - 3), left: `${start}-07-01` });
    p.student(`PLS${h}B`, c, 1, 'SENIOR_SECONDARY', { enrolYear: String(start) });
    p.funding(`PLS${h}A`, prev, addDays(schoolYearBounds(prev).from, 44), 'BOARDING_SUBSIDY');
  }
  // People in no household (集中供养 in a care home): reached by the region scan on their own.
  {
    const death = addDays(monthStartOf(p.m(-4)), 11);
    const a = p.person(86, 'F', '植入戌', death);
    p.outsideHousehold('X8-outside-household', 'CASE', 'X8', `in a care home, in no household; died ${death}, 特困 support still runs`, ['X8'], a);
    p.tekun(a, monthStartOf(p.m(-60)), null);
  }
  {
    const death = addDays(monthStartOf(p.m(-6)), 3);
    const a = p.person(88, 'M', '近似戌', death);
    p.outsideHousehold('NM-X8-outside-household', 'NEAR_MISS', 'X8', `in a care home, in no household; died ${death}, 特困 support stopped with that month`, [], a);
    p.tekun(a, monthStartOf(p.m(-60)), monthEndOf(death));
  }

  return { rows: p.rows, manifest: { referenceDate: ref, village: PLANT_VILLAGE, households: p.households, people: p.people } };
}
