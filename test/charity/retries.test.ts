/**
 * A charity's registration and its projects, sent again through a real hub: after a lost answer,
 * and at the same moment as the first sending. A second registration of the client under another
 * credit code is ORGANISATION_ALREADY_REGISTERED also when both arrive together (the first bound
 * stands, nothing is overwritten); a second client of an organisation registers its code under the
 * name the first gave, another name being ORGANISATION_NAME_CONFLICT, also when both arrive
 * together; a project is created once per organisation's reference, a retry answered with it
 * (replayed), the reference with another project PROJECT_REFERENCE_REUSED.
 *
 * "At the same moment" is forced, not hoped for: the first sending is written in a transaction of
 * the test's own, left open until the second sending has made its checks (nothing there yet) and
 * waits at its insert for the first's row; then the first commits.
 */
import { makeCreditCode } from '../../domain/credit-code';
import { charityOf } from '../../db/reported-aid/store';
import { createProjectOnce, organisationsByCodes, registerOrganisation } from '../../db/charity/store';
import { createTestDatabases, lockWaits, type TestDatabases } from '../support/databases';
import { startTestHub, type GraphQLResponse, type TestHub } from '../support/hub';
import { until } from '../support/until';
import { insertRegions, TODAY } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
const ORG = makeCreditCode('53370800MJ2468013');
const OTHER_ORG = makeCreditCode('53370800MJ8642031');
/** Organisations registered by two clients each, in the name tests. */
const SHARED_ORG = makeCreditCode('53370800MJ1357902');
const SHARED_AT_ONCE = makeCreditCode('53370800MJ9753102');
const SHARED_SAME_AT_ONCE = makeCreditCode('53370800MJ5317920');

const REGISTER = `mutation($input: CharityOrganisationRegisterInput!) { charityOrganisationRegister(input: $input) { organisation { creditCode name } userErrors { code field } } }`;
const PROJECT = `mutation($input: CharityProjectCreateInput!) { charityProjectCreate(input: $input) { project { id title budgetLeftFen } replayed userErrors { code field } } }`;

