/**
 * Subscriptions and dead letters through the GraphQL API (issue 11, "a GraphQL mutation for
 * administrators"; dead letters "visible and replayable through the API"): a real hub server with
 * its delivery worker, real receivers on 127.0.0.1, and alerts written into the outbox through the
 * real interface (scenario.ts). The mutations call the same functions as `npm run subscriptions`
 * (cli.test.ts), so the refusals are the CLI's codes.
 */
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { freePort } from '../../db/setup/private-server';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { until } from '../support/until';
import { startTestHub, type TestHub } from '../support/hub';
import { household } from '../../db/household/schema';
import { endAlertTest, endAlertTests, HOSTS, insertSubscribedRegions, raise, subscriberClient, syntheticAlert, TOWNSHIP } from './scenario';

let dbs: TestDatabases;
let hub: TestHub;
const receivers: AlertReceiver[] = [];

const SUBSCRIPTION = `id client callbackUrl regions { code } grades triggerIds state createdBy revokedAt deliveries { pending delivered dead }`;
const DELIVERY = `deliveryId alertId event state attempts lastStatus lastError subscription { id }`;
const CREATE = `mutation CreateSubscription($input: AlertSubscriptionCreateInput!) {
  alertSubscriptionCreate(input: $input) { subscription { ${SUBSCRIPTION} } secret userErrors { code message field } }
}`;
const REVOKE = `mutation RevokeSubscription($id: ID!) {
  alertSubscriptionRevoke(input: { subscriptionId: $id }) { subscription { ${SUBSCRIPTION} } userErrors { code field } }
}`;
const REPLAY = `mutation Replay($input: AlertDeliveryReplayInput!) {
  alertDeliveryReplay(input: $input) { replayed { ${DELIVERY} } unchanged { ${DELIVERY} } userErrors { code field } }
}`;
const SUBSCRIPTIONS = `query Subscriptions($filter: AlertSubscriptionFilter, $first: Int, $after: String) {
  alertSubscriptions(filter: $filter, first: $first, after: $after) { edges { cursor node { ${SUBSCRIPTION} } } pageInfo { hasNextPage endCursor } }
}`;
const DEAD_LETTERS = `query DeadLetters($subscriptionId: ID, $first: Int, $after: String) {
  alertDeadLetters(subscriptionId: $subscriptionId, first: $first, after: $after) { edges { cursor node { ${DELIVERY} } } pageInfo { hasNextPage endCursor } }
}`;

/** Villages of the township, 12 digits each: 77 take 1,000 characters comma-separated. */
const villages = (n: number) => Array.from({ length: n }, (_, i) => `${TOWNSHIP}${String(i + 1).padStart(3, '0')}`);
/** A village of the township with a household and no region row of its own. */
const VILLAGE_OF_HOUSEHOLDS = `${TOWNSHIP}201`;

async function receiver(...args: Parameters<typeof startAlertReceiver>): Promise<AlertReceiver> {
  const r = await startAlertReceiver(...args);
  receivers.push(r);
  return r;
}

/** Creates a subscription through the API as the hub's administrator; fails the test if refused. */
async function create(input: Record<string, unknown>): Promise<{ id: string; secret: string; subscription: any }> {
  const res = await hub.gql(CREATE, { input: { client: 'rencheng-alerts', regionCodes: [TOWNSHIP], ...input } });
  expect(res.errors).toBeUndefined();
  const out = res.data.alertSubscriptionCreate;
  expect(out.userErrors).toEqual([]);
  return { id: out.subscription.id, secret: out.secret, subscription: out.subscription };
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [[row]] = (await dbs.hubPool.query(sql, params)) as any;
  return Number(row.n);
}

beforeAll(async () => {
  dbs = await createTestDatabases('alert_api');
  await insertSubscribedRegions(dbs.hub, villages(77));
  await dbs.hub.insert(household).values({ registrationNo: 'ALERT-API-1', regionCode: VILLAGE_OF_HOUSEHOLDS, address: '任城区古槐街道' });
  await subscriberClient(dbs.hub, 'rencheng-alerts');
  hub = await startTestHub(dbs, {
    client: { name: 'api-test-admin', roles: ['ADMINISTRATOR'], regionScope: '370800' },
    purpose: 'MONITORING',
    config: {
      callbackHosts: HOSTS,
      // A push that is never answered ends after 5 s; a receiver that is down is a dead letter after 4 attempts.
      alertDelivery: { pollMs: 100, retryScheduleMs: [50, 50, 50], retryJitter: 0, httpTimeoutMs: 5000, batchSize: 50, concurrency: 8, callbackHosts: HOSTS },
    },
  });
}, 300_000);

