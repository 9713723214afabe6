/**
 * The pure part of the demo-data generator: a believable Jining-like population (households,
 * people, deaths, disabilities, hardship), to which every department adds what it would hold
 * about it (federation/<dept>/demo.ts, through federation/demo-contract.ts), determined entirely
 * by (seed, reference date, first household number, number of households).
 *
 * Each household is drawn from its own PRNG stream seeded with (seed, household number), so the
 * result does not depend on how a run is cut into chunks. The one piece of state carried from
 * household to household is the ID-number sequence counter per (county, birth date, sex), which
 * keeps every ID number unique without remembering the ID numbers themselves.
 *
 * Department records follow the policies at realistic rates, with a small share of the data
 * defects the hub exists to find (aid after death, 低保 and 特困 at once, two 低保 families, both
 * public-rental forms, aid over the out-of-pocket amount, missed nursing subsidies, …), so that
 * the duplicate-aid and missed-aid rules have something to find (RATES, federation/demo-kit.ts).
 */
import { makeIdNumber } from '../../domain/id-number';
import { COUNTY_SEEDS, REGIONS, isUrbanVillage } from '../../domain/regions';
import { ageOn, civil, compactOf, dayNumber, isoOf, parseIso } from '../../federation/demo-calendar';
import { SURNAMES, givenName } from './names';
import { Rng, Weighted, mix32, seedFromText, seedOf } from '../../federation/demo-random';
import { emptyRows, type TableRows } from './tables';
import { DEPARTMENT_CODES, DEPARTMENT_NUMBERS, type DepartmentCode } from '../../domain/departments';
import { ADAPTERS } from '../../federation/registry';
import { DEMO_DEFECTS } from '../../federation/demo-kit';
import type {
  DemoCounty,
  DemoDraw,
  DemoHousehold,
  DemoHouseholdType,
  DemoPerson,
  DemoReference,
  DemoRelation,
  DemoStep,
  DepartmentDemo,
} from '../../federation/demo-contract';

/** Departments that write their part from a random stream of their own. */
const OWN_STREAM_DEMOS: readonly { code: DepartmentCode; household: NonNullable<DepartmentDemo['household']> }[] = DEPARTMENT_CODES.flatMap((code) => {
  const household = ADAPTERS[code].demo?.household;
  return household ? [{ code, household }] : [];
});

/** Every department's steps on the household's shared stream, in rank order (ties: registry order). */
const SHARED_STEPS: readonly DemoStep[] = DEPARTMENT_CODES.flatMap((code) => ADAPTERS[code].demo?.steps ?? [])
  .map((step, i) => ({ step, i }))
  .sort((a, b) => a.step.rank - b.step.rank || a.i - b.i)
  .map(({ step }) => step);

export interface GeneratorOptions {
  seed: string | number;
  /** 'YYYY-MM-DD': "today" for the generated data; every date is relative to it. */
  referenceDate: string;
  /** Household number of the first household (0-based); an appended run continues after the existing ones. */
  firstHousehold?: number;
  /** ID numbers already in use (appending to an existing database); they are skipped. */
  isTaken?: (idNumber: string) => boolean;
}

/** Rates the generator aims at, for the tests and the report. */
export const RATES = { defects: DEMO_DEFECTS } as const;

type Relation = DemoRelation;
type Gender = 'M' | 'F';
type HouseholdType = DemoHouseholdType;
type Member = DemoPerson;
type County = DemoCounty;
type Household = DemoDraw;

const HOUSEHOLD_TYPES = new Weighted<HouseholdType>([
  ['ELDERLY_SINGLE', 9],
  ['ELDERLY_COUPLE', 12],
  ['SINGLE_ADULT', 6],
  ['COUPLE', 6],
  ['NUCLEAR', 38],
  ['THREE_GEN', 16],
  ['SINGLE_PARENT', 5],
  ['OLD_WITH_ADULT_CHILD', 5],
  ['SKIP_GENERATION', 3],
]);

