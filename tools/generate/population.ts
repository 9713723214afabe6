/**
 * The pure part of the demo-data generator: a believable Jining-like population and what each of
 * the first six departments would hold about it (a department whose folder declares a `demo`
 * writes its own part, federation/demo-contract.ts), determined entirely by (seed, reference date, first
 * household number, number of households).
 *
 * Each household is drawn from its own PRNG stream seeded with (seed, household number), so the
 * result does not depend on how a run is cut into chunks. The one piece of state carried from
 * household to household is the ID-number sequence counter per (county, birth date, sex), which
 * keeps every ID number unique without remembering the ID numbers themselves.
 *
 * Department records follow the policies at realistic rates, with a small share of the data
 * defects the hub exists to find (aid after death, 低保 and 特困 at once, two 低保 families, both
 * public-rental forms, aid over the out-of-pocket amount, missed nursing subsidies, …), so that
 * the duplicate-aid and missed-aid rules have something to find. Rates: see RATES below.
 */
import { makeIdNumber } from '../../domain/id-number';
import { fenToYuan } from '../../domain/money';
import { COUNTY_SEEDS, REGIONS, isUrbanVillage, type Region } from '../../domain/regions';
import { ageOn, civil, compactOf, dayNumber, isoOf, monthEndOf, monthOf, parseIso } from './calendar';
import { SURNAMES, givenName } from './names';
import { Rng, Weighted, mix32, seedFromText, seedOf } from './random';
import { emptyRows, type TableRows } from './tables';
import { DEPARTMENT_CODES, DEPARTMENT_NUMBERS } from '../../domain/departments';
import { ADAPTERS } from '../../federation/registry';
import type { DemoHousehold, DepartmentDemo } from '../../federation/demo-contract';

/** Departments that generate their own demo rows. */
const DEMOS: readonly { code: (typeof DEPARTMENT_CODES)[number]; demo: DepartmentDemo }[] = DEPARTMENT_CODES.flatMap((code) => {
  const demo = ADAPTERS[code].demo;
  return demo ? [{ code, demo }] : [];
});

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
export const RATES = {
  /** Data defects sprinkled in on purpose, as shares of the records concerned. */
  defects: {
    aidNotStoppedAtDeath: 0.15,
    dibaoAndTekun: 0.04,
    dibaoInTwoCounties: 0.006,
    bothRentalForms: 0.025,
    aidOverOutOfPocket: 0.03,
  },
} as const;

type Relation = 'HEAD' | 'SPOUSE' | 'CHILD' | 'PARENT' | 'GRANDCHILD' | 'GRANDPARENT' | 'SIBLING' | 'OTHER';
type Gender = 'M' | 'F';
type HouseholdType =
  | 'ELDERLY_SINGLE'
  | 'ELDERLY_COUPLE'
  | 'SINGLE_ADULT'
  | 'COUPLE'
  | 'NUCLEAR'
  | 'THREE_GEN'
  | 'SINGLE_PARENT'
  | 'OLD_WITH_ADULT_CHILD'
  | 'SKIP_GENERATION';

const RELATION_CN: Record<Relation, string> = {
  HEAD: '户主',
  SPOUSE: '配偶',
  CHILD: '子女',
  PARENT: '父母',
  GRANDCHILD: '孙子女',
  GRANDPARENT: '祖父母',
  SIBLING: '兄弟姐妹',
  OTHER: '其他',
};

interface Disability {
  type: number;
  level: number;
  certNo: string;
  issued: number;
}

interface Member {
  id: string;
  name: string;
  gender: Gender;
  birth: number;
  death: number | null;
  /** Age at the reference date as if alive. */
  age: number;
  relation: Relation;
  joined: number;
  left: number | null;
  disability: Disability | null;
}

interface Spell {
  start: number;
  end: number | null;
}

interface Settlement {
  member: Member;
  setlId: string;
  setlDate: number;
  psnFen: number;
  reversed: boolean;
}

interface Township {
  region: Region;
  street: boolean;
  /** Name without 街道/镇/乡, for school and clinic names. */
  base: string;
  villages: Region[];
}

interface County {
  index: number;
  code: string;
  name: string;
  cityName: string;
  townships: Township[];
  /** The county's 孤儿 / 事实无人抚养 standard, fen per month. */
  childStandardFen: number;
}

interface Household {
  no: number;
  id: number;
  rng: Rng;
  county: County;
  township: Township;
  village: Region;
  urban: boolean;
  type: HouseholdType;
  formed: number;
  members: Member[];
  poor: boolean;
  dibaoFamilyNo: string | null;
  dibaoSpells: Map<Member, Spell>;
  tekunSpells: Map<Member, Spell>;
  childSpells: Map<Member, Spell>;
  settlements: Settlement[];
}

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

const TEMP_CAUSES = new Weighted<string>([['01', 45], ['02', 20], ['03', 8], ['04', 10], ['05', 7], ['99', 10]]);

