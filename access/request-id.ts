/**
 * Every request has an id: the caller's `X-Request-Id` when it is a sane one (so a request can be
 * followed from a department's own system into the hub's log and audit trail), otherwise a new
 * UUID. It is sent back as `X-Request-Id`, written in the request's audit rows, and carried by
 * every log line written while the request runs: through the request's logger (`requestLogger`),
 * handed to whatever logs for the request, not through an AsyncLocalStorage (entering one turns on
 * Node's promise hooks for every promise of the process, ~4% of a household query's work,
 * test/no-async-storage.test.ts).
 */
import crypto from 'node:crypto';
import type express from 'express';
import type { Logger } from 'pino';
import { mayContainIdNumberBesideDigests } from '../domain/id-number';

/**
 * Short, printable, and never an ID number: the audit column holds 36 characters, and an id that
 * could carry someone's 公民身份号码, whole or written in parts (mayContainIdNumber, the same test
 * X-Case-Reference is held to), would put it into every log line and audit row of the request. A
 * trace id in lowercase hex (W3C's is 32) is judged as the digest it is
 * (mayContainIdNumberBesideDigests): about one in 120 holds 15 digits in a row, and such a
 * department's id was replaced, its request lost to its own trace.
 */
const SANE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,35}$/;

/** The caller's id, or null (a new one is made) when it is not sane or may carry an ID number. */
export function acceptableRequestId(value: string | undefined): string | null {
  if (!value) return null;
  const id = value.trim();
  return SANE.test(id) && !mayContainIdNumberBesideDigests(id) ? id : null;
}

const byRequest = new WeakMap<express.Request, string>();

/** This request's id (set by requestIdMiddleware; a new one if it did not run). */
export function requestIdOf(req: express.Request): string {
  let id = byRequest.get(req);
  if (!id) {
    id = crypto.randomUUID();
    byRequest.set(req, id);
  }
  return id;
}

export function requestIdMiddleware(): express.RequestHandler {
  return (req, res, next) => {
    const id = acceptableRequestId(req.get('x-request-id')) ?? crypto.randomUUID();
    byRequest.set(req, id);
    res.set('X-Request-Id', id);
    next();
  };
}

/** What the hub's code logs through: a pino logger, or a request's (`requestLogger`). */
export type LevelLogger = Pick<Logger, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>;

/**
 * `logger`'s lines with `requestId`: the pino child is made at the first line, not before (a child
 * costs, and most requests log nothing). Its level methods are on the prototype (set below), so a
 * request's logger is one small object.
 */
interface RequestLogger extends LevelLogger {}
class RequestLogger {
  private made: Logger | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly requestId: string,
  ) {}

  /** The pino child that writes the lines, made once. */
  lines(): Logger {
    return (this.made ??= this.logger.child({ requestId: this.requestId }));
  }
}
for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const) {
  RequestLogger.prototype[level] = function (this: RequestLogger, ...args: unknown[]) {
    (this.lines()[level] as (...a: unknown[]) => void)(...args);
  } as LevelLogger[typeof level];
}

/**
 * `logger` for the request `req` serves: each line carries its `requestId`. Whatever logs while
 * the request is served is handed it (the access check, the GraphQL context and its loaders, the
 * plugins, the readiness probe), and so are the jobs a request starts (a scan's end).
 */
export function requestLogger(req: express.Request, logger: Logger): LevelLogger {
  return new RequestLogger(logger, requestIdOf(req));
}