const CHILD_COUNTS = new Weighted<number>([[1, 45], [2, 45], [3, 10]]);
const ADULT_DIS_TYPES = new Weighted<number>([[4, 45], [1, 13], [2, 14], [3, 1], [5, 6], [6, 11], [7, 10]]);
const CHILD_DIS_TYPES = new Weighted<number>([[5, 35], [3, 10], [2, 12], [4, 25], [7, 13], [1, 5]]);
const DIS_LEVELS = new Weighted<number>([[1, 12], [2, 20], [3, 30], [4, 38]]);

const RENTAL_ESTATES = ['惠民家园', '安居苑', '康馨小区', '和谐家园', '幸福里小区', '同心苑', '安泰花园', '保障房东区'];
const ROADS = ['建设路', '太白楼路', '红星路', '古槐路', '共青团路', '洸河路', '运河路', '人民路', '解放路', '和平路', '府河路', '文化路', '新华路', '光明路'];

function buildCounties(): County[] {
  return COUNTY_SEEDS.map((seed, index) => {
    const townships = REGIONS.filter((r) => r.level === 'TOWNSHIP' && r.parentCode === seed.code).map((t) => ({
      region: t,
      street: Number(t.code.slice(6)) < 100,
      base: t.name.replace(/(街道|镇|乡)$/, ''),
      villages: REGIONS.filter((v) => v.level === 'VILLAGE' && v.parentCode === t.code),
    }));
    return {
      index,
      code: seed.code,
      name: seed.name,
      cityName: seed.parentCode === '370800' ? '济宁市' : '聊城市',
      townships,
      childStandardFen: (1500 + ((index * 37) % 9) * 20) * 100,
    };
  });
}

const COUNTIES_DATA = buildCounties();
const COUNTY_PICK = new Weighted<County>(COUNTIES_DATA.map((c, i) => [c, COUNTY_SEEDS[i].population] as const));


const ID_SEQ_SPACE = 499; // prime: sequences 001..997 (odd, male) and 002..998 (even, female)

export class DemoGenerator {
  private readonly seed: number;
  private readonly ref: number;
  private readonly refYear: number;
  private readonly refMonth: number;
  private readonly refDay: number;
  private readonly reference: DemoReference;
  private readonly isTaken?: (idNumber: string) => boolean;
  private next: number;
  /** Per (county, birth day, sex): how many ID numbers handed out. */
  private readonly idCounters: Uint16Array;
  private readonly idBase: number;
  private readonly idSpan: number;
  private readonly idStride: number;

  constructor(opts: GeneratorOptions) {
    this.seed = seedFromText(opts.seed);
    this.ref = parseIso(opts.referenceDate);
    [this.refYear, this.refMonth, this.refDay] = civil(this.ref);
    this.reference = { day: this.ref, year: this.refYear, month: this.refMonth };
    this.isTaken = opts.isTaken;
    this.next = opts.firstHousehold ?? 0;
    this.idBase = dayNumber(this.refYear - 110, 1, 1);
    this.idSpan = this.ref - this.idBase + 8;
    this.idStride = 1 + (this.seed % (ID_SEQ_SPACE - 1));
    this.idCounters = new Uint16Array(COUNTIES_DATA.length * this.idSpan * 2);
  }

  /** The number of the next household to be generated. */
  get nextHousehold(): number {
    return this.next;
  }

  /** The next `count` households and everything the departments hold about them (appended to `rows` if given). */
  generate(count: number, rows: TableRows = emptyRows()): TableRows {
    for (let i = 0; i < count; i++) this.household(this.next++, rows);
    return rows;
  }

  // ---------------------------------------------------------------- people

  /** The birth dates that give exactly `age` whole years at the reference date. */
  private birthWindow(age: number): [number, number] {
    const lo = dayNumber(this.refYear - age - 1, this.refMonth, this.refDay) + 1;
    const hi = dayNumber(this.refYear - age, this.refMonth, this.refDay);
    return [Math.max(lo, this.idBase), Math.min(hi, this.ref)];
  }

