/**
 * A charity's claim on a need lapses N working days after it was made (charity_claim.lapses_on,
 * kept). Made before a year's holiday notice was loaded, its day is the law's alone; when the hub
 * starts under the notice, the day is counted again from the day and working days the claim keeps
 * (db/charity/claim-recount.ts), once per calendar: a start under the calendar of the last recount
 * reads no claim.
 */
import { recountClaimLapses } from '../../db/charity/claim-recount';
import { claimActive, claimNeed, claimOf } from '../../db/charity/store';
import { eq } from 'drizzle-orm';
import { charityClaim } from '../../db/charity/schema';
import { countStatements } from '../../db/instrument';
import { makeCreditCode } from '../../domain/credit-code';
import { holidayFiles, notice2027 } from '../support/notice-2027';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { insertRegions } from '../support/scenarios';
import { frozenDbClock } from '../support/db-clock';

const clock = new TestClock('2027-02-04T10:00:00+08:00');
const holidays = holidayFiles('aidhub-claim-recount-');
const ORG = makeCreditCode('53370800MJ1234567');

let dbs: TestDatabases;
let hub: TestHub | undefined;

beforeAll(async () => {
  holidays.use(null);
  dbs = await createTestDatabases('claim_recount');
  await insertRegions(dbs);
}, 120_000);

afterAll(async () => {
  holidays.restore();
  await hub?.close();
  await dbs?.close();
});

it('counts the last day of a claim made before the notice again under it when the hub starts, once per calendar', async () => {
  // Claimed on 02-04 for 5 working days, the law's 春节 alone (02-05 to 02-08 off, 02-09 and 02-10
  // making up its weekend, 补假): 02-11, 02-12, 02-15 … 02-17.
  const claim = await claimNeed(dbs.hub, { needId: 1, creditCode: ORG, workingDays: 5, now: clock.now(), today: '2027-02-04' });
  expect(claim).toMatchObject({ lapsesOn: '2027-02-17', countedFrom: '2027-02-04', workingDays: 5 });
  // A claim made before the hub kept what it counted from: its day is kept.
  await dbs.hub.insert(charityClaim).values({ needId: 2, creditCode: ORG, claimedAt: '2027-02-04 02:00:00.000', lapsesOn: '2027-02-17' });

  holidays.use('2027.json', [notice2027]);
  hub = await startTestHub(dbs, { clock: clock.now });
  // Under the notice: 02-15 … 02-19.
  expect((await claimOf(dbs.hub, 1, ORG))!.lapsesOn).toBe('2027-02-19');
  expect((await claimOf(dbs.hub, 2, ORG))!.lapsesOn).toBe('2027-02-17');

  // Under the same calendar: one statement (the calendar of the last recount), no claim read.
  const again = await countStatements(() => recountClaimLapses(dbs.hub, clock.now()));
  expect(again.result).toEqual([]);
  expect(again.counter.total).toBe(1);

  // A corrected notice (02-19 off as well, Saturday 02-20 not worked), loaded from a new file.
  holidays.use('2027-corrected.json', [{ ...notice2027, workdays: {}, holidays: { ...notice2027.holidays, '2027-02-19': '春节' } }]);
  // 02-19 now off: 02-15 … 02-18, 02-22; two processes starting together move it once.
  const both = await Promise.all([recountClaimLapses(dbs.hub, clock.now()), recountClaimLapses(dbs.hub, clock.now())]);
  expect(both.flat()).toEqual([{ claimId: claim.id, before: '2027-02-19', after: '2027-02-22' }]);
  expect((await countStatements(() => recountClaimLapses(dbs.hub, clock.now()))).counter.total).toBe(1);
}, 180_000);

it('counts again only claims still running: a lapsed or released claim keeps its day, and the charity its need’s detail closed', async () => {
  holidays.use(null);
  // Under the law's 春节 alone: claimed 02-01 for 5 working days, 02-12; claimed 02-04, 02-17.
  const lapsed = await claimNeed(dbs.hub, { needId: 10, creditCode: ORG, workingDays: 5, now: clock.now(), today: '2027-02-01' });
  const running = await claimNeed(dbs.hub, { needId: 11, creditCode: ORG, workingDays: 5, now: clock.now(), today: '2027-02-04' });
  const released = await claimNeed(dbs.hub, { needId: 12, creditCode: ORG, workingDays: 5, now: clock.now(), today: '2027-02-04' });
  await dbs.hub.update(charityClaim).set({ releasedAt: '2027-02-05 02:00:00.000' }).where(eq(charityClaim.id, released.id));
  expect([lapsed.lapsesOn, running.lapsesOn, released.lapsesOn]).toEqual(['2027-02-12', '2027-02-17', '2027-02-17']);

  // The notice (02-05 to 02-13 off) loaded at a start on Monday 02-15: the claim of 02-01 lapsed on
  // 02-12 as the hub counted it then; counted again it would run to 02-16 and read as running again.
  holidays.use('2027-lapsed.json', [notice2027]);
  const today = '2027-02-15';
  const moved = await recountClaimLapses(dbs.hub, new Date('2027-02-15T10:00:00+08:00'), today);
  const ours = [lapsed.id, running.id, released.id];
  expect(moved.filter((m) => ours.includes(m.claimId))).toEqual([{ claimId: running.id, before: '2027-02-17', after: '2027-02-19' }]);
  const after = await Promise.all([10, 11, 12].map((needId) => claimOf(dbs.hub, needId, ORG)));
  expect(after.map((c) => c!.lapsesOn)).toEqual(['2027-02-12', '2027-02-19', '2027-02-17']);
  expect(after.map((c) => claimActive(c, today))).toEqual([false, true, false]);
}, 180_000);

it('judges which claims still run on the hub database’s today, not this process’s', async () => {
  // This process's clock reads December 2026; the database's, Thursday 2027-02-18 (China). Before,
  // the start-up recount took today from the process: a claim that lapsed on 02-17 by the
  // database's day was read as running, counted again to 02-19, and ran again for every process.
  holidays.use(null);
  // Under the law's 春节 alone: claimed 02-04 for 5 working days, 02-17; for 10, 02-24.
  const lapsed = await claimNeed(dbs.hub, { needId: 30, creditCode: ORG, workingDays: 5, now: clock.now(), today: '2027-02-04' });
  const running = await claimNeed(dbs.hub, { needId: 31, creditCode: ORG, workingDays: 10, now: clock.now(), today: '2027-02-04' });
  expect(lapsed.lapsesOn).toBe('2027-02-17');
  holidays.use('2027-db-clock.json', [notice2027]);
  const db = await frozenDbClock(dbs.hubUrl, new Date('2027-02-18T10:00:00+08:00'));
  try {
    const moved = await recountClaimLapses(db.hub, undefined, undefined, 'a calendar no recount ran under');
    expect(moved.filter((m) => [lapsed.id, running.id].includes(m.claimId)).map((m) => m.claimId)).toEqual([running.id]);
  } finally {
    await db.close();
  }
  expect((await claimOf(dbs.hub, 30, ORG))!.lapsesOn).toBe('2027-02-17');
}, 180_000);