// Each test starts from no active subscription: an alert goes only to the test's own.
afterEach(() => endAlertTest(dbs.hub, receivers), 60_000);

afterAll(() => endAlertTests(hub, receivers, dbs), 60_000);

describe('alertSubscriptionCreate', () => {
  it('subscribes a receiver that then gets a matching alert, signed with the secret the mutation returned and never shown again', async () => {
    const r = await receiver(() => 200);
    // The receiver takes a key of its own in the query string: pushed to, never shown again.
    const made = await create({ callbackUrl: `${r.url}?key=rx-k3y-77&site=rencheng`, grades: ['RED'] });
    expect(made.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(made.subscription).toMatchObject({ client: 'rencheng-alerts', callbackUrl: `${r.url}?key=***&site=***`, regions: [{ code: TOWNSHIP }], grades: ['RED'], triggerIds: [], state: 'ACTIVE', createdBy: 'api-test-admin', revokedAt: null });
    r.setSecret(made.secret);

    const red = syntheticAlert();
    const yellow = syntheticAlert({ grade: 'YELLOW' });
    await raise(dbs.hub, red);
    await raise(dbs.hub, yellow);
    await r.waitFor(1);
    const [row] = await until('delivered', () => deliveriesOfAlert(dbs.hub, red.alertId), ([d]) => d?.state === 'DELIVERED');
    expect(r.pushes).toHaveLength(1);
    expect(r.pushes[0]).toMatchObject({ deliveryId: row.deliveryId, signatureValid: true, answered: 200 });
    expect(r.pushes[0].path).toBe(`${new URL(r.url).pathname}?key=rx-k3y-77&site=rencheng`);
    expect(r.pushes[0].body.alert.id).toBe(red.alertId);
    expect(await deliveriesOfAlert(dbs.hub, yellow.alertId)).toEqual([]);

    // Listed with its counts; the secret appears in no answer but the creating one.
    const listed = await hub.gql(SUBSCRIPTIONS, { filter: { client: 'rencheng-alerts', states: ['ACTIVE'] } });
    expect(listed.errors).toBeUndefined();
    const node = listed.data.alertSubscriptions.edges.find((e: any) => e.node.id === made.id)?.node;
    expect(node.deliveries).toEqual({ pending: 0, delivered: 1, dead: 0 });
    expect(JSON.stringify(listed)).not.toContain(made.secret);
    expect(node.callbackUrl).toBe(`${r.url}?key=***&site=***`);
    expect(JSON.stringify(listed)).not.toContain('rx-k3y-77');
    const introspected = await hub.gql(`{ __type(name: "AlertSubscription") { fields { name } } }`);
    expect(introspected.data.__type.fields.map((f: any) => f.name)).not.toContain('secret');
  }, 180_000);

  it('refuses what the CLI refuses, with its stable codes, and writes nothing', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM alert_subscription');
    const refused = async (input: Record<string, unknown>) => {
      const res = await hub.gql(CREATE, { input: { client: 'rencheng-alerts', callbackUrl: 'http://127.0.0.1:9/x', regionCodes: [TOWNSHIP], ...input } });
      expect(res.errors).toBeUndefined();
      expect(res.data.alertSubscriptionCreate).toMatchObject({ subscription: null, secret: null });
      return res.data.alertSubscriptionCreate.userErrors.map((e: any) => [e.code, e.field.join('.')]);
    };
    expect(await refused({ callbackUrl: 'http://169.254.169.254/latest/meta-data' })).toEqual([['CALLBACK_HOST_NOT_ALLOWED', 'input.callbackUrl']]);
    expect(await refused({ callbackUrl: 'http://alerts.example.gov.cn/aidhub' })).toEqual([['CALLBACK_HOST_NOT_ALLOWED', 'input.callbackUrl']]);
    expect(await refused({ callbackUrl: 'file:///etc/passwd' })).toEqual([['CALLBACK_URL_INVALID', 'input.callbackUrl']]);
    // Port 0 reaches nothing, though the test's allow-list admits every port of 127.0.0.1: a
    // subscription to it was made, and each of its pushes failed to connect until a dead letter.
    expect(await refused({ callbackUrl: 'http://127.0.0.1:0/alerts' })).toEqual([['CALLBACK_URL_INVALID', 'input.callbackUrl']]);
    expect(await refused({ callbackUrl: 'http://127.0.0.1:00/alerts' })).toEqual([['CALLBACK_URL_INVALID', 'input.callbackUrl']]);
    // Longer than the 500 characters a subscription keeps (it used to reach the database and fail there).
    const longUrl = (n: number) => `http://127.0.0.1:9/${'x'.repeat(n - 'http://127.0.0.1:9/'.length)}`;
    expect(await refused({ callbackUrl: longUrl(501) })).toEqual([['CALLBACK_URL_INVALID', 'input.callbackUrl']]);
    expect(await refused({ client: 'nobody' })).toEqual([['CLIENT_NOT_FOUND', 'input.client']]);
    // A client expired (by the database's clock) or revoked reads no alert with its token and is pushed
    // none: a subscription for it would be made and never deliver a word.
    const { name: expired } = await hub.createClient({ department: 'CIVIL_AFFAIRS', roles: ['READER'], regionScope: '370811' });
    await dbs.hubPool.query('UPDATE api_client SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE WHERE name = ?', [expired]);
    expect(await refused({ client: expired })).toEqual([['CLIENT_EXPIRED', 'input.client']]);
    const { name: revoked } = await hub.createClient({ department: 'CIVIL_AFFAIRS', roles: ['READER'], regionScope: '370811' });
    await dbs.hubPool.query('UPDATE api_client SET revoked_at = UTC_TIMESTAMP(3) WHERE name = ?', [revoked]);
    expect(await refused({ client: revoked })).toEqual([['CLIENT_REVOKED', 'input.client']]);
    // A client that may not read alerts is told of none: a push names a person's alert (masked ID
    // number, village, trigger), which a charity, an auditor or a slip-answering office may not read.
    for (const [department, roles] of [['CHARITY', ['CHARITY']], ['CHARITY', ['DEPARTMENT_WRITER']], ['CIVIL_AFFAIRS', ['AUDITOR']], ['CIVIL_AFFAIRS', ['ADMINISTRATOR']], ['HEALTH', ['REFERRAL_HANDLER']]] as const) {
      const { name } = await hub.createClient({ department, roles, regionScope: '370811' });
      expect(await refused({ client: name })).toEqual([['CLIENT_READS_NO_ALERTS', 'input.client']]);
    }
    expect(await refused({ regionCodes: ['37081'] })).toEqual([['REGION_INVALID', 'input.regionCodes']]);
    // Within the administrator's scope (the city), outside the client's (任城区).
    expect(await refused({ regionCodes: ['370812'] })).toEqual([['REGION_OUTSIDE_CLIENT_SCOPE', 'input.regionCodes']]);
    expect(await refused({ triggerIds: ['T1; DROP TABLE x'] })).toEqual([['TRIGGER_INVALID', 'input.triggerIds']]);
    expect(await count('SELECT COUNT(*) AS n FROM alert_subscription')).toBe(before);
  });

  it('refuses a trigger id that is no trigger of the set in force, naming the unknown ones, and writes nothing', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM alert_subscription');
    // A typo beside a real trigger: the whole subscription is refused, not created with the one that exists.
    const res = await hub.gql(CREATE, { input: { client: 'rencheng-alerts', callbackUrl: 'http://127.0.0.1:9/x', regionCodes: [TOWNSHIP], triggerIds: ['T1_SETTLEMENT_OOP', 'T1_SETTLEMENT_OPP', 'T9_NO_SUCH'] } });
    expect(res.errors).toBeUndefined();
    expect(res.data.alertSubscriptionCreate).toMatchObject({ subscription: null, secret: null });
    const [error] = res.data.alertSubscriptionCreate.userErrors;
    expect(res.data.alertSubscriptionCreate.userErrors).toHaveLength(1);
    expect([error.code, error.field]).toEqual(['TRIGGER_NOT_FOUND', ['input', 'triggerIds']]);
    expect(error.message).toContain('T1_SETTLEMENT_OPP');
    expect(error.message).toContain('T9_NO_SUCH');
    expect(error.message).not.toContain('T1_SETTLEMENT_OOP');
    expect(await count('SELECT COUNT(*) AS n FROM alert_subscription')).toBe(before);

    // Triggers that exist (T6 is a RULE trigger) are taken, and kept as named.
    const made = await create({ callbackUrl: 'http://127.0.0.1:9/x', triggerIds: ['T1_SETTLEMENT_OOP', 'T6_STUDENT_NO_AID'] });
    expect(made.subscription.triggerIds).toEqual(['T1_SETTLEMENT_OOP', 'T6_STUDENT_NO_AID']);
    expect(await count('SELECT COUNT(*) AS n FROM alert_subscription')).toBe(before + 1);
  });

  // The outbox pushes a client of another department than civil affairs only the alerts that concern
  // it (alertConcerns): education is neither T1's verifier (a township) nor the source of its
  // evidence (health's settlements), so such a subscription was made and never pushed a word.
  it('refuses a trigger none of whose alerts the client reads, naming it, and writes nothing', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM alert_subscription');
    const education = (await hub.createClient({ department: 'EDUCATION', roles: ['READER'], regionScope: '370811' })).name;
    const res = await hub.gql(CREATE, { input: { client: education, callbackUrl: 'http://127.0.0.1:9/edu', regionCodes: [TOWNSHIP], triggerIds: ['T1_SETTLEMENT_OOP', 'T6_STUDENT_NO_AID'] } });
    expect(res.errors).toBeUndefined();
    expect(res.data.alertSubscriptionCreate).toMatchObject({ subscription: null, secret: null });
    expect(res.data.alertSubscriptionCreate.userErrors.map((e: any) => [e.code, e.field.join('.')])).toEqual([['TRIGGER_NOT_READABLE', 'input.triggerIds']]);
    expect(res.data.alertSubscriptionCreate.userErrors[0].message).toContain('T1_SETTLEMENT_OOP');
    expect(res.data.alertSubscriptionCreate.userErrors[0].message).not.toContain('T6_STUDENT_NO_AID');
    expect(await count('SELECT COUNT(*) AS n FROM alert_subscription')).toBe(before);
    // A rule's trigger (its evidence may be education's records) and every trigger (none named) are taken;
    // so is T1 for health, whose settlements it is raised from.
    expect((await create({ client: education, callbackUrl: 'http://127.0.0.1:9/edu', triggerIds: ['T6_STUDENT_NO_AID'] })).subscription.triggerIds).toEqual(['T6_STUDENT_NO_AID']);
    expect((await create({ client: education, callbackUrl: 'http://127.0.0.1:9/edu-all' })).subscription.triggerIds).toEqual([]);
    const health = (await hub.createClient({ department: 'HEALTH', roles: ['READER'], regionScope: '370811' })).name;
    expect((await create({ client: health, callbackUrl: 'http://127.0.0.1:9/health', triggerIds: ['T1_SETTLEMENT_OOP'] })).subscription.triggerIds).toEqual(['T1_SETTLEMENT_OOP']);
  });

  it('refuses more regions than a subscription keeps with REGION_INVALID, and keeps as many as fit', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM alert_subscription');
    // 78 villages take more than the 1,000 characters a subscription keeps (they reached the INSERT
    // and failed there: INTERNAL_SERVER_ERROR).
    const res = await hub.gql(CREATE, { input: { client: 'rencheng-alerts', callbackUrl: 'http://127.0.0.1:9/villages', regionCodes: villages(78) } });
    expect(res.errors).toBeUndefined();
    expect(res.data.alertSubscriptionCreate).toMatchObject({ subscription: null, secret: null });
    expect(res.data.alertSubscriptionCreate.userErrors.map((e: any) => [e.code, e.field.join('.')])).toEqual([['REGION_INVALID', 'input.regionCodes']]);
    expect(await count('SELECT COUNT(*) AS n FROM alert_subscription')).toBe(before);
    const made = await create({ callbackUrl: 'http://127.0.0.1:9/villages', regionCodes: villages(77) });
    expect(made.subscription.regions).toHaveLength(77);
  });
});