  /**
   * A fresh ID number for someone born in the county on `birth`; if that day's sequence numbers
   * are used up, on a nearby day in the same window (same age).
   */
  private idNumber(county: County, birth: number, window: [number, number], gender: Gender): [string, number] {
    const g = gender === 'M' ? 0 : 1;
    for (const off of [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 30, -30, 90, -90, 180, -180]) {
      const b = birth + off;
      if (b > window[1] || b < window[0]) continue;
      const slot = ((county.index * this.idSpan + (b - this.idBase)) << 1) | g;
      const shift = mix32(slot ^ this.seed) % ID_SEQ_SPACE;
      while (this.idCounters[slot] < ID_SEQ_SPACE) {
        const k = this.idCounters[slot]++;
        const p = (this.idStride * k + shift) % ID_SEQ_SPACE;
        const id = makeIdNumber(county.code, compactOf(b), g === 0 ? 2 * p + 1 : 2 * p + 2);
        if (!this.isTaken || !this.isTaken(id)) return [id, b];
      }
    }
    throw new Error('ID number space exhausted for one county and birth date: too many households for the demo generator');
  }

  private person(h: Household, relation: Relation, gender: Gender, age: number, surname: string, taken: Set<string>): Member {
    const rng = h.rng;
    const window = this.birthWindow(Math.max(0, Math.min(age, 104)));
    const [id, birth] = this.idNumber(h.county, rng.int(window[0], window[1]), window, gender);
    const birthYear = civil(birth)[0];
    let name = surname + givenName(rng, gender, birthYear);
    for (let tries = 0; taken.has(name) && tries < 5; tries++) name = surname + givenName(rng, gender, birthYear);
    taken.add(name);
    const m: Member = { id, name, gender, birth, death: null, age: ageOn(birth, this.ref), relation, joined: birth, left: null, disability: null };
    h.members.push(m);
    return m;
  }

  private buildMembers(h: Household): void {
    const rng = h.rng;
    const names = new Set<string>();
    const family = SURNAMES.pick(rng);
    const other = (): string => SURNAMES.pick(rng);
    const wifeAge = (headAge: number): number => Math.max(20, headAge - rng.int(-1, 5));
    const kids = (motherAge: number, surname: string, max: number, relation: Relation = 'CHILD'): void => {
      const n = Math.min(max, CHILD_COUNTS.pick(rng));
      let age = Math.min(28, motherAge - rng.int(21, 31));
      for (let i = 0; i < n && age >= 0; i++) {
        this.person(h, relation, rng.chance(0.52) ? 'M' : 'F', age, surname, names);
        age -= rng.int(2, 7);
      }
    };
    switch (h.type) {
      case 'ELDERLY_SINGLE':
        this.person(h, 'HEAD', rng.chance(0.62) ? 'F' : 'M', 65 + Math.floor(21 * Math.sqrt(rng.next())), family, names);
        break;
      case 'ELDERLY_COUPLE': {
        const a = rng.int(60, 85);
        this.person(h, 'HEAD', 'M', a, family, names);
        this.person(h, 'SPOUSE', 'F', Math.max(55, wifeAge(a)), other(), names);
        break;
      }
      case 'SINGLE_ADULT': {
        const g: Gender = rng.chance(0.62) ? 'M' : 'F';
        const a = rng.int(25, 59);
        this.person(h, 'HEAD', g, a, family, names);
        if (rng.chance(0.1)) this.person(h, 'SIBLING', rng.chance(0.5) ? 'M' : 'F', Math.max(18, a + rng.int(-8, 8)), family, names);
        break;
      }
      case 'COUPLE': {
        const a = rng.chance(0.5) ? rng.int(25, 35) : rng.int(45, 59);
        this.person(h, 'HEAD', 'M', a, family, names);
        this.person(h, 'SPOUSE', 'F', wifeAge(a), other(), names);
        break;
      }
      case 'NUCLEAR': {
        const a = rng.int(28, 55);
        this.person(h, 'HEAD', 'M', a, family, names);
        const w = wifeAge(a);
        this.person(h, 'SPOUSE', 'F', w, other(), names);
        kids(w, family, 3);
        break;
      }
      case 'THREE_GEN': {
        const a = rng.int(30, 55);
        this.person(h, 'HEAD', 'M', a, family, names);
        const w = wifeAge(a);
        this.person(h, 'SPOUSE', 'F', w, other(), names);
        kids(w, family, 2);
        const father = Math.min(98, a + rng.int(22, 32));
        const r = rng.next();
        if (r < 0.7) this.person(h, 'PARENT', 'M', father, family, names);
        if (r >= 0.55) this.person(h, 'PARENT', 'F', Math.min(98, father - rng.int(0, 4)), other(), names);
        break;
      }
      case 'SINGLE_PARENT': {
        const g: Gender = rng.chance(0.7) ? 'F' : 'M';
        const a = rng.int(28, 50);
        this.person(h, 'HEAD', g, a, family, names);
        kids(a, g === 'M' ? family : other(), 2);
        break;
      }
      case 'OLD_WITH_ADULT_CHILD': {
        const a = rng.int(55, 80);
        this.person(h, 'HEAD', 'M', a, family, names);
        if (rng.chance(0.7)) this.person(h, 'SPOUSE', 'F', wifeAge(a), other(), names);
        this.person(h, 'CHILD', rng.chance(0.6) ? 'M' : 'F', Math.max(18, a - rng.int(22, 32)), family, names);
        break;
      }
      case 'SKIP_GENERATION': {
        const a = rng.int(55, 78);
        const couple = rng.chance(0.75);
        const headGender: Gender = couple || rng.chance(0.5) ? 'M' : 'F';
        this.person(h, 'HEAD', headGender, a, family, names);
        if (couple) this.person(h, 'SPOUSE', 'F', wifeAge(a), other(), names);
        const n = rng.chance(0.65) ? 1 : 2;
        let age = rng.int(3, 16);
        for (let i = 0; i < n && age >= 0; i++) {
          this.person(h, 'GRANDCHILD', rng.chance(0.52) ? 'M' : 'F', age, headGender === 'M' ? family : other(), names);
          age -= rng.int(2, 6);
        }
        break;
      }
    }
  }

