/**
 * Which offices may hold a role (ROLE_OFFICES in access/policy.ts, widened by AIDHUB_ROLE_OFFICES):
 * SUPERVISOR is civil affairs' (督查督办), and a caseworker states CHARITY_LINKAGE (passing a
 * household's need to charities) only at civil affairs. Before, both were open to any department
 * whose client held the role: an education client given SUPERVISOR read every office's overdue
 * slips and the 督查通报 export, and a health caseworker recorded consents and published needs.
 * Now a client is not registered, nor a token issued, with a role its office may not hold
 * (ROLE_NOT_FOR_DEPARTMENT); one stored before the rule gets none of the role's powers: its purpose
 * is refused at the door, 403 FORBIDDEN ROLE_NOT_FOR_DEPARTMENT, audited DENIED, nothing read.
 */
import { rotateClient } from '../access/clients';
import { DEMO_CLIENTS } from '../access/demo-clients';
import { officeHoldsRole, purposesFor, ROLE_OFFICES, ROLE_OFFICES_ENV, roleOfficesFromEnv, rolesNotForOffice } from '../access/policy';
import { ConfigError } from '../db/config';
import { statementsIssued } from '../db/instrument';
import { auditRows, lastAuditSeq } from './support/audit-trail';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';
import { storedBeforeTheRule as storedClient } from './support/stored-clients';

jest.setTimeout(120_000);

