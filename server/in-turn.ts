/**
 * Request handlers run in turn as one Express layer. Express's router spends on each layer a
 * request passes (its path matched, its parameters processed, a path prefix trimmed and put back,
 * a `next` of its own), and a GraphQL request passed eight of them before Apollo's: the hub's own
 * middleware that run on every request at one path are mounted as one layer instead
 * (docs/performance.md, session 31).
 *
 * Each handler is called as the router calls a layer's: `next()` (or `next('route')`, which the
 * router treats so at a middleware layer) goes on to the one after it, the last one's to the router;
 * `next(err)` and `next('router')` go to the router at once, which passes the error to the error
 * handlers; a throw, or a promise the handler returns that rejects, is `next(err)`
 * (`new Error('Rejected promise')` for a rejection without a reason, as the router's).
 */
import type express from 'express';

export function inTurn(...handlers: readonly express.RequestHandler[]): express.RequestHandler {
  return (req, res, next) => {
    callFrom(handlers, 0, req, res, next);
  };
}

function callFrom(handlers: readonly express.RequestHandler[], i: number, req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (i === handlers.length) return next();
  try {
    const ret: unknown = handlers[i](req, res, (err?: unknown) => {
      if (err && err !== 'route') next(err);
      else callFrom(handlers, i + 1, req, res, next);
    });
    if (ret !== null && typeof ret === 'object' && typeof (ret as { then?: unknown }).then === 'function') {
      (ret as PromiseLike<unknown>).then(undefined, (error: unknown) => next(error || new Error('Rejected promise')));
    }
  } catch (err) {
    next(err);
  }
}
