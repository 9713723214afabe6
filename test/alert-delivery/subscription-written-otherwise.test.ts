/**
 * A subscription sent again written otherwise is the same subscription (SUBSCRIPTION_EXISTS), as a
 * repeat with its lists in another order already is (api.test.ts): the same callback URL spelt in
 * another case, with its default port, a `./` segment, an empty fragment or an empty query (`…?`:
 * node:http posts the path and `search`, '' for it; the URL the worker posts to is the same),
 * and every grade named where none was (no grade named means every grade). Each was made a second
 * subscription, and the receiver was pushed every alert twice, one copy signed with a secret it
 * never saw. A real hub server, through the API (the CLI calls the same function).
 */
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { endAlertTests, HOSTS, insertSubscribedRegions, subscriberClient, TOWNSHIP } from './scenario';

let dbs: TestDatabases;
let hub: TestHub;

const CREATE = `mutation CreateSubscription($input: AlertSubscriptionCreateInput!) {
  alertSubscriptionCreate(input: $input) { subscription { id } userErrors { code field message } }
}`;

async function create(input: Record<string, unknown>) {
  const res = await hub.gql(CREATE, { input: { client: 'written-otherwise', regionCodes: [TOWNSHIP], ...input } });
  expect(res.errors).toBeUndefined();
  return res.data.alertSubscriptionCreate;
}

async function subscriptions(): Promise<number> {
  const [[row]] = (await dbs.hubPool.query("SELECT COUNT(*) AS n FROM alert_subscription WHERE client_id = 'written-otherwise'")) as any;
  return Number(row.n);
}

beforeAll(async () => {
  dbs = await createTestDatabases('alert_written_otherwise');
  await insertSubscribedRegions(dbs.hub);
  await subscriberClient(dbs.hub, 'written-otherwise');
  hub = await startTestHub(dbs, {
    client: { name: 'written-otherwise-admin', roles: ['ADMINISTRATOR'], regionScope: '370800' },
    purpose: 'MONITORING',
    config: { callbackHosts: HOSTS, alertDelivery: { pollMs: 100, retryScheduleMs: [50], retryJitter: 0, httpTimeoutMs: 5000, batchSize: 50, concurrency: 4, callbackHosts: HOSTS } },
  });
}, 300_000);

afterAll(() => endAlertTests(hub, [], dbs), 60_000);

describe('alertSubscriptionCreate sent again written otherwise', () => {
  it('refuses the same callback URL written otherwise, and every grade named where none was, with SUBSCRIPTION_EXISTS naming the first', async () => {
    const first = await create({ callbackUrl: 'http://127.0.0.1:9/pushes' });
    expect(first.userErrors).toEqual([]);
    const id = first.subscription.id;

    for (const callbackUrl of ['HTTP://127.0.0.1:9/pushes', 'http://127.0.0.1:9/./pushes', 'http://127.0.0.1:9/in/../pushes', 'http://127.0.0.1:9/pushes#', 'http://127.0.0.1:9/pushes?', 'http://127.0.0.1:9/pushes?#']) {
      const again = await create({ callbackUrl });
      expect([callbackUrl, again.subscription, again.userErrors.map((e: any) => [e.code, e.field])]).toEqual([callbackUrl, null, [['SUBSCRIPTION_EXISTS', ['input', 'callbackUrl']]]]);
      expect(again.userErrors[0].message).toContain(`subscription ${id}`);
    }
    const everyGrade = await create({ callbackUrl: 'http://127.0.0.1:9/pushes', grades: ['YELLOW', 'RED', 'ORANGE'] });
    expect(everyGrade.userErrors.map((e: any) => e.code)).toEqual(['SUBSCRIPTION_EXISTS']);
    expect(await subscriptions()).toBe(1);

    // The default port written out is the same receiver too; another path or fewer grades is another subscription.
    const https = await create({ callbackUrl: 'https://127.0.0.1/secure' });
    expect(https.userErrors).toEqual([]);
    expect((await create({ callbackUrl: 'https://127.0.0.1:443/secure' })).userErrors.map((e: any) => e.code)).toEqual(['SUBSCRIPTION_EXISTS']);
    expect((await create({ callbackUrl: 'http://127.0.0.1:9/other' })).userErrors).toEqual([]);
    expect((await create({ callbackUrl: 'http://127.0.0.1:9/pushes', grades: ['RED', 'ORANGE'] })).userErrors).toEqual([]);
    expect(await subscriptions()).toBe(4);
  });
});
