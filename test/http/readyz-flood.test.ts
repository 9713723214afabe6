/**
 * /readyz is public, and each answer probes the hub's database and every department's. A flood of
 * it must not become a flood of probes: concurrent callers share the one probe in flight, so while
 * a department does not answer, thirty callers at once hold one connection of its pool, not all
 * ten of them (the pool every household query of that department waits on).
 */
import { DEPARTMENT_CODES } from '../../domain/departments';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { startPausableProxy, type PausableProxy } from '../support/pausable-proxy';
import { TODAY } from '../support/scenarios';

/** Generous: the hub must answer well within it on a loaded machine. */
const ANSWER_WITHIN_MS = 30_000;
/** HEALTH's deadline here: a probe of it while it is paused ends as a timeout after this. */
const HEALTH_TIMEOUT_MS = 2_000;
const CALLERS = 30;

let dbs: TestDatabases;
let proxy: PausableProxy;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('readyz_flood');
  proxy = await startPausableProxy(dbs.sourceUrls.HEALTH);
  hub = await startTestHub(dbs, { today: TODAY, sources: { HEALTH: { url: proxy.url(dbs.sourceUrls.HEALTH), timeoutMs: HEALTH_TIMEOUT_MS } } });
});

afterAll(async () => {
  proxy?.resume();
  await hub?.close();
  await proxy?.close();
  await dbs?.close();
});

async function readyz(): Promise<{ status: number; body: any }> {
  const res = await fetch(`${hub.url}/readyz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  return { status: res.status, body: await res.json() };
}

it('answers a flood of /readyz with one probe of each department at a time', async () => {
  // One probe first: HEALTH's pool holds one open, idle connection through the proxy.
  const first = await readyz();
  expect(first.status).toBe(200);
  expect(first.body.sources.HEALTH).toMatchObject({ available: true });
  const opened = proxy.connections();

  proxy.pause();
  const answers = await Promise.all(Array.from({ length: CALLERS }, () => readyz()));
  proxy.resume();

  // Every caller is told the hub is ready and HEALTH is not answering…
  expect(answers.map((a) => a.status)).toEqual(Array(CALLERS).fill(200));
  for (const a of answers) expect(a.body.sources.HEALTH).toMatchObject({ available: false, reason: 'TIMEOUT' });
  for (const code of DEPARTMENT_CODES.filter((c) => c !== 'HEALTH')) expect(answers[0].body.sources[code]).toMatchObject({ available: true });
  // …from the one probe the idle connection carried. At most one more connection: the one that
  // stops the abandoned probe on the source (db/abandon.ts); each caller's own probe opened one
  // more, up to the pool's ten.
  expect(proxy.connections() - opened).toBeLessThanOrEqual(1);
  // And after it, HEALTH is probed again, not answered from the flood's probe.
  const after = await readyz();
  expect(after.body.sources.HEALTH).toMatchObject({ available: true });
});
