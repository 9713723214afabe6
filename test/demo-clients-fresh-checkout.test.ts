/**
 * `DATABASE_URL=… AIDHUB_DEMO=1 npm start` on a fresh checkout: the demo clients' tokens are written
 * to `.data/demo-clients.env` in the checkout (README, Quick start and AIDHUB_DEMO), a folder only the
 * private server made before. Without it the start loaded the whole demo into the databases and then
 * ended with `ENOENT: … open '…/.data/demo-clients.env'`, a stack trace and exit code 1, the clients
 * made in the hub database and their tokens printed nowhere. `ensureDemoClients` makes the folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CLIENTS, ensureDemoClients } from '../access/demo-clients';
import { accessDbOf } from '../db/access/db';
import { createTestDatabases, type TestDatabases } from './support/databases';

let dbs: TestDatabases;
let checkout: string;

beforeAll(async () => {
  dbs = await createTestDatabases('demo_clients_fresh');
  checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-fresh-checkout-'));
}, 120_000);

afterAll(async () => {
  await dbs?.close();
  if (checkout) fs.rmSync(checkout, { recursive: true, force: true });
});

it('writes the tokens into a .data folder that does not exist yet, and keeps them at the next start', async () => {
  const file = path.join(checkout, '.data', 'demo-clients.env');
  const first = await ensureDemoClients(accessDbOf(dbs.hub), file);
  expect(first.size).toBe(DEMO_CLIENTS.length);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  const written = fs.readFileSync(file, 'utf8');
  for (const [variable, token] of first) expect(written).toContain(`export ${variable}=${token}`);
  // The next start reads the same tokens back rather than rotating them.
  const again = await ensureDemoClients(accessDbOf(dbs.hub), file);
  expect(again).toEqual(first);
}, 120_000);

/** The ADMIN entries of the demo clients, oldest first: client and operation. */
async function adminEntries(): Promise<[string, string][]> {
  const [rows] = (await dbs.hubPool.query("SELECT client_name AS client, operation FROM access_log WHERE channel = 'ADMIN' AND client_name LIKE 'demo-%' ORDER BY seq")) as unknown as [{ client: string; operation: string }[]];
  return rows.map((r) => [r.client, r.operation]);
}

it('puts what npm start does to its clients on the audit chain, as `npm run clients` does', async () => {
  const file = path.join(checkout, '.data', 'demo-clients.env');
  // Made at the first start (the case above): one create entry per client, as `clients create` writes.
  const created = await adminEntries();
  expect(created).toEqual(DEMO_CLIENTS.map((c) => [c.name, `clients create, roles ${[...new Set(c.roles)].join(',')}`]));
  // A client whose roles an older hub gave, and one whose saved token is gone: its roles set, its token rotated.
  const [changed, lost] = [DEMO_CLIENTS[0], DEMO_CLIENTS[1]];
  await dbs.hubPool.query("UPDATE api_client SET roles = 'READER' WHERE name = ?", [changed.name]);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(new RegExp(`^export ${lost.variable}=.*$`, 'm'), ''));
  await ensureDemoClients(accessDbOf(dbs.hub), file);
  expect((await adminEntries()).slice(created.length)).toEqual([
    [changed.name, `clients roles ${changed.roles.join(',')}`],
    [lost.name, 'clients rotate, no expiry'],
  ]);
  // Each names its operator, as the tools' default does: the account and host it ran as.
  const [ops] = (await dbs.hubPool.query("SELECT DISTINCT officer FROM access_log WHERE channel = 'ADMIN' AND client_name LIKE 'demo-%'")) as unknown as [{ officer: string }[]];
  expect(ops).toHaveLength(1);
  expect(ops[0].officer).toMatch(/^[A-Za-z0-9._:@/-]+@[A-Za-z0-9._:@/-]+$/);
}, 120_000);