describe('a region the hub holds nothing of', () => {
  it('is refused with REGION_UNKNOWN naming it, and nothing is written; a village known by its households alone is taken', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM alert_subscription');
    const refused = async (regionCodes: string[]) => {
      const res = await hub.gql(CREATE, { input: { client: 'rencheng-alerts', callbackUrl: 'http://127.0.0.1:9/unknown', regionCodes } });
      expect(res.errors).toBeUndefined();
      expect(res.data.alertSubscriptionCreate).toMatchObject({ subscription: null, secret: null });
      return res.data.alertSubscriptionCreate.userErrors.map((e: any) => [e.code, e.field.join('.'), e.message]);
    };
    // A typo'd township of 任城区, and a village of a known township with no household and no row:
    // well-formed, within every scope, and a subscription that would never be pushed a word.
    for (const typo of ['370811999', `${TOWNSHIP}999`]) {
      expect(await refused([TOWNSHIP, typo])).toEqual([['REGION_UNKNOWN', 'input.regionCodes', expect.stringContaining(typo)]]);
    }
    expect((await refused(['370811999']))[0][2]).not.toContain(TOWNSHIP);
    expect(await count('SELECT COUNT(*) AS n FROM alert_subscription')).toBe(before);
    // Known as every region filter knows a division: by a region row, or by the households under it.
    const made = await create({ callbackUrl: 'http://127.0.0.1:9/known', regionCodes: [VILLAGE_OF_HOUSEHOLDS, `${TOWNSHIP}001`, '370811'] });
    expect(made.subscription.regions.map((r: any) => r.code)).toEqual([VILLAGE_OF_HOUSEHOLDS, `${TOWNSHIP}001`, '370811']);
  });
});

