/**
 * Three inputs of preGrantCheck that were taken as given and answered (often "clear"), now refused
 * BAD_USER_INPUT naming the argument, as its other input refusals are: money proposed for a service
 * (法律援助, AMOUNT_INVALID, as aidReport and a meeting refuse it); a grant more than a year after
 * today (GRANT_DATE_TOO_FAR: a typo'd 2099-12-31 met no real grant in any rule's window and was
 * clear); a schoolYear its grantDate does not fall in (SCHOOL_YEAR_MISMATCH: the grant was counted
 * in the other year, so X6 missed the repetition). Then a recurring grant's period: ending more than
 * five years after it starts, or with no end starting more than five years before today
 * (PERIOD_TOO_LONG: a period end of 2099-12-31 was checked over the whole century) and its schoolYear held to the period (SCHOOL_YEAR_MISMATCH, it was taken as given); a date
 * of the other kind of aid (DATE_NOT_TAKEN, left out unread); another office's programme checked by a
 * department client (PROGRAMME_OF_OTHER_OFFICE); and the worst values of every input, each with its
 * stable reason. Through a real hub over real department databases.
 */
import { makeIdNumber } from '../domain/id-number';
import { earliestRunningStart, latestPeriodEnd } from '../domain/findings/periods';
import { addDays } from '../domain/dates';
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

/** The refusals of a check, each with its code, argument and reason (and the extensions named in `also`), or ANSWERED. */
async function refusal(input: Record<string, unknown>, also: string[] = []): Promise<unknown> {
  const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: STUDENT, ...input } });
  return res.errors?.map((e) => ({ code: e.extensions?.code, argument: e.extensions?.argument, reason: e.extensions?.reason, ...Object.fromEntries(also.map((k) => [k, e.extensions?.[k]])) })) ?? 'ANSWERED';
}

test('money proposed for a service (法律援助) is AMOUNT_INVALID at input.amountFen; 0 fen is checked', async () => {
  expect(TODAY).toBe('2026-03-15');
  expect(await refusal({ programme: 'LEGAL_AID', grantDate: '2026-03-01', amountFen: 50_000 })).toEqual([{ code: 'BAD_USER_INPUT', argument: 'input.amountFen', reason: 'AMOUNT_INVALID' }]);
  expect(await refusal({ programme: 'LEGAL_AID', grantDate: '2026-03-01', amountFen: 0 })).toBe('ANSWERED');
  // Said in words a developer can act on: not "(e.g. …)", the programme's Chinese name withheld as a caller's value.
  const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: STUDENT, programme: 'LEGAL_AID', grantDate: '2026-03-01', amountFen: 50_000 } });
  expect(res.errors?.[0]?.message).toBe('a service (e.g. LEGAL_AID) carries amount 0: it is given, not paid to the beneficiary');
});

// The hub's own programme name was blanked as if it were a caller's value: `TWO_CANCERS_AID: "…"… is
// for women`. The message names the programme the caller sent by code, and never the person.
test('PROGRAMME_FOR_WOMEN names the programme in the hub’s own words', async () => {
  const man = makeIdNumber('370811', '1972-05-05', 43);
  const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: man, programme: 'TWO_CANCERS_AID', grantDate: '2026-03-01', amountFen: 500_000 } });
  expect(res.errors?.map((e) => e.extensions?.reason)).toEqual(['PROGRAMME_FOR_WOMEN']);
  expect(res.errors![0].message).toMatch(/^TWO_CANCERS_AID: "两癌"救助 is for women \(breast and cervical cancer\), and the ID number is a man's/);
  expect(res.errors![0].message).not.toContain(man);
});