/** A charity client of its own (bound to no organisation yet) and its requests. */
async function charityClient(name: string) {
  const c = await hub.createClient({ name, department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'] });
  return { name: c.name, gql: hub.as({ token: c.token, purpose: 'CHARITY_LINKAGE' }).gql };
}

/**
 * Sends `second` while `first` is written in an open transaction: `second` makes its checks before
 * the first's row is committed and waits for it at its own insert; then the first commits.
 */
async function whileFirstUncommitted(first: (tx: never) => Promise<unknown>, second: () => Promise<GraphQLResponse>): Promise<GraphQLResponse> {
  let sent: Promise<GraphQLResponse> | undefined;
  await dbs.hub.transaction(async (tx) => {
    await first(tx as never);
    sent = second();
    sent.catch(() => undefined); // awaited below, once the first is committed
    await until('the second sending waiting for the first’s row', () => lockWaits(dbs.hub), (n) => n >= 1);
  });
  const res = await sent!;
  expect(res.errors).toBeUndefined();
  return res;
}

const count = async (sql: string, params: unknown[]) => Number(((await dbs.hubPool.query(sql, params))[0] as { n: number }[])[0].n);

beforeAll(async () => {
  dbs = await createTestDatabases('charity_retries');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('charityOrganisationRegister', () => {
  it('refuses another credit code for the client after the first, ORGANISATION_ALREADY_REGISTERED; the same code answers as before', async () => {
    const charity = await charityClient('charity-sequential');
    const first = await charity.gql(REGISTER, { input: { creditCode: ORG, name: '济宁市慈善总会' } });
    expect(first.data.charityOrganisationRegister).toEqual({ organisation: { creditCode: ORG, name: '济宁市慈善总会' }, userErrors: [] });
    const again = await charity.gql(REGISTER, { input: { creditCode: ORG, name: '济宁市慈善总会' } });
    expect(again.data.charityOrganisationRegister).toEqual({ organisation: { creditCode: ORG, name: '济宁市慈善总会' }, userErrors: [] });
    const other = await charity.gql(REGISTER, { input: { creditCode: OTHER_ORG, name: '另一基金会' } });
    expect(other.data.charityOrganisationRegister).toEqual({ organisation: null, userErrors: [{ code: 'ORGANISATION_ALREADY_REGISTERED', field: ['input', 'creditCode'] }] });
    expect(await charityOf(dbs.hub, charity.name)).toEqual({ creditCode: ORG, name: '济宁市慈善总会' });
  });

  it('refuses another credit code sent at the same moment as the first, ORGANISATION_ALREADY_REGISTERED, the first standing (the second overwrote it before)', async () => {
    const charity = await charityClient('charity-at-once');
    const res = await whileFirstUncommitted(
      (tx) => registerOrganisation(tx, { creditCode: ORG, name: '济宁市慈善总会', clientName: charity.name }),
      () => charity.gql(REGISTER, { input: { creditCode: OTHER_ORG, name: '另一基金会' } }),
    );
    expect(res.data.charityOrganisationRegister).toEqual({ organisation: null, userErrors: [{ code: 'ORGANISATION_ALREADY_REGISTERED', field: ['input', 'creditCode'] }] });
    expect(await charityOf(dbs.hub, charity.name)).toEqual({ creditCode: ORG, name: '济宁市慈善总会' });
  });

  it('answers the same registration sent at the same moment as the first with the organisation, as a retry', async () => {
    const charity = await charityClient('charity-twice-at-once');
    const res = await whileFirstUncommitted(
      (tx) => registerOrganisation(tx, { creditCode: ORG, name: '济宁市慈善总会', clientName: charity.name }),
      () => charity.gql(REGISTER, { input: { creditCode: ORG, name: '济宁市慈善总会' } }),
    );
    expect(res.data.charityOrganisationRegister).toEqual({ organisation: { creditCode: ORG, name: '济宁市慈善总会' }, userErrors: [] });
    expect(await count('SELECT COUNT(*) AS n FROM charity_organisation WHERE client_name = ?', [charity.name])).toBe(1);
  });
});

describe('charityOrganisationRegister: one organisation, several clients, one name', () => {
  const boundTo = (code: string) => count('SELECT COUNT(*) AS n FROM charity_organisation WHERE credit_code = ?', [code]);

  it('binds a second client to a registered code under its name, and refuses another name, ORGANISATION_NAME_CONFLICT, binding nothing', async () => {
    const first = await charityClient('charity-name-first');
    const second = await charityClient('charity-name-second');
    expect((await first.gql(REGISTER, { input: { creditCode: SHARED_ORG, name: '济宁市慈善总会' } })).data.charityOrganisationRegister.userErrors).toEqual([]);
    const other = await second.gql(REGISTER, { input: { creditCode: SHARED_ORG, name: '济宁慈善会' } });
    expect(other.data.charityOrganisationRegister).toEqual({ organisation: null, userErrors: [{ code: 'ORGANISATION_NAME_CONFLICT', field: ['input', 'name'] }] });
    expect(await charityOf(dbs.hub, second.name)).toBeNull();
    const same = await second.gql(REGISTER, { input: { creditCode: SHARED_ORG, name: '济宁市慈善总会' } });
    expect(same.data.charityOrganisationRegister).toEqual({ organisation: { creditCode: SHARED_ORG, name: '济宁市慈善总会' }, userErrors: [] });
    expect(await boundTo(SHARED_ORG)).toBe(2);
    // The look-up by code finds one organisation, under its one name.
    expect(await organisationsByCodes(dbs.hub, [SHARED_ORG])).toEqual([{ creditCode: SHARED_ORG, name: '济宁市慈善总会' }]);
  });

  it('refuses another name for a code sent at the same moment as the first client’s registration, ORGANISATION_NAME_CONFLICT, the first standing', async () => {
    const first = await charityClient('charity-name-first-at-once');
    const second = await charityClient('charity-name-second-at-once');
    const res = await whileFirstUncommitted(
      (tx) => registerOrganisation(tx, { creditCode: SHARED_AT_ONCE, name: '济宁市慈善总会', clientName: first.name }),
      () => second.gql(REGISTER, { input: { creditCode: SHARED_AT_ONCE, name: '济宁慈善会' } }),
    );
    expect(res.data.charityOrganisationRegister).toEqual({ organisation: null, userErrors: [{ code: 'ORGANISATION_NAME_CONFLICT', field: ['input', 'name'] }] });
    expect(await charityOf(dbs.hub, first.name)).toEqual({ creditCode: SHARED_AT_ONCE, name: '济宁市慈善总会' });
    expect(await charityOf(dbs.hub, second.name)).toBeNull();
    expect(await boundTo(SHARED_AT_ONCE)).toBe(1);
    expect(await organisationsByCodes(dbs.hub, [SHARED_AT_ONCE])).toEqual([{ creditCode: SHARED_AT_ONCE, name: '济宁市慈善总会' }]);
  });

  it('binds both clients when the same code and name are sent at the same moment', async () => {
    const first = await charityClient('charity-same-name-first');
    const second = await charityClient('charity-same-name-second');
    const res = await whileFirstUncommitted(
      (tx) => registerOrganisation(tx, { creditCode: SHARED_SAME_AT_ONCE, name: '济宁市慈善总会', clientName: first.name }),
      () => second.gql(REGISTER, { input: { creditCode: SHARED_SAME_AT_ONCE, name: '济宁市慈善总会' } }),
    );
    expect(res.data.charityOrganisationRegister).toEqual({ organisation: { creditCode: SHARED_SAME_AT_ONCE, name: '济宁市慈善总会' }, userErrors: [] });
    expect(await boundTo(SHARED_SAME_AT_ONCE)).toBe(2);
    expect(await organisationsByCodes(dbs.hub, [SHARED_SAME_AT_ONCE])).toEqual([{ creditCode: SHARED_SAME_AT_ONCE, name: '济宁市慈善总会' }]);
  });
});

describe('charityProjectCreate', () => {
  const project = { title: '济宁市生活救助', purpose: 'LIVING', regionCode: '370800', budgetFen: 1_000_000 };
  const projectsOf = (reference: string) => count('SELECT COUNT(*) AS n FROM charity_project WHERE credit_code = ? AND reference = ?', [ORG, reference]);
  let charity: Awaited<ReturnType<typeof charityClient>>;

  beforeAll(async () => {
    charity = await charityClient('charity-projects');
    expect((await charity.gql(REGISTER, { input: { creditCode: ORG, name: '济宁市慈善总会' } })).data.charityOrganisationRegister.userErrors).toEqual([]);
  });

  it('creates one project when sent again after a lost answer, answering the retry with it, replayed', async () => {
    const first = (await charity.gql(PROJECT, { input: { ...project, reference: 'LIVING-2026' } })).data.charityProjectCreate;
    expect(first).toMatchObject({ project: { title: project.title, budgetLeftFen: 1_000_000 }, replayed: false, userErrors: [] });
    const retry = (await charity.gql(PROJECT, { input: { ...project, reference: 'LIVING-2026' } })).data.charityProjectCreate;
    expect(retry).toEqual({ ...first, replayed: true });
    expect(await projectsOf('LIVING-2026')).toBe(1);
  });

  it('creates one project when the same is sent at the same moment as the first, answering the second with it, replayed', async () => {
    let firstId = 0;
    const res = await whileFirstUncommitted(
      async (tx) => {
        const made = await createProjectOnce(tx, { creditCode: ORG, title: project.title, purpose: 'LIVING', regionCode: '370800', budgetFen: 1_000_000, reference: 'LIVING-AT-ONCE' });
        if (!made.ok) throw new Error('the first sending creates the project');
        firstId = made.value.id;
      },
      () => charity.gql(PROJECT, { input: { ...project, reference: 'LIVING-AT-ONCE' } }),
    );
    expect(res.data.charityProjectCreate).toEqual({ project: { id: String(firstId), title: project.title, budgetLeftFen: 1_000_000 }, replayed: true, userErrors: [] });
    expect(await projectsOf('LIVING-AT-ONCE')).toBe(1);
  });

  it('refuses the reference with another project, PROJECT_REFERENCE_REUSED, creating nothing; another organisation’s reference is its own', async () => {
    expect((await charity.gql(PROJECT, { input: { ...project, reference: 'LIVING-REUSED' } })).data.charityProjectCreate.userErrors).toEqual([]);
    const before = await count('SELECT COUNT(*) AS n FROM charity_project', []);
    for (const other of [{ budgetFen: 2_000_000 }, { title: '济宁市教育救助' }, { purpose: 'EDUCATION' }, { regionCode: '370811' }]) {
      const res = (await charity.gql(PROJECT, { input: { ...project, ...other, reference: 'LIVING-REUSED' } })).data.charityProjectCreate;
      expect({ other, res }).toEqual({ other, res: { project: null, replayed: false, userErrors: [{ code: 'PROJECT_REFERENCE_REUSED', field: ['input', 'reference'] }] } });
    }
    expect(await count('SELECT COUNT(*) AS n FROM charity_project', [])).toBe(before);
    const elsewhere = await charityClient('charity-projects-other');
    expect((await elsewhere.gql(REGISTER, { input: { creditCode: OTHER_ORG, name: '另一基金会' } })).data.charityOrganisationRegister.userErrors).toEqual([]);
    const theirs = (await elsewhere.gql(PROJECT, { input: { ...project, budgetFen: 2_000_000, reference: 'LIVING-REUSED' } })).data.charityProjectCreate;
    expect(theirs).toMatchObject({ project: { budgetLeftFen: 2_000_000 }, replayed: false, userErrors: [] });
  });

  it('refuses an area that is no division code, MALFORMED_DIVISION_CODE, creating nothing', async () => {
    // Stored as typed, '' matched every need of its purpose anywhere and '3708' every need of Jining
    // (projectMatches compares prefixes), whatever the organisation's scope: the access check judges division codes only.
    const before = await count('SELECT COUNT(*) AS n FROM charity_project', []);
    const refusals: { regionCode: string; data: unknown; codes: unknown }[] = [];
    for (const regionCode of ['', 'abc', '3708', '37081']) {
      const res: GraphQLResponse = await charity.gql(PROJECT, { input: { ...project, regionCode, reference: `AREA-${refusals.length}` } });
      refusals.push({ regionCode, data: res.data, codes: res.errors?.map((e) => [e.extensions?.code, e.extensions?.reason, e.extensions?.argument]) });
    }
    const malformed = [['BAD_USER_INPUT', 'MALFORMED_DIVISION_CODE', 'input.regionCode']];
    expect(refusals).toEqual([
      { regionCode: '', data: null, codes: malformed },
      { regionCode: 'abc', data: null, codes: malformed },
      { regionCode: '3708', data: null, codes: malformed },
      { regionCode: '37081', data: null, codes: malformed },
    ]);
    expect(await count('SELECT COUNT(*) AS n FROM charity_project', [])).toBe(before);
    const county = (await charity.gql(PROJECT, { input: { ...project, regionCode: '370811', reference: 'AREA-COUNTY' } })).data.charityProjectCreate;
    expect(county).toMatchObject({ replayed: false, userErrors: [] });
    // Spaces around a code are trimmed, as for every field taking one (test/division-code-trim): stored
    // as the code itself, so its prefix matches the county's needs.
    const padded = (await charity.gql(PROJECT, { input: { ...project, regionCode: ' 370811 ', reference: 'AREA-PADDED' } })).data.charityProjectCreate;
    expect(padded).toMatchObject({ replayed: false, userErrors: [] });
    expect(await count('SELECT COUNT(*) AS n FROM charity_project WHERE region_code = ? AND reference = ?', ['370811', 'AREA-PADDED'])).toBe(1);
  });
});
