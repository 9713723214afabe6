/**
 * Every request has an id: the caller's `X-Request-Id` when it is a sane one (so a request can be
 * followed from a department's own system into the hub's log and audit trail), otherwise a new
 * UUID. It is sent back as `X-Request-Id`, written in the request's audit rows, and carried by
 * every log line written while the request runs (`withRequestIds`).
 */
import crypto from 'node:crypto';
import type express from 'express';
import type { Logger } from 'pino';
import { mayContainIdNumber } from '../domain/id-number';
import { currentRequestId, runAsRequest } from '../db/async-context';

/**
 * Short, printable, and never an ID number: the audit column holds 36 characters, and an id that
 * could carry someone's 公民身份号码, whole or written in parts (mayContainIdNumber, the same test
 * X-Case-Reference is held to), would put it into every log line and audit row of the request.
 */
const SANE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,35}$/;

/** The caller's id, or null (a new one is made) when it is not sane or may carry an ID number. */
export function acceptableRequestId(value: string | undefined): string | null {
  if (!value) return null;
  const id = value.trim();
  return SANE.test(id) && !mayContainIdNumber(id) ? id : null;
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
    runAsRequest(id, next);
  };
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);

/**
 * `logger`, whose lines written while a request is served carry its `requestId`. A wrapper rather
 * than pino's `mixin`, so that it holds for any logger the hub is given (tests pass their own).
 */
export function withRequestIds(logger: Logger): Logger {
  return new Proxy(logger, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !LEVELS.has(prop) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const id = currentRequestId();
        const into = id ? target.child({ requestId: id }) : target;
        return (into[prop as 'info'] as (...a: unknown[]) => void)(...args);
      };
    },
  });
}