test('a grant more than a year after today is GRANT_DATE_TOO_FAR at the date that starts it; a year on is checked', async () => {
  const tooFar = (argument: string) => [{ code: 'BAD_USER_INPUT', argument, reason: 'GRANT_DATE_TOO_FAR' }];
  expect(await refusal({ programme: 'NATIONAL_GRANT', grantDate: '2099-12-31', amountFen: 100_000 })).toEqual(tooFar('input.grantDate'));
  expect(await refusal({ programme: 'NATIONAL_GRANT', grantDate: '2027-03-16', amountFen: 100_000 })).toEqual(tooFar('input.grantDate'));
  expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2060-01-01', amountFen: 10_000 })).toEqual(tooFar('input.periodStart'));
  expect(await refusal({ programme: 'NATIONAL_GRANT', grantDate: '2027-03-15', amountFen: 100_000 })).toBe('ANSWERED');
  expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2027-03-15', amountFen: 10_000 })).toBe('ANSWERED');
  // 冬春救助 in its season is checked (out of it: OUT_OF_SEASON below).
  expect(await refusal({ programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-03-01', amountFen: 30_000 })).toBe('ANSWERED');
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

  test('a school year typed in full-width mode (２０２５－２０２６) is read as ASCII, as an ID number is: checked in that year, X6 found', async () => {
    const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: STUDENT, programme: 'NATIONAL_GRANT', grantDate: '2025-09-01', schoolYear: '２０２５－２０２６', amountFen: 100_000 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck.findings.map((f: { rule: { id: string } }) => f.rule.id)).toContain('X6');
  });
});

describe('a recurring grant’s period', () => {
  test('ending more than five years after it starts is PERIOD_TOO_LONG at input.periodEnd, with max; five years is checked', async () => {
    const tooLong = (max: string) => [{ code: 'BAD_USER_INPUT', argument: 'input.periodEnd', reason: 'PERIOD_TOO_LONG', max }];
    // The typo that ran the check over decades: the end of the century as a period end.
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2026-03-01', periodEnd: '2099-12-31', amountFen: 10_000 }, ['max'])).toEqual(tooLong('2031-02-28'));
    expect(await refusal({ programme: 'PUBLIC_RENTAL', periodStart: '2026-03-01', periodEnd: '2031-03-01', amountFen: 10_000 }, ['max'])).toEqual(tooLong('2031-02-28'));
    // A five-year lease (公租房), its last day the day before the fifth anniversary, is checked.
    expect(await refusal({ programme: 'PUBLIC_RENTAL', periodStart: '2026-03-01', periodEnd: '2031-02-28', amountFen: 10_000 })).toBe('ANSWERED');
    // A period with no end runs on, reviewed as the programme is: checked as before.
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2026-03-01', amountFen: 10_000 })).toBe('ANSWERED');
  });

  test('with no end, starting more than five years before today is PERIOD_TOO_LONG at input.periodStart, with min, as aidReport holds it', async () => {
    // TODAY 2026-03-15: a grant from 2021-03-16 reaches its five years today; one a day earlier ran past them.
    expect(earliestRunningStart(TODAY)).toBe('2021-03-16');
    const tooLong = [{ code: 'BAD_USER_INPUT', argument: 'input.periodStart', reason: 'PERIOD_TOO_LONG', min: '2021-03-16' }];
    // 2009 for 2019 (the student was born 2008), running on with no end: refused, not checked over seventeen years.
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2009-01-01', amountFen: 10_000 }, ['min'])).toEqual(tooLong);
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2021-03-15', amountFen: 10_000 }, ['min'])).toEqual(tooLong);
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2021-03-16', amountFen: 10_000 })).toBe('ANSWERED');
    const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: STUDENT, programme: 'DISABILITY_LIVING', periodStart: '2009-01-01', amountFen: 10_000 } });
    expect(res.errors?.[0]?.message).toContain('at most 5 years');
    expect(res.errors?.[0]?.message).not.toContain(STUDENT);
  });

  test('the earliest start still running today steps over 29 February as latestPeriodEnd does', () => {
    // Its anniversary in a common year is 1 March: a grant from 2024-02-29 runs to 2029-02-28.
    expect(earliestRunningStart('2029-02-28')).toBe('2024-02-29');
    expect(earliestRunningStart('2029-03-01')).toBe('2024-03-02');
    // 2028-02-29 is reached by a start of 2023-03-01 (to 2028-02-29), not 2023-02-28 (to 2028-02-27).
    expect(earliestRunningStart('2028-02-29')).toBe('2023-03-01');
    for (const today of ['2026-03-15', '2029-02-28', '2028-02-29', '2028-03-01', '2026-12-31']) {
      const min = earliestRunningStart(today);
      expect([latestPeriodEnd(min) >= today, latestPeriodEnd(addDays(min, -1)) < today]).toEqual([true, true]);
    }
  });

  test('the last day allowed after 29 February is the day before its anniversary', () => {
    expect(latestPeriodEnd('2028-02-29')).toBe('2033-02-28');
    expect(latestPeriodEnd('2027-03-01')).toBe('2032-02-29');
    expect(latestPeriodEnd('2026-01-01')).toBe('2030-12-31');
  });

  test('ending before it starts is EMPTY_PERIOD at input.periodEnd', async () => {
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2026-03-01', periodEnd: '2026-02-28', amountFen: 10_000 })).toEqual([{ code: 'BAD_USER_INPUT', argument: 'input.periodEnd', reason: 'EMPTY_PERIOD' }]);
  });

  test('a school year the period does not meet is SCHOOL_YEAR_MISMATCH at input.schoolYear, with allowed', async () => {
    const mismatch = (allowed: string[]) => [{ code: 'BAD_USER_INPUT', argument: 'input.schoolYear', reason: 'SCHOOL_YEAR_MISMATCH', allowed }];
    // A term's subsidy from September 2025 to January 2026, written as the year before.
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2025-09-01', periodEnd: '2026-01-31', schoolYear: '2024-2025', amountFen: 10_000 }, ['allowed'])).toEqual(mismatch(['2025-2026']));
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2025-09-01', periodEnd: '2026-01-31', schoolYear: '2025-2026', amountFen: 10_000 })).toBe('ANSWERED');
    // A period over two school years is for either of them.
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2025-03-01', periodEnd: '2025-12-31', schoolYear: '2025-2026', amountFen: 10_000 })).toBe('ANSWERED');
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2025-03-01', periodEnd: '2025-12-31', schoolYear: '2026-2027', amountFen: 10_000 }, ['allowed'])).toEqual(mismatch(['2024-2025', '2025-2026']));
    // With no end, a period is for the school year it starts in, or the next when it starts in July or August.
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2025-08-15', schoolYear: '2025-2026', amountFen: 10_000 })).toBe('ANSWERED');
    expect(await refusal({ programme: 'DISABILITY_LIVING', periodStart: '2025-10-01', schoolYear: '2026-2027', amountFen: 10_000 }, ['allowed'])).toEqual(mismatch(['2025-2026']));
  });
});

