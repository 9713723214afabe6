/**
 * A request's id reaches its log lines through the request's logger (access/request-id.ts
 * requestLogger), not through an AsyncLocalStorage: the request id middleware enters none, and a
 * line written long after the request's first await (a department read, a job the request started)
 * still names the request, because the logger it is written through was handed to it.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import { requestIdMiddleware, requestLogger } from '../access/request-id';
import { abandonable } from '../db/abandon';

/**
 * The storages whose value on `promise` differs from theirs on `outside`: those the request and
 * its read entered. Node 20's AsyncLocalStorage puts each enabled storage's value on every promise
 * under a property of its own (jest's own storage among them, the same value on both).
 */
function storagesEntered(promise: Promise<unknown>, outside: Promise<unknown>): number {
  const stores = (p: Promise<unknown>) => Object.getOwnPropertySymbols(p).filter((s) => s.description === 'kResourceStore');
  return stores(promise).filter((s) => (promise as unknown as Record<symbol, unknown>)[s] !== (outside as unknown as Record<symbol, unknown>)[s]).length;
}

function collectingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } }));
  return { lines, logger };
}

it('carries the request id into a department read through the request’s logger, entering no storage for the request', async () => {
  const { lines, logger } = collectingLogger();
  let inRequest: Promise<void> | null = null;
  let inRead: Promise<void> | null = null;
  const app = express();
  app.use(requestIdMiddleware());
  app.get('/read', (req, res) => {
    const log = requestLogger(req, logger);
    inRequest = Promise.resolve();
    const read = abandonable(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      inRead = Promise.resolve();
      log.info('inside the read');
    });
    void read.start().then(() => {
      log.info('after the read');
      res.end();
    });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/read`, { headers: { 'x-request-id': 'context-0001' } });
    expect(res.status).toBe(200);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  // The request enters nothing (the department read enters its abandonable scope, db/abandon.ts).
  expect(storagesEntered(inRequest!, Promise.resolve())).toBe(0);
  expect(lines.map((l) => [l.msg, l.requestId])).toEqual([['inside the read', 'context-0001'], ['after the read', 'context-0001']]);
});

it('makes the pino child at the request’s first line, once, and none for a request that logs nothing', async () => {
  const { lines, logger } = collectingLogger();
  const child = jest.spyOn(logger, 'child');
  const app = express();
  app.use(requestIdMiddleware());
  app.get('/quiet', (req, res) => {
    requestLogger(req, logger);
    res.end();
  });
  app.get('/loud', (req, res) => {
    const log = requestLogger(req, logger);
    log.warn({ n: 1 }, 'first');
    log.error('second');
    log.debug('below the level');
    res.end();
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/quiet`, { headers: { 'x-request-id': 'context-0002' } })).status).toBe(200);
    expect(child).toHaveBeenCalledTimes(0);
    expect((await fetch(`${base}/loud`, { headers: { 'x-request-id': 'context-0003' } })).status).toBe(200);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  expect(child.mock.calls).toEqual([[{ requestId: 'context-0003' }]]);
  expect(lines.map((l) => [l.msg, l.requestId, l.level, l.n])).toEqual([
    ['first', 'context-0003', 40, 1],
    ['second', 'context-0003', 50, undefined],
  ]);
});
