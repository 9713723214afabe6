/**
 * The hub's administration on the audit trail: `npm run clients` create, rotate, require-officer and
 * revoke, and `npm run subscriptions` create, revoke and replay, each an ADMIN entry of the hash-chained
 * trail naming the operator and the client acted on, written in the change's own transaction (a
 * refused change, or one whose entry cannot be appended, leaves neither); never a token, its hash
 * or a subscription's secret. The chain still verifies, and an auditor finds the entries with
 * clientAccessLog(client).
 */
import os from 'node:os';
import { verifyChain } from '../access/audit';
import { clientsCommand } from '../tools/clients';
import { subscriptionsCommand } from '../tools/subscriptions';
import { raise, syntheticAlert } from './alert-delivery/scenario';
import { auditRows, lastAuditSeq } from './support/audit-trail';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let auditor: TestHub['gql'];

const CLIENT = 'admin-rencheng-civil';
const LOG = `query AdminLog($c: String!) {
  clientAccessLog(client: $c, first: 50) { edges { node { seq channel officer operation purpose subjectKind outcome client { name department { code } regionScope } } } }
}`;

async function clients(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await clientsCommand(argv, hub.accessDb, (l) => out.push(l));
  return { code, out };
}

async function subscriptions(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await subscriptionsCommand(argv, dbs.hub, (l) => out.push(l), ['127.0.0.1:*']);
  return { code, out };
}

const adminRows = () => auditRows(dbs, "channel = 'ADMIN'");
const tokenIn = (out: string[]) => /(ahk_\S+)$/.exec(out.find((l) => l.startsWith('token')) ?? '')![1];
/** The operator an entry names when no --by is given: account@host, as access/admin-audit.ts spells it. */
const ACCOUNT = `${os.userInfo().username}@${os.hostname()}`.replace(/[^A-Za-z0-9._:@/-]/g, '_').slice(0, 64);

