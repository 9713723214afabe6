/**
 * A department's part of the demo population (`npm run demo:generate`, `npm start` on an empty
 * database). The generator (tools/generate) makes the households and people, then hands each
 * household to every department's `demo` (federation/<dept>/demo.ts), which returns or appends
 * the rows of its own tables for it. The department decides its rates; the generator only loads
 * the rows.
 */
import type { IsoDate } from '../domain/dates';
import type { Region } from '../domain/regions';
import type { SchoolStage } from '../domain/school-stages';
import type { Rng } from './demo-random';

export type DemoCell = string | number | null;

/** A random source seeded per household and department, so the data are deterministic. */
export interface DemoRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export interface DemoMember {
  idNumber: string;
  gender: 'M' | 'F';
  birthDate: IsoDate;
  deathDate: IsoDate | null;
  /** Whole years at the reference date, as if alive. */
  age: number;
  /** Disability level 1 (most severe) to 4, or null. */
  disabilityLevel: number | null;
}

export interface DemoHousehold {
  id: number;
  /** The county's division code (6 digits) and the village's (12). */
  countyCode: string;
  villageCode: string;
  urban: boolean;
  /** In hardship (the population's own draw; 低保, 特困 and most aid follow it). */
  poor: boolean;
  members: readonly DemoMember[];
}

export type DemoRelation = 'HEAD' | 'SPOUSE' | 'CHILD' | 'PARENT' | 'GRANDCHILD' | 'GRANDPARENT' | 'SIBLING' | 'OTHER';
export type DemoHouseholdType =
  | 'ELDERLY_SINGLE'
  | 'ELDERLY_COUPLE'
  | 'SINGLE_ADULT'
  | 'COUPLE'
  | 'NUCLEAR'
  | 'THREE_GEN'
  | 'SINGLE_PARENT'
  | 'OLD_WITH_ADULT_CHILD'
  | 'SKIP_GENERATION';

/** A person as the population drew them; dates are day numbers (federation/demo-calendar.ts). */
export interface DemoPerson {
  id: string;
  name: string;
  gender: 'M' | 'F';
  birth: number;
  death: number | null;
  /** Age at the reference date as if alive. */
  age: number;
  relation: DemoRelation;
  joined: number;
  left: number | null;
  disability: { type: number; level: number; certNo: string; issued: number } | null;
}

export interface DemoSpell {
  start: number;
  end: number | null;
}

/** A hospital settlement, published by health for the aid tied to it (civil affairs' and the union's). */
export interface DemoSettlement {
  member: DemoPerson;
  setlId: string;
  setlDate: number;
  psnFen: number;
  reversed: boolean;
}

export interface DemoTownship {
  region: Region;
  street: boolean;
  /** Name without 街道/镇/乡, for school and clinic names. */
  base: string;
  villages: Region[];
}

export interface DemoCounty {
  index: number;
  code: string;
  name: string;
  cityName: string;
  townships: DemoTownship[];
  /** The county's 孤儿 / 事实无人抚养 standard, fen per month. */
  childStandardFen: number;
}

/**
 * A household as the population drew it, with the household's one random stream and the facts
 * departments publish for each other while it is written: civil affairs' basic-living spells
 * (health's medical aid, the disability subsidies, student aid and housing follow them) and
 * health's settlements (temporary aid for illness, the union's illness aid).
 */
export interface DemoDraw {
  /** Household number (0-based) and hub id. */
  no: number;
  id: number;
  rng: Rng;
  county: DemoCounty;
  /** Every county of the demo (a 低保 family enrolled twice lives in two). */
  counties: readonly DemoCounty[];
  township: DemoTownship;
  village: Region;
  urban: boolean;
  type: DemoHouseholdType;
  formed: number;
  members: DemoPerson[];
  poor: boolean;
  dibaoFamilyNo: string | null;
  dibaoSpells: Map<DemoPerson, DemoSpell>;
  tekunSpells: Map<DemoPerson, DemoSpell>;
  childSpells: Map<DemoPerson, DemoSpell>;
  settlements: DemoSettlement[];
}

/** The reference date ("today" of the demo) as a day number and its parts. */
export interface DemoReference {
  day: number;
  year: number;
  month: number;
}

/** Rows by table, appended to. */
export type DemoRows = Record<string, DemoCell[][]>;

/** A step that draws from the household's shared stream; steps of all departments run by rank. */
export interface DemoStep {
  rank: number;
  run(h: DemoDraw, rows: DemoRows, ref: DemoReference): void;
}