describe('the regions of a subscription judged', () => {
  it('in as many statements for 60 regions as for one, taken or refused (inside the create’s locking transaction)', async () => {
    const statements = async (regionCodes: string[], path: string, code: string | null) => {
      const res = await hub.gql(CREATE, { input: { client: 'rencheng-alerts', callbackUrl: `http://127.0.0.1:9/${path}`, regionCodes } });
      expect(res.data.alertSubscriptionCreate.userErrors.map((e: any) => e.code)).toEqual(code ? [code] : []);
      return res.extensions?.sqlStatements?.bySource;
    };
    // A village known by its households alone, alone and beside 59 with region rows: the region
    // rows of them all, then the households of the rest, whatever their number.
    const one = await statements([VILLAGE_OF_HOUSEHOLDS], 'statements-1', null);
    expect(one?.HUB).toBeGreaterThan(0);
    expect(await statements([...villages(59), VILLAGE_OF_HOUSEHOLDS], 'statements-60', null)).toEqual(one);
    const typo = `${TOWNSHIP}999`;
    const refusedOne = await statements([typo], 'statements-refused', 'REGION_UNKNOWN');
    expect(await statements([...villages(59), typo], 'statements-refused', 'REGION_UNKNOWN')).toEqual(refusedOne);
  });
});

