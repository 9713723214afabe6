/**
 * Supervision (督查督办): a SUPERVISOR client, stating SUPERVISION, reads the closed loop the case
 * roles read (overdueReport, a case, a slip, an office's desk, the meeting brief) within its scope,
 * every read on the audit trail, ID numbers masked and no health detail even as a civil-affairs
 * office; it is refused every write (FORBIDDEN, ROLE_NOT_ALLOWED) and every household or person look-up.
 */
import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType } from 'graphql';
import { ROOT_RULES } from '../access/policy';
import { maskIdNumber } from '../domain/id-number';
import { buildSchema } from '../resolvers/index';
import { TestClock } from './support/clock';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { wangHealthAndHousingSlips } from './support/cases';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let caseId: string;
let slips: Record<'HEALTH' | 'HOUSING', string>;
let supervisor: ReturnType<TestHub['as']>;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

beforeAll(async () => {
  dbs = await createTestDatabases('access_supervisor');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  ({ caseId, slips } = await wangHealthAndHousingSlips(hub, wangId, 'sup'));
  // Both slips (10 working days from 2026-03-12) are late by mid-April.
  clock.set('2026-04-15T10:00:00+08:00');
  const { token } = await hub.createClient({ name: 'jining-supervision', department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['SUPERVISOR'] });
  supervisor = hub.as({ token, purpose: 'SUPERVISION' });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const reasons = (res: { errors?: { extensions?: Record<string, any> }[] }) => (res.errors ?? []).map((e) => `${e.extensions?.code}:${e.extensions?.reason}`);

it('reads overdueReport, a case, its slips and an office’s desk, ID numbers masked, health detail withheld', async () => {
  const report = await supervisor.gql(`{ overdueReport { byOffice { office { key } referrals { referral { id } } } } }`);
  expect(report.errors).toBeUndefined();
  const late = report.data.overdueReport.byOffice.flatMap((g: any) => g.referrals.map((r: any) => r.referral.id)).sort();
  expect(late).toEqual([slips.HEALTH, slips.HOUSING].sort());

  const c = await supervisor.gql(`query($id: ID!) { case(id: $id) { id state summary referrals { id state dueOn overdue { workingDays } aidSourceReference } dossier { members { idNumber name } } } }`, { id: caseId });
  expect(c.errors).toBeUndefined();
  expect(c.data.case.state).toBe('DECIDED');
  expect(c.data.case.referrals.map((r: any) => r.state)).toEqual(['ACCEPTED', 'ACCEPTED']);
  // What a case shows a reader of cases, with every ID number masked: a supervisor counts and chases.
  const members = c.data.case.dossier.members;
  expect(members.length).toBeGreaterThan(0);
  for (const m of members) expect(m.idNumber).toBe(maskIdNumber(m.idNumber));
  expect(members.map((m: any) => m.idNumber)).toContain(maskIdNumber(WANG.head));

  // Health detail: refused to it though its department (civil affairs) would see it for any other purpose.
  const health = await supervisor.gql(`query($id: ID!) { referral(id: $id) { id cause settlementReference } }`, { id: slips.HEALTH });
  expect(reasons(health)).toEqual(['FORBIDDEN:HEALTH_DETAIL', 'FORBIDDEN:HEALTH_DETAIL']);
  // The home visit's fields (the convening office's) are not its.
  const home = await supervisor.gql(`query($id: ID!) { case(id: $id) { dossier { household { address } members { birthDate } } } }`, { id: caseId });
  expect(reasons(home)).toEqual(expect.arrayContaining(['FORBIDDEN:ROLE_NOT_ALLOWED']));

  // Any office's desk in its scope (an office itself reads only its own: NOT_OWN_OFFICE).
  const desk = await supervisor.gql(`{ referralsToOffice(office: { department: HEALTH }, dueWithinWorkingDays: 0) { id overdue { workingDays } } }`);
  expect(desk.errors).toBeUndefined();
  expect(desk.data.referralsToOffice.map((r: any) => r.id)).toEqual([slips.HEALTH]);
});

it('prints the meeting brief without health detail, and every read is on the audit trail as SUPERVISION', async () => {
  const brief = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: supervisor.headers });
  expect(brief.status).toBe(200);
  const html = await brief.text();
  expect(html).toContain(maskIdNumber(WANG.head));
  expect(html).not.toContain(WANG.head);
  // Hospital settlements are health detail: the convener's brief prints them, supervision's says why not.
  expect(html).toContain('督查用途不予显示');
  const convener = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders });
  expect(await convener.text()).not.toContain('督查用途不予显示');

  const auditor = hub.as({ token: (await hub.createClient({ name: 'sup-auditor', roles: ['AUDITOR'], regionScope: '370800' })).token, purpose: 'AUDIT' });
  const log = await auditor.gql(`query($n: String!) { accessLog(idNumber: $n, first: 500) { edges { node { client { name } purpose channel outcome } } } }`, { n: WANG.head });
  expect(log.errors).toBeUndefined();
  const mine = log.data.accessLog.edges.map((e: any) => e.node).filter((n: any) => n.client.name === 'jining-supervision');
  expect(new Set(mine.map((n: any) => n.channel))).toEqual(new Set(['GRAPHQL', 'HTTP']));
  expect(mine.every((n: any) => n.purpose === 'SUPERVISION')).toBe(true);
});

