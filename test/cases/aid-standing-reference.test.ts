/**
 * A reporting office completing a slip (or recording a first aid) with its own numbering, where the
 * hub's `reported_aid:<n>` belongs, is told which entry it reported under that reference
 * (resolvers/cases/aid-standing.ts namedAidRecord, byOwnReference). The text is read as aidReport
 * and reportedAidHistory read a reference (normaliseReference) and compared as the ledger keys it
 * (referenceKey); it was lower-cased on its own, so a Kelvin sign (U+212A), which lower-cases to
 * k, was taken for the office's reference FY-2026-K1 though aidReport refuses it as no reference.
 * Against the ledger in a real database, read by the request's own loaders.
 */
import { lockingTransaction } from '../../db/locking';
import { recordReportedAid } from '../../db/reported-aid/store';
import { makeIdNumber } from '../../domain/id-number';
import { normaliseReference, validateReport } from '../../domain/reported-aid/validate';
import { createDepartmentLoaders, createNoLongerStandingLoaders } from '../../federation/loaders';
import { namedAidRecord } from '../../resolvers/cases/aid-standing';
import { createTestDatabases, type TestDatabases } from '../support/databases';

const TODAY = '2026-03-15';
const CLIENT = 'test-justice-standing';
const PERSON = makeIdNumber('370811', '1970-05-05', 81);
const KELVIN = '\u212A';

let dbs: TestDatabases;
let entry: string;

beforeAll(async () => {
  dbs = await createTestDatabases('aid_standing_reference');
  const checked = validateReport('JUSTICE', [{ reference: 'FY-2026-K1', beneficiaryIdNumber: PERSON, programme: 'LEGAL_AID', grantDate: '2026-03-14', amountFen: 0 }], TODAY);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const done = await lockingTransaction(dbs.hub, (tx) => recordReportedAid(tx, checked.records, { clientName: CLIENT, officer: null, office: 'JUSTICE', creditCode: null }));
  if (!done.ok) throw new Error(JSON.stringify(done.errors));
  entry = `reported_aid:${done.outcome.rows[0].id}`;
}, 120_000);

afterAll(async () => dbs?.close());

/** The entry the office is told it reported under `named`, or null; a request's loaders each time. */
async function toldOf(named: string): Promise<string | null> {
  const loaders = { departments: createDepartmentLoaders(dbs.sourceSet, TODAY, () => {}), noLongerStanding: createNoLongerStandingLoaders(dbs.sourceSet, TODAY, () => {}) };
  const found = await namedAidRecord(loaders, 'JUSTICE', named, [PERSON]);
  expect(found).not.toBeNull();
  expect(found!.record).toBeNull();
  return found!.byOwnReference?.sourceRef ?? null;
}

it('names the entry for its reference in another case, or with the spaces a form keeps', async () => {
  expect(await toldOf('FY-2026-K1')).toBe(entry);
  expect(await toldOf('fy-2026-k1')).toBe(entry);
  expect(await toldOf('  fy-2026-K1 ')).toBe(entry);
});

it('names no entry for text aidReport would refuse as a reference, though it lower-cases to one (a Kelvin sign for K)', async () => {
  const lookalike = `FY-2026-${KELVIN}1`;
  expect(lookalike.toLowerCase()).toBe('fy-2026-k1');
  expect(normaliseReference(lookalike)).toBeNull();
  expect(await toldOf(lookalike)).toBeNull();
  expect(await toldOf('FY-2026-K2')).toBeNull();
});