describe('a repeated alertSubscriptionCreate', () => {
  it('creates one subscription, even sent four times at once, and refuses the repeats with SUBSCRIPTION_EXISTS naming it', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM alert_subscription');
    const input = { client: 'rencheng-alerts', callbackUrl: 'http://127.0.0.1:9/repeat', regionCodes: [TOWNSHIP], grades: ['RED', 'ORANGE'] };
    // A receiver's system retrying a create whose answer it lost: a second subscription would
    // push every alert twice, signed with a secret it never saw.
    const answers = await Promise.all([1, 2, 3, 4].map(() => hub.gql(CREATE, { input })));
    const payloads = answers.map((a) => a.data.alertSubscriptionCreate);
    const made = payloads.filter((p) => p.userErrors.length === 0);
    expect(made).toHaveLength(1);
    const id = made[0].subscription.id;
    const refused = payloads.filter((p) => p.userErrors.length > 0);
    expect(refused.map((p) => [p.subscription, p.secret, p.userErrors.map((e: any) => [e.code, e.field])])).toEqual(Array(3).fill([null, null, [['SUBSCRIPTION_EXISTS', ['input', 'callbackUrl']]]]));
    for (const p of refused) expect(p.userErrors[0].message).toContain(`subscription ${id}`);
    // The same subscription written otherwise (grades in another order, a region twice) is a repeat too.
    const again = await hub.gql(CREATE, { input: { ...input, regionCodes: [TOWNSHIP, TOWNSHIP], grades: ['ORANGE', 'RED', 'RED'] } });
    expect(again.data.alertSubscriptionCreate.userErrors.map((e: any) => e.code)).toEqual(['SUBSCRIPTION_EXISTS']);
    // A village of the township beside it reaches no more: it was made, and every alert pushed twice.
    const overlapping = await hub.gql(CREATE, { input: { ...input, regionCodes: [`${TOWNSHIP}001`, TOWNSHIP] } });
    expect(overlapping.data.alertSubscriptionCreate.userErrors.map((e: any) => e.code)).toEqual(['SUBSCRIPTION_EXISTS']);
    expect(await count('SELECT COUNT(*) AS n FROM alert_subscription')).toBe(before + 1);
    // Another filter to the same receiver is another subscription; once revoked, it may be made anew.
    await create({ callbackUrl: input.callbackUrl, grades: ['YELLOW'] });
    expect((await hub.gql(REVOKE, { id })).data.alertSubscriptionRevoke.userErrors).toEqual([]);
    const anew = await create({ callbackUrl: input.callbackUrl, grades: ['RED', 'ORANGE'] });
    expect(anew.id).not.toBe(id);
  });
});

