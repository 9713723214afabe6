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
