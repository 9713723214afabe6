/**
 * The import tool (tools/import.ts): validation as pure functions, then loading the example
 * folder into real databases, idempotently, and refusing to load anything when one row is bad.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/mysql-core';
import { ADAPTERS } from '../federation/registry';
import { maintainedByDatabase } from '../db/change-marker';
import { makeIdNumber } from '../domain/id-number';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, type DepartmentCode } from '../domain/departments';
import {
  DOCS_BEGIN,
  DOCS_END,
  formatProblem,
  ImportLoadError,
  importDir,
  renderColumnReference,
  withColumnReference,
  TABLE_SPECS,
  validateCsv,
  validateImportDir,
  type CsvValidation,
} from '../tools/import/index';
import { createPool } from '../db/connect';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { disabilityScenario } from '../federation/disability/scenario';
import { educationScenario } from '../federation/education/scenario';
import { healthScenario } from '../federation/health/scenario';
import { housingScenario } from '../federation/housing/scenario';
import { unionScenario } from '../federation/union/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';

const TODAY = '2026-06-30';
const EXAMPLES = path.join(__dirname, '..', 'examples', 'import');
const BAD_EXAMPLES = path.join(__dirname, '..', 'examples', 'import-bad');

// People of the example folder.
const A = '370811197203150315'; // 王建国, M
const B = '37081119750802044X'; // 李秀英, F, disabled (physical, level 2)
const C = '37081120090520057X'; // 王小明, M
const CERT_B = `${B}42`;

// Department tables whose files the examples below change, by the names their folders give them
// (federation/<dept>/scenario.ts); a table's import file is `<table>.csv`.
const DIBAO_FAMILIES = civilAffairsScenario.tableName('dibaoFamilies');
const DIBAO_MEMBERS = civilAffairsScenario.tableName('dibaoMembers');
const TEKUN = civilAffairsScenario.tableName('tekun');
const TEMPORARY_AID = civilAffairsScenario.tableName('temporaryAid');
const CHILD_ALLOWANCES = civilAffairsScenario.tableName('childAllowances');
const STUDENTS = educationScenario.tableName('students');
const FUNDING = educationScenario.tableName('funding');
const RENTAL_APPLICATIONS = housingScenario.tableName('rentalApplications');
const RENTAL_ALLOCATIONS = housingScenario.tableName('rentalAllocations');
const SETTLEMENTS = healthScenario.tableName('settlements');
const UNION_GRANTS = unionScenario.tableName('grants');
const CERTIFICATES = disabilityScenario.tableName('certificates');
const SUBSIDIES = disabilityScenario.tableName('subsidies');
const REHABILITATION_AID = disabilityScenario.tableName('rehabilitationAid');

/** A valid ID number with its check character replaced by a wrong one. */
function wrongCheck(id: string): string {
  return id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
}

function csv(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

function check(file: string, content: string | Buffer): Promise<CsvValidation> {
  return validateCsv(file, content, { today: TODAY });
}

/** The problems of one file as report lines. */
async function report(file: string, content: string | Buffer): Promise<string[]> {
  return (await check(file, content)).problems.map(formatProblem);
}

/** The report lines of a department table's file, each after the file's name (`:line: column: reason (CODE)`). */
async function reportOf(table: string, content: string | Buffer): Promise<string[]> {
  const file = `${table}.csv`;
  return (await report(file, content)).map((line) => {
    expect(line.startsWith(`${file}:`)).toBe(true);
    return line.slice(file.length);
  });
}

/** No report line may carry a full ID number (or a certificate number, which holds one). */
function expectNoIdNumbers(lines: string[]): void {
  for (const line of lines) expect(line).not.toMatch(/\d{17}[\dXx]/);
}

function exampleFile(table: string): string {
  return fs.readFileSync(path.join(EXAMPLES, `${table}.csv`), 'utf8');
}

/** The example file with one line (1 = header) replaced. */
function withLine(table: string, line: number, text: string): string {
  const lines = exampleFile(table).replace(/\n$/, '').split('\n');
  lines[line - 1] = text;
  return csv(...lines);
}

describe('import: the specs', () => {
  it('cover every column of the hub and department tables, no more', async () => {
    // The hub's tables, then each department's, in the registry's order: a department's folder
    // declares a file for every table it has.
    // A ledger the hub keeps (REPORTED) is written only through its own validation (npm run report), never loaded as rows.
    const departmentTables = DEPARTMENT_CODES.filter((code) => !HUB_LEDGER_SOURCES.includes(code)).flatMap((code) => ADAPTERS[code].tables.map((t) => getTableConfig(t).name));
    expect(TABLE_SPECS.map((s) => s.table)).toEqual(['region', 'household', 'person', 'household_member', ...departmentTables]);
    for (const spec of TABLE_SPECS) {
      expect(spec.columns.map((c) => c.name)).toEqual(Object.values(getTableColumns(spec.drizzleTable)).filter((c) => !maintainedByDatabase(c)).map((c) => c.name));
    }
  });

  it('every department has at least one table', async () => {
    const targets = new Set(TABLE_SPECS.map((s) => s.target));
    for (const code of DEPARTMENT_CODES.filter((c) => !HUB_LEDGER_SOURCES.includes(c))) expect(targets.has(code)).toBe(true);
  });

  it('examples/import/README.md carries the current column reference', async () => {
    const readme = fs.readFileSync(path.join(EXAMPLES, 'README.md'), 'utf8');
    const begin = readme.indexOf(DOCS_BEGIN);
    const end = readme.indexOf(DOCS_END);
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(readme.slice(begin, end + DOCS_END.length)).toBe(renderColumnReference());
  });

  it('--docs --write replaces a stale column reference and nothing else, and refuses a README without one', () => {
    const stale = `# Title\n\nbefore\n\n${DOCS_BEGIN}\n\n| an old table |\n\n${DOCS_END}\n\nafter\n`;
    expect(withColumnReference(stale)).toBe(`# Title\n\nbefore\n\n${renderColumnReference()}\n\nafter\n`);
    expect(withColumnReference(withColumnReference(stale))).toBe(withColumnReference(stale));
    expect(() => withColumnReference('# Title\n')).toThrow(/no column reference/);
    expect(() => withColumnReference(`${DOCS_END}\n${DOCS_BEGIN}\n`)).toThrow(/no column reference/);
  });
});

describe('import: validating the example folder', () => {
  it('is valid, with a file for every table', async () => {
    const v = await validateImportDir(EXAMPLES, { today: TODAY });
    expect(v.problems.map(formatProblem)).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.files.map((f) => f.spec!.table)).toEqual(TABLE_SPECS.map((s) => s.table));
    expect(v.ignored).toEqual(['README.md']);
    for (const f of v.files) expect(f.rowCount).toBeGreaterThan(0);
  });

  it('normalises values for the database', async () => {
    const setl = (await check(`${SETTLEMENTS}.csv`, exampleFile(SETTLEMENTS))).rows[0].values;
    expect(setl.medfee_sumamt).toBe('38650.40');
    const grant = (await check(`${TEMPORARY_AID}.csv`, exampleFile(TEMPORARY_AID))).rows[1].values;
    expect(grant).toMatchObject({ family_no: null, cause_code: '03', is_urgent: false, approval_level: 2, amount_fen: 150000 });
  });
});

