/**
 * A client stored before ROLE_OFFICES barred its office from a role (an education client with
 * SUPERVISOR) keeps its other roles and is refused that role's purposes at each request
 * (ROLE_NOT_FOR_DEPARTMENT: test/access-role-offices.test.ts). A hub starting with such clients said
 * nothing: only their refused requests, and `npm run clients -- list`, showed them. It logs one
 * warning naming each active one (name, id, office, the roles ignored; no token, nor its hash), and
 * /metrics counts them at each scrape (aidhub_clients_with_ignored_roles), so a client revoked or
 * replaced leaves the count without a restart. Revoked and expired clients are not named: their tokens
 * work no more. Quiet with none, or where AIDHUB_ROLE_OFFICES lets the offices hold the role.
 */
import { ROLE_OFFICES_ENV } from '../access/policy';
import { capturedLog } from './support/log-lines';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';
import { storedBeforeTheRule } from './support/stored-clients';

jest.setTimeout(180_000);

const WARNING = /API clients hold a role their office may not hold/;

let dbs: TestDatabases;
const tokens: string[] = [];
let ids: Record<string, number>;

beforeAll(async () => {
  dbs = await createTestDatabases('role_offices_start');
  await insertRegions(dbs);
  tokens.push(await storedBeforeTheRule(dbs, 'stored-education-supervisor', 'EDUCATION', 'SUPERVISOR'));
  tokens.push(await storedBeforeTheRule(dbs, 'stored-health-reader-supervisor', 'HEALTH', 'READER,SUPERVISOR'));
  tokens.push(await storedBeforeTheRule(dbs, 'stored-union-revoked', 'UNION', 'SUPERVISOR'));
  tokens.push(await storedBeforeTheRule(dbs, 'stored-housing-expired', 'HOUSING', 'READER,SUPERVISOR'));
  tokens.push(await storedBeforeTheRule(dbs, 'stored-civil-affairs-supervisor', 'CIVIL_AFFAIRS', 'SUPERVISOR'));
  await dbs.hubPool.query("UPDATE api_client SET revoked_at = UTC_TIMESTAMP(3) WHERE name = 'stored-union-revoked'");
  await dbs.hubPool.query("UPDATE api_client SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 DAY WHERE name = 'stored-housing-expired'");
  const [rows] = await dbs.hubPool.query('SELECT id, name FROM api_client');
  ids = Object.fromEntries((rows as { id: number; name: string }[]).map((r) => [r.name, Number(r.id)]));
});

afterAll(async () => {
  delete process.env[ROLE_OFFICES_ENV];
  await dbs?.close();
});

/** A hub started on the database: its warning lines about such clients, the whole log, and what /metrics counts (before and after `meanwhile`). */
async function start(meanwhile: () => Promise<void> = async () => {}) {
  const { logger, lines } = capturedLog('warn');
  const hub = await startTestHub(dbs, { today: TODAY, logger, metrics: true });
  const count = async () => {
    const text = await (await fetch(hub.metricsUrl!)).text();
    return Number(/^aidhub_clients_with_ignored_roles (\d+)$/m.exec(text)?.[1]);
  };
  try {
    const first = await count();
    await meanwhile();
    return { warnings: lines.filter((l) => WARNING.test(String(l.msg))), lines, counts: [first, await count()] };
  } finally {
    await hub.close();
  }
}

it('names each active client holding a role its office may not hold, in one warning line, no token; counts them at each scrape', async () => {
  const { warnings, lines, counts } = await start(() => dbs.hubPool.query("UPDATE api_client SET revoked_at = UTC_TIMESTAMP(3) WHERE name = 'stored-health-reader-supervisor'").then(() => undefined));
  expect(warnings.map((l) => ({ level: l.level, clients: l.clients }))).toEqual([
    {
      level: 40,
      clients: [
        { id: ids['stored-education-supervisor'], name: 'stored-education-supervisor', department: 'EDUCATION', ignoredRoles: ['SUPERVISOR'] },
        { id: ids['stored-health-reader-supervisor'], name: 'stored-health-reader-supervisor', department: 'HEALTH', ignoredRoles: ['SUPERVISOR'] },
      ],
    },
  ]);
  const log = JSON.stringify(lines);
  for (const token of tokens) expect(log).not.toContain(token);
  expect(log).not.toContain('ahk_');
  // The scrape reads the table again: the health client revoked meanwhile leaves the count.
  expect(counts).toEqual([2, 1]);
});

it('is quiet, and counts none, where AIDHUB_ROLE_OFFICES lets those offices hold the role', async () => {
  process.env[ROLE_OFFICES_ENV] = 'SUPERVISOR=EDUCATION';
  try {
    const { warnings, counts } = await start();
    expect(warnings).toEqual([]);
    expect(counts).toEqual([0, 0]);
  } finally {
    delete process.env[ROLE_OFFICES_ENV];
  }
});
