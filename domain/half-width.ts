/**
 * Full-width forms read as ASCII: a module of its own so that ID numbers (id-number.ts) and
 * spreadsheet values (spreadsheet-values.ts, which reads ID numbers) share it without an import cycle.
 */

/**
 * Full-width ASCII (U+FF01–U+FF5E, a Chinese input method left in full-width mode: `２０２６－０３－０１`,
 * `１２３４.５０`) read as ASCII. Every column but text is read so, and ID numbers wherever they come in
 * (domain/id-number.ts typedIdNumber); a text keeps what was typed.
 */
export function halfWidth(raw: string): string {
  return raw.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}
