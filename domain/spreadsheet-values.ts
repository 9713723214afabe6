/**
 * Values as a spreadsheet or a clerk writes them, read as they were meant: what `npm run import`
 * and `npm run report` both take from a CSV file exported from Excel, so the two tools a bureau
 * uses agree on what a cell may hold. Both read every cell through `sheetCell`, by what its column
 * holds; what it gives is then checked in the one plain form (YYYY-MM-DD, YYYY-MM, digits).
 */

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
 * Full-width ASCII (U+FF01–U+FF5E, a Chinese input method left in full-width mode: `２０２６－０３－０１`,
 * `１２３４.５０`) read as ASCII. Every column but text is read so, and ID numbers wherever they come in
 * (domain/id-number.ts typedIdNumber); a text keeps what was typed.
 */
export function halfWidth(raw: string): string {
  return raw.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
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
