/** `npm run subscriptions`: create (secret once; allow-list, unknown-trigger and expired-client refusals), list, dead-letters, replay, notices, revoke. */
import os from 'node:os';
import { createClient } from '../../access/clients';
import { accessDbOf } from '../../db/access/db';
import { insertSubscription, noteDeadLetter } from '../../db/alert-delivery/store';
import { subscriptionsCommand } from '../../tools/subscriptions';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { frozenDbClock } from '../support/db-clock';
import { insertSubscribedRegions, raise, subscriberClient, syntheticAlert } from './scenario';

let dbs: TestDatabases;

async function run(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await subscriptionsCommand(argv, dbs.hub, (l) => out.push(l), ['127.0.0.1:*']);
  return { code, out };
}

beforeAll(async () => {
  dbs = await createTestDatabases('alert_cli');
  await insertSubscribedRegions(dbs.hub);
  await subscriberClient(dbs.hub, 'rencheng-alerts');
}, 300_000);

afterAll(async () => {
  await dbs?.close();
}, 60_000);

it('manages subscriptions and dead letters from the command line', async () => {
  const refused = await run('create', '--client', 'rencheng-alerts', '--callback', 'http://10.0.0.1/x', '--regions', '370811001');
  expect(refused.code).toBe(3);
  expect(refused.out[0]).toMatch(/^refused: CALLBACK_HOST_NOT_ALLOWED/);
  // A typo in a trigger id: refused, naming it, rather than a subscription that never receives anything.
  const typo = await run('create', '--client', 'rencheng-alerts', '--callback', 'http://127.0.0.1:9/alerts', '--regions', '370811001', '--triggers', 'T1_SETTLEMENT_OOP,T4_JOBLOSS');
  expect([typo.code, typo.out]).toEqual([3, ['refused: TRIGGER_NOT_FOUND (triggerIds): not a trigger of the trigger set in force: T4_JOBLOSS']]);
  // A division the hub holds nothing of (a typo'd township): refused, naming it, rather than a subscription never pushed a word.
  const nowhere = await run('create', '--client', 'rencheng-alerts', '--callback', 'http://127.0.0.1:9/alerts', '--regions', '370811999');
  expect([nowhere.code, nowhere.out]).toEqual([3, [expect.stringMatching(/^refused: REGION_UNKNOWN \(regionCodes\): .*370811999$/)]]);
  // A client expired by the database's clock: refused, exit 3, rather than a subscription that never delivers.
  await subscriberClient(dbs.hub, 'expired-alerts');
  await dbs.hubPool.query("UPDATE api_client SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE WHERE name = 'expired-alerts'");
  const expired = await run('create', '--client', 'expired-alerts', '--callback', 'http://127.0.0.1:9/alerts', '--regions', '370811001');
  expect([expired.code, expired.out]).toEqual([3, [expect.stringMatching(/^refused: CLIENT_EXPIRED \(client\): /)]]);
  // Who made it is kept in 128 characters: a longer --by is the operator's mistake (it failed the INSERT, exit 1).
  const longBy = await run('create', '--client', 'rencheng-alerts', '--callback', 'http://127.0.0.1:9/alerts', '--regions', '370811001', '--by', 'x'.repeat(129));
  expect(longBy.code).toBe(2);
  const [[{ n }]] = (await dbs.hubPool.query('SELECT COUNT(*) AS n FROM alert_subscription')) as any;
  expect(Number(n)).toBe(0);

  // Run with USER unset (cron, systemd, `docker exec`): the maker is the account the process runs as, not `unknown`.
  const user = process.env.USER;
  delete process.env.USER;
  const made = await run('create', '--client', 'rencheng-alerts', '--callback', 'http://127.0.0.1:9/alerts', '--regions', '370811001', '--grades', 'red,orange').finally(() => {
    if (user !== undefined) process.env.USER = user;
  });
  expect(made.code).toBe(0);
  const [[maker]] = (await dbs.hubPool.query('SELECT created_by FROM alert_subscription')) as any;
  expect(maker.created_by).toBe(`cli:${os.userInfo().username}`);
  expect(maker.created_by).not.toBe('cli:unknown');
  const secret = /signing secret .*: ([0-9a-f]{64})$/.exec(made.out[1])![1];
  const id = /^created #(\d+)/.exec(made.out[0])![1];

  const listed = await run('list');
  expect(listed.out).toHaveLength(1);
  expect(listed.out[0]).toContain('grades RED,ORANGE');
  // Instants in China time with their offset, as the API answers them (it printed the stored UTC text).
  const CHINA_INSTANT = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\+08:00';
  expect(listed.out[0]).toMatch(new RegExp(`  created ${CHINA_INSTANT} by cli:`));
  expect(listed.out.join('\n')).not.toContain(secret);

  // A dead letter, as the worker leaves one.
  const alert = syntheticAlert();
  await raise(dbs.hub, alert);
  await dbs.hubPool.query("UPDATE alert_delivery SET state = 'DEAD', attempts = 11, dead_at = UTC_TIMESTAMP(3), last_error = 'ECONNREFUSED' WHERE alert_id = ?", [alert.alertId]);
  const [[row]] = (await dbs.hubPool.query('SELECT delivery_id FROM alert_delivery WHERE alert_id = ?', [alert.alertId])) as any;
  await noteDeadLetter(dbs.hub, 'rencheng-alerts', Number(id), row.delivery_id, 'dead letter');
  expect((await run('dead-letters')).out[0]).toContain(row.delivery_id);
  expect((await run('dead-letters')).out[0]).toMatch(new RegExp(`  dead ${CHINA_INSTANT}$`));
  expect((await run('dead-letters', '--subscription', id)).out[0]).toContain(row.delivery_id);
  // A subscription that does not exist is refused as revoke and replay refuse it, not listed as empty.
  expect(await run('dead-letters', '--subscription', '999999')).toEqual({ code: 3, out: ['refused: SUBSCRIPTION_NOT_FOUND (subscriptionId): no subscription with this id within reach'] });
  expect(await run('replay', '--subscription', '999999')).toEqual({ code: 3, out: ['refused: SUBSCRIPTION_NOT_FOUND (subscriptionId): no subscription with this id within reach'] });
  expect((await run('notices', '--since', '2000-01-01')).out[0]).toContain('rencheng-alerts');
  // The notice's day is China's, as every day the administrators read: a dead letter at 02:00 on
  // 1 July in China (18:00 UTC on 30 June) is 1 July's notice, listed from --since 2026-07-01 (it was dated the UTC day, 30 June).
  // The day is the database's (its clock set there), as the dead letter's dead_at is, not this process's.
  // A millisecond before midnight in China, the day before.
  const night = await frozenDbClock(dbs.hubUrl, new Date('2026-06-30T15:59:59.999Z'));
  try {
    await noteDeadLetter(night.hub, 'rencheng-alerts', Number(id), row.delivery_id, 'dead letter before midnight');
    await night.set(new Date('2026-06-30T18:00:00Z'));
    await noteDeadLetter(night.hub, 'rencheng-alerts', Number(id), row.delivery_id, 'dead letter at night');
  } finally {
    await night.close();
  }
  expect((await run('notices', '--since', '2026-07-01')).out.filter((l) => l.includes('dead letter at night'))).toEqual([`2026-07-01  rencheng-alerts  subscription #${id}  dead letter at night`]);
  expect((await run('notices', '--since', '2026-06-30')).out.filter((l) => l.includes('before midnight'))).toEqual([`2026-06-30  rencheng-alerts  subscription #${id}  dead letter before midnight`]);
  // A day that is no calendar date is the operator's mistake (it was read as text: "no notices").
  for (const since of ['2026-02-30', '2026-13-01']) expect((await run('notices', '--since', since)).code).toBe(2);

  expect((await run('replay', row.delivery_id)).out[0]).toBe(`replaying 1 dead letter(s): ${row.delivery_id}`);
  const [[after]] = (await dbs.hubPool.query('SELECT state, attempts, delivery_id FROM alert_delivery WHERE alert_id = ?', [alert.alertId])) as any;
  expect(after).toEqual({ state: 'PENDING', attempts: 0, delivery_id: row.delivery_id });
  // Again: it is pending already, so nothing changes, and the CLI says so (the same function as alertDeliveryReplay).
  expect((await run('replay', row.delivery_id)).out).toEqual(['replaying 0 dead letter(s)', `unchanged ${row.delivery_id}: PENDING`]);
  const unknown = await run('replay', '00000000-0000-0000-0000-000000000000');
  expect([unknown.code, unknown.out[0]]).toEqual([3, 'refused: DELIVERY_NOT_FOUND (deliveryIds.0): no delivery with this id within reach']);
  // A delivery id that is not a UUID is a usage error naming it, as a malformed subscription id is.
  const malformed = await run('replay', row.delivery_id, 'not-a-uuid');
  expect([malformed.code, malformed.out[0]]).toEqual([2, 'error: MALFORMED_ID: replay: argument 2 (of the delivery ids given) is not a delivery id (a UUID)']);
  expect((await run('replay', '--subscription', 'x1')).out[0]).toBe('error: MALFORMED_ID: --subscription: a positive integer');
  expect((await run('dead-letters')).out).toEqual(['no dead letters']);

  expect((await run('revoke', id)).out[0]).toMatch(/^revoked #\d+  REVOKED/);
  const [[revoked]] = (await dbs.hubPool.query('SELECT state, last_error FROM alert_delivery WHERE alert_id = ?', [alert.alertId])) as any;
  expect(revoked).toEqual({ state: 'DEAD', last_error: 'subscription revoked' });
  expect((await run('frobnicate')).code).toBe(2);
}, 120_000);

// A subscription made before creates refused a trigger its client reads no alert of
// (TRIGGER_NOT_READABLE) is left as it was, its other triggers pushed: `list` flags the trigger.
it('refuses a trigger the client reads no alert of, and flags one subscribed to before', async () => {
  await createClient(accessDbOf(dbs.hub), { name: 'rencheng-education', department: 'EDUCATION', regionScope: '370811', roles: ['READER'], expiresAt: null });
  const refused = await run('create', '--client', 'rencheng-education', '--callback', 'http://127.0.0.1:9/edu', '--regions', '370811001', '--triggers', 'T1_SETTLEMENT_OOP,T6_STUDENT_NO_AID');
  expect([refused.code, refused.out]).toEqual([3, [expect.stringMatching(/^refused: TRIGGER_NOT_READABLE \(triggerIds\): .*T1_SETTLEMENT_OOP/)]]);
  const before = await insertSubscription(dbs.hub, { clientId: 'rencheng-education', callbackUrl: 'http://127.0.0.1:9/edu', regionCodes: ['370811001'], grades: [], triggerIds: ['T1_SETTLEMENT_OOP', 'T6_STUDENT_NO_AID'], secret: 'a'.repeat(64), createdBy: 'test-admin' });
  const listed = (await run('list', '--client', 'rencheng-education')).out;
  expect(listed).toEqual([expect.stringContaining(`#${before.id}  ACTIVE  rencheng-education  never pushed T1_SETTLEMENT_OOP (TRIGGER_NOT_READABLE`)]);
  expect(listed[0]).not.toMatch(/never pushed [^ ]*T6_STUDENT_NO_AID/);
  // Civil affairs' client reads every alert: nothing flagged.
  expect((await run('list', '--client', 'rencheng-alerts')).out.join('\n')).not.toContain('never pushed');
});
