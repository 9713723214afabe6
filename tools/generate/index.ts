/**
 * The demo-data generator: `generateDemo` provisions the hub and department databases, then
 * streams a generated population into them chunk by chunk. Used by `npm start` (empty private
 * database), the bench and `tools/generate.ts`.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { provisionDatabases } from '../../federation/provision';
import { todayIso } from '../../domain/dates';
import type { DepartmentCode } from '../../domain/departments';
import { sourceUrls as defaultSourceUrls } from '../../db/config';
import { Loader, type ExistingData } from './load';
import { DemoGenerator } from './population';
import { plantCases, type PlantManifest } from './plant';
import { TABLE_NAMES, emptyRows, type TableName } from './tables';

export { DemoGenerator, generateAll, generateChunks, RATES, type GeneratorOptions } from './population';
export { TABLES, TABLE_NAMES, cell, type Row, type TableName, type TableRows } from './tables';
export { NonEmptyDatabaseError, type ExistingData } from './load';
export { plantCases, type PlantManifest, type PlantedHousehold } from './plant';

export interface GenerateDemoOptions {
  /** mysql://… URL of the hub database (created if missing). */
  hubUrl: string;
  households: number;
  seed?: string | number;
  /** 'YYYY-MM-DD'; default today in China. The data are determined by seed, households and this date. */
  referenceDate?: string;
  /** Department database URLs; default `sourceUrls(hubUrl)` from db/config.ts. */
  sourceUrls?: Record<DepartmentCode, string>;
  /** What to do when the generator's tables already hold rows: refuse (default), append, or truncate them first. */
  existing?: ExistingData;
  /** Households per chunk (one transaction per database per chunk). */
  chunkHouseholds?: number;
  /** Create the databases and run migrations first (default true). */
  provision?: boolean;
  onProgress?: (progress: { households: number; total: number; elapsedMs: number }) => void;
  /** Also write the planted cases and near misses of tools/generate/plant.ts after the population. */
  plant?: boolean;
  /** Receives the planted households' manifest (with `plant`). */
  onPlanted?: (manifest: PlantManifest) => void;
  /**
   * Stops the load at its next safe point (between slices of generated households, or between
   * statements of the chunk being written, whose transactions are rolled back) and rejects with
   * the signal's reason: `npm start` stopped during its demo load. Chunks already committed stay.
   */
  signal?: AbortSignal;
  /**
   * The instant the databases' clocks read while it writes (`SET timestamp` on its sessions): the
   * rows' change markers carry it. A test's demo already the past when a poller first looks at it,
   * without waiting out the poller's commit lag.
   */
  databaseClockAt?: Date;
}

/** Rows written per table (and the division list, upserted). */
export type DemoCounts = Record<TableName | 'region', number>;

export const DEFAULT_CHUNK_HOUSEHOLDS = 5000;
/** Households generated between yields to the event loop, so in-flight inserts keep flowing. */
const SLICE = 250;

export async function generateDemo(opts: GenerateDemoOptions): Promise<DemoCounts> {
  const { hubUrl, households } = opts;
  if (!Number.isInteger(households) || households < 0) throw new RangeError(`households must be a non-negative integer, got ${households}`);
  const seed = opts.seed ?? 1;
  const referenceDate = opts.referenceDate ?? todayIso();
  const sources = opts.sourceUrls ?? defaultSourceUrls(hubUrl);
  const chunkSize = opts.chunkHouseholds ?? DEFAULT_CHUNK_HOUSEHOLDS;
  const existing = opts.existing ?? 'refuse';
  const started = Date.now();

  if (opts.provision !== false) await provisionDatabases(hubUrl, sources);
  const loader = await Loader.open(hubUrl, sources, undefined, opts.databaseClockAt);
  try {
    const firstHousehold = await loader.prepare(existing);
    const taken = existing === 'append' && firstHousehold > 0 ? await loader.existingIdNumbers() : null;
    const counts = Object.fromEntries([...TABLE_NAMES, 'region'].map((t) => [t, 0])) as DemoCounts;
    counts.region = await loader.loadRegions();

    const gen = new DemoGenerator({ seed, referenceDate, firstHousehold, isTaken: taken ? (id) => taken.has(id) : undefined });
    let inFlight: Promise<void> | null = null;
    let done = 0;
    for (let chunkNo = 1; done < households; chunkNo++) {
      const n = Math.min(chunkSize, households - done);
      // Generate the next chunk in slices while the previous one is being written.
      const rows = emptyRows();
      for (let k = 0; k < n; k += SLICE) {
        if (opts.signal?.aborted) {
          // The chunk being written stops at its next statement; wait for its rollback, then stop.
          await inFlight?.catch(() => undefined);
          opts.signal.throwIfAborted();
        }
        gen.generate(Math.min(SLICE, n - k), rows);
        // Also while nothing is in flight when a signal may stop it: its abort comes from the event loop.
        if (inFlight || opts.signal) await yieldToEventLoop();
      }
      if (inFlight) await inFlight;
      for (const t of TABLE_NAMES) counts[t] += rows[t].length;
      done += n;
      const progressAt = done;
      inFlight = loader.loadChunk(rows, chunkNo, opts.signal).then(() => opts.onProgress?.({ households: progressAt, total: households, elapsedMs: Date.now() - started }));
      // A rejected chunk surfaces at the next await; keep it from being reported as unhandled meanwhile.
      inFlight.catch(() => undefined);
    }
    if (inFlight) await inFlight;
    if (opts.plant) {
      const planted = plantCases({ referenceDate, firstHouseholdId: firstHousehold + households + 1, isTaken: taken ? (id) => taken.has(id) : undefined });
      await loader.loadChunk(planted.rows, Math.ceil(households / chunkSize) + 1);
      for (const t of TABLE_NAMES) counts[t] += planted.rows[t].length;
      opts.onPlanted?.(planted.manifest);
    }
    return counts;
  } finally {
    await loader.close();
  }
}