describe('access', () => {
  it('is for administrators, purpose MONITORING, within their region scope; every call is audited', async () => {
    const made = await create({ callbackUrl: 'http://127.0.0.1:9/access' });
    const input = { client: 'rencheng-alerts', callbackUrl: 'http://127.0.0.1:9/y', regionCodes: [TOWNSHIP] };
    const codes = (res: any) => (res.errors ?? []).map((e: any) => [e.extensions?.code, e.extensions?.reason]);

    // A township officer (reader and caseworker, in scope, stating MONITORING) is refused at the door.
    const officer = await hub.createClient({ roles: ['READER', 'CASEWORKER'], regionScope: '370811001' });
    const asOfficer = hub.as({ token: officer.token, purpose: 'MONITORING' });
    for (const [query, variables] of [
      [CREATE, { input }],
      [REVOKE, { id: made.id }],
      [REPLAY, { input: { subscriptionId: made.id } }],
      [SUBSCRIPTIONS, {}],
      [DEAD_LETTERS, {}],
    ] as const) {
      const res = await asOfficer.gql(query, variables);
      expect(res.data).toBeNull();
      expect(codes(res)).toEqual([['FORBIDDEN', 'ROLE_NOT_ALLOWED']]);
    }
    // The administrator without a purpose, or with another one.
    expect(codes(await hub.as({ purpose: null }).gql(SUBSCRIPTIONS))).toEqual([['FORBIDDEN', 'PURPOSE_REQUIRED']]);
    expect(codes(await hub.as({ purpose: 'AUDIT' }).gql(CREATE, { input }))).toEqual([['FORBIDDEN', 'PURPOSE_NOT_ALLOWED']]);

    // An administrator of 兖州区 cannot subscribe 任城区's regions, and does not see or manage their subscriptions.
    const yanzhou = await hub.createClient({ roles: ['ADMINISTRATOR'], regionScope: '370812' });
    const asYanzhou = hub.as({ token: yanzhou.token, purpose: 'MONITORING' });
    expect(codes(await asYanzhou.gql(CREATE, { input }))).toEqual([['FORBIDDEN', 'OUT_OF_SCOPE']]);
    const theirs = await asYanzhou.gql(SUBSCRIPTIONS);
    expect(theirs.data.alertSubscriptions.edges).toEqual([]);
    expect((await asYanzhou.gql(REVOKE, { id: made.id })).data.alertSubscriptionRevoke).toEqual({ subscription: null, userErrors: [{ code: 'SUBSCRIPTION_NOT_FOUND', field: ['input', 'subscriptionId'] }] });
    expect((await asYanzhou.gql(REPLAY, { input: { subscriptionId: made.id } })).data.alertDeliveryReplay.userErrors).toEqual([{ code: 'SUBSCRIPTION_NOT_FOUND', field: ['input', 'subscriptionId'] }]);
    // Its dead letters too: refused as not found, as revoke and replay answer, rather than an empty list.
    const theirDeadLetters = await asYanzhou.gql(DEAD_LETTERS, { subscriptionId: made.id });
    expect(theirDeadLetters.data).toBeNull();
    expect(theirDeadLetters.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'SUBSCRIPTION_NOT_FOUND', argument: 'subscriptionId' })]);
    const mine = await hub.gql(SUBSCRIPTIONS, { filter: { client: 'rencheng-alerts' } });
    expect(mine.data.alertSubscriptions.edges.map((e: any) => e.node.id)).toContain(made.id);

    // Each of those calls, allowed or refused, left its row in the audit trail.
    const [rows] = (await dbs.hubPool.query("SELECT operation, outcome FROM access_log WHERE client_name IN (?, ?) AND operation IN ('CreateSubscription', 'RevokeSubscription', 'Replay', 'Subscriptions', 'DeadLetters')", [officer.name, yanzhou.name])) as any;
    expect(rows.filter((r: any) => r.outcome === 'DENIED').length).toBeGreaterThanOrEqual(6);
    expect(rows.filter((r: any) => r.operation === 'Subscriptions' && r.outcome === 'OK')).toHaveLength(1);
  });
});

