/**
 * `npm run subscriptions -- list` shows beside a subscription the state of its client when the
 * worker sends that client nothing (subscriberRefusal): a subscription whose client was revoked
 * listed as ACTIVE with nothing amiss while each of its pushes ended a dead letter. Revoking a
 * client still leaves its subscriptions as they are; only the list says so.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { apiClient } from '../db/access/schema';
import { alertSubscription } from '../db/alert-delivery/schema';
import { createTestDatabases, type TestDatabases } from './support/databases';

const ROOT = path.join(__dirname, '..');

let dbs: TestDatabases;

const client = (name: string, revokedAt: string | null) => ({
  name,
  department: 'CIVIL_AFFAIRS' as const,
  regionScope: '370811001',
  roles: 'READER',
  tokenHash: createHash('sha256').update(name).digest('hex'),
  createdAt: '2026-03-01 02:00:00.000',
  revokedAt,
});

const subscription = (clientId: string, state: 'ACTIVE' | 'REVOKED') => ({
  clientId,
  callbackUrl: `https://alerts.${clientId}.example.gov.cn/callback`,
  regionCodes: '370811001',
  grades: 'RED',
  triggerIds: '',
  secret: createHash('sha256').update(`secret-${clientId}-${state}`).digest('hex'),
  state,
  createdAt: '2026-03-01 02:00:00.000',
  createdBy: 'test',
  revokedAt: state === 'REVOKED' ? '2026-03-02 02:00:00.000' : null,
});

beforeAll(async () => {
  dbs = await createTestDatabases('subs_list_client_state');
  await dbs.hub.insert(apiClient).values([client('township-live', null), client('township-revoked', '2026-03-05 02:00:00.000')]);
  await dbs.hub.insert(alertSubscription).values([subscription('township-live', 'ACTIVE'), subscription('township-revoked', 'ACTIVE'), subscription('township-revoked', 'REVOKED'), subscription('township-gone', 'ACTIVE')]);
});

afterAll(async () => {
  await dbs?.close();
});

test('list names a revoked (or missing) client beside its subscription, and no state beside a client that is pushed to', () => {
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tools/subscriptions.ts'), 'list'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: dbs.hubUrl }, encoding: 'utf8', timeout: 120_000 });
  expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
  const lines = out.stdout.trim().split('\n');
  expect(lines).toHaveLength(4);
  const [live, revoked, revokedSub, gone] = lines;
  expect(live).toMatch(/^#\d+ {2}ACTIVE {2}township-live {2}https:/);
  expect(live).not.toContain('client ');
  expect(revoked).toMatch(/^#\d+ {2}ACTIVE {2}township-revoked {2}client revoked: its pushes end as dead letters {2}https:/);
  expect(revokedSub).toMatch(/^#\d+ {2}REVOKED {2}township-revoked {2}client revoked {2}https:/);
  expect(gone).toMatch(/^#\d+ {2}ACTIVE {2}township-gone {2}client not found: its pushes end as dead letters {2}/);
}, 180_000);