interface Diagnosis {
  name: string;
  /** Median total cost at a county hospital, yuan. */
  median: number;
  los: [number, number];
  severity: 0 | 1 | 2;
}
const DX_CHILD = new Weighted<Diagnosis>([
  [{ name: '支气管肺炎', median: 4200, los: [5, 10], severity: 0 }, 40],
  [{ name: '急性支气管炎', median: 2800, los: [3, 7], severity: 0 }, 20],
  [{ name: '手足口病', median: 2500, los: [3, 7], severity: 0 }, 10],
  [{ name: '急性阑尾炎', median: 7500, los: [5, 9], severity: 1 }, 10],
  [{ name: '骨折', median: 12000, los: [7, 15], severity: 1 }, 10],
  [{ name: '急性白血病', median: 60000, los: [20, 40], severity: 2 }, 2],
  [{ name: '病毒性脑炎', median: 15000, los: [10, 20], severity: 1 }, 3],
]);
const DX_ADULT = new Weighted<Diagnosis>([
  [{ name: '急性阑尾炎', median: 8000, los: [5, 9], severity: 1 }, 12],
  [{ name: '胆囊结石伴胆囊炎', median: 14000, los: [6, 12], severity: 1 }, 12],
  [{ name: '腰椎间盘突出症', median: 16000, los: [8, 15], severity: 1 }, 10],
  [{ name: '骨折', median: 22000, los: [8, 20], severity: 1 }, 12],
  [{ name: '肺炎', median: 6000, los: [6, 12], severity: 0 }, 12],
  [{ name: '高血压病', median: 4500, los: [5, 10], severity: 0 }, 8],
  [{ name: '2型糖尿病', median: 6000, los: [7, 12], severity: 0 }, 8],
  [{ name: '乳腺恶性肿瘤', median: 42000, los: [10, 25], severity: 2 }, 4],
  [{ name: '肝恶性肿瘤', median: 55000, los: [12, 30], severity: 2 }, 3],
  [{ name: '慢性肾脏病5期', median: 30000, los: [10, 20], severity: 2 }, 3],
  [{ name: '急性心肌梗死', median: 40000, los: [7, 14], severity: 2 }, 3],
]);
const DX_ELDERLY = new Weighted<Diagnosis>([
  [{ name: '脑梗死', median: 14000, los: [10, 18], severity: 1 }, 22],
  [{ name: '冠状动脉粥样硬化性心脏病', median: 30000, los: [7, 14], severity: 2 }, 16],
  [{ name: '慢性阻塞性肺疾病急性加重', median: 9000, los: [8, 15], severity: 1 }, 14],
  [{ name: '心力衰竭', median: 12000, los: [8, 15], severity: 1 }, 8],
  [{ name: '2型糖尿病', median: 7000, los: [8, 14], severity: 0 }, 8],
  [{ name: '高血压病', median: 5000, los: [6, 12], severity: 0 }, 7],
  [{ name: '肺炎', median: 8000, los: [8, 14], severity: 0 }, 8],
  [{ name: '老年性白内障', median: 5500, los: [2, 4], severity: 0 }, 6],
  [{ name: '股骨颈骨折', median: 35000, los: [12, 22], severity: 2 }, 5],
  [{ name: '肺恶性肿瘤', median: 50000, los: [12, 30], severity: 2 }, 5],
  [{ name: '胃恶性肿瘤', median: 48000, los: [12, 28], severity: 2 }, 4],
  [{ name: '慢性肾脏病5期', median: 30000, los: [10, 20], severity: 2 }, 3],
]);
const DX_BIRTH: Diagnosis = { name: '单胎顺产', median: 3800, los: [3, 5], severity: 0 };

type Tier = 'TOWNSHIP' | 'COUNTY' | 'CITY' | 'PROVINCE';
/** Cost factor, deductible (yuan) and reimbursement rate of resident basic medical insurance by hospital tier. */
const TIERS: Record<Tier, { cost: number; deductible: number; rate: number }> = {
  TOWNSHIP: { cost: 0.4, deductible: 200, rate: 0.85 },
  COUNTY: { cost: 1, deductible: 500, rate: 0.75 },
  CITY: { cost: 1.35, deductible: 800, rate: 0.65 },
  PROVINCE: { cost: 1.8, deductible: 1200, rate: 0.55 },
};
const CITY_HOSPITALS: Record<string, readonly string[]> = {
  '济宁市': ['济宁医学院附属医院', '济宁市第一人民医院', '济宁市中医院', '济宁市第二人民医院'],
  '聊城市': ['聊城市人民医院', '聊城市中医医院', '聊城市第二人民医院'],
};
const PROVINCE_HOSPITALS = ['山东大学齐鲁医院', '山东第一医科大学附属省立医院', '山东省肿瘤医院'];

const EMPLOYERS = [
  '山推工程机械股份有限公司', '兖矿能源集团股份有限公司', '山东太阳纸业股份有限公司', '山东鲁抗医药股份有限公司',
  '辰欣药业股份有限公司', '济宁市公共交通集团有限公司', '山东如意科技集团有限公司', '济宁银行股份有限公司',
  '山东华勤橡胶科技有限公司', '济宁市城市建设投资有限公司', '小松山推工程机械有限公司', '山东中科先进技术有限公司',
];
const SMALL_EMPLOYER_KINDS = ['建筑工程有限公司', '纺织有限公司', '食品有限公司', '物流有限公司', '机械制造有限公司', '商贸有限公司', '物业服务有限公司', '家政服务有限公司'];

const RENTAL_ESTATES = ['惠民家园', '安居苑', '康馨小区', '和谐家园', '幸福里小区', '同心苑', '安泰花园', '保障房东区'];
const ROADS = ['建设路', '太白楼路', '红星路', '古槐路', '共青团路', '洸河路', '运河路', '人民路', '解放路', '和平路', '府河路', '文化路', '新华路', '光明路'];

