/**
 * The hub database's binary log format, watched while the hub serves. `npm start` refuses a server
 * logging in STATEMENT format (db/setup/binlog.ts, exit 2), but the format can be changed at run
 * time (`SET GLOBAL binlog_format = 'STATEMENT'`): every connection opened from then on gets it, and
 * each refuses every locking transaction (case decisions, pledges, ledger entries, audit appends).
 * /readyz asks here and answers 503 with the setting to change, so a balancer sends the hub nothing
 * while it would fail those writes; `aidhub_hub_binlog_format_usable` says the same to monitoring,
 * and one log line marks each change (the format only, nothing of anyone's data).
 *
 * The server's global format is read (`@@GLOBAL`: what a connection opened now gets), on a
 * connection of the hub's pool, at most once per `ttlMs`: probes that come together share one read,
 * so a probe storm costs the database one statement a few seconds. A pooled connection keeps the
 * format its session was opened with: a transaction refused on one opened during the change retires
 * the pool's connections opened until then (those from before the change too) and runs once more on
 * a new one (db/connect.ts retiringRefusedSessions, db/locking.ts). That does not wait for this
 * watch: between a switch and its next read, or with no probe at all, it holds as well.
 */
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { LevelLogger } from '../access/request-id';
import type { HubDb } from '../db/connect';
import { BINLOG_STATE_SQL, binlogStateProblem, type BinlogState } from '../db/setup/binlog';
import { withTimeout } from '../federation/loaders';
import { CachedRead } from '../access/cached-read';

/** How long one read of the format answers for. */
export const BINLOG_CHECK_TTL_MS = 5_000;

export class BinlogWatch {
  private readonly format: CachedRead<{ problem: string | null; format: string }>;
  /** The last judgement logged: null before the first read. */
  private usable: boolean | null = null;
  /** Called with each new judgement, logged or not (the metrics gauge). */
  onJudged: (usable: boolean) => void = () => undefined;

  /** `timeoutMs`: a read not answered by then counts as not read (the database not answering is SELECT 1's to report). */
  constructor(
    private readonly hub: HubDb,
    private readonly logger: Logger,
    timeoutMs: number,
    ttlMs = BINLOG_CHECK_TTL_MS,
  ) {
    const read = async () => {
      const [rows] = (await withTimeout(timeoutMs, () => this.hub.execute(sql.raw(BINLOG_STATE_SQL)))) as unknown as [BinlogState[]];
      return { problem: binlogStateProblem(rows[0]), format: String(rows[0].format).toUpperCase() };
    };
    this.format = new CachedRead(ttlMs, { problem: null, format: '' }, read, 'binary log format not read', (read, _before, logger) => this.judged(read.problem === null, read.format, logger));
  }

  /**
   * What to change on the hub database's server, in one line; null when its binary log takes the
   * hub's writes, or when it could not be read (the database not answering is /readyz's other
   * reason; the last judgement is kept meanwhile). `logger`: the request's that asks (/readyz,
   * access/request-id.ts requestLogger), so a change's line names the probe that found it; a read
   * shared by several asking at once logs through the first's. Without one (a metrics scrape), the hub's.
   */
  async problem(logger: LevelLogger = this.logger): Promise<string | null> {
    return (await this.format.get(logger)).problem;
  }

  private judged(usable: boolean, format: string, logger: LevelLogger): void {
    this.onJudged(usable);
    if (usable === this.usable) return;
    const first = this.usable === null;
    this.usable = usable;
    if (!usable) logger.error({ binlogFormat: format }, 'the hub database logs by STATEMENT, which refuses the hub\'s locking writes: /readyz answers 503 until binlog_format is ROW or MIXED');
    else if (!first) logger.warn({ binlogFormat: format }, 'the hub database\'s binary log format takes the hub\'s writes again: /readyz answers 200');
  }
}
