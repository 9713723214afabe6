/**
 * Values as a spreadsheet or a clerk writes them, read as they were meant: what `npm run import`
 * and `npm run report` both take from a CSV file exported from Excel, so the two tools a bureau
 * uses agree on what a cell may hold.
 */

/**
 * Full-width ASCII (U+FF01–U+FF5E, a Chinese input method left in full-width mode: `２０２６－０３－０１`,
 * `１２３４.５０`) read as ASCII. Every column but text is read so, as ID numbers already were
 * (domain/id-number.ts typedIdNumber); a text keeps what was typed.
 */
export function halfWidth(raw: string): string {
  return raw.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/**
 * An amount with thousands separators, as a spreadsheet shows it (`1,234.50`, `123,450`), without
 * them; anything else as it is. Only commas between groups of three digits are taken: `1,23` stays
 * and is refused.
 */
export function ungrouped(raw: string): string {
  return /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/.test(raw) ? raw.replace(/,/g, '') : raw;
}

/**
 * A date written year first in a form a spreadsheet saves (`2026/3/1`, Excel's on a Chinese
 * Windows; `2026-3-1`, `2026.3.1`; `20260301`) as YYYY-MM-DD, or null. Year first is never
 * ambiguous; a day-first or month-first form (`1/3/2026`) is not taken. Whether the date exists
 * is checked afterwards, as for YYYY-MM-DD.
 */
export function yearFirstDate(raw: string): string | null {
  const m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(raw) ?? /^(\d{4})()(\d{2})(\d{2})$/.exec(raw);
  return m ? `${m[1]}-${m[3].padStart(2, '0')}-${m[4].padStart(2, '0')}` : null;
}
