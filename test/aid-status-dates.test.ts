/**
 * A department records a payment before it is made (the import takes dates up to 92 days ahead):
 * a one-off record dated after today is SCHEDULED, not PAID, in every department's mapping, in the
 * aid a stay is relieved by, and in the household the API shows. Read from a generated population
 * as of an earlier day, so every department has grants "after today".
 */
import { person } from '../db/household/schema';
import { addDays } from '../domain/dates';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import type { AidRecord } from '../federation/contract';
import { ADAPTERS } from '../federation/registry';
import { generateDemo } from '../tools/generate/index';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TODAY } from './support/scenarios';

/** The day the hub reads as today: the population's last 200 days (a school year's autumn grants among them) are after it. */
const EARLIER = addDays(TODAY, -200);

let dbs: TestDatabases;
let hub: TestHub;
let ids: string[];
const read = new Map<DepartmentCode, AidRecord[]>();

beforeAll(async () => {
  dbs = await createTestDatabases('aid_status_dates');
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: 600, seed: 7, referenceDate: TODAY, provision: false, plant: false });
  ids = (await dbs.hub.select({ idNumber: person.idNumber }).from(person)).map((p) => p.idNumber);
  for (const code of DEPARTMENT_CODES) {
    const records: AidRecord[] = [];
    for (let i = 0; i < ids.length; i += 500) records.push(...(await ADAPTERS[code].aidByIdNumbers(dbs.sources[code], ids.slice(i, i + 500), EARLIER)));
    read.set(code, records);
  }
  hub = await startTestHub(dbs, { today: EARLIER });
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const oneOff = (records: readonly AidRecord[]) => records.filter((r) => r.grantDate !== null);
const statusCounts = (records: readonly AidRecord[], after: boolean) =>
  oneOff(records)
    .filter((r) => r.grantDate! > EARLIER === after)
    .reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});

it.each(DEPARTMENT_CODES.filter((c) => c !== 'REPORTED'))('%s reports a grant dated after today SCHEDULED, one dated today or before PAID', (code) => {
  const records = read.get(code)!;
  const after = statusCounts(records, true);
  const before = statusCounts(records, false);
  expect(Object.keys(after).filter((s) => s !== 'SCHEDULED' && s !== 'CANCELLED')).toEqual([]);
  expect(Object.keys(before).filter((s) => s !== 'PAID' && s !== 'CANCELLED')).toEqual([]);
  // The population has such grants in every department that makes one-off grants: the check bites.
  expect(after.SCHEDULED ?? 0).toBeGreaterThan(0);
});

it('dates the aid tied to a stay the same way (X7 reads it by settlement)', async () => {
  const refs = [...new Set(DEPARTMENT_CODES.flatMap((c) => read.get(c)!.flatMap((r) => (r.settlementRef ? [r.settlementRef] : []))))];
  expect(refs.length).toBeGreaterThan(0);
  for (const code of ['HEALTH', 'UNION'] as const) {
    const tied = await ADAPTERS[code].aidBySettlementRefs!(dbs.sources[code], refs, EARLIER);
    expect(oneOff(tied).filter((r) => r.grantDate! > EARLIER && r.status === 'PAID')).toEqual([]);
    const byRef = new Map(read.get(code)!.map((r) => [r.sourceRef, r.status]));
    for (const r of tied) if (byRef.has(r.sourceRef)) expect(r.status).toBe(byRef.get(r.sourceRef));
  }
});

it('shows a household’s scheduled grant as SCHEDULED in the API', async () => {
  const scheduled = DEPARTMENT_CODES.flatMap((c) => read.get(c)!).find((r) => r.status === 'SCHEDULED' && r.programme === 'TEMP_AID')!;
  const res = await hub.gql(`query($id: String!) { person(idNumber: $id) { aid { sourceReference grantDate status } } }`, { id: scheduled.beneficiaryIdNumber });
  expect(res.errors).toBeUndefined();
  const shown = res.data.person.aid.find((r: { sourceReference: string }) => r.sourceReference === scheduled.sourceRef);
  expect(shown).toEqual({ sourceReference: scheduled.sourceRef, grantDate: scheduled.grantDate, status: 'SCHEDULED' });
});
