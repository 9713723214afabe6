/**
 * Whether the hub database has been migrated by a later release of AidHub, watched while a process
 * of this release runs on it: the hub (server/app.ts) and the tools' long jobs, `npm run scan` and
 * `monitor:monthly` (tools/region-job-cli.ts). `npm start` and the tools refuse such a database at
 * their start (db/setup/migrator.ts DatabaseOfLaterRelease, exit 2), but an upgrade relies on the
 * operator stopping every process of the earlier release first (docs/operations.md "Upgrading",
 * step 2): a hub (or a replica behind the balancer) or a scan forgotten and still running went on
 * reading and writing rows in the forms the later release upgraded once and never looks at again.
 *
 * The journals are judged as the start and the tools judge them (db/setup/provision.ts
 * judgeHubJournals: one definition), four statements on a connection of the process's pool, at most
 * once per `ttlMs`: a timer of the process reads them that often, probes and scrapes that come
 * together share one read, and requests and job steps read only the judgement in force
 * (`laterRelease`), never the database. Each change of the judgement is handed to `onChange`, with
 * the logger of the read that found it: the hub turns /readyz 503, refuses every request and stops
 * its background work; a tool's job stops at its next chunk and the tool exits 2.
 *
 * Work that comes between the later release's migration and the next read is still done as before:
 * the window is at most `ttlMs` plus one read (docs/operations.md "Upgrading").
 */
import type mysql from 'mysql2/promise';
import type { LevelLogger } from './request-id';
import type { HubDb } from '../db/connect';
import { DatabaseOfLaterRelease } from '../db/setup/migrator';
import { judgeHubJournals } from '../db/setup/provision';
import { withTimeout } from '../federation/loaders';
import { CachedRead } from './cached-read';

/**
 * How long one read of the journals answers for, and how often the process reads them. A later
 * release's start takes longer than this to migrate and upgrade the rows (its data upgrades run
 * after its migrations), and a balancer probes every few seconds; four statements every 5 s cost
 * the database nothing worth counting (the binary log format's watch reads as often).
 */
export const RELEASE_CHECK_TTL_MS = 5_000;

/** The line of a refusal and of /readyz: what the operator is to do. */
export const LATER_RELEASE_PROBLEM = 'stop this process: the later release serves this database, and this one would read and write rows in the forms that release upgraded (docs/operations.md "Upgrading", step 2)';

export class ReleaseWatch {
  private readonly journals: CachedRead<DatabaseOfLaterRelease | null>;
  private timer: NodeJS.Timeout | null = null;
  /**
   * Called at each change of the judgement, with the logger of the read that found it (a probe's,
   * or the process's): the later release's migration when one is found, null when it is gone (a restore).
   */
  onChange: (later: DatabaseOfLaterRelease | null, logger: LevelLogger) => void = () => undefined;

  /** `timeoutMs`: a read not answered by then counts as not read (the database not answering is SELECT 1's to report). */
  constructor(
    hub: HubDb,
    database: string,
    private readonly logger: LevelLogger,
    timeoutMs: number,
    private readonly ttlMs = RELEASE_CHECK_TTL_MS,
  ) {
    // On the hub's pool (db/access/db.ts: drizzle keeps it as `$client`), with its deadlines.
    const pool = (hub as unknown as { $client: mysql.Pool }).$client;
    const read = async () => {
      try {
        await withTimeout(timeoutMs, () => judgeHubJournals(pool, database));
        return null;
      } catch (err) {
        if (err instanceof DatabaseOfLaterRelease) return err;
        throw err;
      }
    };
    // Before the first read the process serves as of this release: a first read finding a later one is a change.
    this.journals = new CachedRead(ttlMs, null, read, 'migration journals not read', (later, before, logger) => {
      if ((before === null) !== (later === null)) this.onChange(later, logger);
    });
  }

  /** The judgement in force, read from memory: what every request asks. */
  get laterRelease(): DatabaseOfLaterRelease | null {
    return this.journals.last;
  }

  /** Reads the journals now and every `ttlMs` from now on (the timer keeps no process alive). */
  start(): void {
    if (this.timer) return;
    void this.judgement();
    // Read on each tick, not through the cache: one a tick, so the window is `ttlMs` plus one read.
    this.timer = setInterval(() => void this.journals.refresh(this.logger), this.ttlMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * The judgement, read again when the last read is older than `ttlMs` (access/cached-read.ts: one
   * read shared by all who ask while it runs; a read that fails keeps the last judgement).
   * `logger`: the asking probe's (access/request-id.ts requestLogger), so a change's line names it;
   * without one, the hub's.
   */
  judgement(logger: LevelLogger = this.logger): Promise<DatabaseOfLaterRelease | null> {
    return this.journals.get(logger);
  }
}
