/**
 * server/express-messages.ts: the hub's HTTP servers make their requests and responses with the
 * Express app's prototypes, so Express's `setPrototypeOf` as it handles them changes nothing and
 * requests share V8 maps (docs/performance.md, Session 35); and Express answers through them as
 * before. The maps are asked of V8 in a child process (`--allow-natives-syntax`).
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { createExpressServer, ExpressMessages } from '../../server/express-messages';
import { EarlyListener } from '../../server/early-listener';

function mapsOf(how: string) {
  const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', path.join(__dirname, '..', 'support', 'express-message-maps.ts'), how], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`express-message-maps.ts ${how} exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as { requests: boolean[]; responses: boolean[]; answers: string[] };
}

const ANSWERS = ['200 {"echo":0}', '201 {"echo":1}', '200 {"echo":2}', '201 {"echo":3}', '200 {"echo":4}', '201 {"echo":5}'];

/** The prototype each request has as the server hands it out (before Express), and what Express answers. */
async function protoAtArrival(server: http.Server, app: express.Express, path = '/who') {
  const seen: boolean[] = [];
  server.prependListener('request', (req: http.IncomingMessage) => seen.push(Object.getPrototypeOf(req) === app.request));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const answer = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'x-probe': 'yes' } });
    return { seen, status: answer.status, body: await answer.text() };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function probeApp() {
  const app = express();
  app.get('/who', (req, res) => {
    res.status(203).json({ app: req.app === app, header: req.get('x-probe'), isRequest: req instanceof http.IncomingMessage, isResponse: res instanceof http.ServerResponse });
  });
  return app;
}

describe('requests made with the Express app prototypes', () => {
  it.each(['createExpressServer', 'EarlyListener'])('share their maps from one request to the next (%s)', (how) => {
    const { requests, responses, answers } = mapsOf(how);
    expect(answers).toEqual(ANSWERS);
    expect(requests).toEqual([true, true, true]);
    expect(responses).toEqual([true, true, true]);
  });

  it('createExpressServer: a request has the app prototype before Express sees it, and Express answers through it', async () => {
    const app = probeApp();
    const got = await protoAtArrival(createExpressServer(app), app);
    expect(got.seen).toEqual([true]);
    expect(got.status).toBe(203);
    expect(JSON.parse(got.body)).toEqual({ app: true, header: 'yes', isRequest: true, isResponse: true });
  });

  it('EarlyListener: 503 while starting, then the served app prototypes', async () => {
    const listener = new EarlyListener();
    const app = probeApp();
    const starting = await protoAtArrival(listener.server, app, '/graphql');
    expect(starting.seen).toEqual([false]);
    expect(starting.status).toBe(503);
    expect(JSON.parse(starting.body).errors[0].extensions).toEqual({ code: 'HUB_UNAVAILABLE', reason: 'STARTING' });
    listener.serve(app);
    const serving = await protoAtArrival(listener.server, app);
    expect(serving.seen).toEqual([true]);
    expect(serving.status).toBe(203);
    expect(JSON.parse(serving.body)).toEqual({ app: true, header: 'yes', isRequest: true, isResponse: true });
  });

  it("refuses a second app's prototypes for one server's requests", () => {
    const messages = new ExpressMessages();
    const first = express();
    messages.adopt(first);
    messages.adopt(first);
    expect(() => messages.adopt(express())).toThrow(/another app/);
    expect(first.request).toBe(messages.options.IncomingMessage.prototype);
  });
});