  /** Deaths in the last three years, membership spells, disabilities. */
  private lifeEvents(h: Household): void {
    const rng = h.rng;
    const head = h.members[0];
    const earliest = Math.max(head.birth + 365 * 20, this.ref - rng.int(365, 365 * 40));
    h.formed = Math.min(earliest, this.ref - rng.int(30, 365));
    for (const m of h.members) {
      m.joined = Math.max(h.formed, m.birth);
      const a = m.age;
      const pDeath = a < 50 ? 0.003 : a < 65 ? 0.02 : a < 75 ? 0.06 : a < 85 ? 0.15 : 0.3;
      if (rng.chance(pDeath)) {
        const d = this.ref - rng.int(1, 1095);
        if (d > m.joined) {
          m.death = d;
          m.left = d;
        }
      }
      let pDis = a < 18 ? 0.014 : a < 45 ? 0.035 : a < 60 ? 0.07 : a < 75 ? 0.115 : 0.18;
      if (h.type === 'OLD_WITH_ADULT_CHILD' && m.relation === 'CHILD') pDis *= 4;
      if (a >= 1 && rng.chance(pDis)) {
        const type = (a < 18 ? CHILD_DIS_TYPES : ADULT_DIS_TYPES).pick(rng);
        const level = DIS_LEVELS.pick(rng);
        const issued = Math.max(m.birth + 365, this.ref - rng.int(30, 365 * 11));
        const last = m.death ?? this.ref;
        if (issued < last) m.disability = { type, level, certNo: `${m.id}${type}${level}`, issued };
      }
    }
  }

  // ---------------------------------------------------------------- the household

