/**
 * A record whose programme code names no programme is refused PROGRAMME_UNKNOWN alone: whether its
 * amount may be 0 is the programme's (a service such as 法律援助 carries 0, aid in money more), so
 * an unknown one says nothing of it. A justice office sending 法律援助 with its code in lower case
 * (`legal_aid`, 0 fen) was also told AMOUNT_INVALID, "aid in money is more than 0 fen", of a
 * service, and corrected an amount that was right. Against a real hub and its databases.
 */
import { makeIdNumber } from '../domain/id-number';
import { addHousehold } from './findings-scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const CLIENT = makeIdNumber('370811', '1970-07-07', 81);

const REPORT = /* GraphQL */ `
  mutation($records: [ReportedAidInput!]!) {
    aidReport(input: { records: $records, dryRun: true }) { userErrors { index code field } }
  }
`;

let dbs: TestDatabases;
let hub: TestHub;
let justice: { gql: TestHub['gql'] };

beforeAll(async () => {
  dbs = await createTestDatabases('reported_unknown_programme');
  await insertRegions(dbs);
  await addHousehold(dbs, 'F-RUP', [{ idNumber: CLIENT, name: '辰', gender: 'M', birthDate: '1970-07-07' }]);
  hub = await startTestHub(dbs, { today: TODAY });
  const j = await hub.createClient({ name: 'test-justice-unknown-programme', department: 'JUSTICE', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
  justice = hub.as({ token: j.token, purpose: 'DUPLICATE_CHECK' });
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const record = (programme: string, amountFen: number) => ({ reference: `SF-${programme}-${amountFen}`, beneficiaryIdNumber: CLIENT, programme, grantDate: TODAY, amountFen });

describe('aidReport of a programme code the catalogue does not hold', () => {
  it('is PROGRAMME_UNKNOWN alone, whatever its amount', async () => {
    const res = await justice.gql(REPORT, { records: [record('legal_aid', 0), record('NO_SUCH_AID', 0), record('NO_SUCH_AID', 50_000)] });
    expect(res.errors).toBeUndefined();
    expect(res.data.aidReport.userErrors).toEqual([
      { index: 0, code: 'PROGRAMME_UNKNOWN', field: 'programme' },
      { index: 1, code: 'PROGRAMME_UNKNOWN', field: 'programme' },
      { index: 2, code: 'PROGRAMME_UNKNOWN', field: 'programme' },
    ]);
  });

  it('still judges the amount of a known programme: money aid of 0 and a service of more than 0 are AMOUNT_INVALID', async () => {
    const res = await justice.gql(REPORT, { records: [record('LEGAL_AID', 0), record('LEGAL_AID', 100)] });
    expect(res.errors).toBeUndefined();
    expect(res.data.aidReport.userErrors).toEqual([{ index: 1, code: 'AMOUNT_INVALID', field: 'amountFen' }]);
    // Money aid of a known programme (红十字人道救助, the Red Cross's) is more than 0 fen, still.
    const u = await hub.createClient({ name: 'test-redcross-unknown-programme', department: 'RED_CROSS', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
    const money = await hub.as({ token: u.token, purpose: 'DUPLICATE_CHECK' }).gql(REPORT, { records: [record('RED_CROSS_RELIEF', 0), record('RED_CROSS_RELIEF', 50_000)] });
    expect(money.errors).toBeUndefined();
    expect(money.data.aidReport.userErrors).toEqual([{ index: 0, code: 'AMOUNT_INVALID', field: 'amountFen' }]);
  });
});