describe('import: bad rows', () => {
  it('reports a wrong check character with file, line and column, never the number', async () => {
    const lines = exampleFile(DIBAO_MEMBERS).replace(/\n$/, '').split('\n');
    // Header + 3 rows; add 3 more so the bad one is line 7.
    lines.push(`JN-RC-2023-0099,${A},本人,2024-01-01,,91000`);
    lines.push(`JN-RC-2023-0099,${B},配偶,2024-01-01,,91000`);
    lines.push(`JN-RC-2023-0099,${wrongCheck(C)},子女,2024-01-01,,91000`);
    const out = await reportOf(DIBAO_MEMBERS, csv(...lines));
    expect(out).toEqual([':7: id_no: check character does not match (CHECKSUM)']);
    expectNoIdNumbers(out);
  });

  it('reports each kind of bad ID number', async () => {
    const row = (id: string) => withLine(TEKUN, 2, `5001,${id},371526,1,2024-09-01,,120000,0`);
    expect(await reportOf(TEKUN, row('37152619501103013'))).toEqual([
      ':2: id_no: an ID number has 18 characters, this one has 17 (LENGTH)',
    ]);
    expect((await reportOf(TEKUN, row('3715261950110301A2')))[0]).toMatch(/:2: id_no: .*\(CHARACTERS\)$/);
    expect((await reportOf(TEKUN, row(makeIdNumber('371526', '1950-02-30', 13).slice(0, 17) + '0')))[0]).toMatch(/\(BIRTH_DATE\)$/);
    expect((await reportOf(TEKUN, row(makeIdNumber('371526', '2027-01-01', 13))))[0]).toMatch(/\(BIRTH_DATE\)$/); // after today
    expect((await reportOf(TEKUN, row('000000195011030132')))[0]).toMatch(/\(REGION\)$/);
  });

  it('says what an ID number a spreadsheet mangled, or an old 15-digit one, is, echoing no digit of it', async () => {
    const row = (id: string) => withLine(TEKUN, 2, `5001,${id},371526,1,2024-09-01,,120000,0`);
    const id = '371526195011030132';
    // Excel keeps 15 digits of a number: 3.71526E+17, or the digits with 000 for the last three.
    for (const [cell, code] of [['3.71526E+17', 'LENGTH'], [`${id.slice(0, 15)}000`, 'CHECKSUM']]) {
      const out = await reportOf(TEKUN, row(cell));
      expect(out).toHaveLength(1);
      expect(out[0]).toMatch(new RegExp(`^:2: id_no: .*format the column as text.*\\(${code}\\)$`));
    }
    // An old number (GB 11643-1989): said to be one, with what to ask for.
    const old = await reportOf(TEKUN, row('371526501103013'));
    expect(old).toHaveLength(1);
    expect(old[0]).toMatch(/^:2: id_no: .*old 15-digit.*\(LENGTH\)$/);
    expect(old[0]).not.toContain('501103');
    // Spaces between groups are taken, so the length counted is the digits' (17 here), not the cell's.
    expect(await reportOf(TEKUN, row('371526 19501103 013'))).toEqual([':2: id_no: an ID number has 18 characters, this one has 17 (LENGTH)']);
  });

  it("reads an ID number marked as text for Excel ('… or =\"…\", as the findings export writes it) as npm run report does", async () => {
    for (const cell of [`'${C}`, `"=""${C}"""`]) {
      const v = await check(`${STUDENTS}.csv`, withLine(STUDENTS, 2, `JN2024GZ0451,${cell},3708110012,济宁市示范中学,GZ,2,2024,ZX,`));
      expect(v.problems).toEqual([]);
      expect(v.rows[0].values.sfzh).toBe(C);
    }
  });

  it('accepts a lower-case x and stores an upper-case X', async () => {
    const v = await check(`${STUDENTS}.csv`, withLine(STUDENTS, 2, `JN2024GZ0451,${C.toLowerCase()},3708110012,济宁市示范中学,GZ,2,2024,ZX,`));
    expect(v.problems).toEqual([]);
    expect(v.rows[0].values.sfzh).toBe(C);
  });

  it('reports dates that are malformed or not in the calendar', async () => {
    const row = (d: string) => withLine(TEMPORARY_AID, 3, `70002,371526195011030132,,03,0,0,${d},150000,2,0`);
    expect(await reportOf(TEMPORARY_AID, row('20/07/2024'))).toEqual([':3: grant_date: not a date written year first, such as 2026-03-01, 2026/3/1, 20260301 or 2026年3月1日 (NOT_DATE)']);
    // Excel's Chinese long date, as a CSV file shows it: refused NOT_DATE, as if day first.
    expect(await reportOf(TEMPORARY_AID, row('2024年7月20日'))).toEqual([]);
    expect(await reportOf(TEMPORARY_AID, row('2025年2月29日'))).toEqual([':3: grant_date: not a real calendar date (NO_SUCH_DATE)']);
    expect((await reportOf(TEMPORARY_AID, row('2024/7-20')))[0]).toMatch(/\(NOT_DATE\)$/);
    expect(await reportOf(TEMPORARY_AID, row('2025/2/29'))).toEqual([':3: grant_date: not a real calendar date (NO_SUCH_DATE)']);
    expect(await reportOf(TEMPORARY_AID, row('2025-02-29'))).toEqual([':3: grant_date: not a real calendar date (NO_SUCH_DATE)']);
    expect((await reportOf(TEMPORARY_AID, row('2024-04-31')))[0]).toMatch(/NO_SUCH_DATE/);
    expect(await reportOf(TEMPORARY_AID, row('2024-02-29'))).toEqual([]);
    expect((await reportOf(TEMPORARY_AID, row('0224-02-01')))[0]).toMatch(/\(OUT_OF_RANGE\)$/);
  });

  // A typo such as 2205-03-10 loaded, and dropped out of every query window (the API holds dates
  // to 2099). With TODAY 2026-06-30 an event may lie up to 2026-09-30 (92 days on); a date that
  // only ends a period, up to 2099-12-31.
  it('reports an event date more than a quarter ahead, and a period end after 2099', async () => {
    const grant = (d: string) => withLine(TEMPORARY_AID, 3, `70002,371526195011030132,,03,0,0,${d},150000,2,0`);
    expect(await reportOf(TEMPORARY_AID, grant('2205-03-10'))).toEqual([':3: grant_date: is after 2026-09-30, today plus 92 days: so far ahead it is most likely a typo (TOO_LATE)']);
    expect((await reportOf(TEMPORARY_AID, grant('2026-10-01')))[0]).toMatch(/\(TOO_LATE\)$/);
    expect(await reportOf(TEMPORARY_AID, grant('2026-09-30'))).toEqual([]);
    const tekun = (start: string, end: string) => withLine(TEKUN, 2, `5001,371526195011030132,371526,1,${start},${end},120000,0`);
    expect(await reportOf(TEKUN, tekun('2205-09-01', ''))).toEqual([expect.stringMatching(/^:2: start_on: is after 2026-09-30, .*\(TOO_LATE\)$/)]);
    expect(await reportOf(TEKUN, tekun('2024-09-01', '2099-12-31'))).toEqual([]);
    expect(await reportOf(TEKUN, tekun('2024-09-01', '2205-03-10'))).toEqual([':2: end_on: is after 2099-12-31, the last date the hub holds (TOO_LATE)']);
    const subsidy = (start: string, end: string) => withLine(SUBSIDIES, 2, `3301,${CERT_B},SH,${start},${end},12000,1`);
    expect(await reportOf(SUBSIDIES, subsidy('2026-09', '2030-12'))).toEqual([]);
    expect(await reportOf(SUBSIDIES, subsidy('2026-10', ''))).toEqual([expect.stringMatching(/^:2: start_ym: is after 2026-09, .*\(TOO_LATE\)$/)]);
    expect(await reportOf(SUBSIDIES, subsidy('2026-01', '2100-01'))).toEqual([expect.stringMatching(/^:2: end_ym: is after 2099-12, .*\(TOO_LATE\)$/)]);
  });

  // The API refuses these in every stored text (resolvers/text-inputs.ts); a file loaded them.
  it('reports a text with a control character or a bidi override, naming the character, not the text', async () => {
    expect(await report('person.csv', withLine('person', 2, `${A},王\u202e建国,M,1972-03-15,`))).toEqual(['person.csv:2: name: contains a bidirectional control character (U+202E) (TEXT_INVALID)']);
    expect(await report('person.csv', withLine('person', 2, `${A},王建国\u0007,M,1972-03-15,`))).toEqual(['person.csv:2: name: contains a control character (U+0007) (TEXT_INVALID)']);
    expect(await report('person.csv', withLine('person', 2, `${A},王建国,M,1972-03-15,`))).toEqual([]);
  });

  it('reports months that are not written year first, or ambiguous, or no month', async () => {
    const month = (m: string) => reportOf(SUBSIDIES, withLine(SUBSIDIES, 2, `3301,${CERT_B},SH,${m},,12000,1`));
    // Month first, a date, five digits, a point (Excel's number 2026.1 may have been typed 2026.10).
    for (const m of ['2023-13', '202313', '2023年13月', '2023-05-01', '5/2023', '05-2023', '20235', '2023.05', '2023年5', '2023 05']) {
      expect(await month(m)).toEqual([expect.stringMatching(/^:2: start_ym: .*\(NOT_MONTH\)$/)]);
    }
    for (const m of ['2023-5', '2023/05', '2023年5月', '202305', '２０２３／５']) expect(await month(m)).toEqual([]);
    expect(await month('1869/12')).toEqual([':2: start_ym: the year is before 1870 (OUT_OF_RANGE)']);
  });

  it('reports an end before its start, for dates and for months', async () => {
    expect(await reportOf(TEKUN, withLine(TEKUN, 2, '5001,371526195011030132,371526,1,2024-09-01,2024-08-31,120000,0'))).toEqual([
      ':2: end_on: is before start_on (END_BEFORE_START)',
    ]);
    expect(await reportOf(TEKUN, withLine(TEKUN, 2, '5001,371526195011030132,371526,1,2024-09-01,2024-09-01,120000,0'))).toEqual([]);
    expect(await reportOf(SUBSIDIES, withLine(SUBSIDIES, 3, `3302,${CERT_B},HL,2021-07,2021-06,10000,1`))).toEqual([
      ':3: end_ym: is before start_ym (END_BEFORE_START)',
    ]);
    expect(await reportOf(SETTLEMENTS, withLine(SETTLEMENTS, 3, 'SETL20250609000456,371526195011030132,高唐县人民医院,2025-06-01,2025-05-30,2025-06-09,肺炎,9800.00,6860.00,0.00,1470.00,1470.00,0'))).toEqual([
      ':3: dscg_date: is before adm_date (END_BEFORE_START)',
    ]);
  });

  it('reports unknown codes (an unknown programme) and lists the known ones', async () => {
    expect(await reportOf(RENTAL_ALLOCATIONS, withLine(RENTAL_ALLOCATIONS, 2, '4401,JN-GZF-2024-0312,XX,60000,2024-05-01,,'))).toEqual([
      ':2: alloc_type: not a known code; expected one of: SW 实物配租 public rental flat, BT 租赁补贴 rent subsidy (UNKNOWN_CODE)',
    ]);
    expect((await reportOf(FUNDING, withLine(FUNDING, 2, '810001,JN2024GZ0451,2025-2026,1,ZXJ,1000.00,2025-10-15,1')))[0]).toMatch(
      /^:2: funding_type: .*GJZXJ.*XFJM.*JSSBZ.*\(UNKNOWN_CODE\)$/,
    );
    // cause codes are two characters: 1 is not 01
    expect((await reportOf(TEMPORARY_AID, withLine(TEMPORARY_AID, 2, `70001,${A},JN-RC-2023-0088,1,1,0,2025-03-10,300000,1,0`)))[0]).toMatch(
      /^:2: cause_code: .*\(UNKNOWN_CODE\)$/,
    );
    expect((await report('person.csv', withLine('person', 2, `${A},王建国,男,1972-03-15,`)))[0]).toMatch(/^person\.csv:2: gender: .*\(UNKNOWN_CODE\)$/);
    expect((await reportOf(DIBAO_FAMILIES, withLine(DIBAO_FAMILIES, 2, `JN-RC-2023-0088,370811,${A},3,2023-04-01,,0`)))[0]).toMatch(/area_type: .*\(UNKNOWN_CODE\)$/);
  });

  it('reports integers, fen and yuan that are not what the column holds', async () => {
    const fen = (v: string) => reportOf(CHILD_ALLOWANCES, withLine(CHILD_ALLOWANCES, 2, `9001,371526201402110269,GE,2024-07-01,,${v},0,0`));
    expect(await fen('1600.00')).toEqual([expect.stringMatching(/^:2: monthly_fen: fen are whole numbers .*\(NOT_FEN\)$/)]);
    expect(await fen('-1')).toEqual([':2: monthly_fen: an amount may not be negative (NEGATIVE)']);
    expect((await fen('2147483648'))[0]).toMatch(/\(OUT_OF_RANGE\)$/);
    expect((await fen('abc'))[0]).toMatch(/\(NOT_FEN\)$/);

    const yuan = (v: string) => reportOf(FUNDING, withLine(FUNDING, 2, `810001,JN2024GZ0451,2025-2026,1,GJZXJ,${v},2025-10-15,1`));
    expect(await yuan('1000.005')).toEqual([':2: amount_yuan: at most 2 decimals (TOO_MANY_DECIMALS)']);
    expect(await yuan('-5.00')).toEqual([':2: amount_yuan: an amount may not be negative (NEGATIVE)']);
    expect((await yuan('"1,00.00"'))[0]).toMatch(/\(NOT_YUAN\)$/);
    expect(await fen('"1,600.00"')).toEqual([expect.stringMatching(/^:2: monthly_fen: fen are whole numbers .*was the amount given in yuan\? \(NOT_FEN\)$/)]);
    expect((await yuan('123456789.00'))[0]).toMatch(/amount_yuan: at most 8 digits before the decimal point \(OUT_OF_RANGE\)$/);
    expect(await yuan('12345678.5')).toEqual([]);

    const int = (v: string) => reportOf(RENTAL_APPLICATIONS, withLine(RENTAL_APPLICATIONS, 2, `JN-GZF-2024-0312,${A},${v},370811001,2024-02-20,30`));
    expect(await int('three')).toEqual([':2: family_size: not a whole number (NOT_INTEGER)']);
    expect(await int('0')).toEqual([':2: family_size: must be between 1 and 99 (OUT_OF_RANGE)']);
    expect((await int('2.5'))[0]).toMatch(/\(NOT_INTEGER\)$/);
    // Thousands separators are read (then out of this column's range); a comma elsewhere is no separator.
    expect(await int('"1,234"')).toEqual([':2: family_size: must be between 1 and 99 (OUT_OF_RANGE)']);
    expect(await int('"1,23"')).toEqual([':2: family_size: not a whole number (NOT_INTEGER)']);
    expect(await int('"1,234.5"')).toEqual([':2: family_size: not a whole number (NOT_INTEGER)']);
    expect(await int('３')).toEqual([]);

    expect(await reportOf(TEMPORARY_AID, withLine(TEMPORARY_AID, 2, `70001,${A},JN-RC-2023-0088,01,yes,0,2025-03-10,300000,1,0`))).toEqual([
      ':2: is_urgent: must be 1 (yes) or 0 (no) (NOT_BOOLEAN)',
    ]);
  });

  it('reports bad disability certificate numbers and certificates that contradict their number', async () => {
    const cert = (no: string, id = B, type = '4', level = '2') =>
      reportOf(CERTIFICATES, withLine(CERTIFICATES, 2, `${no},${id},${type},${level},2021-06-15,2031-06-14,1`));
    expect(await cert(`${B}4`)).toEqual([':2: cert_no: a disability certificate number has 20 characters, this one has 19 (LENGTH)']);
    expect(await cert(`${wrongCheck(B)}42`, wrongCheck(B))).toEqual([
      ':2: cert_no: the ID number in it (first 18 characters): check character does not match (CHECKSUM)',
      ':2: id_card: check character does not match (CHECKSUM)',
    ]);
    expect(await cert(`${B}82`, B, '4')).toEqual([':2: cert_no: the 19th character (category) must be a digit 1-7 (CERT_CATEGORY)']);
    expect(await cert(`${B}45`, B, '4', '2')).toEqual([':2: cert_no: the 20th character (level) must be a digit 1-4 (CERT_LEVEL)']);
    expect(await cert(`${B}42`, A)).toEqual([':2: id_card: is not the ID number in cert_no (MISMATCH)']);
    expect(await cert(`${B}42`, B, '5')).toEqual([':2: dis_type: is not the category digit (19th) of cert_no (MISMATCH)']);
    expect(await cert(`${B}42`, B, '4', '1')).toEqual([':2: dis_level: is not the level digit (20th) of cert_no (MISMATCH)']);
    expect((await cert(`${B}42`, B, '4', '5'))[0]).toMatch(/dis_level: .*\(UNKNOWN_CODE\)$/);
    // Certificate numbers elsewhere are checked the same way.
    expect((await reportOf(REHABILITATION_AID, withLine(REHABILITATION_AID, 2, `2201,${B}02,肢体康复训练,2025-04-12,150000,1`)))[0]).toMatch(/cert_no: .*\(CERT_CATEGORY\)$/);
    expectNoIdNumbers(await cert(`${wrongCheck(B)}42`, wrongCheck(B)));
  });

  it('reports a person whose birth date or sex contradicts the ID number', async () => {
    expect(await report('person.csv', withLine('person', 2, `${A},王建国,F,1972-03-16,`))).toEqual([
      'person.csv:2: birth_date: does not agree with the birth date in id_number (MISMATCH)',
      'person.csv:2: gender: does not agree with the sex digit (17th) of id_number (MISMATCH)',
    ]);
  });

  it('reports missing required values, also those required by another column', async () => {
    expect(await report('household.csv', withLine('household', 3, '90000002,GT-2019-000456,371526102203,'))).toEqual([
      'household.csv:3: address: a value is required (REQUIRED)',
    ]);
    expect(await reportOf(UNION_GRANTS, withLine(UNION_GRANTS, 3, '66002,GH-JN-2023-0045,JQ,2024-08-25,300000,,,,1'))).toEqual([
      ':3: student_id_card: a value is required when grant_type is JQ (REQUIRED)',
      ':3: school_year: a value is required when grant_type is JQ (REQUIRED)',
    ]);
    expect(await reportOf(UNION_GRANTS, withLine(UNION_GRANTS, 3, `66002,GH-JN-2023-0045,JQ,2024-08-25,300000,${C},2024-2026,,1`))).toEqual([
      ':3: school_year: not a school year such as 2025-2026 (NOT_SCHOOL_YEAR)',
    ]);
  });

  it('reports too-long text, wrong division codes and a region code that does not fit its level', async () => {
    expect(await reportOf(DIBAO_MEMBERS, withLine(DIBAO_MEMBERS, 2, `JN-RC-2023-0088,${A},本人本人本人本人本人,2023-04-01,,91000`))).toEqual([
      ':2: relation_to_head: has 10 characters, at most 8 allowed (TOO_LONG)',
    ]);
    expect(await reportOf(DIBAO_FAMILIES, withLine(DIBAO_FAMILIES, 2, `JN-RC-2023-0088,3708,${A},1,2023-04-01,,0`))).toEqual([
      ':2: county_code: must be 6 digits (NOT_DIGITS)',
    ]);
    expect(await report('region.csv', withLine('region', 6, '370811001001,示范社区居民委员会,TOWNSHIP,370811001'))).toEqual([
      'region.csv:6: code: a TOWNSHIP code has 9 digits (LEVEL_MISMATCH)',
    ]);
  });

  it('reports a settlement whose parts add up to more than its total', async () => {
    expect(await reportOf(SETTLEMENTS, withLine(SETTLEMENTS, 3, 'SETL20250609000456,371526195011030132,高唐县人民医院,2025-06-01,2025-06-09,2025-06-09,肺炎,9800.00,6860.00,0.00,1470.00,1470.01,0'))).toEqual([
      ':3: medfee_sumamt: hifp_pay + hifmi_pay + maf_pay + psn_pay is more than the total cost (PARTS_EXCEED_TOTAL)',
    ]);
  });

  it('reports a repeated primary key, naming the first line', async () => {
    const lines = exampleFile(DIBAO_MEMBERS).replace(/\n$/, '').split('\n');
    lines.push(lines[2].replace('91000', '95000'));
    expect(await reportOf(DIBAO_MEMBERS, csv(...lines))).toEqual([':5: family_no+id_no+joined_on: same primary key as line 3 (DUPLICATE_KEY)']);
    expect(await report('household.csv', csv(exampleFile('household').trimEnd(), '3,rc-2021-000123,370811001001,某地'))).toEqual([
      'household.csv:4: registration_no: same unique key as line 2 (DUPLICATE_KEY)',
    ]);
  });

  it('reports rows with the wrong number of fields', async () => {
    expect(await reportOf(TEKUN, withLine(TEKUN, 2, '5001,371526195011030132,371526,1,2024-09-01,,120000'))).toEqual([
      ':2: the row has 7 fields, the header has 8 (FIELD_COUNT)',
    ]);
  });

  it('counts lines from the header as line 1, through blank lines, CRLF and quoted line breaks', async () => {
    const content = [
      'id,registration_no,region_code,address',
      '1,RC-1,370811001001,"示范路12号',
      '3单元201室"',
      '',
      '2,RC-2,371526102203,',
    ].join('\r\n');
    expect(await report('household.csv', content)).toEqual(['household.csv:5: address: a value is required (REQUIRED)']);
    expect((await check('household.csv', content)).rows[0].values.address).toBe('示范路12号\n3单元201室');
  });

  it("skips rows of empty cells only (Excel's cleared rows), counting their lines", async () => {
    const content = [
      '\ufeffid,registration_no,region_code,address',
      '1,RC-1,370811001001,某地',
      ',,,',
      ' , ,\u3000,',
      '2,RC-2,371526102203,',
      ',,,',
      '',
    ].join('\r\n');
    const v = await check('household.csv', Buffer.from(content, 'utf8'));
    expect(v.problems.map(formatProblem)).toEqual(['household.csv:5: address: a value is required (REQUIRED)']);
    expect(v.rowCount).toBe(2);
  });

  it('says a date column holding Excel serial numbers holds them, refused as NOT_DATE', async () => {
    const row = (d: string) => withLine(TEMPORARY_AID, 3, `70002,371526195011030132,,03,0,0,${d},150000,2,0`);
    const out = await reportOf(TEMPORARY_AID, row('45500'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^:3: grant_date: .*serial number.*\(NOT_DATE\)$/);
    expect((await reportOf(TEMPORARY_AID, row('2024/7/20')))).toEqual([]);
  });

  it('accepts a UTF-8 byte order mark, upper-case header names and any column order', async () => {
    const content = '\ufeffADDRESS,Region_Code,registration_no,id\n某地,370811001001,RC-1,1\n';
    const v = await check('household.csv', Buffer.from(content, 'utf8'));
    expect(v.problems).toEqual([]);
    expect(v.rows[0].values).toEqual({ id: 1, registration_no: 'RC-1', region_code: '370811001001', address: '某地' });
  });

  it('reports unknown, missing and repeated header columns on line 1 and reads no rows', async () => {
    expect(await reportOf(TEKUN, withLine(TEKUN, 1, 'tk_id,id_no,county,care_mode,start_on,end_on,monthly_fen,state_flag,state_flag'))).toEqual([
      `:1: county: ${TEKUN} has no such column (UNKNOWN_COLUMN)`,
      ':1: state_flag: the header names this column twice (DUPLICATE_COLUMN)',
      ':1: county_code: the header lacks this column (MISSING_COLUMN)',
    ]);
  });

  it('names a column a clerk added to a real header (备注) as no column of the table, not as a missing header, printing not its name', async () => {
    const lines = exampleFile('person').replace(/\n$/, '').split('\n');
    const content = csv(`${lines[0]},说明`, ...lines.slice(1).map((l) => `${l},`));
    const out = await report('person.csv', content);
    expect(out).toEqual(['person.csv:1: column 6: person has no such column: a column added in the spreadsheet (a remarks column, 备注) is deleted before saving (UNKNOWN_COLUMN)']);
    for (const line of out) expect(line).not.toContain('说明');
  });

  it('leaves out a column with no name and no value (a trailing comma, a column Excel kept after it was cleared), as npm run report does; one with values is UNKNOWN_COLUMN', async () => {
    const lines = exampleFile('person').replace(/\n$/, '').split('\n');
    const plain = await check('person.csv', csv(...lines));
    expect(plain.problems).toEqual([]);
    for (const commas of [',', ',,']) {
      const trailing = await check('person.csv', csv(`${lines[0]}${commas}`, ...lines.slice(1).map((l) => `${l}${commas}`)));
      expect({ commas, problems: trailing.problems }).toEqual({ commas, problems: [] });
      expect(trailing.rows).toEqual(plain.rows);
    }
    // Values under no name: named by its place, the values not printed.
    const valued = await report('person.csv', csv(`${lines[0]},`, `${lines[1]},说明`, ...lines.slice(2).map((l) => `${l},`)));
    expect(valued).toEqual(['person.csv:1: column 6: the header names no column here, but rows have values in it (UNKNOWN_COLUMN)']);
  });

  it('does not print a data row taken for the header', async () => {
    const lines = exampleFile('person').split('\n').slice(1).join('\n'); // no header row
    const out = await report('person.csv', lines);
    expect(out).toContain('person.csv:1: column 1: is not a column name (does the file lack its header row?) (UNKNOWN_COLUMN)');
    expect(out).toContain('person.csv:1: id_number: the header lacks this column (MISSING_COLUMN)');
    expectNoIdNumbers(out);
    for (const line of out) expect(line).not.toMatch(/王建国|1972-03-15|: m:/);
    // A pinyin name in the first data row is not printed either.
    const pinyin = await report('person.csv', `${A},Wang,M,1972-03-15,\n`);
    expect(pinyin).toContain('person.csv:1: column 2: is not a column name (does the file lack its header row?) (UNKNOWN_COLUMN)');
    for (const line of pinyin) expect(line).not.toMatch(/Wang|wang/);
  });

  it('reports files that are not UTF-8, not CSV or empty', async () => {
    const gbk = Buffer.concat([Buffer.from('id,registration_no,region_code,address\n1,RC-1,370811001001,'), Buffer.from([0xca, 0xbe, 0xb7, 0xb6]), Buffer.from('\n')]);
    expect(await report('household.csv', gbk)).toEqual([expect.stringMatching(/^household\.csv: .*\(NOT_UTF8\)$/)]);
    expect(await report('household.csv', csv('id,registration_no,region_code,address', '1,RC-1,370811001001,"unclosed'))).toEqual([
      expect.stringMatching(/^household\.csv:\d+: the file is not valid CSV .*\(CSV_SYNTAX\)$/),
    ]);
    expect(await report('household.csv', '')).toEqual(['household.csv: the file is empty; it needs at least a header row (EMPTY_FILE)']);
    expect((await check('household.csv', 'id,registration_no,region_code,address\n')).problems).toEqual([]);
  });

  it('reports file names that are not import files', async () => {
    expect((await report('families.csv', 'a\n'))[0]).toMatch(/^families\.csv: not an import file; expected <table>\.csv .*\(UNKNOWN_FILE\)$/);
    expect(await report('programme.csv', 'a\n')).toEqual(['programme.csv: not importable: the programme catalogue is loaded from domain/programmes.ts, not imported (UNKNOWN_FILE)']);
  });
});

describe('import: validating a folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-import-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports unknown files and sub-folders, ignores README and hidden files', async () => {
    fs.writeFileSync(path.join(dir, 'person.csv'), exampleFile('person'));
    fs.writeFileSync(path.join(dir, 'README.md'), '# notes');
    fs.writeFileSync(path.join(dir, '.DS_Store'), '');
    fs.writeFileSync(path.join(dir, 'person.xlsx'), '');
    fs.writeFileSync(path.join(dir, 'people.csv'), 'x\n');
    fs.mkdirSync(path.join(dir, 'old'));
    const v = await validateImportDir(dir, { today: TODAY });
    expect(v.ok).toBe(false);
    expect(v.ignored).toEqual(['.DS_Store', 'README.md']);
    expect(v.problems.map(formatProblem).sort()).toEqual([
      expect.stringMatching(/^old: not a regular file.*\(NOT_A_FILE\)$/),
      expect.stringMatching(/^people\.csv: .*\(UNKNOWN_FILE\)$/),
      expect.stringMatching(/^person\.xlsx: .*\(UNKNOWN_FILE\)$/),
    ]);
    expect(v.files.map((f) => f.file)).toEqual(['person.csv']);
  });

  it('reports two files for one table and an empty folder', async () => {
    expect((await validateImportDir(dir)).problems.map((p) => p.code)).toEqual(['NO_FILES']);
    fs.writeFileSync(path.join(dir, 'person.csv'), exampleFile('person'));
    fs.writeFileSync(path.join(dir, 'PERSON.CSV'), exampleFile('person'));
    expect((await validateImportDir(dir, { today: TODAY })).problems.map(formatProblem)).toEqual(['person.csv: PERSON.CSV already loads person (DUPLICATE_FILE)']);
  });

  it('examples/import-bad shows a problem of each file it holds, and never an ID number', async () => {
    const v = await validateImportDir(BAD_EXAMPLES, { today: TODAY });
    const out = v.problems.map(formatProblem);
    expect(v.ok).toBe(false);
    for (const f of v.files) expect(f.problemCount).toBeGreaterThan(0);
    expectNoIdNumbers(out);
    const readme = fs.readFileSync(path.join(BAD_EXAMPLES, 'README.md'), 'utf8');
    for (const line of out) expect(readme).toContain(line);
  });
});

