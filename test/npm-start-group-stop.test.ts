/**
 * `npm start` on its private database server, stopped by a signal sent to its whole process group:
 * `kill -TERM -- -PGID`, supervisord's stopasgroup, a terminal's Ctrl-C (SIGINT to the foreground
 * group). The server (mariadbd) was started in the hub's group, so the same signal reached it: it
 * shut down at once while the hub's own stop still needed it, and the last signed case-seal
 * checkpoint (`case seal checkpoint could not be signed`), the audit rows of the last requests and
 * the requests served during a drain (AIDHUB_SHUTDOWN_DRAIN_MS) raced its shutdown. The server now
 * runs in a group of its own, stopped by the hub after the hub's own stop. Which of the two stopped
 * first was luck; that the server is outside the signalled group is not, and is asserted first.
 * Run as a user runs it, through npm, with a private server in a temporary directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKeyFiles } from '../access/checkpoints';
import { serverOnDataDir } from '../db/setup/private-server';
import { logLines, spawnNpmStart, untilNpmStartReady } from './support/hub-process';
import { removeCheckpointLocks } from './support/checkpoint-locks';
import { processEntry, SeenProcesses } from './support/process-tree';
import { freePort } from './support/redis';
import { until } from './support/until';

jest.setTimeout(600_000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-group-stop-'));
const dataDir = path.join(dir, 'mariadb');
const checkpoints = path.join(dir, 'checkpoints.log');
/** Long enough that the requests below are all answered during it, however loaded the machine. */
const DRAIN_MS = 15_000;
const env = {
  AIDHUB_DATA_DIR: dataDir,
  AIDHUB_DEMO: '1',
  // Small, to keep the first start short; the supervision demo still writes its case seals.
  AIDHUB_DEMO_HOUSEHOLDS: '300',
  AUDIT_SIGNING_KEY_FILE: path.join(dir, 'signing-key.pem'),
  AUDIT_CHECKPOINT_FILE: checkpoints,
  // No checkpoint but the one at shutdown: what is signed after the signal was signed by the stop.
  AUDIT_CHECKPOINT_INTERVAL_MS: '3600000',
  AUDIT_CHECKPOINT_ROWS: '1000000',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
};

/** The `npm start` of the test under way, and when its pipes are closed. */
let npmPid: number | undefined;
let closed: Promise<void> | undefined;
/** Every process seen in npm's tree while it ran: what must all be gone after the stop. */
const seen = new SeenProcesses();

beforeAll(() => {
  generateSigningKeyFiles(env.AUDIT_SIGNING_KEY_FILE, path.join(dir, 'verify-key.pem'));
});

afterEach(async () => {
  // After a failure: whatever of this start still runs, by the pid recorded while it ran, so the
  // next start finds its data free and this file's pipes from npm close.
  seen.record(npmPid);
  seen.killRunning();
  await closed;
  const server = serverOnDataDir(dataDir);
  if (server !== null) process.kill(server, 'SIGKILL');
  await until('the private server gone', async () => serverOnDataDir(dataDir), (pid) => pid === null, 60_000);
  // The lock of a hub killed above, left in os.tmpdir(); nothing holds it now.
  removeCheckpointLocks([checkpoints]);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A demo household read with the civil-affairs demo token: answered with data, or why not. */
async function readHousehold(port: number, token: string, id: string): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'ELIGIBILITY_REVIEW' },
    body: JSON.stringify({ query: `{ household(id: "${id}") { registrationNumber } }` }),
  }).catch((err: Error & { cause?: { code?: string } }) => `no answer: ${err.cause?.code ?? err.message}`);
  if (typeof res === 'string') return res;
  const body = (await res.json()) as { data?: { household: unknown }; errors?: { extensions?: { code?: string } }[] };
  return body.errors ? { status: res.status, codes: body.errors.map((e) => e.extensions?.code) } : typeof (body.data?.household as { registrationNumber?: unknown })?.registrationNumber;
}

