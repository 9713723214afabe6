/**
 * The access matrix: every role × every purpose (and none) × a subject inside and outside the
 * caller's region, through a real hub. Expectations are written out here from docs/access.md,
 * not computed from access/policy.ts, so a change to the policy shows up as a failing row.
 */
import { ADAPTERS } from '../federation/registry';
import { maskIdNumber } from '../domain/id-number';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, insertZhao, TODAY, WANG, ZHAO } from './support/scenarios';

type Role = 'READER' | 'DEPARTMENT_WRITER' | 'CASEWORKER' | 'MEETING_CONVENER' | 'AUDITOR' | 'ADMINISTRATOR' | 'SUPERVISOR';
type Purpose = 'ELIGIBILITY_REVIEW' | 'DUPLICATE_CHECK' | 'CASE_MEETING' | 'MONITORING' | 'REFERRAL' | 'AUDIT' | 'SUPERVISION';

const ROLES: Role[] = ['READER', 'DEPARTMENT_WRITER', 'CASEWORKER', 'MEETING_CONVENER', 'AUDITOR', 'ADMINISTRATOR', 'SUPERVISOR'];
const PURPOSES: (Purpose | null)[] = ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'CASE_MEETING', 'MONITORING', 'REFERRAL', 'AUDIT', 'SUPERVISION', null];

/** docs/access.md, "Roles". */
const MAY_STATE: Record<Role, Purpose[]> = {
  READER: ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'MONITORING', 'REFERRAL'],
  DEPARTMENT_WRITER: ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK'],
  CASEWORKER: ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'CASE_MEETING', 'REFERRAL', 'MONITORING'],
  MEETING_CONVENER: ['CASE_MEETING', 'REFERRAL'],
  AUDITOR: ['AUDIT'],
  ADMINISTRATOR: ['MONITORING'],
  SUPERVISOR: ['SUPERVISION'],
};
/** Roles that read households and people at all, and those among them that see ID numbers in clear. */
const READS_PEOPLE: Role[] = ['READER', 'DEPARTMENT_WRITER', 'CASEWORKER', 'MEETING_CONVENER'];
const SEES_ID_NUMBERS: Role[] = ['DEPARTMENT_WRITER', 'CASEWORKER', 'MEETING_CONVENER'];

type Expected =
  | { http: 403; reason: 'PURPOSE_NOT_ALLOWED' }
  | { http: 200; reason: 'ROLE_NOT_ALLOWED' | 'PURPOSE_REQUIRED' | 'OUT_OF_SCOPE' }
  | { http: 200; view: 'FULL' | 'LIMITED'; idNumberInClear: boolean };

function expected(role: Role, purpose: Purpose | null, where: 'in' | 'out'): Expected {
  if (purpose !== null && !MAY_STATE[role].includes(purpose)) return { http: 403, reason: 'PURPOSE_NOT_ALLOWED' };
  if (!READS_PEOPLE.includes(role)) return { http: 200, reason: 'ROLE_NOT_ALLOWED' };
  if (purpose === null) return { http: 200, reason: 'PURPOSE_REQUIRED' };
  if (where === 'out' && purpose !== 'DUPLICATE_CHECK') return { http: 200, reason: 'OUT_OF_SCOPE' };
  if (where === 'out') return { http: 200, view: 'LIMITED', idNumberInClear: false };
  return { http: 200, view: 'FULL', idNumberInClear: SEES_ID_NUMBERS.includes(role) };
}

/** The duplicate-check fields: shown in both views. */
const LOOKUP = `query($n: String!) { person(idNumber: $n) { idNumber birthDate aid { department { code } programme { code } period { start end } grantDate status } } }`;
/** A field of the FULL view only. */
const NAME = `query($n: String!) { person(idNumber: $n) { name } }`;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let zhaoId: number;
/** One client per role, each scoped to 任城区 (370811), where the Wangs live; the Zhaos live in 微山县 (370826). */
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  dbs = await createTestDatabases('access_matrix');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
  for (const role of ROLES) tokens[role] = (await hub.createClient({ name: `matrix-${role.toLowerCase()}`, roles: [role], regionScope: '370811' })).token;
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const cases = ROLES.flatMap((role) => PURPOSES.flatMap((purpose) => (['in', 'out'] as const).map((where) => [role, purpose ?? 'no purpose', where] as const)));

