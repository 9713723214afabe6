/**
 * caseOpen on a household id the hub does not hold. A province- or city-wide caller whose scope
 * covers every household of the hub (the city's, while the hub holds only the city's households)
 * is told the truth, HOUSEHOLD_NOT_FOUND at [input, householdId]; a county or township caller is
 * refused OUT_OF_SCOPE, as for a household outside its scope, so caseOpen does not tell it
 * whether an id outside its scope exists (even when every household happens to lie in its county).
 * household(id) answers a missing id alike: null to the caller that could see any household, and
 * OUT_OF_SCOPE to a county or township, as for a household outside its scope.
 */
import { eq } from 'drizzle-orm';
import { aidCase } from '../db/cases/schema';
import { household } from '../db/household/schema';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, insertZhao, TODAY } from './support/scenarios';

jest.setTimeout(120_000);

const MISSING = '999999';
const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code field } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
const as: Record<'province' | 'city' | 'county' | 'township', TestHub['gql']> = {} as never;

beforeAll(async () => {
  dbs = await createTestDatabases('case_open_missing');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING' });
  for (const [who, regionScope] of [
    ['province', '370000'],
    ['city', '370800'],
    ['county', '370811'],
    ['township', '370811001'],
  ] as const) {
    const c = await hub.createClient({ name: `open-${who}`, department: 'CIVIL_AFFAIRS', regionScope, roles: ['CASEWORKER'] });
    as[who] = hub.as({ token: c.token, purpose: 'CASE_MEETING' }).gql;
  }
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function open(who: keyof typeof as, householdId: string) {
  const res = await as[who](OPEN, { input: { householdId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '申请救助' } });
  return res.errors ? { error: res.errors[0].extensions } : { userErrors: res.data.caseOpen.userErrors, opened: res.data.caseOpen.case !== null };
}

const NOT_FOUND = { userErrors: [{ code: 'HOUSEHOLD_NOT_FOUND', field: ['input', 'householdId'] }], opened: false };
const OUT_OF_SCOPE = { error: expect.objectContaining({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' }) };

it('a caller that could see any household is told the id is not found; a county or township is refused OUT_OF_SCOPE', async () => {
  expect(await open('province', MISSING)).toEqual(NOT_FOUND);
  expect(await open('city', MISSING)).toEqual(NOT_FOUND);
  // Every household so far (王) lies in 任城区 and its township; they are refused all the same.
  expect(await open('county', MISSING)).toEqual(OUT_OF_SCOPE);
  expect(await open('township', MISSING)).toEqual(OUT_OF_SCOPE);
  // And as for a household of another county (赵, 微山县).
  const zhaoId = await insertZhao(dbs);
  expect(await open('county', String(zhaoId))).toEqual(OUT_OF_SCOPE);
  expect(await open('county', MISSING)).toEqual(OUT_OF_SCOPE);
  expect(await open('city', MISSING)).toEqual(NOT_FOUND);
  expect(await dbs.hub.select().from(aidCase).where(eq(aidCase.householdId, Number(MISSING)))).toEqual([]);
  // A household in its scope the township opens as before.
  expect(await open('township', String(wangId))).toEqual({ userErrors: [], opened: true });
});

it('household(id) answers a missing id as caseOpen does: null where that is no secret, else OUT_OF_SCOPE', async () => {
  for (const who of ['province', 'city'] as const) {
    const res = await as[who](`query($id: ID!) { household(id: $id) { id } }`, { id: MISSING });
    expect({ who, errors: res.errors, household: res.data?.household }).toEqual({ who, errors: undefined, household: null });
  }
  for (const who of ['county', 'township'] as const) {
    const res = await as[who](`query($id: ID!) { household(id: $id) { id } }`, { id: MISSING });
    expect({ who, error: res.errors?.[0].extensions, household: res.data?.household ?? null }).toEqual({ who, error: expect.objectContaining({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' }), household: null });
  }
});

it('once the hub holds a household outside the city, the city is refused OUT_OF_SCOPE for a missing id too', async () => {
  const [res] = await dbs.hub.insert(household).values({ registrationNo: 'GT-0001', regionCode: '371526001001', address: '高唐县鱼邱湖街道' });
  try {
    // The same answer as for that household itself: the city cannot tell the two apart.
    expect(await open('city', String(res.insertId))).toEqual(OUT_OF_SCOPE);
    expect(await open('city', MISSING)).toEqual(OUT_OF_SCOPE);
    expect(await open('province', MISSING)).toEqual(NOT_FOUND);
  } finally {
    await dbs.hub.delete(household).where(eq(household.id, res.insertId));
  }
});