/** The checkpoint file's lines appended from byte `from` on. */
function checkpointLinesSince(from: number): { t: string; seq?: number; first?: number; hashes?: string[]; at?: string }[] {
  return fs
    .readFileSync(checkpoints)
    .subarray(from)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

describe.each([
  // A service manager stopping a replica behind a load balancer: drains, serving, before it stops.
  ['SIGTERM', { AIDHUB_SHUTDOWN_DRAIN_MS: String(DRAIN_MS) }],
  // Ctrl-C at a terminal: stops at once.
  ['SIGINT', {}],
] as const)('npm start sent %s to its whole process group', (signal, extra) => {
  it('stops in its own order, the database last: no error, exit 0, the shutdown checkpoint signed with the requests’ audit rows, nothing left running', async () => {
    const port = await freePort();
    const started = spawnNpmStart({ ...env, ...extra, PORT: String(port) }, undefined, { ownGroup: true });
    closed = started.closed;
    const child = started.child;
    npmPid = child.pid;
    await untilNpmStartReady(started, port, 420_000);
    seen.record(child.pid);
    const tree = seen.all().map((p) => `${p.pid} (group ${p.pgid}, parent ${p.ppid}) ${p.args}`).join('\n');
    expect(tree).toContain('server/main.ts');
    const server = seen.all().find((p) => p.args.includes(`--datadir=${dataDir}`));
    // The cause, asserted where it does not depend on which stop wins: npm leads the group the
    // signal goes to, and the database server is outside it.
    // The database server and its watchdog are in the tree, so "nothing left" below is about them.
    expect({
      serverSeen: server !== undefined,
      watchdogSeen: tree.includes('aidhub-watchdog'),
      npmLeadsItsGroup: processEntry(child.pid!)?.pgid === child.pid,
      serverInNpmsGroup: server?.pgid === child.pid,
    }).toEqual({ serverSeen: true, watchdogSeen: true, npmLeadsItsGroup: true, serverInNpmsGroup: false });

    const token = /AIDHUB_TOKEN_CIVIL_AFFAIRS=['"]?([^'"\s]+)/.exec(fs.readFileSync(path.join(dir, 'demo-clients.env'), 'utf8'))![1];
    const household = /household\(id: \\"(\d+)\\"\)/.exec(started.output())![1];
    const from = fs.existsSync(checkpoints) ? fs.statSync(checkpoints).size : 0;
    const requests = 3;
    for (let i = 0; i < requests; i++) expect(await readHousehold(port, token, household)).toBe('string');

    const signalledAt = new Date().toISOString();
    process.kill(-child.pid!, signal);

    if (signal === 'SIGTERM') {
      // Draining: unready, and still serving requests that read and audit through the database.
      await until('/readyz to answer 503 (draining)', () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0), (s) => s === 503, 30_000, 100);
      expect(await readHousehold(port, token, household)).toBe('string');
    }
    await until(`npm to exit after ${signal}; its output:\n${started.output().slice(-2000)}`, async () => child.exitCode ?? child.signalCode, (end) => end !== null, 180_000, 100);
    await closed;
    const output = started.output();
    // The hub's stop ran to its end (exit code 0, passed on by npm) and logged no error on the way.
    expect({ code: child.exitCode, signal: child.signalCode }).toEqual({ code: 0, signal: null });
    expect(logLines(output).filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(logLines(output).filter((l) => l.msg === 'shutting down')).toEqual([expect.objectContaining({ signal })]);

    const lines = checkpointLinesSince(from);
    const rows = lines.filter((l) => l.t === 'rows');
    const served = requests + (signal === 'SIGTERM' ? 1 : 0);
    // Each request answered wrote its audit row (at least), recorded once committed.
    expect(rows.reduce((n, l) => n + l.hashes!.length, 0)).toBeGreaterThanOrEqual(served);
    const lastRow = Math.max(...rows.map((l) => l.first! + l.hashes!.length - 1));
    // Signed at shutdown (the interval and row count set above sign nothing earlier): the access
    // chain up to the last of those rows, and the case seal chain the demo wrote.
    expect(lines.filter((l) => l.t === 'checkpoint' && l.at! >= signalledAt).map((l) => l.seq)).toEqual([lastRow]);
    expect(lines.filter((l) => l.t === 'case-checkpoint' && l.at! >= signalledAt)).toEqual([expect.objectContaining({ seq: expect.any(Number) })]);

    // Nothing left: npm, the hub, its database server and the server's watchdog.
    await until(`every process of npm's tree to end; the tree was:\n${tree}\nstill running`, async () => seen.running(), (left) => left.length === 0, 60_000, 250);
    expect(serverOnDataDir(dataDir)).toBeNull();
  });
});