it('keeps to its region scope: another county’s supervision neither finds the case nor reports on 任城区', async () => {
  const weishan = hub.as({ token: (await hub.createClient({ name: 'weishan-supervision', department: 'CIVIL_AFFAIRS', regionScope: '370826', roles: ['SUPERVISOR'] })).token, purpose: 'SUPERVISION' });
  const c = await weishan.gql(`query($id: ID!) { case(id: $id) { id } }`, { id: caseId });
  expect(c.errors).toBeUndefined();
  expect(c.data.case).toBeNull();
  expect(reasons(await weishan.gql(`{ overdueReport(regionCode: "370811") { asOf } }`))).toEqual(['FORBIDDEN:OUT_OF_SCOPE']);
  const own = await weishan.gql(`{ overdueReport { byOffice { referrals { referral { id } } } } }`);
  expect(own.errors).toBeUndefined();
  expect(own.data.overdueReport.byOffice).toEqual([]);
});

it('reads no household or person, and states no other purpose', async () => {
  const reads: [string, Record<string, unknown>][] = [
    [`query($id: ID!) { household(id: $id) { id } }`, { id: String(wangId) }],
    [`query($n: String!) { person(idNumber: $n) { idNumber } }`, { n: WANG.head }],
    [`query($n: String!) { householdByMember(idNumber: $n) { id } }`, { n: WANG.head }],
    [`{ householdsInRegion(code: "370811") { totalCount } }`, {}],
    [`{ alerts { totalCount } }`, {}],
    [`query($id: ID!) { case(id: $id) { household { id } } }`, { id: caseId }],
    [`query($id: ID!) { referral(id: $id) { beneficiary { idNumber } } }`, { id: slips.HEALTH }],
  ];
  for (const [query, variables] of reads) expect({ query, reasons: reasons(await supervisor.gql(query, variables)) }).toEqual({ query, reasons: ['FORBIDDEN:ROLE_NOT_ALLOWED'] });
  for (const purpose of ['CASE_MEETING', 'REFERRAL', 'MONITORING']) {
    const res = await hub.as({ token: supervisor.headers.authorization.slice('Bearer '.length), purpose }).gql(`{ overdueReport { asOf } }`);
    expect({ purpose, status: res.status }).toEqual({ purpose, status: 403 });
  }
});

/** A value of an input type that passes GraphQL's own coercion, so the access check is what answers. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0].value;
  if (isInputObjectType(named)) return Object.fromEntries(Object.values(named.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, sample(f.type)]));
  if (isScalarType(named)) return ({ Int: 1, Float: 1, Boolean: true, ID: '1', Date: '2026-04-15', ProposedDate: '2026-04-15', DateTime: '2026-04-15T10:00:00+08:00', Fen: 100, ProposedFen: 100 } as Record<string, unknown>)[named.name] ?? 'x';
  throw new Error(`no sample for ${String(type)}`);
}

it('is refused every write (FORBIDDEN, ROLE_NOT_ALLOWED), the case and slips unchanged', async () => {
  const mutation = buildSchema().getMutationType()!;
  expect(Object.values(ROOT_RULES.Mutation).some((r) => r.roles.includes('SUPERVISOR'))).toBe(false);
  for (const field of Object.values(mutation.getFields())) {
    const vars = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
    const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
    const query = `mutation${vars ? `(${vars})` : ''} { ${field.name}${args ? `(${args})` : ''} { __typename } }`;
    const res = await supervisor.gql(query, Object.fromEntries(field.args.map((a) => [a.name, sample(a.type)])));
    expect({ field: field.name, reasons: reasons(res) }).toEqual({ field: field.name, reasons: ['FORBIDDEN:ROLE_NOT_ALLOWED'] });
  }
  const after = await supervisor.gql(`query($id: ID!) { case(id: $id) { state referrals { state } } }`, { id: caseId });
  expect(after.data.case).toEqual({ state: 'DECIDED', referrals: [{ state: 'ACCEPTED' }, { state: 'ACCEPTED' }] });
});
