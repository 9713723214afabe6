/**
 * The pre-grant check when a department it needs does not answer, through a real hub over real
 * databases with the department's database really gone (a port nothing listens on): the answer
 * is not clear, since it may miss the conflict that department holds. The Wang household's spouse
 * holds a 护理补贴 (DISABILITY_NURSING) on the disability federation's books: proposing it again is
 * X9, which only that department's data can show. A meeting deciding aid runs the same check:
 * it is not stopped by a department being down, but records the check as incomplete, and still
 * finds what the departments that answered hold. Aid reported to the hub (aidReport) is checked
 * the same way on receipt and says which records' checks could not read a department.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../db/setup/private-server';
import { reportFile } from '../tools/report/index';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { caseInDeliberation } from './support/cases';
import { TestClock } from './support/clock';

const CHECK = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear complete conflicts warnings consulted { code } findings { rule { id } } } }`;

let dbs: TestDatabases;
/** Every department answers. */
let hub: TestHub;
/** The disability federation's and medical insurance's databases are unreachable. */
let partial: TestHub;
let wangId: number;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

beforeAll(async () => {
  dbs = await createTestDatabases('pregrant_incomplete');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, clock: clock.now });
  const deadPort = await freePort();
  const nowhere = { url: `mysql://root@127.0.0.1:${deadPort}/nowhere` };
  partial = await startTestHub(dbs, { today: TODAY, clock: clock.now, sources: { DISABILITY: nowhere, HEALTH: nowhere } });
});

afterAll(async () => {
  await partial?.close();
  await hub?.close();
  await dbs?.close();
});

const unavailableDepartments = (res: { errors?: { extensions?: Record<string, any> }[] }) =>
  (res.errors ?? []).filter((e) => e.extensions?.code === 'DEPARTMENT_UNAVAILABLE').map((e) => e.extensions!.department).sort();