describe('hostile values of every input', () => {
  const grant = { programme: 'NATIONAL_GRANT', grantDate: '2025-10-10', amountFen: 100_000 };
  const recurring = { programme: 'DISABILITY_LIVING', periodStart: '2026-03-01', amountFen: 10_000 };
  const refused = (argument: string, reason: string) => [{ code: 'BAD_USER_INPUT', argument, reason }];
  test.each([
    // Dates that are no calendar date (refused at the check's own field, as a bad amount is), and dates in range
    // but before the beneficiary's birth (2008-04-04). Dates outside the range: test/hostile-dates.test.ts.
    ['29 February of a common century year', { ...grant, grantDate: '1900-02-29' }, refused('input.grantDate', 'MALFORMED_DATE')],
    ['29 February of a common year, as a period end', { ...recurring, periodEnd: '2027-02-29' }, refused('input.periodEnd', 'MALFORMED_DATE')],
    ['the first day of the range', { ...grant, grantDate: '1900-01-01' }, refused('input.grantDate', 'DATE_INVALID')],
    ['a period start before birth', { ...recurring, periodStart: '1900-01-01' }, refused('input.periodStart', 'DATE_INVALID')],
    ['a period end at the first day of the range', { ...recurring, periodEnd: '1900-01-01' }, refused('input.periodEnd', 'EMPTY_PERIOD')],
    // Amounts: negative, one fen past the most, past exact integers.
    ['a negative amount', { ...grant, amountFen: -1 }, refused('input.amountFen', 'OUT_OF_RANGE')],
    ['0 fen of aid in money, as a meeting and aidReport refuse it', { ...grant, amountFen: 0 }, refused('input.amountFen', 'AMOUNT_INVALID')],
    ['0 fen a month of recurring aid in money', { ...recurring, amountFen: 0 }, refused('input.amountFen', 'AMOUNT_INVALID')],
    ['one fen past the most', { ...grant, amountFen: 2_147_483_648 }, refused('input.amountFen', 'OUT_OF_RANGE')],
    // Refused at the check's own field (ProposedFen), as a malformed date is: it had refused the whole operation at $in.amountFen.
    ['2^53 fen', { ...grant, amountFen: 2 ** 53 }, refused('input.amountFen', 'FEN_OUT_OF_RANGE')],
    ['12.5 fen', { ...grant, amountFen: 12.5 }, refused('input.amountFen', 'MALFORMED_FEN')],
    // Codes and texts.
    ['an empty ID number', { ...grant, beneficiaryIdNumber: '' }, refused('input.beneficiaryIdNumber', 'LENGTH')],
    ['an empty programme', { ...grant, programme: '' }, refused('input.programme', 'MALFORMED_ID')],
    ['a programme in lower case', { ...grant, programme: 'national_grant' }, refused('input.programme', 'UNKNOWN_PROGRAMME')],
    ['a department’s unrecognised programme', { ...grant, programme: 'EDUCATION_UNRECOGNISED' }, refused('input.programme', 'UNKNOWN_PROGRAMME')],
    ['an empty school year', { ...grant, schoolYear: '' }, refused('input.schoolYear', 'EMPTY_VALUE')],
    ['a school year of one year', { ...grant, schoolYear: '2025-2025' }, refused('input.schoolYear', 'MALFORMED_SCHOOL_YEAR')],
    ['an empty settlement reference', { ...grant, programme: 'MEDICAL_AID', settlementReference: '' }, refused('input.settlementReference', 'EMPTY_VALUE')],
    ['a settlement reference on aid tied to no stay', { ...grant, settlementReference: 'S1' }, refused('input.settlementReference', 'NOT_TIED_TO_STAY')],
    ['a cause only the hub reads', { ...grant, programme: 'TEMP_AID', cause: 'UNRECOGNISED' }, refused('input.cause', 'OUTPUT_ONLY')],
    // A date of the other kind of aid was left out unread: the check answered for a grant the caller did not describe.
    ['a period on one-off aid', { ...grant, periodStart: '2025-09-01', periodEnd: '2026-08-31' }, refused('input.periodStart', 'DATE_NOT_TAKEN')],
    ['a period end alone on one-off aid', { ...grant, periodEnd: '2099-12-31' }, refused('input.periodEnd', 'DATE_NOT_TAKEN')],
    ['a grant date on recurring aid', { ...recurring, grantDate: '2099-12-31' }, refused('input.grantDate', 'DATE_NOT_TAKEN')],
    ['冬春救助 dated in July, out of its season (December to May)', { programme: 'WINTER_SPRING_RELIEF', grantDate: '2025-07-01', amountFen: 30_000 }, refused('input.grantDate', 'OUT_OF_SEASON')],
    // "两癌"救助 and 春蕾计划 are for women and girls: a man's ID number is a typo that would put a cancer aid on a stranger (test/programme-for-women.test.ts).
    ['"两癌"救助 for a man', { beneficiaryIdNumber: makeIdNumber('370811', '1972-05-05', 43), programme: 'TWO_CANCERS_AID', grantDate: '2026-03-01', amountFen: 500_000 }, refused('input.beneficiaryIdNumber', 'PROGRAMME_FOR_WOMEN')],
  ])('%s is refused with a stable reason', async (_what, input, expected) => {
    expect(await refusal(input)).toEqual(expected);
  });
});