describe('alertSubscriptionRevoke', () => {
  it('stops delivery: the push in flight is a dead letter, a later alert is not queued, and its dead letters are not replayed', async () => {
    // The first push is read and never answered: it is in flight when the subscription is revoked.
    const r = await receiver((n) => (n === 1 ? 'HANG' : 200));
    const made = await create({ callbackUrl: r.url });
    r.setSecret(made.secret);
    const inFlight = syntheticAlert();
    await raise(dbs.hub, inFlight);
    await r.waitFor(1);

    const res = await hub.gql(REVOKE, { id: made.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.alertSubscriptionRevoke.userErrors).toEqual([]);
    expect(res.data.alertSubscriptionRevoke.subscription).toMatchObject({ id: made.id, state: 'REVOKED', deliveries: { pending: 0, delivered: 0, dead: 1 } });
    expect(res.data.alertSubscriptionRevoke.subscription.revokedAt).not.toBeNull();
    const [dead] = await deliveriesOfAlert(dbs.hub, inFlight.alertId);
    expect(dead).toMatchObject({ state: 'DEAD', lastError: 'subscription revoked' });

    const later = syntheticAlert();
    await raise(dbs.hub, later);
    expect(await deliveriesOfAlert(dbs.hub, later.alertId)).toEqual([]);

    // Revoking again changes nothing; replaying its dead letters is refused either way.
    const again = await hub.gql(REVOKE, { id: made.id });
    expect(again.data.alertSubscriptionRevoke.subscription.revokedAt).toBe(res.data.alertSubscriptionRevoke.subscription.revokedAt);
    expect((await hub.gql(REPLAY, { input: { subscriptionId: made.id } })).data.alertDeliveryReplay).toEqual({ replayed: [], unchanged: [], userErrors: [{ code: 'SUBSCRIPTION_REVOKED', field: ['input', 'subscriptionId'] }] });
    expect((await hub.gql(REPLAY, { input: { deliveryIds: [dead.deliveryId] } })).data.alertDeliveryReplay.userErrors).toEqual([{ code: 'SUBSCRIPTION_REVOKED', field: ['input', 'deliveryIds', '0'] }]);
    expect((await hub.gql(REVOKE, { id: '999999' })).data.alertSubscriptionRevoke.userErrors).toEqual([{ code: 'SUBSCRIPTION_NOT_FOUND', field: ['input', 'subscriptionId'] }]);
    // A revoked subscription is still there: its dead letters are listed; one that never was is not found.
    expect((await hub.gql(DEAD_LETTERS, { subscriptionId: made.id })).data.alertDeadLetters.edges.map((e: any) => e.node.deliveryId)).toEqual([dead.deliveryId]);
    expect((await hub.gql(DEAD_LETTERS, { subscriptionId: '999999' })).errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'SUBSCRIPTION_NOT_FOUND', argument: 'subscriptionId' })]);

    expect(r.pushes).toHaveLength(1);
  }, 180_000);
});

