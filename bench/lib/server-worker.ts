/**
 * A worker thread of `npm run bench` (bench/lib/servers.ts `serverInWorker`): one measured server,
 * started as in the bench's own thread but with pools of its own, in production mode (imported
 * first). It answers the bench's questions by message: the statements it has sent, and stop.
 * A failure to start is thrown, and reaches the bench as the worker's error.
 */
import './production';
import { parentPort, workerData } from 'node:worker_threads';
import { statementsIssued } from '../../db/instrument';
import { openServerDeps, startBenchServer, type FromWorker, type ToWorker, type WorkerStart } from './servers';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('bench/lib/server-worker.ts runs only as a worker thread');
  const { kind, hubUrl, today } = (workerData as { start: WorkerStart }).start;
  const deps = openServerDeps(hubUrl, today);
  const server = await startBenchServer(kind, deps).catch(async (err: unknown) => {
    await deps.close().catch(() => undefined);
    throw err;
  });
  const reply = (m: FromWorker) => port.postMessage(m);
  port.on('message', (m: ToWorker) => {
    if (m.call === 'statementsIssued') return reply({ id: m.id, value: statementsIssued() });
    // Server first, then its pools: no request is left running on a closed pool.
    void server
      .stop()
      .then(() => deps.close())
      .then(
        () => reply({ id: m.id, value: null }),
        (err: unknown) => reply({ id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  reply({ ready: server.url });
}

void main().catch((err: unknown) => {
  // Thrown outside the promise, so the bench's thread receives it as the worker's 'error'.
  setImmediate(() => {
    throw err;
  });
});
