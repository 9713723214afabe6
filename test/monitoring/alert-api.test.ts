/**
 * The alert API's rough edges, through the real server. The inbox's trigger filter refuses an
 * unknown trigger id as a subscription does (TRIGGER_NOT_FOUND), where it listed nothing.
 */
import { openOrRaiseAlerts } from '../../db/monitoring/store';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let serial = 0;

const NOW = new Date(`${TODAY}T10:00:00+08:00`);
const TOWNSHIP = WANG.regionCode.slice(0, 9);

/** A new open alert of the Wang household's township, as the change feed opens one. */
async function openAlert(subject = WANG.head): Promise<string> {
  serial += 1;
  const [change] = await dbs.hub.transaction((tx) =>
    openOrRaiseAlerts(
      tx,
      [
        {
          identity: `alert-api-${serial}`.padEnd(40, '0'),
          triggerId: 'T4_JOB_LOSS',
          grade: 'YELLOW',
          subjectIdNumber: subject,
          householdId: wangId,
          regionCode: WANG.regionCode,
          townshipCode: TOWNSHIP,
          verifierOffice: TOWNSHIP,
          monitored: false,
          evidence: ['失业登记'],
          evidenceRefs: [],
          measure: 1,
          firstClueOn: TODAY,
          acknowledgeBy: TODAY,
          verifyBy: '2026-03-30',
          provisional: false,
        },
      ],
      'POLL',
      NOW,
    ),
  );
  return String(change.alert.id);
}

beforeAll(async () => {
  dbs = await createTestDatabases('alert_api');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: TOWNSHIP, roles: ['READER', 'CASEWORKER'] } });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('the inbox’s trigger filter', () => {
  it('refuses a trigger id that is no trigger of the set, as a subscription does, rather than list nothing', async () => {
    await openAlert();
    const known = await hub.gql(`{ alerts(filter: { triggers: ["T4_JOB_LOSS"] }) { edges { node { trigger { id } } } } }`);
    expect(known.errors).toBeUndefined();
    expect(known.data.alerts.edges.length).toBeGreaterThan(0);
    const typo = await hub.gql(`{ alerts(filter: { triggers: ["T4_JOB_LOSS", "T4_JOBLOSS"] }) { edges { node { id } } } }`);
    expect(typo.data).toBeNull();
    expect(typo.errors).toHaveLength(1);
    expect(typo.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TRIGGER_NOT_FOUND', argument: 'filter.triggers' });
    // The subscription's words (resolvers/alert-delivery/subscriptions.ts), naming the unknown ids only.
    expect(typo.errors?.[0].message).toBe('not a trigger of the trigger set in force: T4_JOBLOSS');
  });
});

