/**
 * Whether the hub database has been migrated by a later release of AidHub, watched while the hub
 * serves. `npm start` refuses such a database (db/setup/migrator.ts DatabaseOfLaterRelease, exit 2),
 * but an upgrade relies on the operator stopping every process of the earlier release first
 * (docs/operations.md "Upgrading", step 2): a hub (or a replica behind the balancer) forgotten and
 * still running went on serving on the database the later release had migrated, reading and writing
 * rows in the forms that release upgraded once and never looks at again.
 *
 * The journals are judged as the start and the tools judge them (db/setup/provision.ts
 * judgeHubJournals: one definition), four statements on a connection of the hub's pool, at most once
 * per `ttlMs`: a timer of the process reads them that often, probes and scrapes that come together
 * share one read, and requests read only the judgement in force (`laterRelease`), never the database.
 * From the judgement on, /readyz answers 503 with the reason, every request but /healthz, /readyz and
 * the query page is refused HUB_UNAVAILABLE (DATABASE_OF_LATER_RELEASE), the process's background
 * work stops taking new work (server/app.ts), `aidhub_hub_database_release_current` says 0, and one
 * log line marks each change (the journal and the migration's date, nothing of anyone's data).
 *
 * A request that comes between the later release's migration and the next read is still served: the
 * window is at most `ttlMs` plus one read (docs/operations.md "Upgrading").
 */
import type { Logger } from 'pino';
import type mysql from 'mysql2/promise';
import type { LevelLogger } from '../access/request-id';
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
  /** Called at each change of the judgement: true when a later release's migration is found, false when it is gone (a restore). */
  onChange: (later: boolean) => void = () => undefined;

  /** `timeoutMs`: a read not answered by then counts as not read (the database not answering is SELECT 1's to report). */
  constructor(
    hub: HubDb,
    database: string,
    private readonly logger: Logger,
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
      if ((before === null) === (later === null)) return;
      if (later) logger.error({ journal: later.journal, migratedAt: new Date(later.latestUnknown).toISOString() }, `the hub database was migrated by a later release of AidHub: /readyz answers 503, every request is refused and background work stops; ${LATER_RELEASE_PROBLEM}`);
      else logger.warn('the hub database is of this release again (restored): /readyz answers 200, requests are served and background work resumes');
      this.onChange(later !== null);
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
    this.timer = setInterval(() => void this.judgement(), this.ttlMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * The judgement, read again when the last read is older than `ttlMs` (server/cached-read.ts: one
   * read shared by all who ask while it runs; a read that fails keeps the last judgement).
   * `logger`: the asking probe's (access/request-id.ts requestLogger), so a change's line names it;
   * without one, the hub's.
   */
  judgement(logger: LevelLogger = this.logger): Promise<DatabaseOfLaterRelease | null> {
    return this.journals.get(logger);
  }
}
