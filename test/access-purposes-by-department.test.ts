/**
 * The purposes a client may state follow from its department and roles (roleMayState in
 * access/policy.ts): a purpose no field or route serves to the client's department is refused where
 * the request's purpose is read, for a query, a mutation and a CSV export alike: 403, FORBIDDEN,
 * PURPOSE_NOT_ALLOWED, one DENIED audit entry with the purpose stated, and no data statement. The
 * purposes the client's department may state are served as before.
 */
import { verifyChain } from '../access/audit';
import { statementsIssued } from '../db/instrument';
import { auditRows, lastAuditSeq } from './support/audit-trail';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

jest.setTimeout(120_000);

/** The roles the demo gives every department's office (access/demo-clients.ts SLIP_ROLES). */
const OFFICE_ROLES = ['READER', 'DEPARTMENT_WRITER', 'REFERRAL_HANDLER'] as const;
const STANDING = `query Standing($n: String!) { socialAssistanceStanding(idNumber: $n) { recipient programmes { code } } }`;
const PERSON = `query Person($n: String!) { person(idNumber: $n) { name } }`;
const REPORT = `mutation Report($input: AidReportInput!) { aidReport(input: $input) { __typename } }`;

let dbs: TestDatabases;
let hub: TestHub;
type As = (purpose: string | null) => ReturnType<TestHub['as']>;
let education: As;
let justice: As;

beforeAll(async () => {
  dbs = await createTestDatabases('access_purposes_by_department');
  await insertRegions(dbs);
  await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
  const educationToken = (await hub.createClient({ name: 'purposes-education', department: 'EDUCATION', regionScope: '370800', roles: OFFICE_ROLES })).token;
  const justiceToken = (await hub.createClient({ name: 'purposes-justice', department: 'JUSTICE', regionScope: '370800', roles: OFFICE_ROLES })).token;
  education = (purpose) => hub.as({ token: educationToken, purpose });
  justice = (purpose) => hub.as({ token: justiceToken, purpose });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a purpose the client’s department may not state', () => {
  it('is refused at the door for a query, a mutation and an export: 403 PURPOSE_NOT_ALLOWED, audited, no data statement', async () => {
    const before = await lastAuditSeq(dbs);
    const statements = statementsIssued();
    const as = education('LEGAL_AID_MEANS_CHECK');
    const query = await as.gql(STANDING, { n: WANG.head }, { 'x-request-id': 'purposes-query' });
    const mutation = await as.gql(REPORT, { input: { records: [] } }, { 'x-request-id': 'purposes-mutation' });
    const exports = [];
    for (const [id, path] of [
      ['purposes-export-findings', '/exports/scans/1/findings.csv'],
      ['purposes-export-overdue', '/exports/overdue.csv?regionCode=370811'],
    ]) {
      const res = await fetch(`${hub.url}${path}`, { headers: { ...as.headers, 'x-request-id': id } });
      exports.push([res.status, ((await res.json()) as any).errors[0].extensions]);
    }
    expect(statementsIssued() - statements).toBe(0);

    for (const res of [query, mutation]) {
      expect(res.status).toBe(403);
      expect(res.data).toBeUndefined();
      expect(res.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', reason: 'PURPOSE_NOT_ALLOWED' }]);
    }
    expect(exports).toEqual(Array(2).fill([403, { code: 'FORBIDDEN', reason: 'PURPOSE_NOT_ALLOWED' }]));

    // One DENIED entry a request, under the purpose stated, naming what it asked and no person.
    const written = await auditRows(dbs, 'seq > ?', [before]);
    expect(written.map((r) => [r.request_id, r.client_name, r.department, r.purpose, r.operation, r.root_fields, r.subject_kind, r.outcome])).toEqual([
      ['purposes-query', 'purposes-education', 'EDUCATION', 'LEGAL_AID_MEANS_CHECK', null, 'Query.socialAssistanceStanding', 'NONE', 'DENIED'],
      ['purposes-mutation', 'purposes-education', 'EDUCATION', 'LEGAL_AID_MEANS_CHECK', null, 'Mutation.aidReport', 'NONE', 'DENIED'],
      ['purposes-export-findings', 'purposes-education', 'EDUCATION', 'LEGAL_AID_MEANS_CHECK', 'GET /exports/scans/1/findings.csv', null, 'NONE', 'DENIED'],
      ['purposes-export-overdue', 'purposes-education', 'EDUCATION', 'LEGAL_AID_MEANS_CHECK', 'GET /exports/overdue.csv', null, 'NONE', 'DENIED'],
    ]);
    for (const r of written) expect(JSON.stringify(r)).not.toContain(WANG.head);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  it('is not among the purposes the client is told it may state', async () => {
    const caller = `{ caller { allowedPurposes } }`;
    expect((await education(null).gql(caller)).data.caller.allowedPurposes).toEqual(['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'MONITORING', 'REFERRAL']);
    expect((await justice(null).gql(caller)).data.caller.allowedPurposes).toEqual(['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'MONITORING', 'REFERRAL', 'LEGAL_AID_MEANS_CHECK']);
  });
});

describe('the purposes a department may state are served as before', () => {
  it('the legal-aid office is answered; the education office reads for its own purposes', async () => {
    const before = statementsIssued();
    const standing = await justice('LEGAL_AID_MEANS_CHECK').gql(STANDING, { n: WANG.head });
    expect(standing.errors).toBeUndefined();
    expect(standing.data.socialAssistanceStanding).toEqual({ recipient: true, programmes: [{ code: 'DIBAO' }] });
    const person = await education('ELIGIBILITY_REVIEW').gql(PERSON, { n: WANG.head });
    expect(person.errors).toBeUndefined();
    expect(person.data.person.name).toEqual(expect.any(String));
    // The counter the refusals above were measured by counts these reads.
    expect(statementsIssued() - before).toBeGreaterThan(0);
    // A purpose the department may state but the route does not serve is still refused there, as before.
    const csv = await fetch(`${hub.url}/exports/scans/1/findings.csv`, { headers: justice('LEGAL_AID_MEANS_CHECK').headers });
    expect([csv.status, ((await csv.json()) as any).errors[0].extensions]).toEqual([403, { code: 'FORBIDDEN', reason: 'PURPOSE_NOT_SERVED' }]);
  });
});