describe('person look-up: role × purpose × region', () => {
  it.each(cases)('%s stating %s, subject %s-region', async (role, purposeLabel, where) => {
    const purpose = purposeLabel === 'no purpose' ? null : (purposeLabel as Purpose);
    const subject = where === 'in' ? WANG.head : ZHAO.head;
    const as = hub.as({ token: tokens[role], purpose });
    const want = expected(role, purpose, where);
    const res = await as.gql(LOOKUP, { n: subject });
    expect(res.status).toBe(want.http);
    if ('reason' in want) {
      expect(res.data?.person ?? null).toBeNull();
      expect(res.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', reason: want.reason })]);
      return;
    }
    expect(res.errors).toBeUndefined();
    expect(res.data.person.idNumber).toBe(want.idNumberInClear ? subject : maskIdNumber(subject));
    // The head of the Wangs holds 低保, the rent subsidy and union hardship aid; Zhao holds nothing.
    expect(res.data.person.aid.map((r: any) => r.programme.code).sort()).toEqual(where === 'in' ? ['DIBAO', 'RENT_SUBSIDY', 'UNION_HARDSHIP'] : []);

    const name = await as.gql(NAME, { n: subject });
    if (want.view === 'FULL') expect(name.data.person.name).toBe('王建国');
    else expect(name.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', reason: 'LIMITED_VIEW' })]);
  });
});

describe('the LIMITED view outside the region', () => {
  const dup = () => hub.as({ token: tokens.CASEWORKER, purpose: 'DUPLICATE_CHECK' });

  it('finds a household by a member’s ID number and shows programmes, periods and status only', async () => {
    const { token } = await hub.createClient({ roles: ['CASEWORKER'], regionScope: '370826' });
    const weishan = hub.as({ token, purpose: 'DUPLICATE_CHECK' });
    const ok = await weishan.gql(
      `query($n: String!) { householdByMember(idNumber: $n) { id region { code } aid { department { code } programme { code } period { start end } grantDate status beneficiary { idNumber } } } }`,
      { n: WANG.spouse },
    );
    expect(ok.errors).toBeUndefined();
    const h = ok.data.householdByMember;
    // Which county to ask, not which village.
    expect(h.region).toEqual({ code: WANG.regionCode.slice(0, 6) });
    expect(h.aid.map((r: any) => r.programme.code).sort()).toEqual(Object.values(WANG.expectedRecords).flat().sort());
    expect(h.aid.every((r: any) => r.beneficiary.idNumber.includes('********'))).toBe(true);

    for (const field of ['address', 'registrationNumber', 'members { relation }', 'aidSummary { totalFen }', 'aid { amountFen }', 'aid { cause }', 'aid { sourceReference }', 'aid { beneficiary { name } }']) {
      const res = await weishan.gql(`query($n: String!) { householdByMember(idNumber: $n) { ${field} } }`, { n: WANG.spouse });
      expect({ field, ext: res.errors?.[0].extensions }).toEqual({ field, ext: expect.objectContaining({ code: 'FORBIDDEN', reason: 'LIMITED_VIEW' }) });
    }
  });

  it('never by hub id: household(id) and households(ids) refuse what lies outside', async () => {
    const one = await dup().gql(`query($id: ID!) { household(id: $id) { id } }`, { id: String(zhaoId) });
    expect(one.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
    const many = await dup().gql(`query($ids: [ID!]!) { households(ids: $ids) { registrationNumber } }`, { ids: [String(wangId), String(zhaoId)] });
    expect(many.data.households).toEqual([{ registrationNumber: WANG.registrationNo }, null]);
    expect(many.errors).toEqual([expect.objectContaining({ path: ['households', 1], extensions: expect.objectContaining({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' }) })]);
  });
});

describe('region scopes', () => {
  async function seesWang(regionScope: string) {
    const { token } = await hub.createClient({ roles: ['CASEWORKER'], regionScope });
    const res = await hub.as({ token, purpose: 'ELIGIBILITY_REVIEW' }).gql(`query($id: ID!) { household(id: $id) { address } }`, { id: String(wangId) });
    return res.data?.household ? 'FULL' : res.errors?.[0].extensions?.reason;
  }

  it.each([
    ['370800', 'the city', 'FULL'],
    ['370811', 'the county', 'FULL'],
    ['370811001', 'the township', 'FULL'],
    ['370811001001', 'the village', 'FULL'],
    ['370811002', 'another township of the county', 'OUT_OF_SCOPE'],
    ['370826', 'another county', 'OUT_OF_SCOPE'],
    ['371526', 'a county of another city', 'OUT_OF_SCOPE'],
  ])('a client scoped to %s (%s) sees a 任城区 household: %s', async (scope, _what, view) => {
    expect(await seesWang(scope)).toBe(view);
  });

  it('lists households only inside the scope', async () => {
    const county = hub.as({ token: tokens.READER, purpose: 'MONITORING' });
    const q = `query($code: String!) { householdsInRegion(code: $code) { totalCount } }`;
    expect((await county.gql(q, { code: '370811' })).data.householdsInRegion.totalCount).toBe(1);
    expect((await county.gql(q, { code: '370811001' })).data.householdsInRegion.totalCount).toBe(1);
    for (const code of ['370800', '370826', '371526']) {
      expect((await county.gql(q, { code })).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
    }
  });
});

describe('fields by right', () => {
  const AID = `query($id: ID!) { household(id: $id) { aid(departments: [CIVIL_AFFAIRS]) { programme { code } cause sourceReference beneficiary { idNumber } } } }`;

  it('masks ID numbers, and references holding them, for a role without the right', async () => {
    const res = await hub.as({ token: tokens.READER, purpose: 'ELIGIBILITY_REVIEW' }).gql(
      `query($id: ID!) { household(id: $id) { members { person { idNumber } } aid(departments: [CIVIL_AFFAIRS]) { sourceReference beneficiary { idNumber } } } }`,
      { id: String(wangId) },
    );
    expect(res.errors).toBeUndefined();
    const ids = res.data.household.members.map((m: any) => m.person.idNumber);
    expect(ids.sort()).toEqual([WANG.head, WANG.spouse, WANG.child, WANG.grandmother].map(maskIdNumber).sort());
    const dibao = res.data.household.aid.find((r: any) => r.sourceReference.startsWith(`${ADAPTERS.CIVIL_AFFAIRS.recordKinds.dibaoMember}:`));
    expect(dibao.sourceReference).toContain('********');
    expect(JSON.stringify(res.data)).not.toContain(WANG.head);
  });

  it('shows illness-related detail to health and civil affairs, or for a case meeting, and refuses it to others', async () => {
    const education = (await hub.createClient({ department: 'EDUCATION', roles: ['READER', 'CASEWORKER'], regionScope: '370811' })).token;
    const health = (await hub.createClient({ department: 'HEALTH', roles: ['READER'], regionScope: '370811' })).token;
    const cause = (res: any) => res.data?.household?.aid?.find((r: any) => r.programme.code === 'TEMP_AID')?.cause;

    const refused = await hub.as({ token: education, purpose: 'ELIGIBILITY_REVIEW' }).gql(AID, { id: String(wangId) });
    expect(cause(refused)).toBeNull();
    expect(new Set(refused.errors?.map((e) => e.extensions?.reason))).toEqual(new Set(['HEALTH_DETAIL']));

    expect(cause(await hub.as({ token: education, purpose: 'CASE_MEETING' }).gql(AID, { id: String(wangId) }))).toBe('ILLNESS');
    expect(cause(await hub.as({ token: health, purpose: 'ELIGIBILITY_REVIEW' }).gql(AID, { id: String(wangId) }))).toBe('ILLNESS');
    expect(cause(await hub.as({ token: tokens.READER, purpose: 'ELIGIBILITY_REVIEW' }).gql(AID, { id: String(wangId) }))).toBe('ILLNESS');
  });
});

describe('purposes a field does not serve', () => {
  it('refuses a data query stating AUDIT, and accessLog stating anything else', async () => {
    const { token } = await hub.createClient({ roles: ['READER', 'AUDITOR'], regionScope: '370811' });
    const audit = await hub.as({ token, purpose: 'AUDIT' }).gql(LOOKUP, { n: WANG.head });
    expect(audit.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PURPOSE_NOT_SERVED' });
    const log = await hub.as({ token, purpose: 'MONITORING' }).gql(`query($n: String!) { accessLog(idNumber: $n) { edges { cursor } } }`, { n: WANG.head });
    expect(log.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PURPOSE_NOT_SERVED' });
  });

  it('answers caller for every role, with no purpose', async () => {
    for (const role of ROLES) {
      const res = await hub.as({ token: tokens[role], purpose: null }).gql(`{ caller { name roles department { code } regionScope { code } allowedPurposes seesIdNumbers purpose } }`);
      expect(res.data.caller).toEqual({
        name: `matrix-${role.toLowerCase()}`,
        roles: [role],
        department: { code: 'CIVIL_AFFAIRS' },
        regionScope: { code: '370811' },
        allowedPurposes: expect.arrayContaining(MAY_STATE[role]),
        seesIdNumbers: SEES_ID_NUMBERS.includes(role),
        purpose: null,
      });
    }
  });
});
