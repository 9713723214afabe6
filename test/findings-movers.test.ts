/**
 * The household rules X4 (public rental and rent subsidy in one household) and X5 (temporary aid
 * for one cause twice in 12 months in one household) for a person who moved between households,
 * through a real hub over real department databases: the pre-grant check and a region scan.
 *
 * Aid stays with the household its beneficiary was in when it was paid (domain/findings/
 * attribution.ts): the mover's grant from before the move counts in the old household, not in the
 * new; their grant after it in the new. A recurring proposal whose period starts before the move was
 * judged in the old household alone (the one they were in on its first day), so the new
 * household's rent subsidy went unseen for the months the proposal runs there; it is judged in
 * every household it runs in, each for the days spent there.
 */
import { household, householdMember, person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { housingScenario } from '../federation/housing/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { scanToEnd } from './support/scan';
import { insertRegions, TODAY } from './support/scenarios';

const VILLAGE = '370811001001';
/** The first day the mover is in the new household (and no longer in the old). TODAY is 2026-03-15. */
const MOVED_ON = '2026-03-10';

const MOVER = makeIdNumber('370811', '1986-04-04', 301);
/** Stays in the old household; holds a rent subsidy there. */
const OLD_HEAD = makeIdNumber('370811', '1958-05-05', 303);
/** Head of the new household; holds a rent subsidy there. */
const NEW_HEAD = makeIdNumber('370811', '1984-06-06', 305);

let dbs: TestDatabases;
let hub: TestHub;
let oldHousehold: number;
let newHousehold: number;
/** Source references of the aid, by what it is. */
const ref: Record<string, string> = {};

async function addHousehold(registrationNo: string): Promise<number> {
  const [res] = await dbs.hub.insert(household).values({ registrationNo, regionCode: VILLAGE, address: `古槐街道 ${registrationNo}` });
  return res.insertId;
}

async function housing(key: string, applicant: string, allocType: 'SW' | 'BT', startDate: string, endDate: string | null): Promise<void> {
  await housingScenario.insert(dbs.sources.HOUSING, 'rentalApplications', { appNo: `GZF-MV-${key}`, applicantIdCard: applicant, familySize: 2, regionCode: VILLAGE, applyDate: '2023-01-01', appStatus: 30 });
  const [r] = await housingScenario.insert(dbs.sources.HOUSING, 'rentalAllocations', [{ appNo: `GZF-MV-${key}`, allocType, monthlyFen: 40_000, startDate, endDate }]);
  ref[key] = r;
}

async function tempAid(key: string, idNo: string, grantDate: string): Promise<void> {
  const [r] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo, causeCode: '01', grantDate, amountFen: 200_000, approvalLevel: 1 }]);
  ref[key] = r;
}