test('a department client checks its own programmes, PROGRAMME_OF_OTHER_OFFICE another’s; a caseworker checks any', async () => {
  const housing = hub.as({ token: (await hub.createClient({ name: 'pgi-housing', department: 'HOUSING', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] })).token, purpose: 'DUPLICATE_CHECK' });
  const reasons = async (input: Record<string, unknown>) => {
    const res = await housing.gql(CHECK, { in: { beneficiaryIdNumber: STUDENT, ...input } });
    return res.errors?.map((e) => [e.extensions?.code, e.extensions?.argument, e.extensions?.reason]) ?? 'ANSWERED';
  };
  expect(await reasons({ programme: 'DIBAO', periodStart: '2026-03-01', amountFen: 10_000 })).toEqual([['BAD_USER_INPUT', 'input.programme', 'PROGRAMME_OF_OTHER_OFFICE']]);
  expect(await reasons({ programme: 'RENT_SUBSIDY', periodStart: '2026-03-01', amountFen: 10_000 })).toBe('ANSWERED');
  // The hub's own client holds CASEWORKER (a civil-affairs office): it checks housing's programme too.
  expect(await refusal({ programme: 'RENT_SUBSIDY', periodStart: '2026-03-01', amountFen: 10_000 })).toBe('ANSWERED');
});
