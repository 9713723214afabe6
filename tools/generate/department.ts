/**
 * One department's part of an existing demo (`npm run demo:generate -- --department <CODE>`): for a
 * department added after the demo was loaded (README "Adding a department"), or whose database was
 * emptied, its rows for the households already in the hub, without touching anything else.
 *
 * The population is generated again in memory from the seed and reference date it was made with,
 * and only the department's tables are written: the same rows a full generation of that seed gives
 * (each department draws from a stream of its own, or from the household's shared one, which the
 * generator replays whole). It first checks, household by household, that the generated members
 * are the hub's, so a wrong seed or date (or a demo appended to with another seed) is refused before
 * anything is written. It then empties the department's tables and loads them, so running it twice
 * gives the same rows, not twice as many.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DATE_RANGE } from '../../domain/date-ranges';
import { addDays, todayIso } from '../../domain/dates';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, type DepartmentCode } from '../../domain/departments';
import { ADAPTERS } from '../../federation/registry';
import { provisionSource } from '../../federation/provision';
import { redactUrl, sourceUrls as defaultSourceUrls } from '../../db/config';
import { UsageError } from '../command-args';
import { Loader } from './load';
import { DemoGenerator } from './population';
import { TABLE_NAMES, TABLES, emptyRows, type TableName, type TableRows } from './tables';

/**
 * The department can take no part of a demo here: unknown (UNKNOWN_DEPARTMENT), or without a demo
 * database of its own (NO_DEMO_DATABASE: no demo part, or a ledger the hub keeps). A usage error.
 */
export class DemoDepartmentError extends UsageError {
  override name = 'DemoDepartmentError';
}

/** No demo to add to, or not one this seed and reference date make. Nothing was written. */
export class DemoMismatchError extends Error {
  override name = 'DemoMismatchError';
}

/** The departments whose demo part can be generated alone: those with a database of their own. */
export const SEPARATE_DEMO_DEPARTMENTS: readonly DepartmentCode[] = DEPARTMENT_CODES.filter((code) => ADAPTERS[code].demo && !HUB_LEDGER_SOURCES.includes(code));

/** `code` as a department whose demo part can be generated alone, or a DemoDepartmentError. */
export function demoDepartment(code: string): DepartmentCode {
  if ((SEPARATE_DEMO_DEPARTMENTS as readonly string[]).includes(code)) return code as DepartmentCode;
  const named = `--department ${JSON.stringify(code)}`;
  const why = (DEPARTMENT_CODES as readonly string[]).includes(code) ? `NO_DEMO_DATABASE: ${named} has no demo database of its own` : `UNKNOWN_DEPARTMENT: ${named} is not a department`;
  throw new DemoDepartmentError(`${why}; one of ${SEPARATE_DEMO_DEPARTMENTS.join(', ')}`);
}

export interface GenerateDepartmentOptions {
  hubUrl: string;
  department: DepartmentCode;
  /** The seed the demo was generated with (`npm start`'s is 1, demo:generate's default 42). */
  seed: string | number;
  /** The demo's reference date; without it, the day within the last `searchDays` whose population is the hub's. */
  referenceDate?: string;
  sourceUrls?: Record<DepartmentCode, string>;
  chunkHouseholds?: number;
  onProgress?: (progress: { households: number; total: number }) => void;
}

export interface DepartmentDemoResult {
  households: number;
  referenceDate: string;
  /** Rows written per table of the department. */
  counts: Record<string, number>;
}

/** How far back a reference date is looked for when none is given: ten years of days. */
const SEARCH_DAYS = 3660;
const CHUNK = 5000;

