/**
 * A required one-line field (an officer, a consent's "given by", an organisation's name, a
 * project's title) that shows nothing is given as "": text made only of zero-width spaces, BOM,
 * word joiners or blanks (domain/text-length.ts isBlank) gets what "" gets, the field's own
 * required code or, for an officer beside an authenticated client, the client's name alone
 * (resolvers/text-inputs.ts). A consent "given by" U+200B was stored as given, and a case's
 * history named its opener `client/​`. An optional one-line field that shows nothing is refused
 * EMPTY_VALUE, as "" is (test/hostile-scalars.test.ts sweeps every such argument with "" and blanks).
 */
import { makeCreditCode } from '../domain/credit-code';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { userErrorCodes as codes } from './support/payloads';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

jest.setTimeout(120_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let worker: { name: string; token: string };
let charity: { name: string; token: string };
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);

/** Zero-width space, BOM, word joiner, zero-width joiner: nothing to read. */
const INVISIBLE = '\u200b\ufeff\u2060\u200d';
const BLANKS: [string, string][] = [
  ['zero-width characters', INVISIBLE],
  ['zero-width characters among spaces', ` ${INVISIBLE}\u3000 `],
  ['spaces', '  \u3000'],
];

beforeAll(async () => {
  dbs = await createTestDatabases('blank_one_line');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, clock: clock.now });
  worker = await hub.createClient({ name: 'rencheng-civil', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['CASEWORKER'] });
  charity = await hub.createClient({ name: 'charity-blank', department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'] });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function count(table: string): Promise<number> {
  const [rows] = await dbs.hubPool.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number((rows as { n: number }[])[0].n);
}

const CONSENT = `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id givenBy recordedByOfficer } userErrors { code field } } }`;

it('refuses a consent whose "given by" or officer shows nothing, as one where they are empty (TEXT_REQUIRED), and stores none', async () => {
  const office = hub.as({ token: worker.token, purpose: 'CHARITY_LINKAGE' });
  const consent = (fields: Record<string, string>) => office.gql(CONSENT, { input: { householdId: String(wangId), scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042', ...fields } });
  const before = await count('charity_consent');
  for (const field of ['givenBy', 'officer']) {
    const empty = await consent({ [field]: '' });
    expect(codes(empty, 'charityConsentRecord')).toEqual(['TEXT_REQUIRED']);
    for (const [what, value] of BLANKS) {
      const res = await consent({ [field]: value });
      expect(res.errors).toBeUndefined();
      expect([what, res.data.charityConsentRecord]).toEqual([what, { consent: null, userErrors: [{ code: 'TEXT_REQUIRED', field: ['input', field] }] }]);
    }
  }
  expect(await count('charity_consent')).toBe(before);
  // Something to read: recorded as written.
  const kept = await consent({});
  expect(kept.data.charityConsentRecord).toMatchObject({ consent: { givenBy: '户主', recordedByOfficer: 'RC-0042' }, userErrors: [] });
});

it('refuses an organisation name that shows nothing with the code an empty one gets', async () => {
  const REGISTER = `mutation($input: CharityOrganisationRegisterInput!) { charityOrganisationRegister(input: $input) { organisation { name } userErrors { code field } } }`;
  const as = hub.as({ token: charity.token, purpose: 'CHARITY_LINKAGE' });
  const register = (name: string) => as.gql(REGISTER, { input: { creditCode: makeCreditCode('53370800MJ7777777'), name } });
  expect(codes(await register(''), 'charityOrganisationRegister')).toEqual(['TEXT_REQUIRED']);
  for (const [what, value] of BLANKS) expect([what, codes(await register(value), 'charityOrganisationRegister')]).toEqual([what, ['TEXT_REQUIRED']]);
});

it('records the opener of a case whose officer shows nothing as the client alone, as for an empty officer', async () => {
  const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { history { actor } } userErrors { code } } }`;
  const as = hub.as({ token: worker.token, purpose: 'ELIGIBILITY_REVIEW' });
  const open = async (officer: string) => {
    const res = await as.gql(OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '申请临时救助', actor: { officer } } });
    expect(res.errors).toBeUndefined();
    expect(res.data.caseOpen.userErrors).toEqual([]);
    return res.data.caseOpen.case.history[0].actor as string;
  };
  expect(await open('')).toBe(worker.name);
  for (const [what, value] of BLANKS) expect([what, await open(value)]).toEqual([what, worker.name]);
  expect(await open('RC-0042')).toBe(`${worker.name}/RC-0042`);
});

it('refuses an optional one-line field that shows nothing as EMPTY_VALUE, as an empty one', async () => {
  const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
  const as = hub.as({ token: worker.token, purpose: 'ELIGIBILITY_REVIEW' });
  const before = await count('aid_case');
  for (const [what, value] of [['empty', ''], ...BLANKS]) {
    const res = await as.gql(OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '申请临时救助', idempotencyKey: value } });
    expect([what, res.errors?.[0]?.extensions]).toEqual([what, expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'EMPTY_VALUE', argument: 'input.idempotencyKey' })]);
  }
  expect(await count('aid_case')).toBe(before);
});