  private household(no: number, rows: TableRows): void {
    const rng = new Rng(seedOf(this.seed, no));
    const county = COUNTY_PICK.pick(rng);
    const township = rng.pick(county.townships);
    const village = rng.pick(township.villages);
    const h: Household = {
      no,
      id: no + 1,
      rng,
      county,
      counties: COUNTIES_DATA,
      township,
      village,
      urban: isUrbanVillage(village.code),
      type: HOUSEHOLD_TYPES.pick(rng),
      formed: this.ref,
      members: [],
      poor: false,
      dibaoFamilyNo: null,
      dibaoSpells: new Map(),
      tekunSpells: new Map(),
      childSpells: new Map(),
      settlements: [],
    };
    this.buildMembers(h);
    this.lifeEvents(h);

    // Hardship: more likely in the countryside, for people alone, lone parents, grandparents
    // raising grandchildren, and households with a severely disabled member.
    let pPoor = h.urban ? 0.025 : 0.055;
    if (h.type === 'ELDERLY_SINGLE' || h.type === 'SKIP_GENERATION') pPoor *= 3;
    else if (h.type === 'SINGLE_PARENT' || h.type === 'OLD_WITH_ADULT_CHILD') pPoor *= 2.5;
    if (h.members.some((m) => m.disability && m.disability.level <= 2)) pPoor *= 2.5;
    else if (h.members.some((m) => m.disability)) pPoor *= 1.5;
    h.poor = rng.chance(Math.min(0.9, pPoor));

    this.hubRows(h, rows);
    for (const step of SHARED_STEPS) step.run(h, rows, this.reference);
    this.departmentDemos(h, rows);
  }

  /**
   * The departments that write their own part of the demo (federation/<dept>/demo.ts) get each
   * household as plain data and a random source of their own, so adding one leaves every other
   * department's rows exactly as they were.
   */
  private departmentDemos(h: Household, rows: TableRows): void {
    if (OWN_STREAM_DEMOS.length === 0) return;
    const view: DemoHousehold = {
      id: h.id,
      countyCode: h.county.code,
      villageCode: h.village.code,
      urban: h.urban,
      poor: h.poor,
      members: h.members.map((m) => ({
        idNumber: m.id,
        gender: m.gender,
        birthDate: isoOf(m.birth),
        deathDate: m.death === null ? null : isoOf(m.death),
        age: m.age,
        disabilityLevel: m.disability?.level ?? null,
      })),
    };
    const reference = isoOf(this.ref);
    for (const { code, household } of OWN_STREAM_DEMOS) {
      const out = household(view, new Rng(seedOf(this.seed, h.no, 0x64656d6f + DEPARTMENT_NUMBERS[code])), reference);
      for (const [table, tableRows] of Object.entries(out)) rows[table].push(...tableRows);
    }
  }

  private hubRows(h: Household, rows: TableRows): void {
    const rng = h.rng;
    const place = `${h.county.cityName}${h.county.name}${h.township.region.name}${h.village.name}`;
    const address = h.urban
      ? `${place}${rng.pick(ROADS)}${rng.int(1, 300)}号${rng.int(1, 24)}号楼${rng.int(1, 4)}单元${rng.int(1, 18)}0${rng.int(1, 4)}室`
      : `${place}${rng.int(1, 360)}号`;
    rows.household.push([h.id, `${h.county.code}${String(h.no + 1).padStart(10, '0')}`, h.village.code, address]);
    for (const m of h.members) {
      rows.person.push([m.id, m.name, m.gender, isoOf(m.birth), m.death === null ? null : isoOf(m.death)]);
      rows.household_member.push([h.id, m.id, m.relation, isoOf(m.joined), m.left === null ? null : isoOf(m.left)]);
    }
  }

}

/** Every row for `households` households from household 0, cut into chunks (for tests and small runs). */
export function* generateChunks(opts: GeneratorOptions, households: number, chunkSize = 5000): Generator<TableRows> {
  const gen = new DemoGenerator(opts);
  for (let done = 0; done < households; done += chunkSize) yield gen.generate(Math.min(chunkSize, households - done));
}

/** All rows for a small run, in one object. */
export function generateAll(opts: GeneratorOptions, households: number): TableRows {
  return new DemoGenerator(opts).generate(households);
}