const OVERDUE = `query Overdue { overdueReport(regionCode: "370811") { asOf } }`;
const CALLER = `{ caller { roles allowedPurposes } }`;
const PUBLISH = `mutation Publish($i: CharityNeedPublishFromAlertInput!) { charityNeedPublishFromAlert(input: $i) { need { id } userErrors { code } } }`;
const NEED = { alertId: '999999', purpose: 'LIVING', uncoveredFen: 300_000, description: '家庭生活困难', consent: { scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-01' } };

let dbs: TestDatabases;
let hub: TestHub;

/** A client row as an earlier release stored it, before its office was barred from the role: its token. */
const storedBeforeTheRule = (name: string, department: string, roles: string) => storedClient(dbs, name, department, roles);

const reasons = (res: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => (res.errors ?? []).map((e) => `${e.extensions?.code}:${e.extensions?.reason}`);

beforeAll(async () => {
  dbs = await createTestDatabases('access_role_offices');
  await insertRegions(dbs);
  await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  delete process.env[ROLE_OFFICES_ENV];
  await hub?.close();
  await dbs?.close();
});

describe('registering a client', () => {
  it.each([
    ['EDUCATION', ['SUPERVISOR']],
    ['HEALTH', ['READER', 'SUPERVISOR']],
    ['JUSTICE', ['SUPERVISOR']],
  ] as const)('refuses SUPERVISOR for %s: ROLE_NOT_FOR_DEPARTMENT, nothing stored', async (department, roles) => {
    const name = `role-offices-${department.toLowerCase()}-${roles.length}`;
    await expect(hub.createClient({ name, department, regionScope: '370800', roles })).rejects.toMatchObject({ code: 'ROLE_NOT_FOR_DEPARTMENT' });
    const [rows] = await dbs.hubPool.query('SELECT COUNT(*) AS n FROM api_client WHERE name = ?', [name]);
    expect(Number((rows as { n: number }[])[0].n)).toBe(0);
  });

  it('registers a health or education caseworker (its cases, slips and alerts), without CHARITY_LINKAGE among its purposes', async () => {
    const { token } = await hub.createClient({ department: 'HEALTH', regionScope: '370800', roles: ['READER', 'CASEWORKER'] });
    const res = await hub.as({ token, purpose: null }).gql(CALLER);
    expect(res.data.caller.allowedPurposes).toEqual(['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'CASE_MEETING', 'MONITORING', 'REFERRAL']);
  });
});

describe('a token stored before the rule', () => {
  it('gets none of SUPERVISOR’s powers: SUPERVISION refused at the door (ROLE_NOT_FOR_DEPARTMENT), audited DENIED, nothing read', async () => {
    const token = await storedBeforeTheRule('role-offices-stored-education', 'EDUCATION', 'SUPERVISOR');
    const as = hub.as({ token, purpose: 'SUPERVISION' });
    const before = await lastAuditSeq(dbs);
    const statements = statementsIssued();
    const query = await as.gql(OVERDUE, {}, { 'x-request-id': 'role-offices-query' });
    const csv = await fetch(`${hub.url}/exports/overdue.csv?regionCode=370811`, { headers: { ...as.headers, 'x-request-id': 'role-offices-export' } });
    const brief = await fetch(`${hub.url}/cases/1/brief`, { headers: { ...as.headers, 'x-request-id': 'role-offices-brief' } });
    expect(statementsIssued() - statements).toBe(0);
    expect([query.status, reasons(query), query.data]).toEqual([403, ['FORBIDDEN:ROLE_NOT_FOR_DEPARTMENT'], undefined]);
    for (const res of [csv, brief]) expect([res.status, ((await res.json()) as any).errors[0].extensions]).toEqual([403, { code: 'FORBIDDEN', reason: 'ROLE_NOT_FOR_DEPARTMENT' }]);
    const written = await auditRows(dbs, 'seq > ?', [before]);
    expect(written.map((r) => [r.request_id, r.client_name, r.department, r.purpose, r.root_fields, r.outcome])).toEqual([
      ['role-offices-query', 'role-offices-stored-education', 'EDUCATION', 'SUPERVISION', 'Query.overdueReport', 'DENIED'],
      ['role-offices-export', 'role-offices-stored-education', 'EDUCATION', 'SUPERVISION', null, 'DENIED'],
      ['role-offices-brief', 'role-offices-stored-education', 'EDUCATION', 'SUPERVISION', null, 'DENIED'],
    ]);
    // The role is ignored: the client may state no purpose, and a field any role reads is closed to it.
    const caller = await hub.as({ token, purpose: null }).gql(CALLER);
    expect([reasons(caller), caller.data?.caller ?? null]).toEqual([['FORBIDDEN:ROLE_NOT_ALLOWED'], null]);
  });

  it('keeps its other roles: a health client stored with READER and SUPERVISOR reads as a reader', async () => {
    const token = await storedBeforeTheRule('role-offices-stored-health', 'HEALTH', 'READER,SUPERVISOR');
    const caller = await hub.as({ token, purpose: null }).gql(CALLER);
    expect(caller.data.caller).toEqual({ roles: ['READER', 'SUPERVISOR'], allowedPurposes: ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'MONITORING', 'REFERRAL'] });
    expect(reasons(await hub.as({ token, purpose: 'SUPERVISION' }).gql(OVERDUE))).toEqual(['FORBIDDEN:ROLE_NOT_FOR_DEPARTMENT']);
  });

  it('is issued no new token: rotate refused ROLE_NOT_FOR_DEPARTMENT, the old token unchanged', async () => {
    await storedBeforeTheRule('role-offices-stored-rotate', 'EDUCATION', 'SUPERVISOR');
    const [before] = await dbs.hubPool.query('SELECT token_hash FROM api_client WHERE name = ?', ['role-offices-stored-rotate']);
    await expect(rotateClient(hub.accessDb, 'role-offices-stored-rotate')).rejects.toMatchObject({ code: 'ROLE_NOT_FOR_DEPARTMENT' });
    const [after] = await dbs.hubPool.query('SELECT token_hash FROM api_client WHERE name = ?', ['role-offices-stored-rotate']);
    expect(after).toEqual(before);
  });
});

describe('charity linkage is civil affairs’ on the office side', () => {
  it('refuses CHARITY_LINKAGE to a health caseworker at the door, and publishing a need from an alert whatever the purpose', async () => {
    const { token } = await hub.createClient({ department: 'HEALTH', regionScope: '370800', roles: ['READER', 'CASEWORKER'] });
    expect(reasons(await hub.as({ token, purpose: 'CHARITY_LINKAGE' }).gql(PUBLISH, { i: NEED }))).toEqual(['FORBIDDEN:ROLE_NOT_FOR_DEPARTMENT']);
    const monitoring = await hub.as({ token, purpose: 'MONITORING' }).gql(PUBLISH, { i: NEED });
    expect([reasons(monitoring), monitoring.data?.charityNeedPublishFromAlert ?? null]).toEqual([['FORBIDDEN:ROLE_NOT_ALLOWED'], null]);
  });

  it('serves a civil-affairs caseworker as before (the alert is not found: the call ran)', async () => {
    const { token } = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['READER', 'CASEWORKER'] });
    for (const purpose of ['CHARITY_LINKAGE', 'MONITORING']) {
      const res = await hub.as({ token, purpose }).gql(PUBLISH, { i: NEED });
      expect([res.errors, res.data.charityNeedPublishFromAlert.userErrors.map((e: { code: string }) => e.code)]).toEqual([undefined, ['ALERT_NOT_FOUND']]);
    }
  });
});

describe('the offices allowed', () => {
  it('serves civil affairs’ supervision office as before', async () => {
    const { token } = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['SUPERVISOR'] });
    const res = await hub.as({ token, purpose: 'SUPERVISION' }).gql(OVERDUE);
    expect([res.errors, typeof res.data.overdueReport.asOf]).toEqual([undefined, 'string']);
  });

  it('are those a site adds with AIDHUB_ROLE_OFFICES, read from the variable (and narrowed back when it is gone)', async () => {
    process.env[ROLE_OFFICES_ENV] = 'SUPERVISOR=HUMAN_RESOURCES; CASEWORKER/CHARITY_LINKAGE=WOMENS_FEDERATION';
    try {
      const { token } = await hub.createClient({ name: 'role-offices-widened-hr', department: 'HUMAN_RESOURCES', regionScope: '370800', roles: ['SUPERVISOR'] });
      const res = await hub.as({ token, purpose: 'SUPERVISION' }).gql(OVERDUE);
      expect([res.errors, typeof res.data.overdueReport.asOf]).toEqual([undefined, 'string']);
      const women = await hub.createClient({ department: 'WOMENS_FEDERATION', regionScope: '370800', roles: ['CASEWORKER'] });
      expect((await hub.as({ token: women.token, purpose: null }).gql(CALLER)).data.caller.allowedPurposes).toContain('CHARITY_LINKAGE');
      // Still refused: an office the site did not add.
      await expect(hub.createClient({ department: 'EDUCATION', regionScope: '370800', roles: ['SUPERVISOR'] })).rejects.toMatchObject({ code: 'ROLE_NOT_FOR_DEPARTMENT' });
      delete process.env[ROLE_OFFICES_ENV];
      expect(reasons(await hub.as({ token, purpose: 'SUPERVISION' }).gql(OVERDUE))).toEqual(['FORBIDDEN:ROLE_NOT_FOR_DEPARTMENT']);
    } finally {
      delete process.env[ROLE_OFFICES_ENV];
    }
  });
});

