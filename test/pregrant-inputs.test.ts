/**
 * Three inputs of preGrantCheck that were taken as given and answered (often "clear"), now refused
 * BAD_USER_INPUT naming the argument, as its other input refusals are: money proposed for a service
 * (法律援助, AMOUNT_INVALID, as aidReport and a meeting refuse it); a grant more than a year after
 * today (GRANT_DATE_TOO_FAR: a typo'd 2099-12-31 met no real grant in any rule's window and was
 * clear); a schoolYear its grantDate does not fall in (SCHOOL_YEAR_MISMATCH: the grant was counted
 * in the other year, so X6 missed the repetition). Through a real hub over real department databases.
 */
import { makeIdNumber } from '../domain/id-number';
import { unionScenario } from '../federation/union/scenario';
import { addHousehold } from './findings-scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const STUDENT = makeIdNumber('370811', '2008-04-04', 12);
const CHECK = `query($in: PreGrantCheckInput!) { preGrantCheck(input: $in) { clear findings { rule { id } } } }`;

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('pregrant_inputs');
  await insertRegions(dbs);
  await addHousehold(dbs, 'F-PREGRANT-INPUTS', [{ idNumber: STUDENT, name: '丁', gender: 'F', birthDate: '2008-04-04' }]);
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function refusal(input: Record<string, unknown>): Promise<unknown> {
  const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: STUDENT, ...input } });
  return res.errors?.map((e) => ({ code: e.extensions?.code, argument: e.extensions?.argument, reason: e.extensions?.reason })) ?? 'ANSWERED';
}

test('money proposed for a service (法律援助) is AMOUNT_INVALID at input.amountFen; 0 fen is checked', async () => {
  expect(TODAY).toBe('2026-03-15');
  expect(await refusal({ programme: 'LEGAL_AID', grantDate: '2026-03-01', amountFen: 50_000 })).toEqual([{ code: 'BAD_USER_INPUT', argument: 'input.amountFen', reason: 'AMOUNT_INVALID' }]);
  expect(await refusal({ programme: 'LEGAL_AID', grantDate: '2026-03-01', amountFen: 0 })).toBe('ANSWERED');
  // Said in words a developer can act on: not "(e.g. …)", the programme's Chinese name withheld as a caller's value.
  const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: STUDENT, programme: 'LEGAL_AID', grantDate: '2026-03-01', amountFen: 50_000 } });
  expect(res.errors?.[0]?.message).toBe('a service (e.g. LEGAL_AID) carries amount 0: it is given, not paid to the beneficiary');
});

test('a grant more than a year after today is GRANT_DATE_TOO_FAR at the date that starts it; a year on is checked', async () => {
  const tooFar = (argument: string) => [{ code: 'BAD_USER_INPUT', argument, reason: 'GRANT_DATE_TOO_FAR' }];
  expect(await refusal({ programme: 'NATIONAL_GRANT', grantDate: '2099-12-31', amountFen: 100_000 })).toEqual(tooFar('input.grantDate'));
  expect(await refusal({ programme: 'NATIONAL_GRANT', grantDate: '2027-03-16', amountFen: 100_000 })).toEqual(tooFar('input.grantDate'));
  expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2060-01-01', amountFen: 10_000 })).toEqual(tooFar('input.periodStart'));
  expect(await refusal({ programme: 'NATIONAL_GRANT', grantDate: '2027-03-15', amountFen: 100_000 })).toBe('ANSWERED');
  expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2027-03-15', amountFen: 10_000 })).toBe('ANSWERED');
});

describe('schoolYear against grantDate', () => {
  beforeAll(async () => {
    // 工会金秋助学 paid for the 2025-2026 school year: a national grant that year repeats it (X6).
    await unionScenario.insert(dbs.sources.UNION, 'workerFiles', { fileNo: 'GH-PGI', idCard: makeIdNumber('370811', '1980-05-05', 31), employer: '济宁机床厂', hardshipLevel: 2, fileDate: '2024-01-01' });
    await unionScenario.insert(dbs.sources.UNION, 'grants', { fileNo: 'GH-PGI', grantType: 'JQ', grantDate: '2025-09-20', amountFen: 200_000, studentIdCard: STUDENT, schoolYear: '2025-2026' });
  });

  test('a school year the grant date does not fall in is SCHOOL_YEAR_MISMATCH at input.schoolYear', async () => {
    const mismatch = [{ code: 'BAD_USER_INPUT', argument: 'input.schoolYear', reason: 'SCHOOL_YEAR_MISMATCH' }];
    // The typo that hid X6: the grant of October 2025 written as the year before.
    expect(await refusal({ programme: 'NATIONAL_GRANT', grantDate: '2025-10-10', schoolYear: '2024-2025', amountFen: 100_000 })).toEqual(mismatch);
    expect(await refusal({ programme: 'NATIONAL_GRANT', grantDate: '2025-10-10', schoolYear: '2026-2027', amountFen: 100_000 })).toEqual(mismatch);
    // June is not the summer before a school year: a grant then is for the year it falls in.
    expect(await refusal({ programme: 'NATIONAL_GRANT', grantDate: '2025-06-30', schoolYear: '2025-2026', amountFen: 100_000 })).toEqual(mismatch);
  });

  test('a grant in July or August may be for the coming school year, as 金秋助学 is paid', async () => {
    expect(await refusal({ programme: 'UNION_AUTUMN_EDU', grantDate: '2025-08-31', schoolYear: '2025-2026', amountFen: 100_000 })).toBe('ANSWERED');
    expect(await refusal({ programme: 'UNION_AUTUMN_EDU', grantDate: '2025-07-01', schoolYear: '2024-2025', amountFen: 100_000 })).toBe('ANSWERED');
  });

  test('the school year the grant date falls in is checked, and X6 meets the union aid of that year', async () => {
    const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: STUDENT, programme: 'NATIONAL_GRANT', grantDate: '2025-09-01', schoolYear: '2025-2026', amountFen: 100_000 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck.clear).toBe(false);
    expect(res.data.preGrantCheck.findings.map((f: { rule: { id: string } }) => f.rule.id)).toContain('X6');
  });
});