beforeAll(async () => {
  dbs = await createTestDatabases('audit_admin');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
  const { token } = await hub.createClient({ name: 'admin-city-auditor', roles: ['AUDITOR'], regionScope: '370800' });
  auditor = hub.as({ token, purpose: 'AUDIT' }).gql;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('npm run clients on the audit trail', () => {
  it('records create, rotate, require-officer and revoke, each once, with the operator and the client, never the token or its hash', async () => {
    const made = await clients('create', '--name', CLIENT, '--department', 'CIVIL_AFFAIRS', '--scope', '370811', '--roles', 'READER,CASEWORKER', '--by', 'ops-0001');
    expect(made.code).toBe(0);
    const rotated = await clients('rotate', CLIENT);
    expect(rotated.code).toBe(0);
    expect((await clients('require-officer', CLIENT)).code).toBe(0);
    // Asked again, nothing changes: no entry.
    expect((await clients('require-officer', CLIENT)).code).toBe(0);
    expect((await clients('revoke', CLIENT, '--by', 'ops-0002')).code).toBe(0);
    expect((await clients('revoke', CLIENT)).code).toBe(0);

    const rows = await adminRows();
    const [[client]] = (await dbs.hubPool.query('SELECT id, token_hash FROM api_client WHERE name = ?', [CLIENT])) as any;
    expect(rows.map((r) => [r.operation, r.officer])).toEqual([
      ['clients create, roles READER,CASEWORKER', 'ops-0001'],
      ['clients rotate', ACCOUNT],
      ['clients require-officer on', ACCOUNT],
      ['clients revoke', 'ops-0002'],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({ client_id: client.id, client_name: CLIENT, department: 'CIVIL_AFFAIRS', region_scope: '370811', subject_kind: 'NONE', outcome: 'OK', purpose: null });
    }
    const written = JSON.stringify(rows);
    for (const secret of [tokenIn(made.out), tokenIn(rotated.out), client.token_hash]) expect(written).not.toContain(secret);
  });

  it('writes nothing for a refused change: CLIENT_EXISTS, a client not found, a --by that is an ID number', async () => {
    const before = await lastAuditSeq(dbs);
    const exists = await clients('create', '--name', CLIENT, '--department', 'CIVIL_AFFAIRS', '--scope', '370811', '--roles', 'READER');
    expect([exists.code, exists.out[0]]).toEqual([2, expect.stringMatching(/^error: CLIENT_EXISTS: /)]);
    const missing = await clients('rotate', 'admin-nobody');
    expect([missing.code, missing.out[0]]).toEqual([2, expect.stringMatching(/^error: CLIENT_NOT_FOUND: /)]);
    const byId = await clients('create', '--name', 'admin-other', '--department', 'CIVIL_AFFAIRS', '--scope', '370811', '--roles', 'READER', '--by', '370811197504120011');
    expect([byId.code, byId.out[0]]).toEqual([2, expect.stringMatching(/^error: MALFORMED_BY: /)]);
    expect(byId.out.join('\n')).not.toContain('370811197504120011');
    const [made] = (await dbs.hubPool.query("SELECT id FROM api_client WHERE name = 'admin-other'")) as any;
    expect(made).toEqual([]);
    expect(await lastAuditSeq(dbs)).toBe(before);
  });

  it('keeps neither the change nor its entry when the entry cannot be appended', async () => {
    const [[head]] = (await dbs.hubPool.query('SELECT * FROM access_log_head WHERE id = 1')) as any;
    await dbs.hubPool.query('DELETE FROM access_log_head WHERE id = 1');
    try {
      // Thrown out of the command (npm run clients prints it, exit 1), before any token is printed.
      await expect(clients('create', '--name', 'admin-half', '--department', 'CIVIL_AFFAIRS', '--scope', '370811', '--roles', 'READER')).rejects.toThrow(/audit chain head is missing/);
    } finally {
      await dbs.hubPool.query('INSERT INTO access_log_head (id, last_seq, last_hash) VALUES (1, ?, ?)', [head.last_seq, head.last_hash]);
    }
    const [made] = (await dbs.hubPool.query("SELECT id FROM api_client WHERE name = 'admin-half'")) as any;
    expect(made).toEqual([]);
  });
});

describe('npm run subscriptions on the audit trail', () => {
  it('records a create and a revoke against the subscription’s client, never its secret or callback; a refused create and a second revoke write nothing', async () => {
    expect((await clients('create', '--name', 'admin-alerts', '--department', 'CIVIL_AFFAIRS', '--scope', '370811', '--roles', 'READER')).code).toBe(0);
    const before = await lastAuditSeq(dbs);
    const refused = await subscriptions('create', '--client', 'admin-alerts', '--callback', 'http://10.0.0.1/x', '--regions', '370811001');
    expect([refused.code, refused.out[0]]).toEqual([3, expect.stringMatching(/^refused: CALLBACK_HOST_NOT_ALLOWED/)]);
    expect(await lastAuditSeq(dbs)).toBe(before);

    const made = await subscriptions('create', '--client', 'admin-alerts', '--callback', 'http://127.0.0.1:9/admin-alerts', '--regions', '370811001', '--by', 'ops-0003');
    expect(made.code).toBe(0);
    const id = /^created #(\d+)/.exec(made.out[0])![1];
    const secret = /signing secret .*: ([0-9a-f]{64})$/.exec(made.out.find((l) => l.startsWith('signing secret'))!)![1];
    expect((await subscriptions('revoke', id)).code).toBe(0);
    expect((await subscriptions('revoke', id)).code).toBe(0);

    const rows = await auditRows(dbs, "channel = 'ADMIN' AND seq > ?", [before]);
    expect(rows.map((r) => [r.client_name, r.operation, r.officer])).toEqual([
      ['admin-alerts', `subscriptions create #${id}`, 'ops-0003'],
      ['admin-alerts', `subscriptions revoke #${id}`, ACCOUNT],
    ]);
    const written = JSON.stringify(rows);
    expect(written).not.toContain(secret);
    expect(written).not.toContain('127.0.0.1:9');
  });

  it('records a replay of dead letters, one entry for the subscription requeued, and none when nothing was dead', async () => {
    const made = await subscriptions('create', '--client', 'admin-alerts', '--callback', 'http://127.0.0.1:9/admin-replay', '--regions', '370811001');
    expect(made.code).toBe(0);
    const id = /^created #(\d+)/.exec(made.out[0])![1];
    const alert = syntheticAlert();
    await raise(dbs.hub, alert);
    await dbs.hubPool.query("UPDATE alert_delivery SET state = 'DEAD', attempts = 11, dead_at = UTC_TIMESTAMP(3), last_error = 'ECONNREFUSED' WHERE alert_id = ?", [alert.alertId]);
    const before = await lastAuditSeq(dbs);
    expect((await subscriptions('replay', '--subscription', id, '--by', 'ops-0004')).out[0]).toMatch(/^replaying 1 dead letter/);
    expect((await subscriptions('replay', '--subscription', id)).out[0]).toMatch(/^replaying 0 dead letter/);
    const rows = await auditRows(dbs, "channel = 'ADMIN' AND seq > ?", [before]);
    expect(rows.map((r) => [r.client_name, r.operation, r.officer])).toEqual([['admin-alerts', `subscriptions replay #${id}, 1 dead letter`, 'ops-0004']]);
  });
});

describe('the chain and the auditor', () => {
  it('verifies with the administration entries among the hub’s own, and clientAccessLog lists them by client', async () => {
    // A request of the hub's between the tools' appends: one chain, both writers.
    const res = await auditor(LOG, { c: CLIENT });
    expect(res.errors).toBeUndefined();
    expect((await clients('create', '--name', 'admin-late', '--department', 'EDUCATION', '--scope', '370811', '--roles', 'READER')).code).toBe(0);
    const verdict = await verifyChain(hub.accessDb);
    expect(verdict).toMatchObject({ ok: true });
    const admin = await adminRows();
    expect(verdict.ok && verdict.rows).toBeGreaterThan(admin.length);

    const nodes = res.data.clientAccessLog.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => [n.channel, n.operation, n.officer])).toEqual([
      ['ADMIN', 'clients revoke', 'ops-0002'],
      ['ADMIN', 'clients require-officer on', ACCOUNT],
      ['ADMIN', 'clients rotate', ACCOUNT],
      ['ADMIN', 'clients create, roles READER,CASEWORKER', 'ops-0001'],
    ]);
    expect(nodes[0]).toMatchObject({ purpose: null, subjectKind: 'NONE', outcome: 'OK', client: { name: CLIENT, department: { code: 'CIVIL_AFFAIRS' }, regionScope: '370811' } });
  });
});
