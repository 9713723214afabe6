/**
 * `npm run report`'s reading of a file's header, without a hub (tools/report/index.ts
 * parseReportCsv): a column the file format does not have is COLUMN_UNKNOWN on line 1, whatever
 * its name, including the names every JavaScript object answers to.
 */
import { parseReportCsv } from '../tools/report/index';
import { makeIdNumber } from '../domain/id-number';

const PERSON = makeIdNumber('370811', '1961-04-04', 51);
const HEADER = 'reference,beneficiary_id_number,programme,amount_fen';

describe('report file header', () => {
  it('reads the columns it knows', () => {
    const parsed = parseReportCsv(`${HEADER},grant_date\nR-1,${PERSON},WINTER_SPRING_RELIEF,30000,2026/1/20\n`);
    expect(parsed).toEqual({ ok: true, records: [{ reference: 'R-1', beneficiaryIdNumber: PERSON, programme: 'WINTER_SPRING_RELIEF', amountFen: 30000, grantDate: '2026-01-20' }], lines: [2] });
  });

  it('leaves out rows of empty cells only, as blank lines, each row keeping its own line', () => {
    const parsed = parseReportCsv(`${HEADER}\n,,,\nR-1,${PERSON},WINTER_SPRING_RELIEF,30000\n , ,,\n\nR-2,${PERSON},WINTER_SPRING_RELIEF,40000\n,,,\n`);
    expect(parsed).toEqual({ ok: true, records: [{ reference: 'R-1', beneficiaryIdNumber: PERSON, programme: 'WINTER_SPRING_RELIEF', amountFen: 30000 }, { reference: 'R-2', beneficiaryIdNumber: PERSON, programme: 'WINTER_SPRING_RELIEF', amountFen: 40000 }], lines: [3, 6] });
    // A row with one cell filled is a record, whose empty required cells are named on its line.
    const partial = parseReportCsv(`${HEADER}\n,,,\nR-3,,,\n`);
    expect(partial.ok ? [] : partial.problems.map((p) => [p.line, p.code, p.field])).toEqual([[3, 'VALUE_REQUIRED', 'beneficiary_id_number'], [3, 'VALUE_REQUIRED', 'programme'], [3, 'VALUE_REQUIRED', 'amount_fen']]);
  });

  it('refuses a column the header names twice, whose later cell was sent and earlier one checked', () => {
    // amount_fen 100 beside amount_fen 50000 was recorded as 50000, without a word.
    const parsed = parseReportCsv(`${HEADER},amount_fen\nR-1,${PERSON},WINTER_SPRING_RELIEF,100,50000\n`);
    expect(parsed.ok ? [] : parsed.problems.map((p) => [p.line, p.code, p.field])).toEqual([[1, 'COLUMN_DUPLICATE', 'amount_fen']]);
    expect(parsed.ok ? parsed.records : parsed.records).toBeUndefined();
  });

  it('leaves out a column with no name and no value (a trailing comma), and names one with values by its place', () => {
    const parsed = parseReportCsv(`${HEADER},\nR-1,${PERSON},WINTER_SPRING_RELIEF,30000,\n,,,,\nR-2,${PERSON},WINTER_SPRING_RELIEF,40000, \n`);
    expect(parsed).toEqual({ ok: true, records: [{ reference: 'R-1', beneficiaryIdNumber: PERSON, programme: 'WINTER_SPRING_RELIEF', amountFen: 30000 }, { reference: 'R-2', beneficiaryIdNumber: PERSON, programme: 'WINTER_SPRING_RELIEF', amountFen: 40000 }], lines: [2, 4] });
    const valued = parseReportCsv(`${HEADER},\nR-1,${PERSON},WINTER_SPRING_RELIEF,30000,备注\n`);
    expect(valued.ok ? [] : valued.problems.map((p) => [p.line, p.code, p.field])).toEqual([[1, 'COLUMN_UNKNOWN', 'column 5']]);
  });

  it('reads a date in Excel\'s Chinese long format (2026年1月20日), as a CSV file shows it', () => {
    const parsed = parseReportCsv(`${HEADER},grant_date\nR-1,${PERSON},WINTER_SPRING_RELIEF,30000,2026年1月20日\nR-2,${PERSON},WINTER_SPRING_RELIEF,30000,２０２６年１月２日\n`);
    expect(parsed.ok ? parsed.records.map((r) => r.grantDate) : parsed.problems).toEqual(['2026-01-20', '2026-01-02']);
  });

  it('reads an ID number an export marked as text for Excel (\'370811…, ="370811…"), and names the line of an unquoted ="…"', () => {
    // Sent with the mark, the hub answered LENGTH; unquoted, the parser's message named no line.
    const parsed = parseReportCsv(`${HEADER}\nR-1,'${PERSON},WINTER_SPRING_RELIEF,30000\nR-2,"=""${PERSON}""",WINTER_SPRING_RELIEF,30000\n`);
    expect(parsed.ok ? parsed.records.map((r) => r.beneficiaryIdNumber) : parsed.problems).toEqual([PERSON, PERSON]);
    const unquoted = parseReportCsv(`${HEADER}\nR-1,${PERSON},WINTER_SPRING_RELIEF,30000\n\nR-2,="${PERSON}",WINTER_SPRING_RELIEF,30000\n`);
    expect(unquoted.ok ? [] : unquoted.problems.map((p) => [p.line, p.code])).toEqual([[4, 'CSV_MALFORMED']]);
  });

  it('says both readings of an amount with zero fen after the point (30000.00), one of yuan with fen (300.50)', () => {
    // 30000.00 was said to be 3000000 fen: a fen column shown with two decimals read as yuan, a hundred times the amount.
    const parsed = parseReportCsv(`${HEADER}\nR-1,${PERSON},WINTER_SPRING_RELIEF,30000.00\nR-2,${PERSON},WINTER_SPRING_RELIEF,300.50\n`);
    const messages = parsed.ok ? [] : parsed.problems.map((p) => [p.line, p.code, p.message]);
    expect(messages).toEqual([
      [2, 'AMOUNT_INVALID', expect.stringContaining('30000.00 is 30000 if the column holds fen shown with decimals (format it as a whole number), 3000000 if it holds yuan')],
      [3, 'AMOUNT_INVALID', expect.stringContaining('300.50 yuan is 30050 fen')],
    ]);
  });

  it('says a date written right that names no day (2026-02-29) is no day of the calendar, and an amount of too many digits how large one may be', () => {
    // Both were told to write the date year first, the spreadsheet having rewritten it, and the
    // amount in digits only: what the cell already was.
    const parsed = parseReportCsv(`${HEADER},grant_date\nR-1,${PERSON},WINTER_SPRING_RELIEF,30000,2026-2-29\nR-2,${PERSON},WINTER_SPRING_RELIEF,30000,2026年4月31日\nR-3,${PERSON},WINTER_SPRING_RELIEF,9007199254740993,2026-02-28\nR-4,${PERSON},WINTER_SPRING_RELIEF,30000,2024-02-29\n`);
    const messages = parsed.ok ? [] : parsed.problems.map((p) => [p.line, p.code, p.message]);
    expect(messages).toEqual([
      [2, 'DATE_INVALID', 'grant_date 2026-02-29 is no day of the calendar (2026-02 has 28 days): check the day'],
      [3, 'DATE_INVALID', 'grant_date 2026-04-31 is no day of the calendar (2026-04 has 30 days): check the day'],
      [4, 'AMOUNT_INVALID', 'amount_fen is whole fen, 0 to 2147483647'],
    ]);
  });

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])('refuses a column named %s as unknown', (column) => {
    const parsed = parseReportCsv(`${HEADER},${column}\nR-1,${PERSON},WINTER_SPRING_RELIEF,30000,x\n`);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => [p.line, p.code, p.field])).toEqual([[1, 'COLUMN_UNKNOWN', column]]);
  });
});