export interface DepartmentDemo {
  /** Each table the demo writes, with the columns of its rows, in order (load order within its database). */
  tables: Readonly<Record<string, readonly string[]>>;
  /**
   * The rows of this department's tables for one household (tables it has nothing for may be
   * left out), from a random stream of its own: a new department writes its part this way, and
   * adding it leaves every other department's rows exactly as they were.
   */
  household?(h: DemoHousehold, random: DemoRandom, referenceDate: IsoDate): Record<string, DemoCell[][]>;
  /**
   * Steps sharing the household's stream and facts (DemoDraw), run across departments in rank
   * order: the first six departments write their part this way, as they did before their code
   * moved into their folders, so a seed gives the same population.
   */
  steps?: readonly DemoStep[];
  /** The facts of planted cases this department holds (PlantVerbs below). */
  plant?: DepartmentPlant;
}

/**
 * Where a department's planting verbs write: `push` takes a row of one of its tables by column
 * name (columns left out are null).
 */
export interface PlantSink {
  /** The reference date of the demo. */
  readonly ref: IsoDate;
  /** The village planted households live in. */
  readonly village: string;
  push(table: string, values: Record<string, DemoCell>): void;
}

/** A planted recurring aid the department has suspended (暂停) or revoked (撤销, payments recovered). */
export type PlantStatus = 'SUSPENDED' | 'REVOKED';

/** A planted person: only the ID number matters to the departments. */
export interface PlantPerson {
  id: string;
}

/** Amounts of a planted hospital settlement, in yuan as the medical-insurance system keeps them. */
export interface PlantSettlementYuan {
  total: number;
  hifp: number;
  hifmi: number;
  maf: number;
  psn: number;
}

/**
 * The facts planted cases are made of (tools/generate/plant.ts): each is written by the one
 * department that holds it, into its own tables (federation/<dept>/demo.ts, `plant`). The cases
 * themselves name rules, people and dates, never a department's table.
 */
export interface PlantVerbs {
  /** A 低保 family and its members (民政). */
  dibao(s: PlantSink, familyNo: string, county: string, head: PlantPerson, approved: IsoDate, members: { person: PlantPerson; joined?: IsoDate; left?: IsoDate | null }[], ended: IsoDate | null): void;
  /** 特困 support (民政). */
  tekun(s: PlantSink, who: PlantPerson, start: IsoDate, end: IsoDate | null): void;
  /** A temporary-aid grant (民政). */
  tempAid(s: PlantSink, who: PlantPerson, cause: string, date: IsoDate, secondAid: boolean, familyNo: string | null): void;
  /** A child allowance (民政): the orphan allowance (GE) unless `category` says 事实无人抚养 (SW); running unless `status` says otherwise. */
  childAllowance(s: PlantSink, who: PlantPerson, start: IsoDate, end: IsoDate | null, opts?: { category?: 'GE' | 'SW'; status?: PlantStatus }): void;
  /** A disability certificate (残联); returns its number. */
  certificate(s: PlantSink, who: PlantPerson, type: number, level: number): string;
  /** A living (SH) or nursing (HL) subsidy on a certificate (残联); running unless `status` says otherwise. */
  subsidy(s: PlantSink, certNo: string, type: 'SH' | 'HL', start: IsoDate, end: IsoDate | null, status?: PlantStatus): void;
  /** A hospital settlement (医保). */
  settlement(s: PlantSink, setlId: string, who: PlantPerson, settled: IsoDate, yuan: PlantSettlementYuan): void;
  /** A hardship-worker file (工会). */
  workerFile(s: PlantSink, fileNo: string, who: PlantPerson): void;
  /** A union grant: illness aid (DB) on a settlement or 金秋助学 (JQ) for a student (工会). */
  unionGrant(s: PlantSink, fileNo: string, type: 'DB' | 'JQ', date: IsoDate, amountFen: number, extra: { student?: PlantPerson; schoolYear?: string; setlRef?: string }): void;
  /**
   * A roll entry of a student at a school stage (教育): in school, enrolled `grade` years before the
   * reference year unless `enrolYear` says; `left`: graduated (毕业) on that day.
   */
  student(s: PlantSink, studentNo: string, who: PlantPerson, grade: number, stage: SchoolStage, opts?: { enrolYear?: string; left?: IsoDate }): void;
  /** Education aid paid to a student for a school year (教育): 国家助学金, 学费减免 or 寄宿生生活费补助, each of its stages (domain/school-stages.ts). */
  funding(s: PlantSink, studentNo: string, schoolYear: string, paid: IsoDate, programme: 'NATIONAL_GRANT' | 'TUITION_WAIVER' | 'BOARDING_SUBSIDY'): void;
  /** A public-rental application with its allocations, in kind (SW) or as a rent subsidy (BT) (住建). */
  rental(s: PlantSink, appNo: string, who: PlantPerson, allocations: { type: 'SW' | 'BT'; start: IsoDate; end: IsoDate | null }[]): void;
}

/** The planting verbs a department holds (each verb is held by exactly one department). */
export type DepartmentPlant = Partial<PlantVerbs>;