beforeAll(async () => {
  dbs = await createTestDatabases('movers');
  await insertRegions(dbs);
  oldHousehold = await addHousehold('F-MV-OLD');
  newHousehold = await addHousehold('F-MV-NEW');
  await dbs.hub.insert(person).values([
    { idNumber: MOVER, name: '迁', gender: 'M', birthDate: '1986-04-04', deathDate: null },
    { idNumber: OLD_HEAD, name: '旧', gender: 'F', birthDate: '1958-05-05', deathDate: null },
    { idNumber: NEW_HEAD, name: '新', gender: 'F', birthDate: '1984-06-06', deathDate: null },
  ]);
  await dbs.hub.insert(householdMember).values([
    { householdId: oldHousehold, idNumber: OLD_HEAD, relation: 'HEAD', joinedOn: '2000-01-01' },
    { householdId: oldHousehold, idNumber: MOVER, relation: 'CHILD', joinedOn: '2000-01-01', leftOn: MOVED_ON },
    { householdId: newHousehold, idNumber: NEW_HEAD, relation: 'HEAD', joinedOn: '2010-01-01' },
    { householdId: newHousehold, idNumber: MOVER, relation: 'SPOUSE', joinedOn: MOVED_ON },
  ]);
  // X4: the old household held a flat (in the mover's name, handed back when he left) and a rent
  // subsidy at once; the new household holds a rent subsidy.
  await housing('moverFlat', MOVER, 'SW', '2024-01-01', '2026-03-09');
  await housing('oldSubsidy', OLD_HEAD, 'BT', '2025-06-01', null);
  await housing('newSubsidy', NEW_HEAD, 'BT', '2025-01-01', null);
  // X5 (illness): the mover was aided in the old household in January, and in the new one after
  // the move; the old head in February, the new head in December.
  await tempAid('moverBefore', MOVER, '2026-01-10');
  await tempAid('oldHeadFeb', OLD_HEAD, '2026-02-20');
  await tempAid('newHeadDec', NEW_HEAD, '2025-12-01');
  await tempAid('moverAfter', MOVER, '2026-03-12');
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const CHECK = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { findings {
  rule { id } records { sourceReference beneficiary { idNumber } }
  measure { __typename ... on PeriodOverlap { start end } ... on RepeatedGrants { count } } } } }`;

/** The pre-grant check's findings of one rule, each as its records' references (PROPOSED for the proposal) and measure. */
async function check(ruleId: string, input: Record<string, unknown>): Promise<{ records: string[]; measure: Record<string, unknown> }[]> {
  const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { amountFen: 40_000, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data.preGrantCheck.findings
    .filter((f: any) => f.rule.id === ruleId)
    .map((f: any) => ({ records: f.records.map((r: any) => r.sourceReference).sort(), measure: f.measure }))
    .sort((a: any, b: any) => (a.measure.start ?? '').localeCompare(b.measure.start ?? ''));
}

const sorted = (...refs: string[]) => [...refs].sort();

describe('X4 pre-grant check for a public-rental flat to the mover', () => {
  it('starting before the move: judged in both households, each for the days spent in it', async () => {
    expect(await check('X4', { beneficiaryIdNumber: MOVER, programme: 'PUBLIC_RENTAL', periodStart: '2026-03-01' })).toEqual([
      { records: sorted('PROPOSED', ref.oldSubsidy), measure: { __typename: 'PeriodOverlap', start: '2026-03-01', end: '2026-03-09' } },
      // Missed before: the proposal was judged in the old household alone.
      { records: sorted('PROPOSED', ref.newSubsidy), measure: { __typename: 'PeriodOverlap', start: MOVED_ON, end: null } },
    ]);
  });

  it('starting after the move: the new household’s subsidy only, not the old one’s', async () => {
    expect(await check('X4', { beneficiaryIdNumber: MOVER, programme: 'PUBLIC_RENTAL', periodStart: '2026-04-01' })).toEqual([
      { records: sorted('PROPOSED', ref.newSubsidy), measure: { __typename: 'PeriodOverlap', start: '2026-04-01', end: null } },
    ]);
  });

  it('ending before the move: the old household’s subsidy only, not the new one’s', async () => {
    expect(await check('X4', { beneficiaryIdNumber: MOVER, programme: 'PUBLIC_RENTAL', periodStart: '2025-01-01', periodEnd: '2026-02-28' })).toEqual([
      { records: sorted('PROPOSED', ref.oldSubsidy), measure: { __typename: 'PeriodOverlap', start: '2025-06-01', end: '2026-02-28' } },
    ]);
  });
});

describe('X5 pre-grant check for temporary aid (illness)', () => {
  it('to the mover: the new household’s grants, without his grant from the old one', async () => {
    expect(await check('X5', { beneficiaryIdNumber: MOVER, programme: 'TEMP_AID', grantDate: TODAY, cause: 'ILLNESS' })).toEqual([
      { records: sorted('PROPOSED', ref.newHeadDec, ref.moverAfter), measure: { __typename: 'RepeatedGrants', count: 3 } },
    ]);
  });

  it('to the old head: the old household’s grants, the mover’s from before the move among them', async () => {
    expect(await check('X5', { beneficiaryIdNumber: OLD_HEAD, programme: 'TEMP_AID', grantDate: TODAY, cause: 'ILLNESS' })).toEqual([
      { records: sorted('PROPOSED', ref.moverBefore, ref.oldHeadFeb), measure: { __typename: 'RepeatedGrants', count: 3 } },
    ]);
  });

  it('to the mover, dated before the move: judged in the old household', async () => {
    expect(await check('X5', { beneficiaryIdNumber: MOVER, programme: 'TEMP_AID', grantDate: '2026-03-01', cause: 'ILLNESS' })).toEqual([
      { records: sorted('PROPOSED', ref.moverBefore, ref.oldHeadFeb), measure: { __typename: 'RepeatedGrants', count: 3 } },
    ]);
  });
});

describe('a scan of the county', () => {
  it('reports each household’s X4 and X5 with the aid paid while the mover was its member', async () => {
    const scan = await scanToEnd(hub, '370811', 'rule { id } household { id } records { sourceReference }');
    const found = scan.findings.edges
      .map((e: any) => e.node)
      .filter((f: any) => ['X4', 'X5'].includes(f.rule.id))
      .map((f: any) => ({ rule: f.rule.id, household: Number(f.household.id), records: f.records.map((r: any) => r.sourceReference).sort() }))
      .sort((a: any, b: any) => a.household - b.household || a.rule.localeCompare(b.rule));
    expect(found).toEqual([
      { rule: 'X4', household: oldHousehold, records: sorted(ref.moverFlat, ref.oldSubsidy) },
      { rule: 'X5', household: oldHousehold, records: sorted(ref.moverBefore, ref.oldHeadFeb) },
      { rule: 'X5', household: newHousehold, records: sorted(ref.newHeadDec, ref.moverAfter) },
    ]);
  }, 120_000);
});