describe('dead letters', () => {
  it('lists a receiver that is down in alertDeadLetters; alertDeliveryReplay delivers them under the same delivery ids, and replaying again changes nothing', async () => {
    const port = await freePort();
    const made = await create({ callbackUrl: `http://127.0.0.1:${port}/aidhub/alerts` });
    const first = syntheticAlert();
    const second = syntheticAlert({ grade: 'ORANGE' });
    await raise(dbs.hub, first);
    await raise(dbs.hub, second);
    const [firstRow] = await deliveriesOfAlert(dbs.hub, first.alertId);
    const [secondRow] = await deliveriesOfAlert(dbs.hub, second.alertId);

    const deadLetters = async (variables: Record<string, unknown>) => {
      const res = await hub.gql(DEAD_LETTERS, variables);
      expect(res.errors).toBeUndefined();
      return res.data.alertDeadLetters;
    };
    await until('two dead letters', () => deadLetters({ subscriptionId: made.id }), (page) => page.edges.length === 2);
    // Newest first, a page at a time.
    const page1 = await deadLetters({ subscriptionId: made.id, first: 1 });
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page1.edges[0].node).toMatchObject({ deliveryId: secondRow.deliveryId, alertId: second.alertId, event: 'ALERT_OPENED', state: 'DEAD', attempts: 4, lastStatus: null, lastError: 'ECONNREFUSED', subscription: { id: made.id } });
    const page2 = await deadLetters({ subscriptionId: made.id, first: 1, after: page1.pageInfo.endCursor });
    expect(page2.edges.map((e: any) => e.node.deliveryId)).toEqual([firstRow.deliveryId]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    // Without a subscription: every dead letter within the caller's scope.
    expect((await deadLetters({})).edges.map((e: any) => e.node.deliveryId)).toEqual(expect.arrayContaining([firstRow.deliveryId, secondRow.deliveryId]));
    expect((await hub.gql(DEAD_LETTERS, { after: 'not-a-cursor' })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    // The receiver comes up on its address; one dead letter is replayed by its delivery id.
    const r = await receiver(() => 200, port);
    r.setSecret(made.secret);
    const replay = await hub.gql(REPLAY, { input: { deliveryIds: [firstRow.deliveryId] } });
    expect(replay.errors).toBeUndefined();
    expect(replay.data.alertDeliveryReplay.userErrors).toEqual([]);
    expect(replay.data.alertDeliveryReplay.replayed.map((d: any) => [d.deliveryId, d.state, d.attempts])).toEqual([[firstRow.deliveryId, 'PENDING', 0]]);
    expect(replay.data.alertDeliveryReplay.unchanged).toEqual([]);
    // At once again: already pending (or delivered by now), so nothing changes, and the answer says so.
    const twice = await hub.gql(REPLAY, { input: { deliveryIds: [firstRow.deliveryId] } });
    expect(twice.data.alertDeliveryReplay.replayed).toEqual([]);
    expect(twice.data.alertDeliveryReplay.unchanged.map((d: any) => d.deliveryId)).toEqual([firstRow.deliveryId]);
    expect(['PENDING', 'DELIVERED']).toContain(twice.data.alertDeliveryReplay.unchanged[0].state);

    await until('replayed delivery', () => deliveriesOfAlert(dbs.hub, first.alertId), ([d]) => d.state === 'DELIVERED');
    expect(r.pushes.map((p) => [p.deliveryId, p.signatureValid, p.body.alert.id])).toEqual([[firstRow.deliveryId, true, first.alertId]]);
    const thrice = await hub.gql(REPLAY, { input: { deliveryIds: [firstRow.deliveryId] } });
    expect(thrice.data.alertDeliveryReplay).toMatchObject({ replayed: [], unchanged: [{ deliveryId: firstRow.deliveryId, state: 'DELIVERED' }], userErrors: [] });
    // A delivery id as a receiver may have stored it: UUIDs are case-insensitive on input (RFC 4122
    // §3), so the upper-case form, once or beside the lower-case one, names the same delivery.
    const upper = await hub.gql(REPLAY, { input: { deliveryIds: [firstRow.deliveryId.toUpperCase(), firstRow.deliveryId] } });
    expect(upper.data.alertDeliveryReplay).toMatchObject({ replayed: [], unchanged: [{ deliveryId: firstRow.deliveryId, state: 'DELIVERED' }], userErrors: [] });
    expect(upper.data.alertDeliveryReplay.unchanged).toHaveLength(1);

    // The rest by subscription; asked again there is nothing left to replay.
    const bySubscription = await hub.gql(REPLAY, { input: { subscriptionId: made.id } });
    expect(bySubscription.data.alertDeliveryReplay.replayed.map((d: any) => d.deliveryId)).toEqual([secondRow.deliveryId]);
    expect((await hub.gql(REPLAY, { input: { subscriptionId: made.id } })).data.alertDeliveryReplay).toEqual({ replayed: [], unchanged: [], userErrors: [] });
    await until('both delivered', () => deliveriesOfAlert(dbs.hub, second.alertId), ([d]) => d.state === 'DELIVERED');
    expect(r.pushes.map((p) => p.deliveryId)).toEqual([firstRow.deliveryId, secondRow.deliveryId]);
    expect((await deadLetters({ subscriptionId: made.id })).edges).toEqual([]);

    // Unknown ids, and neither or both targets, are refused and replay nothing.
    expect((await hub.gql(REPLAY, { input: { deliveryIds: [secondRow.deliveryId, '00000000-0000-0000-0000-000000000000'] } })).data.alertDeliveryReplay.userErrors).toEqual([{ code: 'DELIVERY_NOT_FOUND', field: ['input', 'deliveryIds', '1'] }]);
    expect((await hub.gql(REPLAY, { input: {} })).data.alertDeliveryReplay.userErrors).toEqual([{ code: 'REPLAY_TARGET_INVALID', field: ['input', 'subscriptionId'] }]);
    expect((await hub.gql(REPLAY, { input: { subscriptionId: made.id, deliveryIds: [] } })).data.alertDeliveryReplay.userErrors.map((e: any) => e.code)).toEqual(['REPLAY_TARGET_INVALID']);

    // A delivery id that is not a UUID is bad input naming it, not a delivery that does not exist.
    for (const malformed of ['not-a-uuid', `${secondRow.deliveryId}x`, 'f'.repeat(20_000)]) {
      const res = await hub.gql(REPLAY, { input: { deliveryIds: [secondRow.deliveryId, malformed] } });
      expect(res.data).toBeNull();
      expect(res.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'input.deliveryIds[1]', reason: 'MALFORMED_ID' })]);
    }

    // The administrators' notice of the day names the subscriber.
    const notices = await hub.gql(`{ alertDeliveryNotices(since: "2000-01-01") { client deliveryId subscription { id } } }`);
    expect(notices.errors).toBeUndefined();
    expect(notices.data.alertDeliveryNotices).toContainEqual({ client: 'rencheng-alerts', deliveryId: expect.any(String), subscription: { id: made.id } });
  }, 240_000);
});