const UNIVERSITIES: ReadonlyArray<readonly [string, string]> = [
  ['10446', '曲阜师范大学'], ['10443', '济宁医学院'], ['10456', '济宁学院'], ['10422', '山东大学'], ['10445', '山东师范大学'],
  ['11065', '青岛大学'], ['10447', '聊城大学'], ['10424', '山东科技大学'], ['13857', '济宁职业技术学院'], ['10433', '山东理工大学'],
];

/** Resident medical insurance premium, yuan per year, for 参保资助. */
function premiumYuan(year: number): number {
  if (year >= 2024) return 400;
  if (year === 2023) return 380;
  return 350;
}

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

/** Round a yuan amount to a multiple of `step` yuan and return fen. */
function fen(yuan: number, step = 1): number {
  return Math.max(step, Math.round(yuan / step) * step) * 100;
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

function inSpell(s: Spell | undefined, dn: number): boolean {
  return !!s && s.start <= dn && (s.end === null || dn <= s.end);
}

const ID_SEQ_SPACE = 499; // prime: sequences 001..997 (odd, male) and 002..998 (even, female)

export class DemoGenerator {
  private readonly seed: number;
  private readonly ref: number;
  private readonly refYear: number;
  private readonly refMonth: number;
  private readonly refDay: number;
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

  private alive(m: Member, dn: number): boolean {
    return m.birth <= dn && (m.death === null || dn <= m.death);
  }

  /** A day in [from, to] (day numbers), or null when the range is empty. */
  private day(rng: Rng, from: number, to: number): number | null {
    return from > to ? null : rng.int(from, to);
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
    this.civilAffairs(h, rows);
    this.health(h, rows);
    this.temporaryAid(h, rows);
    this.disability(h, rows);
    this.education(h, rows);
    this.housing(h, rows);
    this.union(h, rows);
    this.departmentDemos(h, rows);
  }

  /**
   * The departments that write their own part of the demo (federation/<dept>/demo.ts) get each
   * household as plain data and a random source of their own, so adding one leaves every other
   * department's rows exactly as they were.
   */
  private departmentDemos(h: Household, rows: TableRows): void {
    if (DEMOS.length === 0) return;
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
    for (const { code, demo } of DEMOS) {
      const out = demo.household(view, new Rng(seedOf(this.seed, h.no, 0x64656d6f + DEPARTMENT_NUMBERS[code])), reference);
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

  // ---------------------------------------------------------------- 民政

  private civilAffairs(h: Household, rows: TableRows): void {
    const rng = h.rng;
    const ref = this.ref;
    const living = h.members.filter((m) => m.death === null);
    const adults = h.members.filter((m) => m.age >= 18);
    const oldAlone = h.type === 'ELDERLY_SINGLE' || (h.type === 'SINGLE_ADULT' && h.members.length === 1 && h.members[0].disability !== null && h.members[0].disability.level <= 2);

    let tekun: Member[] = [];
    let dibao = false;
    if (h.poor) {
      if (oldAlone) {
        const r = rng.next();
        if (r < 0.55) tekun = [h.members[0]];
        else if (r < 0.9) dibao = true;
      } else if (h.type === 'ELDERLY_COUPLE' && rng.chance(0.3)) {
        tekun = adults;
      } else {
        dibao = rng.chance(0.62);
      }
    }

    // 特困: from the later of the 60th (or 18th, for the disabled) birthday and enrolment.
    for (const m of tekun) {
      const eligibleFrom = m.disability && m.disability.level <= 2 ? m.birth + 18 * 366 : m.birth + 60 * 366;
      const start = Math.max(eligibleFrom, ref - rng.int(60, 4000), h.formed);
      if (start >= (m.death ?? ref)) continue;
      let end: number | null = null;
      let state = 0;
      if (m.death !== null) {
        if (!rng.chance(RATES.defects.aidNotStoppedAtDeath)) {
          end = monthEndOf(m.death);
          state = 1;
        }
      } else if (rng.chance(0.04)) {
        end = this.day(rng, start + 90, ref - 1);
        if (end !== null) state = 1;
      }
      const care = rng.chance(0.85) ? 1 : 2;
      const monthly = care === 1 ? fen(rng.int(950, 1250), 10) : fen(rng.int(1200, 1650), 10);
      rows.tekun_person.push([m.id, h.county.code, care, isoOf(start), end === null ? null : isoOf(end), monthly, state]);
      h.tekunSpells.set(m, { start, end });
    }
    if (tekun.length > 0 && rng.chance(RATES.defects.dibaoAndTekun)) dibao = true;

    // 孤儿 / 事实无人抚养儿童: children raised by grandparents.
    if (h.type === 'SKIP_GENERATION') {
      const r = rng.next();
      const category = r < 0.1 ? 'GE' : r < 0.32 ? 'SW' : null;
      if (category) {
        for (const m of h.members) {
          if (m.relation !== 'GRANDCHILD' || m.age >= 18 || m.death !== null) continue;
          const start = Math.max(m.birth + 30, ref - rng.int(30, 2500));
          rows.child_allowance.push([m.id, category, isoOf(start), null, h.county.childStandardFen]);
          h.childSpells.set(m, { start, end: null });
          if (rng.chance(RATES.defects.dibaoAndTekun)) {
            // A child also recognised as 特困 (rule X2).
            rows.tekun_person.push([m.id, h.county.code, 1, isoOf(start), null, fen(rng.int(950, 1250), 10), 0]);
            h.tekunSpells.set(m, { start, end: null });
          }
        }
      }
    }

    if (!dibao) return;
    const head = h.members[0];
    const familyNo = `DB${h.county.code}${String(h.no + 1).padStart(9, '0')}`;
    let approved = Math.max(h.formed, ref - rng.int(30, 3000));
    const lastAlive = Math.max(...h.members.map((m) => m.death ?? ref));
    if (approved >= lastAlive) approved = Math.max(h.formed, lastAlive - rng.int(60, 900));
    let ended: number | null = null;
    let state = 0;
    if (living.length === 0) {
      if (!rng.chance(RATES.defects.aidNotStoppedAtDeath)) {
        ended = monthEndOf(lastAlive);
        state = 1;
      }
    } else {
      const r = rng.next();
      if (r < 0.1) {
        ended = this.day(rng, approved + 180, ref - 1);
        if (ended !== null) state = 1;
      } else if (r < 0.12) state = 2;
    }
    h.dibaoFamilyNo = familyNo;
    rows.dibao_family.push([familyNo, h.county.code, head.id, h.urban ? 1 : 2, isoOf(approved), ended === null ? null : isoOf(ended), state]);
    const perCapita = h.urban ? rng.int(500, 850) : rng.int(380, 700);
    const members: Array<[Member, Spell]> = [];
    for (const m of h.members) {
      if (m.death !== null && m.death < approved) continue;
      const joined = Math.max(approved, m.birth);
      if (ended !== null && joined > ended) continue;
      const left = m.death !== null && !rng.chance(RATES.defects.aidNotStoppedAtDeath) ? m.death : null;
      let factor = 1;
      if (m.age >= 70) factor += 0.15;
      if (m.disability && m.disability.level <= 2) factor += 0.2;
      if (m.age < 16) factor += 0.1;
      const share = fen(Math.min(900, Math.max(300, perCapita * factor)));
      rows.dibao_member.push([familyNo, m.id, RELATION_CN[m.relation], isoOf(joined), left === null ? null : isoOf(left), share]);
      const spell = { start: joined, end: minOf(left, ended) };
      h.dibaoSpells.set(m, spell);
      members.push([m, spell]);
    }

    // The same family still enrolled in another county (rule X9).
    if (ended === null && state === 0 && rng.chance(RATES.defects.dibaoInTwoCounties)) {
      const other = COUNTIES_DATA[(h.county.index + 1 + rng.int(0, COUNTIES_DATA.length - 2)) % COUNTIES_DATA.length];
      const otherNo = `DB${other.code}${String(h.no + 1).padStart(9, '0')}`;
      const since = this.day(rng, approved, ref - 30) ?? approved;
      rows.dibao_family.push([otherNo, other.code, head.id, 2, isoOf(since), null, 0]);
      for (const [m, spell] of members) {
        if (spell.end !== null) continue;
        rows.dibao_member.push([otherNo, m.id, RELATION_CN[m.relation], isoOf(Math.max(since, m.birth)), null, fen(rng.int(300, 700))]);
      }
    }
  }

  /** The strongest basic-living status a person holds on a day, for medical aid. */
  private statusOn(h: Household, m: Member, dn: number): 'TEKUN' | 'ORPHAN' | 'DIBAO' | null {
    if (inSpell(h.tekunSpells.get(m), dn)) return 'TEKUN';
    if (inSpell(h.childSpells.get(m), dn)) return 'ORPHAN';
    if (inSpell(h.dibaoSpells.get(m), dn)) return 'DIBAO';
    return null;
  }

  private temporaryAid(h: Household, rows: TableRows): void {
    const rng = h.rng;
    const ref = this.ref;
    const adults = h.members.filter((m) => m.age >= 18);
    if (adults.length === 0) return;
    const grants: Array<{ member: Member; cause: string; date: number }> = [];
    // Heavy medical bills: temporary aid for illness.
    for (const s of h.settlements) {
      if (s.reversed || s.psnFen < 800000 || !rng.chance(h.poor ? 0.45 : 0.05)) continue;
      const date = this.day(rng, s.setlDate + 7, Math.min(ref, s.setlDate + 120));
      if (date === null) continue;
      // Paid to the patient, or to the family's head (or another adult) when the patient has died.
      const member = this.alive(s.member, date) ? s.member : adults.find((m) => this.alive(m, date));
      if (member) grants.push({ member, cause: '01', date });
    }
    // Other hardship: Poisson-ish over the last three years.
    let expected = h.poor ? 0.55 : 0.025;
    while (rng.chance(expected)) {
      const cause = TEMP_CAUSES.pick(rng);
      const member = rng.chance(0.75) ? h.members[0] : rng.pick(adults);
      const date = this.day(rng, Math.max(ref - 1095, member.joined), member.death ?? ref);
      if (date !== null) grants.push({ member, cause, date });
      expected *= 0.45;
    }
    for (const g of [...grants]) {
      // A follow-up for the same cause within the year: half of them approved as 二次临时救助.
      if (rng.chance(0.15)) {
        const date = this.day(rng, g.date + 60, Math.min(ref, g.date + 330, g.member.death ?? ref));
        if (date !== null) grants.push({ member: g.member, cause: g.cause, date });
      }
    }
    grants.sort((a, b) => a.date - b.date);
    const lastByCause = new Map<string, number>();
    for (const g of grants) {
      const previous = lastByCause.get(g.cause);
      const second = previous !== undefined && g.date - previous < 365 && rng.chance(0.5);
      lastByCause.set(g.cause, g.date);
      const urgent = g.cause === '02' || g.cause === '03' ? rng.chance(0.6) : rng.chance(0.2);
      const yuan = second ? rng.int(2000, 20000) : urgent ? rng.int(1000, 10000) : rng.int(500, 3000);
      const amount = fen(yuan, 100);
      const familyNo = h.dibaoFamilyNo && inSpell(h.dibaoSpells.get(g.member) ?? h.dibaoSpells.get(h.members[0]), g.date) ? h.dibaoFamilyNo : null;
      rows.temp_aid_grant.push([
        g.member.id, familyNo, g.cause, urgent ? 1 : 0, second ? 1 : 0, isoOf(g.date), amount, amount <= 300000 ? 1 : 2, rng.chance(0.01) ? 1 : 0,
      ]);
    }
  }

  // ---------------------------------------------------------------- 医保

  private hospital(h: Household, rng: Rng, dx: Diagnosis): [Tier, string] {
    const r = rng.next();
    let tier: Tier;
    if (dx.severity === 2) tier = r < 0.2 ? 'PROVINCE' : r < 0.7 ? 'CITY' : 'COUNTY';
    else if (dx.severity === 1) tier = r < 0.3 ? 'CITY' : r < 0.85 || h.township.street ? 'COUNTY' : 'TOWNSHIP';
    else tier = h.township.street ? (r < 0.3 ? 'CITY' : 'COUNTY') : r < 0.5 ? 'TOWNSHIP' : 'COUNTY';
    switch (tier) {
      case 'PROVINCE':
        return [tier, rng.pick(PROVINCE_HOSPITALS)];
      case 'CITY':
        return [tier, rng.pick(CITY_HOSPITALS[h.county.cityName])];
      case 'COUNTY':
        return [tier, `${h.county.name}${rng.chance(0.7) ? '人民医院' : '中医院'}`];
      case 'TOWNSHIP':
        return [tier, `${h.county.name}${h.township.base}镇卫生院`];
    }
  }

  private health(h: Household, rows: TableRows): void {
    const rng = h.rng;
    const ref = this.ref;
    h.members.forEach((m, mi) => {
      const a = m.age;
      let p = a < 6 ? 0.09 : a < 18 ? 0.025 : a < 45 ? 0.035 : a < 60 ? 0.07 : a < 75 ? 0.13 : 0.2;
      const birthing = m.gender === 'F' && a >= 22 && a <= 38 && rng.chance(0.06);
      if (m.death !== null) p = 0.6;
      if (!birthing && !rng.chance(p)) return;
      const stays = birthing ? 1 : rng.chance(0.7) ? 1 : rng.chance(0.67) ? 2 : 3;
      for (let s = 0; s < stays; s++) {
        const dx = birthing ? DX_BIRTH : (a < 18 ? DX_CHILD : a < 60 ? DX_ADULT : DX_ELDERLY).pick(rng);
        const los = rng.int(dx.los[0], dx.los[1]);
        const last = m.death ?? ref;
        const adm = m.death !== null && s === 0 ? last - los - rng.int(0, 60) : this.day(rng, Math.max(ref - 730, m.birth), last - los);
        if (adm === null || adm < m.birth) continue;
        const dscg = adm + los;
        if (dscg > last) continue;
        const setl = Math.min(last === ref ? ref : last + 10, dscg + (rng.chance(0.9) ? 0 : rng.int(1, 10)), ref);
        const [tier, hospital] = this.hospital(h, rng, dx);
        const t = TIERS[tier];
        const totalFen = Math.max(30000, Math.min(60000000, Math.round(rng.logNormal(dx.median * t.cost, 0.45)) * 100 + rng.int(0, 99)));
        const coveredFen = Math.round(totalFen * (1 - (0.05 + rng.next() * (tier === 'PROVINCE' ? 0.2 : 0.12))));
        const hifp = Math.min(25000000, Math.round(Math.max(0, coveredFen - t.deductible * 100) * t.rate));
        const status = this.statusOn(h, m, setl);
        const remaining = coveredFen - hifp;
        const threshold = status ? 750000 : 1500000;
        const hifmi = remaining > threshold ? Math.round((remaining - threshold) * (status ? 0.7 : 0.6)) : 0;
        const policyLeft = coveredFen - hifp - hifmi;
        const mafRatio = status === 'TEKUN' || status === 'ORPHAN' ? 1 : status === 'DIBAO' ? 0.7 : 0;
        const maf = Math.min(5000000, Math.round(policyLeft * mafRatio));
        const psn = totalFen - hifp - hifmi - maf;
        const setlId = `${h.county.code}${compactOf(setl)}${String(h.no + 1).padStart(9, '0')}${mi}${s}`;
        const reversed = rng.chance(0.01);
        rows.mi_setl.push([
          setlId, m.id, hospital, isoOf(adm), isoOf(dscg), isoOf(setl), dx.name,
          fenToYuan(totalFen), fenToYuan(hifp), fenToYuan(hifmi), fenToYuan(maf), fenToYuan(psn), reversed ? '1' : '0',
        ]);
        h.settlements.push({ member: m, setlId, setlDate: setl, psnFen: psn, reversed });
        // Medical aid paid afterwards (倾斜救助) for large out-of-pocket amounts.
        if (!reversed && (status || h.poor) && psn > 300000 && rng.chance(0.35)) {
          const over = rng.chance(RATES.defects.aidOverOutOfPocket);
          const pay = over ? psn + fen(rng.int(100, 2000)) : Math.round(psn * (0.3 + 0.3 * rng.next()));
          const date = this.day(rng, setl + 15, Math.min(ref, setl + 90));
          if (date !== null) rows.mi_aid_pay.push([`MA${setlId}`, m.id, setlId, 'MAF', isoOf(date), fenToYuan(pay)]);
        }
      }
    });
    // 参保资助: the resident insurance premium paid for 特困, orphans (in full) and 低保 members (in part).
    for (const year of [this.refYear - 1, this.refYear]) {
      const jan = dayNumber(year, 1, 1);
      const payDay = dayNumber(year - 1, 12, 10) + (h.no % 20);
      if (payDay > ref) continue;
      h.members.forEach((m, mi) => {
        const status = this.statusOn(h, m, jan);
        if (!status || !this.alive(m, jan)) return;
        const premium = premiumYuan(year) * 100;
        const pay = status === 'DIBAO' ? Math.round(premium * 0.7) : premium;
        rows.mi_aid_pay.push([`CB${year}${String(h.no + 1).padStart(10, '0')}${mi}`, m.id, null, 'CBZZ', isoOf(payDay), fenToYuan(pay)]);
      });
    }
  }

  // ---------------------------------------------------------------- 残联

  private disability(h: Household, rows: TableRows): void {
    const rng = h.rng;
    const ref = this.ref;
    for (const m of h.members) {
      const d = m.disability;
      if (!d) continue;
      const validUntil = dayNumber(civil(d.issued)[0] + 10, civil(d.issued)[1], civil(d.issued)[2]) - 1;
      let status = validUntil < ref ? 2 : 1;
      if (m.death !== null && rng.chance(0.85)) status = 3;
      rows.cl_certificate.push([d.certNo, m.id, d.type, d.level, isoOf(d.issued), isoOf(validUntil), status]);
      const deathEnd = (): string | null =>
        m.death !== null && !rng.chance(RATES.defects.aidNotStoppedAtDeath) ? monthOf(m.death) : null;

      // 困难残疾人生活补贴: for the disabled in 低保 households (and some other low-income ones).
      const dibao = h.dibaoSpells.get(m);
      const onTekun = h.tekunSpells.has(m) || h.childSpells.has(m);
      const living = onTekun ? rng.chance(0.03) : dibao ? rng.chance(0.85) : h.poor ? rng.chance(0.3) : false;
      if (living) {
        const from = Math.max(d.issued, dibao?.start ?? d.issued) + rng.int(0, 60);
        if (from <= (m.death ?? ref)) {
          const endYm = dibao?.end != null && m.death === null ? monthOf(dibao.end) : deathEnd();
          rows.cl_subsidy.push([d.certNo, 'SH', monthOf(from), endYm, d.level <= 2 ? 15000 : 10000]);
        }
      }
      // 重度残疾人护理补贴: levels 1 and 2; a few are missed.
      if (d.level <= 2 && rng.chance(0.88)) {
        const from = d.issued + rng.int(15, 90);
        if (from <= (m.death ?? ref)) rows.cl_subsidy.push([d.certNo, 'HL', monthOf(from), deathEnd(), d.level === 1 ? 15000 : 10000]);
      }
      // 康复救助
      const last = m.death ?? ref;
      if (m.age < 18 && rng.chance(0.55)) {
        const service = d.type === 2 ? (rng.chance(0.3) ? '人工耳蜗植入' : '助听器验配及听力言语康复') : d.type === 5 || d.type === 7 ? '孤独症及智力残疾儿童康复训练' : '肢体残疾儿童康复训练';
        const amount = service === '人工耳蜗植入' ? fen(rng.int(60000, 120000), 100) : fen(rng.int(10000, 24000), 100);
        for (const yearsAgo of [1, 0]) {
          const date = this.day(rng, Math.max(d.issued, ref - 365 * (yearsAgo + 1)), Math.min(last, ref - 365 * yearsAgo));
          if (date !== null) rows.cl_rehab_aid.push([d.certNo, service, isoOf(date), amount]);
          if (service === '人工耳蜗植入') break;
        }
      } else if (m.age >= 18 && rng.chance(0.07)) {
        const date = this.day(rng, Math.max(d.issued, ref - 730), last);
        if (date === null) continue;
        const [service, lo, hi] =
          d.type === 1 ? (['白内障复明手术', 1200, 2500] as const)
          : d.type === 6 ? (['精神障碍患者服药补贴', 600, 1200] as const)
          : d.type === 4 && rng.chance(0.3) ? (['假肢矫形器装配', 3000, 15000] as const)
          : (['辅助器具适配', 300, 3000] as const);
        rows.cl_rehab_aid.push([d.certNo, service, isoOf(date), fen(rng.int(lo, hi), 10)]);
      }
    }
  }

  // ---------------------------------------------------------------- 教育

  private education(h: Household, rows: TableRows): void {
    const rng = h.rng;
    const ref = this.ref;
    const y0 = this.refMonth >= 9 ? this.refYear : this.refYear - 1;
    const needy = h.poor || h.dibaoSpells.size > 0 || h.tekunSpells.size > 0 || h.childSpells.size > 0 || h.members.some((m) => m.disability);
    for (const m of h.members) {
      if (m.death !== null || m.age < 5 || m.age > 23) continue;
      const ageAtSep = ageOn(m.birth, dayNumber(y0, 9, 1));
      const vocational = rng.chance(0.35);
      const college = rng.chance(0.55);
      const stageAt = (age: number): [string, number] | null => {
        if (age >= 6 && age <= 11) return ['XX', age - 5];
        if (age >= 12 && age <= 14) return ['CZ', age - 11];
        if (age >= 15 && age <= 17) return [vocational ? 'ZZ' : 'GZ', age - 14];
        if (age >= 18 && age <= 21 && college) return ['GX', age - 17];
        return null;
      };
      const current = stageAt(ageAtSep);
      if (!current) continue;
      const [stage, grade] = current;
      // The aid system knows needy students, and others funded on their school's assessment.
      const known = needy ? rng.chance(0.97) : stage !== 'XX' && stage !== 'CZ' && rng.chance(0.08);
      if (!known) continue;
      const studentNo = `G${m.id}`;
      let schoolCode: string;
      let schoolName: string;
      const townshipNo = h.township.region.code.slice(6);
      switch (stage) {
        case 'XX':
          schoolCode = `${h.county.code}1${townshipNo}01`;
          schoolName = `${h.county.name}${h.township.base}${h.township.street ? '实验' : '中心'}小学`;
          break;
        case 'CZ':
          schoolCode = `${h.county.code}2${townshipNo}01`;
          schoolName = `${h.county.name}${h.township.base}${h.township.street ? '实验' : ''}中学`;
          break;
        case 'GZ': {
          const n = rng.int(1, 3);
          schoolCode = `${h.county.code}30000${n}`;
          schoolName = `${h.county.name}第${'一二三'[n - 1]}中学`;
          break;
        }
        case 'ZZ':
          schoolCode = `${h.county.code}400001`;
          schoolName = `${h.county.name}职业中等专业学校`;
          break;
        default: {
          const [code, name] = rng.pick(UNIVERSITIES);
          schoolCode = code;
          schoolName = name;
        }
      }
      rows.xs_student.push([studentNo, m.id, schoolCode, schoolName, stage, grade, String(y0 - grade + 1)]);
      const boarding = !h.urban && rng.chance(0.6);
      const gradeTier = rng.next();
      for (const year of [y0 - 1, y0]) {
        const st = stageAt(ageOn(m.birth, dayNumber(year, 9, 1)));
        if (!st) continue;
        const schoolYear = `${year}-${year + 1}`;
        for (const semester of [1, 2]) {
          const paid = semester === 1 ? dayNumber(year, 10, 15) + rng.int(0, 45) : dayNumber(year + 1, 4, 1) + rng.int(0, 60);
          if (paid > ref || (needy && !rng.chance(0.9))) continue;
          const pay: Array<[string, number]> = [];
          switch (st[0]) {
            case 'XX':
              if (needy) pay.push(['JSSBZ', boarding ? 50000 : 25000]);
              break;
            case 'CZ':
              if (needy) pay.push(['JSSBZ', boarding ? 62500 : 31250]);
              break;
            case 'GZ':
              pay.push(['GJZXJ', gradeTier < 0.3 ? 125000 : gradeTier < 0.8 ? 100000 : 75000]);
              if (needy) pay.push(['XFJM', fen(rng.int(600, 900), 50)]);
              break;
            case 'ZZ':
              if (needy || !h.urban) pay.push(['XFJM', fen(rng.int(1000, 1500), 100)]);
              if (st[1] <= 2) pay.push(['GJZXJ', 100000]);
              break;
            case 'GX':
              pay.push(['GJZXJ', gradeTier < 0.3 ? 220000 : gradeTier < 0.8 ? 165000 : 110000]);
              break;
          }
          for (const [type, amountFen] of pay) {
            rows.xs_funding.push([studentNo, schoolYear, semester, type, fenToYuan(amountFen), isoOf(paid), rng.chance(0.01) ? 0 : 1]);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- 住建

  private housing(h: Household, rows: TableRows): void {
    const rng = h.rng;
    const ref = this.ref;
    const head = h.members[0];
    const needy = h.poor || h.dibaoSpells.size > 0 || h.tekunSpells.size > 0;
    const year = (dn: number): number => civil(dn)[0];
    if (h.urban) {
      if (!rng.chance(needy ? 0.3 : 0.012)) return;
      const apply = this.day(rng, Math.max(h.formed, ref - 2500), Math.min(head.death ?? ref, ref - 20));
      if (apply === null) return;
      const appNo = `GZF${h.county.code}${year(apply)}${String(h.no + 1).padStart(9, '0')}`;
      const r = rng.next();
      let status = r < 0.05 ? 10 : r < 0.15 ? 20 : r < 0.85 ? 30 : r < 0.95 ? 40 : 90;
      const size = h.members.filter((m) => this.alive(m, apply)).length;
      const allocs: Array<[string, number, number | null]> = [];
      if (status === 30 || status === 40) {
        const start = this.day(rng, apply + 60, Math.min(ref, apply + 300));
        if (start === null) status = 20;
        else {
          const end = status === 40 || (head.death !== null && h.members.every((m) => m.death !== null)) ? this.day(rng, start + 180, ref) : null;
          if (status === 40 && end === null) status = 30;
          const type = rng.chance(0.4) ? 'SW' : 'BT';
          allocs.push([type, start, end]);
          if (rng.chance(RATES.defects.bothRentalForms)) allocs.push([type === 'SW' ? 'BT' : 'SW', this.day(rng, start, ref) ?? start, null]);
        }
      }
      rows.gzf_application.push([appNo, head.id, Math.max(1, size), h.village.code, isoOf(apply), status]);
      for (const [type, start, end] of allocs) {
        const monthly = type === 'SW' ? fen(rng.int(150, 450), 10) : fen(rng.int(200, 700), 10);
        const unit = type === 'SW' ? `${h.county.name}${rng.pick(RENTAL_ESTATES)}${rng.int(1, 30)}号楼${rng.int(1, 3)}单元${rng.int(1, 11)}0${rng.int(1, 4)}室` : null;
        rows.gzf_allocation.push([appNo, type, monthly, isoOf(start), end === null ? null : isoOf(end), unit]);
      }
    } else {
      if (!rng.chance(needy ? 0.1 : 0.004)) return;
      const started = this.day(rng, Math.max(h.formed, ref - 365 * 6), Math.min(head.death ?? ref, ref - 30));
      if (started === null) return;
      const grade = rng.chance(0.4) ? 'C' : 'D';
      const grant = grade === 'D' ? fen(rng.int(18000, 35000), 100) : fen(rng.int(5000, 12000), 100);
      const completed = rng.chance(0.85) ? this.day(rng, started + 90, Math.min(ref, started + 540)) : null;
      rows.wfgz_project.push([`WF${h.county.code}${year(started)}${String(h.no + 1).padStart(9, '0')}`, head.id, h.village.code, grade, grant, completed === null ? null : isoOf(completed)]);
    }
  }

  // ---------------------------------------------------------------- 工会

  private union(h: Household, rows: TableRows): void {
    const rng = h.rng;
    const ref = this.ref;
    const workers = h.members.filter((m) => m.age >= 20 && m.age <= 59 && (m.death === null || m.death > ref - 900));
    if (workers.length === 0) return;
    const heavyBill = h.settlements.some((s) => s.psnFen > 2000000);
    const p = h.poor ? 0.12 : heavyBill ? 0.06 : 0.0025;
    if (!rng.chance(p)) return;
    const worker = workers.find((m) => m.relation === 'HEAD' || m.relation === 'SPOUSE') ?? workers[0];
    const last = worker.death ?? ref;
    const fileDate = this.day(rng, Math.max(ref - 2000, worker.birth + 20 * 366), last - 1);
    if (fileDate === null) return;
    const fileNo = `GH${h.county.code}${String(h.no + 1).padStart(10, '0')}`;
    const level = !h.poor && heavyBill ? 3 : rng.chance(0.3) ? 1 : 2;
    let closed = rng.chance(0.25) ? this.day(rng, fileDate + 365, Math.min(ref - 1, fileDate + 365 * 3)) : null;
    if (worker.death !== null) closed = this.day(rng, worker.death, Math.min(ref, worker.death + 60)) ?? worker.death;
    const jobLost = rng.chance(0.25) ? this.day(rng, Math.max(worker.birth + 20 * 366, fileDate - 365), Math.min(last, fileDate + 365)) : null;
    const employer = rng.chance(0.45) ? rng.pick(EMPLOYERS) : `${h.county.cityName.replace('市', '')}${rng.pick(['恒达', '鑫源', '金桥', '宏泰', '华宇', '瑞丰', '鲁信', '诚信'])}${rng.pick(SMALL_EMPLOYER_KINDS)}`;
    rows.gh_worker_file.push([fileNo, worker.id, employer, level, isoOf(fileDate), closed === null ? null : isoOf(closed), jobLost === null ? null : isoOf(jobLost)]);
    const open = (dn: number): boolean => dn >= fileDate && (closed === null || dn <= closed) && dn <= last;

    // 困难帮扶 at each Spring Festival while the file is open.
    for (let y = civil(fileDate)[0]; y <= this.refYear; y++) {
      const date = dayNumber(y, 1, 10) + rng.int(0, 25);
      if (!open(date) || !rng.chance(0.8)) continue;
      rows.gh_grant.push([fileNo, 'BF', isoOf(date), level === 1 ? fen(rng.int(1000, 3000), 100) : fen(rng.int(500, 2000), 100), null, null, null]);
    }
    // 金秋助学 for the worker's children in high school or university.
    for (const c of h.members) {
      if (c === worker || (c.relation !== 'CHILD' && c.relation !== 'GRANDCHILD') || c.death !== null) continue;
      for (let y = this.refYear - 2; y <= this.refYear; y++) {
        const age = ageOn(c.birth, dayNumber(y, 9, 1));
        const university = age >= 18 && age <= 21;
        if (!university && !(age >= 15 && age <= 17)) continue;
        const date = dayNumber(y, 8, 15) + rng.int(0, 45);
        if (!open(date) || !rng.chance(university ? 0.7 : 0.3)) continue;
        const amount = university ? fen(rng.int(3000, 5000), 500) : fen(rng.int(1000, 2000), 500);
        rows.gh_grant.push([fileNo, 'JQ', isoOf(date), amount, c.id, `${y}-${y + 1}`, null]);
      }
    }
    // 大病帮扶 tied to a settlement of the worker's family.
    for (const s of h.settlements) {
      if (s.reversed || s.psnFen < 500000 || !rng.chance(0.6)) continue;
      const date = this.day(rng, s.setlDate + 20, Math.min(ref, s.setlDate + 90));
      if (date === null || !open(date)) continue;
      const over = rng.chance(RATES.defects.aidOverOutOfPocket);
      const amount = over ? s.psnFen + fen(rng.int(500, 3000), 100) : Math.min(2000000, fen((s.psnFen / 100) * (0.2 + 0.3 * rng.next()), 100));
      rows.gh_grant.push([fileNo, 'DB', isoOf(date), amount, null, null, s.setlId]);
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
