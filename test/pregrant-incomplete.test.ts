/**
 * The pre-grant check when a department it needs does not answer, through a real hub over real
 * databases with the department's database really gone (a port nothing listens on): the answer
 * is not clear, since it may miss the conflict that department holds. The Wang household's spouse
 * holds a 护理补贴 (DISABILITY_NURSING) on the disability federation's books: proposing it again is
 * X9, which only that department's data can show.
 */
import { freePort } from '../db/setup/private-server';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const CHECK = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear complete conflicts warnings consulted { code } findings { rule { id } } } }`;

let dbs: TestDatabases;
/** Every department answers. */
let hub: TestHub;
/** The disability federation's and medical insurance's databases are unreachable. */
let partial: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('pregrant_incomplete');
  await insertRegions(dbs);
  await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
  const deadPort = await freePort();
  const nowhere = { url: `mysql://root@127.0.0.1:${deadPort}/nowhere` };
  partial = await startTestHub(dbs, { today: TODAY, sources: { DISABILITY: nowhere, HEALTH: nowhere } });
});

afterAll(async () => {
  await partial?.close();
  await hub?.close();
  await dbs?.close();
});

const unavailableDepartments = (res: { errors?: { extensions?: Record<string, any> }[] }) =>
  (res.errors ?? []).filter((e) => e.extensions?.code === 'DEPARTMENT_UNAVAILABLE').map((e) => e.extensions!.department).sort();

describe('preGrantCheck without a department it needs', () => {
  const nursingAgain = { beneficiaryIdNumber: WANG.spouse, programme: 'DISABILITY_NURSING', periodStart: TODAY, amountFen: 10_000 };

  it('finds the duplicate when the department answers', async () => {
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: nursingAgain });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toMatchObject({ clear: false, complete: true, conflicts: 1, findings: [{ rule: { id: 'X9' } }] });
  });

  it('is not clear when the department does not answer, though it found nothing', async () => {
    const res = await partial.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: nursingAgain });
    expect(unavailableDepartments(res)).toEqual(['DISABILITY']);
    const check = res.data.preGrantCheck;
    expect(check.consulted.map((d: { code: string }) => d.code)).toContain('DISABILITY');
    // It was clear: true beside complete: false, and a system reading clear would grant the duplicate.
    expect(check).toMatchObject({ complete: false, clear: false, conflicts: 0, warnings: 0, findings: [] });
  });

  it('stays clear for a grant that needs none of the departments down', async () => {
    // Temporary aid reads civil affairs alone: nothing is missing from its answer.
    const res = await partial.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { beneficiaryIdNumber: WANG.head, programme: 'TEMP_AID', cause: 'ACCIDENT', grantDate: TODAY, amountFen: 10_000 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toMatchObject({ complete: true, clear: true, consulted: [{ code: 'CIVIL_AFFAIRS' }] });
  });
});
