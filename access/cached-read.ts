/**
 * A judgement read from the hub database at most once per `ttlMs`: asked again within it, the last
 * one answers from memory; asked while a read runs, that read answers everyone who asked, so a probe
 * storm costs the database one read every `ttlMs`. A read that fails (the database not answering is
 * /readyz's SELECT 1 to report) keeps the last judgement, `initial` before any. Used by the watches
 * /readyz asks (server/binlog-watch.ts, access/release-watch.ts).
 */
import type { LevelLogger } from './request-id';
import { loggableError } from '../domain/privacy';

export class CachedRead<T> {
  private checked: { at: number; value: T } | null = null;
  private reading: Promise<T> | null = null;

  /**
   * `read` throws when it could not read (logged at debug as `notRead`); `judged` is called with each
   * judgement read and the one before it, once it is in force (the watch's log line at a change).
   */
  constructor(
    private readonly ttlMs: number,
    private readonly initial: T,
    private readonly read: () => Promise<T>,
    private readonly notRead: string,
    private readonly judged: (value: T, before: T, logger: LevelLogger) => void,
  ) {}

  /** The judgement in force, from memory. */
  get last(): T {
    return this.checked ? this.checked.value : this.initial;
  }

  /** The judgement, read again when the last read is older than `ttlMs`. `logger`: the asker's, for the lines of a read it starts. */
  get(logger: LevelLogger): Promise<T> {
    if (this.checked && Date.now() - this.checked.at < this.ttlMs) return Promise.resolve(this.checked.value);
    return this.refresh(logger);
  }

  /**
   * The judgement read now, whatever its age (a watch's timer, every `ttlMs`): a timer asking
   * through `get` found the last read, finished a moment after the timer's previous tick, younger
   * than `ttlMs`, and read only every second tick. A read under way answers instead.
   */
  refresh(logger: LevelLogger): Promise<T> {
    this.reading ??= this.readNow(logger).finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async readNow(logger: LevelLogger): Promise<T> {
    let value: T;
    try {
      value = await this.read();
    } catch (err) {
      logger.debug({ err: loggableError(err) }, this.notRead);
      return this.last;
    }
    const before = this.last;
    this.checked = { at: Date.now(), value };
    this.judged(value, before, logger);
    return value;
  }
}
