/**
 * A department read runs in an abandonable scope inside a request (db/abandon.ts inside
 * access/request-id.ts's middleware): the request's id follows its promises through the one
 * AsyncLocalStorage (db/async-context.ts); the read's scope enters none (it reaches the read's
 * statements through the handle the read is given, test/abandon-handle.test.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import { requestIdMiddleware, withRequestIds } from '../access/request-id';
import { abandonable } from '../db/abandon';
import { currentRequestId, runAsRequest } from '../db/async-context';

/**
 * The storages whose value on `promise` differs from theirs on `outside`: those the request and
 * its read entered. Node 20's AsyncLocalStorage puts each enabled storage's value on every promise
 * under a property of its own (jest's own storage among them, the same value on both).
 */
function storagesEntered(promise: Promise<unknown>, outside: Promise<unknown>): number {
  const stores = (p: Promise<unknown>) => Object.getOwnPropertySymbols(p).filter((s) => s.description === 'kResourceStore');
  return stores(promise).filter((s) => (promise as unknown as Record<symbol, unknown>)[s] !== (outside as unknown as Record<symbol, unknown>)[s]).length;
}

it('carries the request id into a department read, on the request\'s storage alone', async () => {
  const lines: Record<string, unknown>[] = [];
  const logger = withRequestIds(pino(new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } })));
  let made: Promise<void> | null = null;
  const app = express();
  app.use(requestIdMiddleware());
  app.get('/read', (_req, res) => {
    const read = abandonable(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      made = Promise.resolve();
      logger.info('inside the read');
    });
    void read.start().then(() => {
      logger.info('after the read');
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
  expect(storagesEntered(made!, Promise.resolve())).toBe(1);
  expect(lines.map((l) => [l.msg, l.requestId])).toEqual([['inside the read', 'context-0001'], ['after the read', 'context-0001']]);
});

it('enters no storage for a department read, inside a request or not', async () => {
  const run = jest.spyOn(AsyncLocalStorage.prototype, 'run');
  const enterWith = jest.spyOn(AsyncLocalStorage.prototype, 'enterWith');
  try {
    const seen = await runAsRequest('context-0002', async () => {
      run.mockClear();
      const read = abandonable(async () => {
        await null;
        return currentRequestId();
      });
      return [await read.start(), await abandonable(async () => currentRequestId()).start()];
    });
    expect(seen).toEqual(['context-0002', 'context-0002']);
    expect([run.mock.calls.length, enterWith.mock.calls.length]).toEqual([0, 0]);
  } finally {
    run.mockRestore();
    enterWith.mockRestore();
  }
});
