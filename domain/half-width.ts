/**
 * Full-width forms read as ASCII, and the digits no other form is read from: a module of its own so
 * that ID numbers (id-number.ts), codes (aid.ts) and spreadsheet values (spreadsheet-values.ts,
 * which reads ID numbers) share it without an import cycle.
 */

/**
 * Full-width ASCII (U+FF01–U+FF5E, a Chinese input method left in full-width mode: `２０２６－０３－０１`,
 * `１２３４.５０`) read as ASCII. Every column but text is read so, and ID numbers wherever they come in
 * (domain/id-number.ts typedIdNumber); a text keeps what was typed.
 */
export function halfWidth(raw: string): string {
  return raw.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/**
 * Whether a text holds a digit or number of another script or style than 0-9 (Arabic-Indic `٣`,
 * mathematical `𝟑`, circled `③`, a Roman numeral `Ⅹ`, a fraction `½`): an ID number or a code with
 * one names nothing the departments key, so it is refused (CHARACTERS) rather than read or compared
 * as typed. Every Unicode number (\p{N}), not only decimal digits (\p{Nd}): an ID number's check
 * looked for those alone, and told one holding `③` or `Ⅹ` only "17 digits followed by a digit or X".
 * Full-width digits are read as ASCII (halfWidth) before this is asked.
 */
export function holdsOtherDigits(text: string): boolean {
  return /[^\P{N}0-9]/u.test(text);
}

/** How a refusal for such a digit ends, wherever it is made (OTHER_DIGITS_IN_SETTLEMENT, checkIdNumber). */
export const OTHER_DIGITS = 'holds digits of another script or style (such as ٣, 𝟑 or ③): type it with 0-9';