describe('preGrantCheck without a department it needs', () => {
  const nursingAgain = { beneficiaryIdNumber: WANG.spouse, programme: 'DISABILITY_NURSING', periodStart: TODAY, amountFen: 10_000 };

  it('finds the duplicate when the department answers', async () => {
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: nursingAgain });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toMatchObject({ clear: false, complete: true, conflicts: 1, findings: [{ rule: { id: 'X9' } }] });
  });

  it('sent as aliases of one operation, a refused check is null on its own and the others are answered', async () => {
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(
      `query($a: PreGrantCheckInput!, $b: PreGrantCheckInput!) { a: preGrantCheck(input: $a) { clear conflicts } b: preGrantCheck(input: $b) { clear conflicts } }`,
      { a: nursingAgain, b: { ...nursingAgain, beneficiaryIdNumber: `${WANG.head.slice(0, 17)}${WANG.head[17] === '0' ? '1' : '0'}` } },
    );
    expect(res.data).toEqual({ a: { clear: false, conflicts: 1 }, b: null });
    expect(res.errors?.map((e: any) => [e.path, e.extensions.code, e.extensions.reason])).toEqual([[['b'], 'BAD_USER_INPUT', 'CHECKSUM']]);
  });

  it('sent as aliases of one operation, a malformed date nulls its own check only, as a bad ID number does', async () => {
    // A Date refused by the scalar refused the whole operation (variables are coerced, literals
    // validated, before any field runs): one typo'd date cost a batch of twenty checks all its answers.
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(
      `query($a: PreGrantCheckInput!, $b: PreGrantCheckInput!) {
        a: preGrantCheck(input: $a) { clear conflicts }
        b: preGrantCheck(input: $b) { clear conflicts }
        c: preGrantCheck(input: { beneficiaryIdNumber: "${WANG.spouse}", programme: "DISABILITY_NURSING", periodStart: "2026-13-01", amountFen: 10000 }) { clear conflicts }
        d: preGrantCheck(input: { beneficiaryIdNumber: "${WANG.spouse}", programme: "DISABILITY_NURSING", periodStart: 20260301, amountFen: 10000 }) { clear conflicts }
      }`,
      { a: nursingAgain, b: { ...nursingAgain, periodEnd: '2027-02-29' } },
    );
    expect(res.data).toEqual({ a: { clear: false, conflicts: 1 }, b: null, c: null, d: null });
    expect(res.errors?.map((e: any) => [e.path, e.extensions.code, e.extensions.argument, e.extensions.reason])).toEqual([
      [['b'], 'BAD_USER_INPUT', 'input.periodEnd', 'MALFORMED_DATE'],
      [['c'], 'BAD_USER_INPUT', 'input.periodStart', 'MALFORMED_DATE'],
      [['d'], 'BAD_USER_INPUT', 'input.periodStart', 'MALFORMED_DATE'],
    ]);
    expect(res.errors?.map((e: any) => e.message)).toEqual([
      'Date must be a real calendar date written YYYY-MM-DD (got "2027-02-29")',
      'Date must be a real calendar date written YYYY-MM-DD (got "2026-13-01")',
      'Date is a string written YYYY-MM-DD, not a number',
    ]);
  });

  it('sent as aliases of one operation, a malformed amount nulls its own check only, in a variable or written in the document', async () => {
    // A Fen refused by the scalar refused the whole operation, as a Date did: 12.5 in one check of
    // twenty cost all twenty answers. A variable of the check's own scalar (ProposedFen) is coerced
    // before any field runs too, and is refused at its check all the same.
    const spouseNursing = `beneficiaryIdNumber: "${WANG.spouse}", programme: "DISABILITY_NURSING", periodStart: "${TODAY}"`;
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(
      `query($a: PreGrantCheckInput!, $b: PreGrantCheckInput!, $c: PreGrantCheckInput!, $d: PreGrantCheckInput!, $f: ProposedFen!, $g: ProposedFen!) {
        a: preGrantCheck(input: $a) { clear conflicts }
        b: preGrantCheck(input: $b) { clear conflicts }
        c: preGrantCheck(input: $c) { clear conflicts }
        d: preGrantCheck(input: $d) { clear conflicts }
        e: preGrantCheck(input: { ${spouseNursing}, amountFen: 12.5 }) { clear conflicts }
        f: preGrantCheck(input: { ${spouseNursing}, amountFen: $f }) { clear conflicts }
        g: preGrantCheck(input: { ${spouseNursing}, amountFen: $g }) { clear conflicts }
        h: preGrantCheck(input: { ${spouseNursing}, amountFen: "12" }) { clear conflicts }
        i: preGrantCheck(input: { ${spouseNursing}, amountFen: 1e20 }) { clear conflicts }
      }`,
      { a: nursingAgain, b: { ...nursingAgain, amountFen: 12.5 }, c: { ...nursingAgain, amountFen: '12' }, d: { ...nursingAgain, amountFen: 1e20 }, f: Number(WANG.spouse), g: 10_000 },
    );
    expect(res.data).toEqual({ a: { clear: false, conflicts: 1 }, b: null, c: null, d: null, e: null, f: null, g: { clear: false, conflicts: 1 }, h: null, i: null });
    expect(res.errors?.map((e: any) => [e.path, e.extensions.code, e.extensions.argument, e.extensions.reason])).toEqual([
      [['b'], 'BAD_USER_INPUT', 'input.amountFen', 'MALFORMED_FEN'],
      [['c'], 'BAD_USER_INPUT', 'input.amountFen', 'MALFORMED_FEN'],
      [['d'], 'BAD_USER_INPUT', 'input.amountFen', 'FEN_OUT_OF_RANGE'],
      [['e'], 'BAD_USER_INPUT', 'input.amountFen', 'MALFORMED_FEN'],
      [['f'], 'BAD_USER_INPUT', 'input.amountFen', 'FEN_OUT_OF_RANGE'],
      [['h'], 'BAD_USER_INPUT', 'input.amountFen', 'MALFORMED_FEN'],
      [['i'], 'BAD_USER_INPUT', 'input.amountFen', 'FEN_OUT_OF_RANGE'],
    ]);
    // The scalar's own words, and no digit of the value (an ID number pasted into an amount).
    expect(res.errors?.map((e: any) => e.message)).toEqual([
      'Fen must be a whole number of fen (1 yuan = 100 fen), not a fraction',
      'Fen must be a whole number of fen (1 yuan = 100 fen), not a string',
      'Fen must be within ±9,007,199,254,740,991 (beyond it a number is not exact)',
      'Fen must be a whole number of fen (1 yuan = 100 fen), not a fraction',
      'Fen must be within ±9,007,199,254,740,991 (beyond it a number is not exact)',
      'Fen must be a whole number of fen (1 yuan = 100 fen), not a string',
      'Fen must be within ±9,007,199,254,740,991 (beyond it a number is not exact)',
    ]);
  });

  it('refuses an old 15-digit ID number with LENGTH, saying what it is and echoing no digit of it', async () => {
    // The first-generation number of WANG's head: address code, birth date yymmdd, sequence.
    const old = `${WANG.head.slice(0, 6)}${WANG.head.slice(8, 17)}`;
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { ...nursingAgain, beneficiaryIdNumber: old } });
    expect(res.errors?.map((e: any) => [e.extensions.code, e.extensions.argument, e.extensions.reason])).toEqual([['BAD_USER_INPUT', 'input.beneficiaryIdNumber', 'LENGTH']]);
    // "this one has 15" named no cause a clerk could act on.
    expect(res.errors?.[0].message).toContain('old 15-digit');
    expect(res.errors?.[0].message).not.toMatch(/\d{6}/);
  });

  it('is not clear when the department does not answer, though it found nothing', async () => {
    const res = await partial.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: nursingAgain });
    expect(unavailableDepartments(res)).toEqual(['DISABILITY']);
    const check = res.data.preGrantCheck;
    expect(check.consulted.map((d: { code: string }) => d.code)).toContain('DISABILITY');
    // It was clear: true beside complete: false, and a system reading clear would grant the duplicate.
    expect(check).toMatchObject({ complete: false, clear: false, conflicts: 0, warnings: 0, findings: [] });
  });

  it('sent as aliases of one operation, each check names the departments missing from its own answer', async () => {
    // The response's DEPARTMENT_UNAVAILABLE errors name no check: with disability and medical insurance
    // both down, a batch's incomplete checks did not say which of their consulted departments failed.
    const BATCH = `query($a: PreGrantCheckInput!, $b: PreGrantCheckInput!, $c: PreGrantCheckInput!) {
      a: preGrantCheck(input: $a) { complete unavailable { code } } b: preGrantCheck(input: $b) { complete unavailable { code } } c: preGrantCheck(input: $c) { complete unavailable { code } } }`;
    const res = await partial.as({ purpose: 'DUPLICATE_CHECK' }).gql(BATCH, {
      a: nursingAgain,
      b: { beneficiaryIdNumber: WANG.grandmother, programme: 'MEDICAL_AID', grantDate: TODAY, amountFen: 10_000, settlementReference: 'SETL20260110001' },
      c: { beneficiaryIdNumber: WANG.head, programme: 'TEMP_AID', cause: 'ACCIDENT', grantDate: TODAY, amountFen: 10_000 },
    });
    expect((res.errors ?? []).map((e: { extensions?: Record<string, unknown> }) => e.extensions?.code)).toEqual(['DEPARTMENT_UNAVAILABLE', 'DEPARTMENT_UNAVAILABLE']);
    expect(unavailableDepartments(res)).toEqual(['DISABILITY', 'HEALTH']);
    expect(res.data).toEqual({
      a: { complete: false, unavailable: [{ code: 'DISABILITY' }] },
      b: { complete: false, unavailable: [{ code: 'HEALTH' }] },
      c: { complete: true, unavailable: [] },
    });
  });

  it('needs no stay for medical aid tied to none: medical insurance down leaves its check complete', async () => {
    // X7 adds up aid by hospital settlement; a grant naming none is in no stay's sum. Its check
    // counted medical insurance as consulted, so a failure of it anywhere in the request (another
    // record of the same aidReport batch) made it incomplete, or not, as the reads happened to race.
    const res = await partial.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { beneficiaryIdNumber: WANG.grandmother, programme: 'MEDICAL_AID', grantDate: TODAY, amountFen: 10_000 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toMatchObject({ complete: true, clear: true, findings: [] });
    expect(res.data.preGrantCheck.consulted.map((d: { code: string }) => d.code)).not.toContain('HEALTH');
  });

  it('stays clear for a grant that needs none of the departments down', async () => {
    // Temporary aid reads civil affairs alone: nothing is missing from its answer.
    const res = await partial.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { beneficiaryIdNumber: WANG.head, programme: 'TEMP_AID', cause: 'ACCIDENT', grantDate: TODAY, amountFen: 10_000 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toMatchObject({ complete: true, clear: true, consulted: [{ code: 'CIVIL_AFFAIRS' }] });
  });
});