export async function generateDepartment(opts: GenerateDepartmentOptions): Promise<DepartmentDemoResult> {
  const { hubUrl, department, seed } = opts;
  const sources = opts.sourceUrls ?? defaultSourceUrls(hubUrl);
  const tables = TABLE_NAMES.filter((t) => TABLES[t].target === department);
  const chunkSize = opts.chunkHouseholds ?? CHUNK;
  // The hub alone first: nothing is created or written until the demo is found to be this seed's.
  const hub = await Loader.open(hubUrl, sources, []).catch((err: unknown) => {
    if (isUnknownDatabase(err)) throw new DemoMismatchError(`no demo to add to: the hub database ${redactUrl(hubUrl)} does not exist (generate the demo first)`);
    throw err;
  });
  let referenceDate: string;
  let count: number;
  try {
    const households = await hub.households().catch((err: unknown) => {
      if (isUnknownTable(err)) return { count: 0, maxId: 0 };
      throw err;
    });
    count = households.count;
    if (count === 0) throw new DemoMismatchError(`no demo to add to: the hub database ${redactUrl(hubUrl)} holds no households (generate the demo first)`);
    if (count !== households.maxId) throw new DemoMismatchError(`the hub's households are not a demo's: ${count} households, numbered up to ${households.maxId}`);
    referenceDate = opts.referenceDate ?? (await findReferenceDate(hub, seed));
    await verify(hub, seed, referenceDate, count, chunkSize);
  } finally {
    await hub.close();
  }

  await provisionSource(department, sources[department]);
  const loader = await Loader.open(hubUrl, sources, [department]);
  try {
    // Its tables emptied first: a second run gives the same rows, not twice as many.
    await loader.truncate();
    const counts = Object.fromEntries(tables.map((t) => [t, 0]));
    const gen = new DemoGenerator({ seed, referenceDate });
    for (let done = 0, chunkNo = 1; done < count; chunkNo++) {
      const n = Math.min(chunkSize, count - done);
      const rows = only(gen.generate(n), tables);
      await loader.loadChunk(rows, chunkNo);
      for (const t of tables) counts[t] += rows[t].length;
      done += n;
      opts.onProgress?.({ households: done, total: count });
      await yieldToEventLoop();
    }
    return { households: count, referenceDate, counts };
  } finally {
    await loader.close();
  }
}

function errnoOf(error: unknown): unknown {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const errno = (e as { errno?: unknown }).errno;
    if (errno !== undefined) return errno;
  }
  return undefined;
}
const isUnknownDatabase = (error: unknown) => errnoOf(error) === 1049;
const isUnknownTable = (error: unknown) => errnoOf(error) === 1146;

/** `rows` with only `tables`' rows kept. */
function only(rows: TableRows, tables: readonly TableName[]): TableRows {
  const kept = emptyRows();
  for (const t of tables) kept[t] = rows[t];
  return kept;
}

/** The generated memberships of households `rows` holds, as Loader.memberships gives the hub's. */
function membershipsOf(rows: TableRows): string[] {
  return rows.household_member.map((m) => `${m[0]}:${m[1]}`);
}

/** Refuses unless every generated member of every household is a member of that household in the hub. */
async function verify(loader: Loader, seed: string | number, referenceDate: string, households: number, chunkSize: number): Promise<void> {
  const gen = new DemoGenerator({ seed, referenceDate });
  for (let done = 0; done < households; ) {
    const n = Math.min(chunkSize, households - done);
    const rows = gen.generate(n);
    const inHub = await loader.memberships(done + 1, done + n);
    const missing = membershipsOf(rows).find((m) => !inHub.has(m));
    if (missing !== undefined) {
      const household = Number(missing.split(':')[0]);
      throw new DemoMismatchError(
        `the demo in the hub database is not the one seed ${seed} and reference date ${referenceDate} make (household ${household} differs): ` +
          'give the seed and --reference-date it was generated with (npm start\'s demo: seed 1, the day it was loaded); a demo appended to with --append or loaded with --plant cannot be completed so',
      );
    }
    done += n;
    await yieldToEventLoop();
  }
}

/**
 * The reference date the demo was made with: the latest day, from today back SEARCH_DAYS, whose
 * first household has the hub's first household's members. (A day earlier or later shifts every
 * birth date the generator draws, and with them the ID numbers.)
 */
async function findReferenceDate(loader: Loader, seed: string | number): Promise<string> {
  const first = await loader.memberships(1, 1);
  let day = todayIso();
  for (let n = 0; n < SEARCH_DAYS && day >= DATE_RANGE.min; n++, day = addDays(day, -1)) {
    if (membershipsOf(new DemoGenerator({ seed, referenceDate: day }).generate(1)).every((m) => first.has(m))) return day;
  }
  throw new DemoMismatchError(
    `no reference date in the last ${SEARCH_DAYS} days makes the hub's first household with seed ${seed}: give the seed (npm start's demo: 1) and --reference-date it was generated with`,
  );
}