describe('the declaration and its configuration (pure)', () => {
  it('defaults to civil affairs for SUPERVISOR and for a caseworker’s CHARITY_LINKAGE; every other role open to every office', () => {
    expect(ROLE_OFFICES.map((e) => [e.role, e.purpose ?? null, e.offices])).toEqual([
      ['SUPERVISOR', null, ['CIVIL_AFFAIRS']],
      ['CASEWORKER', 'CHARITY_LINKAGE', ['CIVIL_AFFAIRS']],
    ]);
    expect(officeHoldsRole('SUPERVISOR', 'EDUCATION', undefined, ROLE_OFFICES)).toBe(false);
    expect(officeHoldsRole('CASEWORKER', 'EDUCATION', undefined, ROLE_OFFICES)).toBe(true);
    expect(officeHoldsRole('CASEWORKER', 'EDUCATION', 'CHARITY_LINKAGE', ROLE_OFFICES)).toBe(false);
    expect(officeHoldsRole('CASEWORKER', 'EDUCATION', 'REFERRAL', ROLE_OFFICES)).toBe(true);
    expect(officeHoldsRole('AUDITOR', 'JUSTICE', undefined, ROLE_OFFICES)).toBe(true);
  });

  it('leaves the demo’s clients (npm start’s .data/demo-clients.env) their roles: the supervision office supervises, the county bureaus link charities', () => {
    expect(DEMO_CLIENTS.filter((c) => rolesNotForOffice(c.roles, c.department).length > 0).map((c) => c.name)).toEqual([]);
    const purposes = (name: string) => purposesFor(DEMO_CLIENTS.find((c) => c.name === name)!.roles, DEMO_CLIENTS.find((c) => c.name === name)!.department, ROLE_OFFICES);
    expect(purposes('demo-supervision')).toEqual(['SUPERVISION']);
    for (const name of ['demo-civil-affairs', 'demo-370811-civil-affairs', 'demo-township-guhuai']) expect(purposes(name)).toContain('CHARITY_LINKAGE');
    expect(purposes('demo-charity-linkage')).toEqual(['CHARITY_LINKAGE']);
  });

  it('widens, never narrows: offices are added to the entry declared', () => {
    const widened = roleOfficesFromEnv(' SUPERVISOR = HUMAN_RESOURCES , JUSTICE ;');
    expect(widened.find((e) => e.role === 'SUPERVISOR')?.offices).toEqual(['CIVIL_AFFAIRS', 'HUMAN_RESOURCES', 'JUSTICE']);
    expect(ROLE_OFFICES[0].offices).toEqual(['CIVIL_AFFAIRS']);
    expect(roleOfficesFromEnv('')).toBe(ROLE_OFFICES);
  });

  it.each([
    ['OVERSEER=CIVIL_AFFAIRS', 'UNKNOWN_ROLE'],
    ['SUPERVISOR=POLICE', 'UNKNOWN_DEPARTMENT'],
    ['SUPERVISOR=REPORTED', 'UNKNOWN_DEPARTMENT'],
    ['SUPERVISOR=CHARITY', 'CHARITY_DEPARTMENT_ROLE'],
    ['CASEWORKER/CHARITY=CIVIL_AFFAIRS', 'UNKNOWN_PURPOSE'],
    ['READER=CIVIL_AFFAIRS', 'ROLE_NOT_BOUND'],
    ['CASEWORKER=CIVIL_AFFAIRS', 'ROLE_NOT_BOUND'],
    ['SUPERVISOR', 'MALFORMED_LIST'],
    ['supervisor=civil_affairs', 'MALFORMED_LIST'],
  ])('refuses %j with %s, naming the variable', (value, code) => {
    let thrown: unknown;
    try {
      roleOfficesFromEnv(value);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect([(thrown as ConfigError).code, (thrown as ConfigError).message.startsWith(`${ROLE_OFFICES_ENV}: `)]).toEqual([code, true]);
  });
});
