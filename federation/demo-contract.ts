/**
 * A department's part of the demo population (`npm run demo:generate`, `npm start` on an empty
 * database). The generator (tools/generate) makes the households and people, then hands each
 * household to every department that declares a `demo`, which returns the rows of its own tables
 * for it. The department decides its rates; the generator only loads the rows.
 */
import type { IsoDate } from '../domain/dates';

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

export interface DepartmentDemo {
  /** Each table the demo writes, with the columns of its rows, in order. */
  tables: Readonly<Record<string, readonly string[]>>;
  /** The rows of this department's tables for one household (tables it has nothing for may be left out). */
  household(h: DemoHousehold, random: DemoRandom, referenceDate: IsoDate): Record<string, DemoCell[][]>;
}
