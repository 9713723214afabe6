/**
 * Before paying medical aid (医疗救助) for a stay, medical insurance checks that the patient is in a
 * group it covers: 低保 and 特困 (their aid, `Person.aid`), and the monitored low-income population
 * on civil affairs' roll (低保边缘家庭, 刚性支出困难家庭, 易返贫致贫人口). The roll was read by
 * monitoring only: no part of the API told an office whether someone was on it, so the office had to
 * ask the applicant for papers the hub holds. `Person.monitoredLowIncome` gives the periods, never
 * the category, in the caller's scope only.
 */
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertResident, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let onRoll: string;
let never: string;
let county: { gql: TestHub['gql'] };
let otherCounty: { gql: TestHub['gql'] };

beforeAll(async () => {
  dbs = await createTestDatabases('person_monitored');
  await insertRegions(dbs);
  onRoll = (await insertResident(dbs, { prefix: 'MLI', seq: 41, birthDate: '1958-04-04' })).idNumber;
  never = (await insertResident(dbs, { prefix: 'MLI', seq: 43, birthDate: '1961-06-06' })).idNumber;
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'monitoredRoll', [
    // 低保边缘 from 2024-03-01, taken off on 2025-07-01: on the roll through 2025-06-30.
    { idNo: onRoll, countyCode: '370811', jclb: '01', nrrq: '2024-03-01', tcrq: '2025-07-01' },
    // Back on it since 2026-01-10 under a category code civil affairs does not document: on the roll all the same.
    { idNo: onRoll, countyCode: '370811', jclb: '99', nrrq: '2026-01-10' },
    // Taken off the day it was entered: never on it.
    { idNo: onRoll, countyCode: '370811', jclb: '03', nrrq: '2023-05-05', tcrq: '2023-05-05' },
  ]);
  hub = await startTestHub(dbs, { today: TODAY });
  county = hub.as({ token: (await hub.createClient({ name: 'rc-health', department: 'HEALTH', regionScope: '370811', roles: ['READER', 'DEPARTMENT_WRITER'] })).token, purpose: 'ELIGIBILITY_REVIEW' });
  otherCounty = hub.as({ token: (await hub.createClient({ name: 'zc-health', department: 'HEALTH', regionScope: '370883', roles: ['READER', 'DEPARTMENT_WRITER'] })).token, purpose: 'DUPLICATE_CHECK' });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const Q = `query($n: String!) { person(idNumber: $n) { monitoredLowIncome { start end } } }`;

describe('Person.monitoredLowIncome', () => {
  it('gives the county office the periods on the roll, newest first, the last day the day before the one taken off', async () => {
    const res = await county.gql(Q, { n: onRoll.toLowerCase() });
    expect(res.errors).toBeUndefined();
    expect(res.data.person.monitoredLowIncome).toEqual([
      { start: '2026-01-10', end: null },
      { start: '2024-03-01', end: '2025-06-30' },
    ]);
  });

  it('is empty for someone never on it', async () => {
    const res = await county.gql(Q, { n: never });
    expect(res.errors).toBeUndefined();
    expect(res.data.person.monitoredLowIncome).toEqual([]);
  });

  it('is not shown to a duplicate check from outside the scope', async () => {
    const res = await otherCounty.gql(Q, { n: onRoll });
    expect(res.errors?.map((e) => [e.path?.join('.'), e.extensions?.code, e.extensions?.reason])).toEqual([['person.monitoredLowIncome', 'FORBIDDEN', 'LIMITED_VIEW']]);
  });
});
