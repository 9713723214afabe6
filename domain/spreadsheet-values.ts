/**
 * Values as a spreadsheet or a clerk writes them, read as they were meant: what `npm run import`
 * and `npm run report` both take from a CSV file exported from Excel, so the two tools a bureau
 * uses agree on what a cell may hold. Both read every cell through `sheetCell`, by what its column
 * holds; what it gives is then checked in the one plain form (YYYY-MM-DD, YYYY-MM, digits).
 */
import { halfWidth } from './half-width';
import { idNumberCheckChar, typedIdNumber } from './id-number';

/**
 * A cell without the mark an export puts on a number for Excel to keep it as text: a leading
 * apostrophe ('370826…) or the formula ="370826…" (as the hub's own findings export writes its
 * digit-only identifiers). Read with it, an ID number was LENGTH, which told the clerk nothing of the
 * mark. Both tools read their columns of long digit runs (ID numbers, certificate numbers,
 * settlement references, digit codes) through it.
 */
export function withoutTextMark(cell: string): string {
  const m = /^="(.*)"$/.exec(cell) ?? /^'(.+)$/.exec(cell);
  return m ? m[1].trim() : cell;
}

/**
 * What a column holds, as far as reading a cell goes: `text` is kept as typed; `number` (a whole
 * number or an amount) may carry thousands separators; `date` and `month` may be written year first
 * as a spreadsheet saves them; `code` (codes, digits, ID numbers, flags, years) is only made half-width.
 */
export type CellKind = 'text' | 'number' | 'date' | 'month' | 'code';

/**
 * A cell in the plain form its column is checked in, or as it is (half-width) where it is in no
 * form this reads, for the caller to refuse with its own code. Every kind but text is read in
 * half-width (`halfWidth`).
 */
export function sheetCell(kind: CellKind, raw: string): string {
  if (kind === 'text') return raw;
  const plain = halfWidth(raw);
  switch (kind) {
    case 'number':
      return ungrouped(plain);
    case 'date':
      return yearFirstDate(plain) ?? plain;
    case 'month':
      return yearFirstMonth(plain) ?? plain;
    case 'code':
      return plain;
  }
}

/**
 * A number with thousands separators, as a spreadsheet shows it (`1,234.50`, `123,450`), without
 * them; anything else as it is. Only commas between groups of three digits are taken: `1,23` stays
 * and is refused.
 */
function ungrouped(raw: string): string {
  return /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/.test(raw) ? raw.replace(/,/g, '') : raw;
}

/**
 * A date written year first in a form a spreadsheet saves (`2026/3/1`, Excel's on a Chinese
 * Windows; `2026-3-1`, `2026.3.1`; `20260301`; `2026年3月1日`, the Chinese long date format, which
 * Excel writes to a CSV file as the cell shows it) as YYYY-MM-DD, or null. Year first is never
 * ambiguous; a day-first or month-first form (`1/3/2026`) is not taken. Whether the date exists
 * is checked afterwards, as for YYYY-MM-DD.
 */
function yearFirstDate(raw: string): string | null {
  const m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(raw) ?? /^(\d{4})()(\d{2})(\d{2})$/.exec(raw) ?? /^(\d{4})(年)(\d{1,2})月(\d{1,2})日$/.exec(raw);
  return m ? `${m[1]}-${m[3].padStart(2, '0')}-${m[4].padStart(2, '0')}` : null;
}

/**
 * A month written year first as a clerk or a spreadsheet writes it (`2026-3`, `2026/3`, Excel's
 * `2026年3月`, `202603`) as YYYY-MM, or null. Not taken: a month first (`3/2026`), and a point
 * (`2026.1`), which is what Excel makes of a number typed as 2026.10, so it may be October. Whether
 * the month is 01–12 is checked afterwards, as for YYYY-MM.
 */
function yearFirstMonth(raw: string): string | null {
  const m = /^(\d{4})(?:[-/](\d{1,2})|年(\d{1,2})月|(\d{2}))$/.exec(raw);
  return m ? `${m[1]}-${(m[2] ?? m[3] ?? m[4]).padStart(2, '0')}` : null;
}

/**
 * What an ID number cell holds when a spreadsheet stored the number as a number, which keeps only
 * 15 significant digits: in scientific notation (`3.70826E+17`), or its 18 digits ending in the
 * 000 that replaced the digits past the 15th, the check character then not matching. Both tools
 * say so (`npm run report`, `npm run import`): as a wrong length or check character it named no
 * cause, and the cause is the column's format, not a typing slip.
 */
export function spreadsheetMangledIdNumber(cell: string): boolean {
  const v = typedIdNumber(cell);
  if (/^\d(\.\d+)?E\+?\d+$/.test(v)) return true;
  return /^\d{15}000$/.test(v) && idNumberCheckChar(v.slice(0, 17)) !== v[17];
}

/** What to say of a mangled ID number (`spreadsheetMangledIdNumber`), the same in both tools. */
export const MANGLED_ID_NUMBER_MESSAGE = 'the spreadsheet kept the ID number as a number and lost its last digits (shown as 3.70826E+17, or ending in 000): format the column as text (文本) and type the numbers again';

/**
 * A cell of a date column holding Excel's serial number of a day (46027 for 2026-01-05): what a
 * date cell formatted as a number, or as General after its date format was cleared, saves. Not
 * converted (Excel's 1900 and 1904 date systems give the same number different days); named, so
 * the refusal says how to save it as a date.
 */
export function excelSerialDate(cell: string): boolean {
  return /^\d{5}(\.\d+)?$/.test(cell);
}

/** The advice added to a date refused for being a serial number (`excelSerialDate`). */
export const SERIAL_DATE_ADVICE = 'a number such as 46027 is a date the spreadsheet saved as its serial number: format the column as a date (yyyy-mm-dd) or as text and save again';
