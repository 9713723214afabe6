/**
 * DELIVERED means the office that must sign for the alert (its verifier) has it in its own system:
 * a 2xx from another subscriber's receiver (the city's 人社 bureau, whose unemployment registration
 * raised it, the county's civil affairs platform) does not put it in front of the township, so it leaves the alert NEW in the township's
 * inbox. Real MariaDB, a real delivery worker, real receivers on 127.0.0.1.
 */
import { eq } from 'drizzle-orm';
import type { OfficeCode } from '../../domain/departments';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { monitoringAlert, monitoringAlertEvent } from '../../db/monitoring/schema';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startDelivery, writeWangJobLossAlert, WANG_TOWNSHIP } from '../support/alerts';
import { insertRegions, insertWang, TODAY } from '../support/scenarios';
import { until } from '../support/until';

jest.setTimeout(180_000);

let dbs: TestDatabases;
/** The worker, and one receiver per subscription, each checking the signature with its subscription's secret. */
let delivery: Awaited<ReturnType<typeof startDelivery>>;
let wangId: number;
let countyPlatform: string;
/** 人社's unemployment registration the alerts were raised from: its bureau is told of them (a department is pushed only its own). */
const JOB_LOSS_RECORD = ['HUMAN_RESOURCES:unemployment:1'];
const now = () => new Date(`${TODAY}T02:00:00.000Z`);

async function subscribe(name: string, department: OfficeCode, regionScope: string): Promise<string> {
  return (await delivery.subscribe(name, department, regionScope, [WANG_TOWNSHIP])).subscriptionId;
}

const alertRow = async (id: string) => (await dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.id, Number(id))))[0];
const events = async (id: string) => dbs.hub.select().from(monitoringAlertEvent).where(eq(monitoringAlertEvent.alertId, Number(id)));
const allDelivered = (alertId: string, n: number) => until(`${n} pushes delivered`, () => deliveriesOfAlert(dbs.hub, alertId), (rows) => rows.length === n && rows.every((d) => d.state === 'DELIVERED'));

beforeAll(async () => {
  dbs = await createTestDatabases('delivered_by_verifier');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  delivery = await startDelivery(dbs);
}, 300_000);

afterAll(async () => {
  await delivery?.close();
  await dbs?.close();
}, 60_000);

it('leaves a township’s alert NEW when only other offices’ receivers took its push, and DELIVERED once the township’s own did', async () => {
  await subscribe('jining-human-resources-system', 'HUMAN_RESOURCES', '370800');
  countyPlatform = await subscribe('rencheng-civil-affairs-platform', 'CIVIL_AFFAIRS', '370811');
  const first = await writeWangJobLossAlert(dbs, { identity: 'delivered-by-verifier-1', householdId: wangId, now, evidenceRefs: JOB_LOSS_RECORD });
  await allDelivered(first, 2);
  expect((await alertRow(first)).state).toBe('NEW');
  expect((await events(first)).map((e) => e.action)).toEqual(['OPENED']);

  const township = await subscribe('guhuai-system', 'CIVIL_AFFAIRS', WANG_TOWNSHIP);
  const second = await writeWangJobLossAlert(dbs, { identity: 'delivered-by-verifier-2', householdId: wangId, now, evidenceRefs: JOB_LOSS_RECORD });
  await allDelivered(second, 3);
  await until('the alert delivered', () => alertRow(second), (a) => a.state === 'DELIVERED');
  const delivered = (await events(second)).filter((e) => e.action === 'DELIVERED');
  expect(delivered).toHaveLength(1);
  expect(delivered[0].reason).toMatch(new RegExp(`acknowledged by subscription ${township}$`));
});

it('counts the county’s platform as the one that must have it once civil affairs took the alert over', async () => {
  const third = await writeWangJobLossAlert(dbs, { identity: 'delivered-by-verifier-3', householdId: wangId, now, verifierOffice: 'CIVIL_AFFAIRS', evidenceRefs: JOB_LOSS_RECORD });
  await allDelivered(third, 3);
  await until('the alert delivered', () => alertRow(third), (a) => a.state === 'DELIVERED');
  expect((await events(third)).find((e) => e.action === 'DELIVERED')?.reason).toMatch(new RegExp(`acknowledged by subscription ${countyPlatform}$`));
});
