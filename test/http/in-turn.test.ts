/**
 * server/in-turn.ts runs handlers as one Express layer, standing in for Express's router with one
 * layer each (server/app.ts mounts the hub's every-request middleware and its GraphQL route so).
 * Each case is answered by an app with the handlers as layers of their own and by one with them in
 * turn, and both answers must be the same: the status, the body, the headers the handlers set, and
 * which handlers ran.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { inTurn } from '../../server/in-turn';

type Handler = express.RequestHandler;

/** A handler that records that it ran (in `ran`, a header listing the handlers run so far). */
function step(name: string, then: (req: express.Request, res: express.Response, next: express.NextFunction) => unknown = (_req, _res, next) => next()): Handler {
  return (req, res, next) => {
    res.locals.ran = [...((res.locals.ran as string[] | undefined) ?? []), name];
    res.set('X-Ran', (res.locals.ran as string[]).join(','));
    return then(req, res, next) as void;
  };
}

/** Answers with what ran, the path it saw and the error it got, if any. */
const answer: Handler = (req, res) => {
  res.json({ ran: res.locals.ran ?? [], url: req.url, baseUrl: req.baseUrl });
};
const errorAnswer: express.ErrorRequestHandler = (err: unknown, req, res, _next) => {
  res.status(500).json({ ran: res.locals.ran ?? [], url: req.url, error: err instanceof Error ? err.message : String(err) });
};

/** An app mounting `handlers` at `path`, as layers of their own or in turn, then `answer` there and the error handler. */
function appOf(path: string, handlers: Handler[], together: boolean): express.Express {
  const app = express();
  if (together) app.use(path, inTurn(...handlers));
  else app.use(path, ...handlers);
  app.use(path, answer);
  app.use(errorAnswer);
  return app;
}

async function ask(app: express.Express, url: string): Promise<{ status: number; body: string; ran: string | null; type: string | null }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${url}`);
    return { status: res.status, body: await res.text(), ran: res.headers.get('x-ran'), type: res.headers.get('content-type') };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const CASES: [string, () => Handler[]][] = [
  ['each calls next()', () => [step('a'), step('b'), step('c')]],
  ["next('route') goes on, as at a middleware layer", () => [step('a', (_q, _s, next) => next('route')), step('b')]],
  ['next(err) skips the rest to the error handler', () => [step('a', (_q, _s, next) => next(new Error('refused'))), step('b')]],
  ["next('router') leaves the app's router", () => [step('a', (_q, _s, next) => next('router')), step('b')]],
  ['a throw is next(err)', () => [step('a'), step('b', () => { throw new Error('thrown'); }), step('c')]],
  ['a rejected promise is next(err)', () => [step('a', async () => { throw new Error('rejected'); }), step('b')]],
  ['a promise rejected without a reason', () => [step('a', () => Promise.reject(undefined)), step('b')]],
  ['a resolved promise that already answered', () => [step('a', async (_q, res) => void res.status(202).send('done')), step('b')]],
  ['a handler that answers ends it', () => [step('a', (_q, res) => res.status(201).send('answered')), step('b')]],
  ['next() called later', () => [step('a', (_q, _s, next) => setImmediate(next)), step('b')]],
  ['a throw from a later handler called inside an earlier one', () => [step('a', (_q, _s, next) => next()), step('b', () => { throw new Error('inner'); })]],
];

describe.each([
  ['mounted at /graphql', '/graphql', '/graphql'],
  ['mounted at /graphql, asked a path below it', '/graphql', '/graphql/x?y=1'],
  ['mounted on every path', '/', '/somewhere?q=1'],
])('%s', (_name, mount, url) => {
  it.each(CASES)('%s: the same answer as layers of their own', async (_case, handlers) => {
    const alone = await ask(appOf(mount, handlers(), false), url);
    const together = await ask(appOf(mount, handlers(), true), url);
    expect(together).toEqual(alone);
  });
});

it('the answers differ between the cases (the comparison can fail)', async () => {
  const bodies = new Set<string>();
  for (const [, handlers] of CASES) bodies.add(JSON.stringify(await ask(appOf('/graphql', handlers(), true), '/graphql')));
  expect(bodies.size).toBeGreaterThanOrEqual(8);
});
