/**
 * A subscriber's receiver for alert pushes: a real HTTP server on 127.0.0.1 that verifies each
 * push's signature itself (HMAC-SHA256 over `timestamp.body` with the subscription's secret,
 * compared in constant time; computed here with node:crypto, not with the hub's signing code) and
 * answers as its script says: a status (or a status with headers), 'HANG' (reads the request, never answers), 'CUT_SHORT' (writes
 * `200` announcing a body of 100 bytes, one byte of it, then closes the connection: a receiver that
 * crashed while answering) or 'LONG_OK' (`200` with a body longer than the hub reads). A script may
 * answer after looking at something first (a promise): what the hub had recorded when the push arrived.
 * With `closesReusedConnections` it keeps every connection open while idle and resets one when a
 * second request comes on it, before reading or answering: deterministically what a receiver whose
 * keep-alive timeout runs out just as a push goes out on the pooled connection does. With `tls`
 * (a key and certificate) it is an https receiver.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ReceivedPush {
  deliveryId: string;
  attempt: number;
  /** The request's path and query, as the hub sent it. */
  path: string;
  body: any;
  signatureValid: boolean;
  /** What the receiver answered (null: it hung, or cut its answer short). */
  answered: number | null;
}

export interface AlertReceiver {
  url: string;
  port: number;
  pushes: ReceivedPush[];
  /** Pushes it acknowledged (2xx) with a valid signature. */
  acknowledged(): ReceivedPush[];
  /** Resolves when `count` pushes have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  setSecret(secret: string): void;
  /** Requests that came on a connection already used, which it reset unanswered (closesReusedConnections). */
  resetRequests(): number;
  close(): Promise<void>;
}

type Answer = number | 'HANG' | 'CUT_SHORT' | 'LONG_OK' | { status: number; headers: Record<string, string> };
export type ReceiverScript = (n: number, push: Omit<ReceivedPush, 'answered'>) => Answer | Promise<Answer>;

export async function startAlertReceiver(script: ReceiverScript = () => 200, port = 0, opts: { closesReusedConnections?: boolean; tls?: { key: Buffer; cert: Buffer } } = {}): Promise<AlertReceiver> {
  let secret = '';
  const pushes: ReceivedPush[] = [];
  const hanging = new Set<http.ServerResponse>();
  const waiters: { count: number; resolve: () => void }[] = [];
  let arrived = 0;
  const used = new WeakSet<object>();
  let reset = 0;
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (opts.closesReusedConnections) {
      if (used.has(req.socket)) {
        reset += 1;
        req.socket.destroy();
        return;
      }
      used.add(req.socket);
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-aidhub-timestamp'] ?? '');
      const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex');
      const given = String(req.headers['x-aidhub-signature'] ?? '');
      const signatureValid = given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      let body: any = null;
      try {
        body = JSON.parse(raw);
      } catch {
        body = null;
      }
      const push = { deliveryId: String(req.headers['x-aidhub-delivery-id'] ?? ''), attempt: Number(req.headers['x-aidhub-attempt']), path: req.url ?? '', body, signatureValid };
      const n = ++arrived;
      const answer = signatureValid ? await script(n, push) : 401;
      pushes.push({ ...push, answered: answer === 'HANG' || answer === 'CUT_SHORT' ? null : answer === 'LONG_OK' ? 200 : typeof answer === 'object' ? answer.status : answer });
      for (const w of waiters.filter((w) => pushes.length >= w.count)) w.resolve();
      if (answer === 'HANG') {
        hanging.add(res);
        return;
      }
      if (answer === 'CUT_SHORT') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 100 });
        res.write('o', () => req.socket.destroy());
        return;
      }
      if (answer === 'LONG_OK') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('o'.repeat(200 * 1024));
        return;
      }
      if (typeof answer === 'object') {
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end('ok');
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  };
  // With `tls`, an https receiver whose certificate is that one (test/alert-delivery/callback-ca.test.ts).
  const server = opts.tls ? https.createServer(opts.tls, onRequest) : http.createServer(onRequest);
  // Idle connections kept open for good (no timeout, no Keep-Alive hint): only the reset closes one.
  if (opts.closesReusedConnections) server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${actual}/aidhub/alerts`,
    port: actual,
    pushes,
    acknowledged: () => pushes.filter((p) => p.signatureValid && p.answered !== null && p.answered >= 200 && p.answered < 300),
    waitFor(count, timeoutMs = 120_000) {
      if (pushes.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver got ${pushes.length} pushes, waited for ${count}`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    setSecret(s) {
      secret = s;
    },
    resetRequests: () => reset,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
