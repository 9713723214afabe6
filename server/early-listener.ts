/**
 * The public port (and the metrics port, METRICS_PORT), taken by `npm start` before anything else starts (server/main.ts) and held
 * through the private database's start, the migrations and the demo load, which take minutes on a
 * first start. A port checked free and bound only at the end could be taken in between (another
 * hub started meanwhile on the same PORT), and was then reported only after the load, as a failed
 * start. While the hub starts, `/healthz` (liveness) answers 200 `{ "status": "starting" }`: the
 * process is alive, and an orchestrator that restarted it for a 503 there killed every first start
 * during its demo load or its migrations, over and over. Every other request is answered at once
 * with 503 and `Retry-After`: `/readyz` (readiness) with `{ "status": "starting" }`, any other path
 * with the error shape of every route, `HUB_UNAVAILABLE`, reason `STARTING`. A method a path does
 * not take is refused before that as the hub refuses it (`refusePublicMethod`,
 * `refuseUndeclaredMethod`: 405 with `Allow`): a POST to `/healthz` was answered 200 `starting` and
 * a PUT to `/graphql` 503 `STARTING`, then 405 once the hub was ready. The hub's app takes over
 * with `serve`.
 */
import http from 'node:http';
import express from 'express';
import { refusePublicMethod, refuseUndeclaredMethod } from '../access/http-refusals';
import { PUBLIC_PATHS } from '../access/policy';
import { ExpressMessages, isPrototypeSource } from './express-messages';

/** Seconds a client is asked to wait before asking a starting hub again. */
const RETRY_AFTER_S = 5;

/** `/healthz` (alive), `/readyz` (not ready), or any other path (not served yet). */
type Probe = 'live' | 'ready' | null;

function answerStarting(res: http.ServerResponse, probe: Probe): void {
  const live = probe === 'live';
  const body =
    probe !== null
      ? { status: 'starting' }
      : { errors: [{ message: 'The hub is starting; try again shortly', extensions: { code: 'HUB_UNAVAILABLE', reason: 'STARTING' } }] };
  res.writeHead(live ? 200 : 503, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...(live ? {} : { 'retry-after': String(RETRY_AFTER_S) }),
    'x-content-type-options': 'nosniff',
    // The body is left unread; the connection is not reused for the hub that follows.
    connection: 'close',
  });
  res.end(JSON.stringify(body));
}

/**
 * The public port while the hub starts: the hub's own method refusals, in the order the hub's app
 * applies them (server/app.ts), then `answerStarting`. `/healthz` and `/readyz` are told apart by
 * the path as Express routes them for the hub (any case, a trailing slash).
 */
function startingApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    // As answerStarting's: a refusal's body is left unread too.
    res.set({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', connection: 'close' });
    next();
  });
  app.get('/healthz', (_req, res) => answerStarting(res, 'live'));
  app.get('/readyz', (_req, res) => answerStarting(res, 'ready'));
  // The query page, and any public path to come: not served yet.
  app.get([...PUBLIC_PATHS], (_req, res) => answerStarting(res, null));
  app.all([...PUBLIC_PATHS], refusePublicMethod);
  app.use(refuseUndeclaredMethod);
  app.use((_req, res) => answerStarting(res, null));
  return app;
}

/**
 * The metrics port while the hub starts: 503 in plain text with `Retry-After`, which a Prometheus
 * scrape records as the target down (`up` 0) until the hub serves its metrics.
 */
export function answerMetricsStarting(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': String(RETRY_AFTER_S), connection: 'close' });
  res.end('starting\n');
}

export class EarlyListener {
  readonly server: http.Server;
  private handler: http.RequestListener;
  /** Its requests and responses, made with the prototypes of the Express app it serves (server/express-messages.ts). */
  private readonly messages = new ExpressMessages();

  /** `starting`: how requests are answered until `serve` (the public port's answers by default: `startingApp`). */
  constructor(starting: http.RequestListener = startingApp()) {
    this.handler = starting;
    this.server = http.createServer(this.messages.options, (req, res) => this.handler(req, res));
  }

  /** Listens on host:port, or rejects with why not (EADDRINUSE, EACCES …) as `listen` reports it. */
  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** From now on, requests go to `app`. */
  serve(app: http.RequestListener): void {
    if (isPrototypeSource(app)) this.messages.adopt(app);
    this.handler = app;
  }

  /** Stops listening, if it still does (the hub's own stop closes it once it serves). */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
    });
  }
}
