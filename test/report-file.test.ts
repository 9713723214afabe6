/**
 * `npm run report` with the files an office's spreadsheet really writes, against a real hub and
 * its databases: blank lines between rows, Excel's dates (2026/1/20), GBK and UTF-16 files, more
 * rows than one report holds, an entry kind the schema does not know. Each problem is named by the
 * line an editor shows, and nothing is recorded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { charityConsent, charityNeed } from '../db/charity/schema';
import { reportFile } from '../tools/report/index';
import { makeIdNumber } from '../domain/id-number';
import { MAX_REPORT_BATCH } from '../domain/reported-aid/validate';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';
import { addHousehold } from './findings-scenario';

const VICTIM = makeIdNumber('370811', '1961-04-04', 51);
const HEADER = 'reference,entry_kind,beneficiary_id_number,programme,grant_date,amount_fen';
const row = (reference: string, programme = 'WINTER_SPRING_RELIEF', grantDate = '2026-01-20', amount = '30000', entryKind = '') =>
  `${reference},${entryKind},${VICTIM},${programme},${grantDate},${amount}`;

const NEED_ID = 1234;

let dbs: TestDatabases;
let hub: TestHub;
let token: string;
let dir: string;

async function ledgerRows(): Promise<number> {
  const [rows] = (await dbs.hub.execute(sql`select count(*) as n from reported_aid`)) as unknown as [{ n: number }[]];
  return Number(rows[0].n);
}

function file(name: string, content: string | Uint8Array): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
}

beforeAll(async () => {
  dbs = await createTestDatabases('report_file');
  await insertRegions(dbs);
  const householdId = await addHousehold(dbs, 'F-RF', [{ idNumber: VICTIM, name: '癸', gender: 'F', birthDate: '1961-04-04' }]);
  // Her household's consent to publish, standing (aid linked to a need is held to its revocation: CONSENT_REVOKED).
  const [consent] = await dbs.hub.insert(charityConsent).values({ householdId, scopes: 'NEED_PUBLICATION', givenBy: '户主', recordedByClient: 'test-office', recordedByOfficer: 'mz-0001', recordedAt: '2026-01-05 02:00:00.000', expiresOn: '2027-01-05' });
  // A published need of her household, numbered as a city's would be after a year (a spreadsheet shows it as 1,234).
  await dbs.hub.insert(charityNeed).values({
    id: NEED_ID, caseId: 1, householdId, consentId: consent.insertId, countyCode: '370811', purpose: 'LIVING', urgency: 'NORMAL', uncoveredFen: 500_000, pledgedFen: 0, deliveredFen: 0,
    description: '生活困难', involvesHealth: false, involvesMinor: false, state: 'OPEN', publishedByClient: 'test-office', publishedAt: '2026-01-10 02:00:00.000',
  });
  hub = await startTestHub(dbs, { today: TODAY });
  token = (await hub.createClient({ name: 'test-emergency-file', department: 'EMERGENCY_MANAGEMENT', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] })).token;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-report-file-'));
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm run report with a spreadsheet’s file', () => {
  it('names the line an editor shows, past blank lines and CR LF line ends', async () => {
    const rows = await ledgerRows();
    // Lines: 1 header, 2 blank, 3 good, 4 blank, 5 another office's programme.
    const f = file('blank.csv', `${HEADER}\r\n\r\n${row('RF-1')}\r\n\r\n${row('RF-2', 'LEGAL_AID', '2026-01-20', '0')}\r\n`);
    const out = await reportFile(hub.url, token, f);
    expect(out.problems.map((p) => [p.line, p.code])).toEqual([[5, 'PROGRAMME_NOT_REPORTER']]);
    expect(await ledgerRows()).toBe(rows);
  });

  it('names the hub’s problems by the file’s column, as the file’s own, not by the API’s field', async () => {
    const rows = await ledgerRows();
    // A mistyped ID number (the hub's check) beside a day-first date (the file's): both by column.
    const mistyped = `${VICTIM.slice(0, 17)}${VICTIM[17] === '0' ? '1' : '0'}`;
    const f = file('columns.csv', [HEADER, row('RF-C1').replace(VICTIM, mistyped), row('RF-C2', 'WINTER_SPRING_RELIEF', '20/1/2026')].join('\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems.map((p) => [p.line, p.code, p.field])).toEqual([
      [2, 'ID_NUMBER_INVALID', 'beneficiary_id_number'],
      [3, 'DATE_INVALID', 'grant_date'],
    ]);
    // Sent without a bad cell (not a dry run), the same.
    const alone = await reportFile(hub.url, token, file('columns2.csv', [HEADER, row('RF-C3').replace(VICTIM, mistyped)].join('\n')));
    expect(alone.problems.map((p) => [p.line, p.code, p.field])).toEqual([[2, 'ID_NUMBER_INVALID', 'beneficiary_id_number']]);
    expect(await ledgerRows()).toBe(rows);
  });

  it('names every date a spreadsheet rewrote day first by its line, with the hub’s word on the other rows', async () => {
    const rows = await ledgerRows();
    const f = file('dates.csv', [HEADER, row('RF-3', 'WINTER_SPRING_RELIEF', '20/1/2026'), row('RF-4', 'LEGAL_AID', '2026-01-20', '0'), row('RF-5', 'WINTER_SPRING_RELIEF', '20.01.2026')].join('\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems.map((p) => [p.line, p.code, p.field])).toEqual([
      [2, 'DATE_INVALID', 'grant_date'],
      [3, 'PROGRAMME_NOT_REPORTER', 'programme'],
      [4, 'DATE_INVALID', 'grant_date'],
    ]);
    expect(await ledgerRows()).toBe(rows);
  });

  it('reads dates and amounts as npm run import does: year first as Excel saves them, full-width, with thousands separators', async () => {
    // The import took these (domain/spreadsheet-values.ts) and this tool refused them
    // (DATE_INVALID, AMOUNT_INVALID): a bureau's two tools disagreed on one spreadsheet.
    const f = file('excel.csv', [HEADER, row('RF-X1', 'WINTER_SPRING_RELIEF', '2026/1/20', '"1,234"'), row('RF-X2', 'WINTER_SPRING_RELIEF', '２０２６-０１-２１', '３００００'),
      row('RF-X3', 'WINTER_SPRING_RELIEF', '20260122', '"１２３，４５６"')].join('\r\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems).toEqual([]);
    expect(out.recorded).toBe(3);
    const [stored] = (await dbs.hub.execute(sql`select reference, grant_date as g, amount_fen as a from reported_aid where reference like 'RF-X%' order by reference`)) as unknown as [{ reference: string; g: string; a: number }[]];
    expect(stored.map((r) => [r.reference, r.g, Number(r.a)])).toEqual([['RF-X1', '2026-01-20', 1234], ['RF-X2', '2026-01-21', 30000], ['RF-X3', '2026-01-22', 123456]]);
  });

  it('reads a need’s id as a whole number as a spreadsheet shows it: with thousands separators, full-width', async () => {
    // Sent as written, each was NEED_UNKNOWN: the file's whole-number column was read as text.
    const needHeader = `${HEADER},need_id`;
    const f = file('needs.csv', [needHeader, `${row('RF-N1')},"1,234"`, `${row('RF-N2')},１２３４`, `${row('RF-N3')},"１，２３４"`].join('\r\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems).toEqual([]);
    expect(out.recorded).toBe(3);
    const [stored] = (await dbs.hub.execute(sql`select reference, need_id as n from reported_aid where reference like 'RF-N%' order by reference`)) as unknown as [{ reference: string; n: string }[]];
    expect(stored.map((r) => [r.reference, r.n])).toEqual([['RF-N1', '1234'], ['RF-N2', '1234'], ['RF-N3', '1234']]);
    // A comma that separates no thousands is no number: the hub's word, by line.
    const rows = await ledgerRows();
    const bad = await reportFile(hub.url, token, file('needs-bad.csv', [needHeader, `${row('RF-N4')},"12,34"`].join('\n')));
    expect(bad.problems.map((p) => [p.line, p.code])).toEqual([[2, 'NEED_UNKNOWN']]);
    expect(await ledgerRows()).toBe(rows);
  });

  it('names the line and column of a value the schema refuses (an entry kind in lower case)', async () => {
    const rows = await ledgerRows();
    const f = file('kind.csv', [HEADER, row('RF-6'), '', row('RF-7', 'WINTER_SPRING_RELIEF', '2026-01-20', '100', 'correction')].join('\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems.map((p) => [p.line, p.code, p.field])).toEqual([[4, 'BAD_USER_INPUT', 'entry_kind']]);
    expect(await ledgerRows()).toBe(rows);
  });

  it('names a date outside the hub\'s range (a year mistyped, 2126) by its line, with the hub\'s word on the other rows', async () => {
    const before = await ledgerRows();
    // Sent, the hub refused the whole request for the one date (input.records.1.grantDate), with
    // no line and no word of the other rows: here 2099's, after today (the hub's word, line 4).
    const far = ['2126-01-20', '2099-01-20', '1899-12-31'];
    const out = await reportFile(hub.url, token, file('far.csv', [HEADER, row('RF-F1'), ...far.map((d, i) => row(`RF-F${i + 2}`, 'WINTER_SPRING_RELIEF', d))].join('\n')));
    expect(out.problems.map((p) => [p.line, p.code, p.field])).toEqual(far.map((_, i) => [i + 3, 'DATE_INVALID', 'grant_date']));
    expect(await ledgerRows()).toBe(before);
  });

  it('says a correction above the record it corrects names it later in the file, not that there is no such record', async () => {
    const before = await ledgerRows();
    const f = file('order.csv', [`${HEADER},supersedes_reference`, `${row('RF-O1-C', 'WINTER_SPRING_RELIEF', '2026-01-20', '20000', 'CORRECTION')},RF-O1`, `${row('RF-O1')},`].join('\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems.map((p) => [p.line, p.code, p.field])).toEqual([[2, 'SUPERSEDES_UNKNOWN', 'supersedes_reference']]);
    expect(out.problems[0].message).toContain('comes later in this batch');
    expect(await ledgerRows()).toBe(before);
  });

  it('reads the header without regard to case (Reference, PROGRAMME), as the hub reads references, and still names an unknown column as written', async () => {
    const before = await ledgerRows();
    const f = file('header-case.csv', [HEADER.replace('reference', 'Reference').replace('programme', 'PROGRAMME').replace('beneficiary_id_number', 'Beneficiary_ID_Number'), row('RF-H1')].join('\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems).toEqual([]);
    expect(out.recorded).toBe(1);
    expect(await ledgerRows()).toBe(before + 1);
    const unknown = await reportFile(hub.url, token, file('header-unknown.csv', [`${HEADER},Remark`, `${row('RF-H2')},x`].join('\n')));
    expect(unknown.problems.map((p) => [p.line, p.code, p.field])).toEqual([[1, 'COLUMN_UNKNOWN', 'Remark']]);
    // Named twice in two cases, it is named twice.
    const twice = await reportFile(hub.url, token, file('header-twice.csv', [`${HEADER},Amount_Fen`, `${row('RF-H3')},1`].join('\n')));
    expect(twice.problems.map((p) => [p.line, p.code])).toEqual([[1, 'COLUMN_DUPLICATE']]);
    expect(await ledgerRows()).toBe(before + 1);
  });

  it('says a file parted by tabs or semicolons is not comma-separated, not that its one column is unknown and every other missing', async () => {
    const before = await ledgerRows();
    for (const [c, word] of [['\t', 'tabs'], [';', 'semicolons']]) {
      const f = file(`parted-${word}.csv`, [HEADER.split(',').join(c), row('RF-S1').split(',').join(c)].join('\n'));
      const out = await reportFile(hub.url, token, f);
      expect({ word, problems: out.problems.map((p) => [p.line, p.code]) }).toEqual({ word, problems: [[1, 'CSV_SEPARATOR']] });
      expect(out.problems[0].message).toContain(word);
    }
    // A one-column file of another header is still an unknown column.
    const other = await reportFile(hub.url, token, file('one-column.csv', ['remark', 'x'].join('\n')));
    expect(other.problems.map((p) => p.code)).toContain('COLUMN_UNKNOWN');
    expect(await ledgerRows()).toBe(before);
  });

  it('names the line of the earlier row a repeated reference repeats, not its place in the batch ("record 0")', async () => {
    const before = await ledgerRows();
    // Lines: 1 header, 2 a row, 3 blank, 4 the same row pasted twice over, 5 another.
    const f = file('repeated.csv', [HEADER, row('RF-R1'), '', row('rf-r1'), row('RF-R2')].join('\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems.map((p) => [p.line, p.code, p.field, p.message])).toEqual([[4, 'REFERENCE_REPEATED_IN_BATCH', 'reference', 'the same reference as line 2']]);
    expect(await ledgerRows()).toBe(before);
  });

  it('names a totals row (合计) and a row missing a required cell by line, with the hub’s word on the other rows', async () => {
    const rows = await ledgerRows();
    // Sent, either row made the hub refuse the whole request for one variable ($records[1]
    // .beneficiaryIdNumber "needs a value"): no line, no column, and the mistyped ID number on line 3
    // went unsaid. Lines: 2 good, 3 mistyped ID number, 4 no ID number, 5 blank, 6 the totals row.
    const mistyped = `${VICTIM.slice(0, 17)}${VICTIM[17] === '0' ? '1' : '0'}`;
    const f = file('totals.csv', `\uFEFF${[HEADER, row('RF-T1'), row('RF-T2').replace(VICTIM, mistyped), row('RF-T3').replace(VICTIM, ''), '', '合计,,,,,60000'].join('\r\n')}\r\n`);
    const out = await reportFile(hub.url, token, f);
    expect(out.problems.map((p) => [p.line, p.code, p.field])).toEqual([
      [3, 'ID_NUMBER_INVALID', 'beneficiary_id_number'],
      [4, 'VALUE_REQUIRED', 'beneficiary_id_number'],
      [6, 'TOTAL_ROW', null],
    ]);
    expect(await ledgerRows()).toBe(rows);
  });

  it('tells a clerk who wrote a programme by its name, or guessed its code, which code to write', async () => {
    const rows = await ledgerRows();
    // The codes are written nowhere a clerk reads: "no programme with that code" sent one guessing.
    const f = file('programmes.csv', [HEADER, row('RF-P1', '冬春救助'), row('RF-P2', 'DISASTER_TRANSITION_LIVING'), row('RF-P3', 'LEGAL_AID', '2026-01-20', '0')].join('\r\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems.map((p) => [p.line, p.code, p.field])).toEqual([
      [2, 'PROGRAMME_UNKNOWN', 'programme'],
      [3, 'PROGRAMME_UNKNOWN', 'programme'],
      [4, 'PROGRAMME_NOT_REPORTER', 'programme'],
    ]);
    expect(out.problems[0].message).toContain('冬春救助 is written by its code, WINTER_SPRING_RELIEF');
    for (const p of out.problems.slice(1)) expect(p.message).toContain('DISASTER_TRANSITION (受灾人员过渡期生活救助), WINTER_SPRING_RELIEF (冬春救助)');
    expect(await ledgerRows()).toBe(rows);
  });

  it('says an ID number a spreadsheet kept as a number (3.70826E+17, or ending in 000) lost its digits, not that it has a wrong length or checksum', async () => {
    const rows = await ledgerRows();
    // Excel keeps 15 digits of a number. A number whose true check character is 0 would still
    // check, so the test's truncated number is one whose check character is not.
    const truncated = `${VICTIM.slice(0, 15)}000`;
    const f = file('mangled.csv', [HEADER, row('RF-E1').replace(VICTIM, `${VICTIM.slice(0, 1)}.${VICTIM.slice(1, 6)}E+17`), row('RF-E2').replace(VICTIM, truncated), row('RF-E3')].join('\r\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems.map((p) => [p.line, p.code, p.field])).toEqual([
      [2, 'ID_NUMBER_INVALID', 'beneficiary_id_number'],
      [3, 'ID_NUMBER_INVALID', 'beneficiary_id_number'],
    ]);
    for (const p of out.problems) expect(p.message).toContain('format the column as text');
    expect(await ledgerRows()).toBe(rows);
  });

  it("says a grant date Excel saved as its serial number is one, and an old 15-digit ID number is one, echoing none of its digits", async () => {
    const rows = await ledgerRows();
    const old = `${VICTIM.slice(0, 6)}${VICTIM.slice(8, 14)}${VICTIM.slice(14, 17)}`;
    const f = file('serial-old.csv', [HEADER, row('RF-S1', 'WINTER_SPRING_RELIEF', '46042'), row('RF-S2').replace(VICTIM, old)].join('\r\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems.map((p) => [p.line, p.code, p.field])).toEqual([
      [2, 'DATE_INVALID', 'grant_date'],
      [3, 'ID_NUMBER_INVALID', 'beneficiary_id_number'],
    ]);
    expect(out.problems[0].message).toContain('serial number');
    expect(out.problems[1].message).toContain('old 15-digit');
    expect(out.problems[1].message).not.toContain(old.slice(6, 12));
    expect(await ledgerRows()).toBe(rows);
  });

  it('says a GBK or UTF-16 file is not UTF-8 instead of sending what it misread', async () => {
    const rows = await ledgerRows();
    // "应急" in GBK: bytes that are no UTF-8, as Excel's plain "CSV" writes on a Chinese Windows.
    const gbk = Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.from([0xd3, 0xa6, 0xbc, 0xb1]), Buffer.from(`-${row('1').slice(1)}\n`)]);
    expect((await reportFile(hub.url, token, file('gbk.csv', gbk))).problems.map((p) => [p.line, p.code])).toEqual([[null, 'ENCODING_NOT_UTF8']]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n${row('RF-8')}\n`, 'utf16le')]);
    expect((await reportFile(hub.url, token, file('utf16.csv', utf16))).problems.map((p) => [p.line, p.code])).toEqual([[null, 'ENCODING_NOT_UTF8']]);
    expect(await ledgerRows()).toBe(rows);
    // A UTF-8 file with Excel's byte-order mark is read as it is.
    const bom = await reportFile(hub.url, token, file('bom.csv', `\uFEFF${HEADER}\r\n${row('RF-9')}\r\n`));
    expect(bom).toMatchObject({ recorded: 1, problems: [] });
  });

  it('names the line of a row with more cells than the header (an amount with an unquoted comma)', async () => {
    const rows = await ledgerRows();
    // Line 4 (past a blank line): 1,000 unquoted is two cells.
    const f = file('cells.csv', [HEADER, row('RF-M1'), '', row('RF-M2', 'WINTER_SPRING_RELIEF', '2026-01-20', '1,000'), row('RF-M3')].join('\r\n'));
    const out = await reportFile(hub.url, token, f);
    expect(out.problems.map((p) => [p.line, p.code])).toEqual([[4, 'CSV_MALFORMED']]);
    expect(out.problems[0].message).toContain('"1,000"');
    expect(await ledgerRows()).toBe(rows);
  });

  it('says an Excel workbook (.xlsx, .xls) is not CSV, not that it is GBK, and sends nothing', async () => {
    const rows = await ledgerRows();
    // The first bytes are what tells them: a zip archive's (.xlsx) and an OLE compound file's (.xls).
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), Buffer.from('[Content_Types].xml'), Buffer.from([0x8b, 0xff, 0x00])]);
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(24), Buffer.from([0xfe, 0xff])]);
    for (const [name, bytes] of [['aid.xlsx', xlsx], ['aid.xls', xls]] as const) {
      const out = await reportFile(hub.url, token, file(name, bytes));
      expect(out.problems.map((p) => [p.line, p.code])).toEqual([[null, 'SPREADSHEET_NOT_CSV']]);
      expect(out.recorded).toBe(0);
    }
    expect(await ledgerRows()).toBe(rows);
  });

  it('refuses a file of more records than one report holds, saying so, before sending it', async () => {
    const rows = await ledgerRows();
    // Far past the limit the hub refused the query's cost instead, naming no limit at all.
    const many = Array.from({ length: MAX_REPORT_BATCH * 5 }, (_, i) => row(`RF-BIG-${i}`));
    const out = await reportFile(hub.url, token, file('big.csv', [HEADER, ...many].join('\n')));
    expect(out.problems.map((p) => [p.line, p.code])).toEqual([[null, 'BATCH_TOO_LARGE']]);
    expect(await ledgerRows()).toBe(rows);
  });

  it('tells an API sender whose batch is refused for its cost that the number of records is why', async () => {
    const records = Array.from({ length: MAX_REPORT_BATCH * 5 }, (_, i) => ({ reference: `RF-API-${i}`, beneficiaryIdNumber: VICTIM, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-20', amountFen: 100 }));
    const res = await hub.as({ token, purpose: 'DUPLICATE_CHECK' }).gql('mutation($r: [ReportedAidInput!]!) { aidReport(input: { records: $r }) { recorded } }', { r: records });
    // It said "ask for fewer fields or smaller pages", of a mutation selecting one field.
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', inputItems: MAX_REPORT_BATCH * 5 });
  });
});