describe('a meeting deciding while a department does not answer', () => {
  const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) {
    meeting { decisionChecks { conflict complete unavailable { code } findings { ruleId severity } overrideReason } }
    userErrors { code field } } }`;
  const meetingOf = (caseId: string, decision: Record<string, unknown>) => ({
    input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'DISABILITY'], decisions: [{ amountFen: 72_000, deadlineWorkingDays: 5, ...decision }] },
  });
  const convener = () => partial.as({ purpose: 'CASE_MEETING' }).gql;

  it('still refuses a conflict the departments that answered show, though the dossier found another department down', async () => {
    const caseId = await caseInDeliberation(hub.as({ purpose: 'CASE_MEETING' }).gql, wangId, '低保重复决定', '2026-03-09T09:00:00+08:00');
    // The head already holds 低保 (civil affairs): X9. The dossier read the disability federation and
    // failed; X9 names its programmes too and was skipped, so the duplicate was recorded as a clean,
    // complete check.
    const res = await convener()(MEETING, meetingOf(caseId, { department: 'CIVIL_AFFAIRS', programme: 'DIBAO', beneficiaryIdNumber: WANG.head }));
    expect(unavailableDepartments(res)).toEqual(['DISABILITY', 'HEALTH']);
    expect(res.data.meetingRecord.userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '0', 'conflictOverrideReason'] }]);
    const overridden = await convener()(MEETING, meetingOf(caseId, { department: 'CIVIL_AFFAIRS', programme: 'DIBAO', beneficiaryIdNumber: WANG.head, conflictOverrideReason: '迁入本县，原县低保同时停发' }));
    expect(overridden.data.meetingRecord.userErrors).toEqual([]);
    // Civil affairs answered: the check of a 低保 decision is complete although other departments were down.
    expect(overridden.data.meetingRecord.meeting.decisionChecks).toEqual([
      { conflict: true, complete: true, unavailable: [], findings: [{ ruleId: 'X9', severity: 'CONFLICT' }], overrideReason: '迁入本县，原县低保同时停发' },
    ]);
  });

  it('decides aid whose check needs the department down, and records the check as incomplete', async () => {
    const caseId = await caseInDeliberation(hub.as({ purpose: 'CASE_MEETING' }).gql, wangId, '护理补贴', '2026-03-10T09:00:00+08:00');
    // The spouse's nursing subsidy is on the disability federation's books, which do not answer.
    const res = await convener()(MEETING, meetingOf(caseId, { department: 'DISABILITY', programme: 'DISABILITY_NURSING', amountFen: 10_000, beneficiaryIdNumber: WANG.spouse }));
    expect(res.data.meetingRecord.userErrors).toEqual([]);
    const [check] = res.data.meetingRecord.meeting.decisionChecks;
    expect(check).toMatchObject({ conflict: false, complete: false, unavailable: [{ code: 'DISABILITY' }], overrideReason: null });
    expect(check.findings.filter((f: { severity: string }) => f.severity === 'CONFLICT')).toEqual([]);
  });
});

describe('aid reported while a department does not answer', () => {
  const REPORT = `mutation($records: [ReportedAidInput!]!) { aidReport(input: { records: $records }) {
    recorded conflicts { index rule { id } severity } incompleteChecks { index departments { code } } userErrors { code } } }`;
  // The grandmother's stay (medical insurance): 7,010.50 yuan out of pocket after 5,000 of medical aid.
  const illnessAid = (reference: string, amountFen: number) => ({ reference, beneficiaryIdNumber: WANG.grandmother, programme: 'RED_CROSS_ILLNESS', grantDate: '2026-03-01', amountFen, settlementRef: 'SETL20260110001' });
  let redCross: string;
  beforeAll(async () => {
    redCross = (await hub.createClient({ name: 'test-red-cross', department: 'RED_CROSS', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] })).token;
  });

  it('records the aid, and says which record’s check could not read medical insurance', async () => {
    // Aid for a stay is judged against the stay's burden (X7), which only medical insurance holds.
    const res = await partial.as({ token: redCross, purpose: 'DUPLICATE_CHECK' }).gql(REPORT, { records: [illnessAid('HSZ-2026-001', 800_000), { ...illnessAid('HSZ-2026-002', 10_000), settlementRef: null }] });
    expect(unavailableDepartments(res)).toEqual(['HEALTH']);
    // No conflicts, and the first record's check could not judge its stay (the second, tied to no
    // stay, needs no medical insurance): both were answered as no conflict at all.
    expect(res.data.aidReport).toEqual({ recorded: 2, conflicts: [], incompleteChecks: [{ index: 0, departments: [{ code: 'HEALTH' }] }], userErrors: [] });
  });

  it('answers the conflict the same record causes once the department answers', async () => {
    const res = await hub.as({ token: redCross, purpose: 'DUPLICATE_CHECK' }).gql(REPORT, { records: [illnessAid('HSZ-2026-003', 10_000)] });
    expect(res.errors).toBeUndefined();
    expect(res.data.aidReport).toMatchObject({ recorded: 1, conflicts: [{ index: 0, rule: { id: 'X7' }, severity: 'CONFLICT' }], incompleteChecks: [] });
  });

  it('names the line of a file whose check was incomplete (npm run report)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-pregrant-incomplete-'));
    const file = path.join(dir, 'aid.csv');
    fs.writeFileSync(file, `reference,beneficiary_id_number,programme,grant_date,amount_fen,settlement_ref\nHSZ-CSV-1,${WANG.grandmother},RED_CROSS_ILLNESS,2026-03-02,20000,SETL20260110001\n`);
    try {
      expect(await reportFile(partial.url, redCross, file)).toMatchObject({ recorded: 1, conflicts: [], incomplete: [{ line: 2, departments: ['HEALTH'] }], problems: [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