// ---------------------------------------------------------------------------------------------
// Into real databases

type Counts = Record<string, number>;

describe('import: loading into the databases', () => {
  let dbs: TestDatabases;
  const pools = new Map<string, mysql.Pool>();
  let work: string;

  const urlOf = (target: 'HUB' | DepartmentCode) => (target === 'HUB' ? dbs.hubUrl : dbs.sourceUrls[target]);
  const poolOf = (target: 'HUB' | DepartmentCode) => {
    let p = pools.get(target);
    if (!p) pools.set(target, (p = createPool(urlOf(target), { connectionLimit: 2 })));
    return p;
  };
  async function counts(): Promise<Counts> {
    const out: Counts = {};
    for (const spec of TABLE_SPECS) {
      const [rows] = (await poolOf(spec.target).query(`SELECT COUNT(*) AS n FROM \`${spec.table}\``)) as unknown as [{ n: number }[]];
      out[spec.table] = Number(rows[0].n);
    }
    return out;
  }
  /** A copy of the example folder to modify. */
  function copyExamples(): string {
    const dir = fs.mkdtempSync(path.join(work, 'case-'));
    for (const f of fs.readdirSync(EXAMPLES)) if (f.endsWith('.csv')) fs.copyFileSync(path.join(EXAMPLES, f), path.join(dir, f));
    return dir;
  }
  function append(dir: string, table: string, ...lines: string[]): void {
    fs.appendFileSync(path.join(dir, `${table}.csv`), lines.map((l) => `${l}\n`).join(''));
  }
  /** New valid rows in several databases, so a load that went through would change the counts. */
  function addValidRows(dir: string): void {
    append(dir, 'person', `${makeIdNumber('370811', '1980-01-01', 11)},测试甲,M,1980-01-01,`);
    append(dir, TEKUN, `5002,${makeIdNumber('370811', '1980-01-01', 11)},370811,2,2025-01-01,,120000,0`);
    append(dir, UNION_GRANTS, '66004,GH-JN-2023-0045,BF,2025-06-20,100000,,,,1');
  }
  const options = { today: TODAY, env: {} };

  beforeAll(async () => {
    dbs = await createTestDatabases('import');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-import-load-'));
  });
  afterAll(async () => {
    await Promise.all([...pools.values()].map((p) => p.end()));
    await dbs?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('loads the example folder: every row of every file', async () => {
    const result = await importDir(EXAMPLES, dbs.hubUrl, options);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    const expected = Object.fromEntries(result.validation.files.map((f) => [f.spec.table, f.rowCount]));
    expect(await counts()).toEqual(expected);
    expect(expected.region).toBe(9);
    expect(expected.person).toBe(6);
    expect(expected[UNION_GRANTS]).toBe(3);

    // Values arrive as given: NULLs, booleans, yuan, upper-case X.
    expect(await civilAffairsScenario.rows(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid')).toEqual([
      expect.objectContaining({ grantId: 70001, familyNo: 'JN-RC-2023-0088', isUrgent: true, causeCode: '01' }),
      expect.objectContaining({ grantId: 70002, familyNo: null, isUrgent: false, causeCode: '03' }),
    ]);
    expect(await healthScenario.rows(dbs.sources.HEALTH, 'settlements', { setlId: 'SETL20250301000123' })).toEqual([expect.objectContaining({ psnPay: '6200.20', dscgDate: '2025-03-01' })]);
    const [people] = (await poolOf('HUB').query('SELECT id_number FROM person WHERE id_number = ?', [B])) as unknown as [any[]];
    expect(people).toHaveLength(1);
  });

  it('is idempotent: importing the same folder again changes nothing', async () => {
    const before = await counts();
    const result = await importDir(EXAMPLES, dbs.hubUrl, options);
    expect(result.ok).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it('updates rows on their primary key when a value changed', async () => {
    const dir = copyExamples();
    fs.writeFileSync(path.join(dir, `${RENTAL_ALLOCATIONS}.csv`), withLine(RENTAL_ALLOCATIONS, 2, '4401,JN-GZF-2024-0312,BT,65000,2024-05-01,2025-12-31,'));
    const before = await counts();
    expect((await importDir(dir, dbs.hubUrl, options)).ok).toBe(true);
    expect(await counts()).toEqual(before);
    expect(await housingScenario.rows(dbs.sources.HOUSING, 'rentalAllocations', { allocId: 4401 })).toEqual([expect.objectContaining({ monthlyFen: 65000, endDate: '2025-12-31' })]);
  });

  it('loads nothing at all when one row of one file is bad', async () => {
    const dir = copyExamples();
    addValidRows(dir);
    append(dir, FUNDING, '810004,JN2024GZ0451,2025-2026,2,GJZXJ,1000.001,2026-03-15,1'); // line 5
    const before = await counts();
    const result = await importDir(dir, dbs.hubUrl, options);
    expect(result.ok).toBe(false);
    expect(result.loaded).toEqual([]);
    expect(result.problems.map(formatProblem)).toEqual([`${FUNDING}.csv:5: amount_yuan: at most 2 decimals (TOO_MANY_DECIMALS)`]);
    expect(await counts()).toEqual(before);
  });

  // A bureau's records come out of Excel: on a Chinese Windows it writes dates as 2025/3/10, amounts
  // as 1,234.50, and clerks type digits in full width. Each was refused (NOT_DATE, NOT_YUAN,
  // NOT_FEN), every row of a first-day load of the city's records, though none is ambiguous.
  it('loads dates, amounts and digits as a spreadsheet writes them, stored as the plain form', async () => {
    const dir = copyExamples();
    const excel = (table: string, ...lines: string[]) => fs.writeFileSync(path.join(dir, `${table}.csv`), `\ufeff${lines.join('\r\n')}\r\n`);
    excel(TEMPORARY_AID, 'grant_id,id_no,family_no,cause_code,is_urgent,is_second_aid,grant_date,amount_fen,approval_level,revoked',
      `70001,${A},JN-RC-2023-0088,01,1,0,2025/3/10,"300,000",1,0`,
      `70002,371526195011030132,,０３,0,0,２０２４０７２１,１６０，０００,2,0`);
    excel(FUNDING, exampleFile(FUNDING).split('\n')[0], '810001,JN2024GZ0451,2025-2026,1,GJZXJ,"1,000.50",2025.10.15,1');
    const result = await importDir(dir, dbs.hubUrl, options);
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(await civilAffairsScenario.rows(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid')).toEqual([
      expect.objectContaining({ grantId: 70001, grantDate: '2025-03-10', amountFen: 300000 }),
      expect.objectContaining({ grantId: 70002, causeCode: '03', grantDate: '2024-07-21', amountFen: 160000 }),
    ]);
    expect(await educationScenario.rows(dbs.sources.EDUCATION, 'funding', { fundingId: 810001 })).toEqual([expect.objectContaining({ amountYuan: '1000.50', paidDate: '2025-10-15' })]);
    // The example folder again: the rows are as before.
    expect((await importDir(EXAMPLES, dbs.hubUrl, options)).ok).toBe(true);
  });

  // Excel on a Chinese Windows saves a month as 2026/11 or 2026年11月 and shows whole numbers with
  // thousands separators; a clerk writes 202611 or full-width digits. Each was refused (NOT_MONTH,
  // NOT_INTEGER) though dates and amounts in the same files were taken in these forms.
  it('loads months and whole numbers as a spreadsheet writes them, stored as the plain form', async () => {
    const dir = copyExamples();
    fs.writeFileSync(path.join(dir, `${SUBSIDIES}.csv`), [exampleFile(SUBSIDIES).split('\n')[0],
      `"3,301",${CERT_B},SH,2023/5,２０２６年１１月,"12,000",1`,
      `３３０２,${CERT_B},HL,202107,2026年1月,10000,1`].join('\r\n'));
    const result = await importDir(dir, dbs.hubUrl, options);
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(await disabilityScenario.rows(dbs.sources.DISABILITY, 'subsidies')).toEqual([
      expect.objectContaining({ subId: 3301, startYm: '2023-05', endYm: '2026-11', monthlyFen: 12000 }),
      expect.objectContaining({ subId: 3302, startYm: '2021-07', endYm: '2026-01' }),
    ]);
    // The example folder again: the rows are as before.
    expect((await importDir(EXAMPLES, dbs.hubUrl, options)).ok).toBe(true);
  });

  // household(id:) lists members by joining person: a membership of a person the hub does not hold
  // loaded, and the member was missing from the household with no word from the import.
  it('refuses a membership of a person or household neither the files nor the hub hold, and takes one the hub holds', async () => {
    const dir = copyExamples();
    addValidRows(dir);
    const stranger = makeIdNumber('370811', '1990-05-05', 21);
    append(dir, 'household_member', `90000001,${stranger},CHILD,2026-01-01,`, `90000009,${A},OTHER,2026-01-01,`); // lines 8, 9
    const before = await counts();
    const result = await importDir(dir, dbs.hubUrl, options);
    expect(result.ok).toBe(false);
    expect(result.problems.map(formatProblem)).toEqual([
      'household_member.csv:8: id_number: no such person in person.csv or in the hub; the member would not be shown (UNKNOWN_PERSON)',
      'household_member.csv:9: household_id: no such household in household.csv or in the hub (UNKNOWN_HOUSEHOLD)',
    ]);
    expect(await counts()).toEqual(before);

    // The household and the people are the hub's already (the example folder was loaded): a file of memberships alone loads.
    const alone = fs.mkdtempSync(path.join(work, 'members-'));
    fs.copyFileSync(path.join(EXAMPLES, 'household_member.csv'), path.join(alone, 'household_member.csv'));
    expect((await importDir(alone, dbs.hubUrl, options)).problems).toEqual([]);
  });

  it('refuses a household whose registration number the database has under another id', async () => {
    const dir = copyExamples();
    addValidRows(dir);
    fs.writeFileSync(path.join(dir, 'household.csv'), withLine('household', 2, '90000001,RC-2021-000999,370811001001,某地'));
    append(dir, 'household', '90000003,rc-2021-000123,370811001001,某地'); // the collation ignores case
    // id 90000001 renamed to RC-2021-000999 in the file, and 90000003 claims its old number: refused, as the database still has it on 90000001.
    const before = await counts();
    const result = await importDir(dir, dbs.hubUrl, options);
    expect(result.ok).toBe(false);
    expect(result.problems.map(formatProblem)).toEqual([
      'household.csv:4: registration_no: the database already has this registration number on household id 90000001 (REGISTRATION_CONFLICT)',
    ]);
    expect(await counts()).toEqual(before);
  });

  it('rolls every database back when a write fails part-way', async () => {
    const dir = copyExamples();
    addValidRows(dir);
    const before = await counts();
    // The union database loses a table the import writes to, after the hub and civil affairs.
    await poolOf('UNION').query(`RENAME TABLE ${UNION_GRANTS} TO ${UNION_GRANTS}_away`);
    try {
      const err = await importDir(dir, dbs.hubUrl, options).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ImportLoadError);
      expect((err as ImportLoadError).committed).toEqual([]);
      expect((err as Error).message).toMatch(new RegExp(`^import failed while loading ${UNION_GRANTS}\\.csv .*ER_NO_SUCH_TABLE.*nothing was loaded`));
      expect((err as Error).message).not.toMatch(/\d{17}[\dX]/);
    } finally {
      await poolOf('UNION').query(`RENAME TABLE ${UNION_GRANTS}_away TO ${UNION_GRANTS}`);
    }
    expect(await counts()).toEqual(before);
  });
});
