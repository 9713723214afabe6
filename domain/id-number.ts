/**
 * 公民身份号码 (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit sequence
 * (odd = male), and a check character by ISO 7064 MOD 11-2.
 */
import { halfWidth, holdsOtherDigits, OTHER_DIGITS } from './half-width';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export type IdNumberProblem = 'LENGTH' | 'CHARACTERS' | 'REGION' | 'BIRTH_DATE' | 'CHECKSUM';

export type IdNumberCheck =
  | { ok: true; idNumber: string; birthDate: string; gender: 'M' | 'F'; regionCode: string }
  | { ok: false; problem: IdNumberProblem; message: string };

/** The check character for the first 17 digits. */
export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

export function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

/** The birth date an 18-character ID number carries (digits 7-14), YYYY-MM-DD; not checked here. */
export function birthDateOf(idNumber: string): string {
  return `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
}

/**
 * Today's date in China (UTC+8, no daylight saving since 1991), which bounds a birth date: the UTC
 * date is still yesterday until 08:00 in China, and refused a child born today. (dates.ts's
 * todayIso says the same; importing it here would close an import cycle, as dates.ts imports this file.)
 */
function chinaToday(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * An ID number as a clerk types it, in the form the hub checks: full-width digits and `Ｘ` (a
 * Chinese input method left in full-width mode) read as ASCII, whitespace anywhere left out
 * (`370811 19750412 0312`, as the number is printed and read out in groups; a full-width space
 * U+3000 too), and `x` upper-cased. The check character still has to match, so no typing slip
 * becomes another person's number. They were refused as `CHARACTERS` and `LENGTH`, naming no
 * cause a clerk could see. Only full-width forms are read so (`halfWidth`), not NFKC: NFKC also
 * reads mathematical digits (`𝟑`), circled ones (`③`) and a Roman numeral `Ⅹ` as ASCII, which no
 * input method types, while digits of another script it leaves (`٣`, refused as `CHARACTERS`):
 * the two were accepted and refused for the same cause.
 */
export function typedIdNumber(raw: string): string {
  return halfWidth(raw).replace(/\s+/gu, '').toUpperCase();
}

/**
 * Checks an ID number and says exactly what is wrong. A lower-case `x`, full-width characters and
 * spaces between the digits are accepted and normalised (`typedIdNumber`), since clerks type it so.
 * `today` (China's, unless given) bounds the birth date.
 */
export function checkIdNumber(raw: string, today: string = chinaToday()): IdNumberCheck {
  const value = typedIdNumber(raw);
  // Pasted from a web page or a spreadsheet: the clerk sees 18 characters, and "has 19" told them nothing.
  if (/\p{Cf}/u.test(value)) return { ok: false, problem: 'CHARACTERS', message: 'an ID number is 17 digits followed by a digit or X; this one holds an invisible character (such as a zero-width space): type it again' };
  // An old 15-digit number (GB 11643-1989, issued until 2004) is not read as its 18-digit successor:
  // it has no check character, so a typing slip in it would name another person. The clerk is told
  // what it is and what to ask for; "this one has 15" named no cause they could act on.
  if (isOldIdNumber(value)) return { ok: false, problem: 'LENGTH', message: 'an ID number has 18 characters; this is an old 15-digit one (issued until 2004): ask for the 18-digit number on the current card' };
  // Characters as the clerk sees them: a mathematical digit (`𝟑`) is two UTF-16 units, and 18 of
  // them were "this one has 36", where 18 Arabic-Indic digits are CHARACTERS.
  const length = [...value].length;
  if (length !== 18) return { ok: false, problem: 'LENGTH', message: `an ID number has 18 characters, this one has ${length}` };
  if (holdsOtherDigits(value)) return { ok: false, problem: 'CHARACTERS', message: `an ID number is 17 digits followed by a digit or X; this one ${OTHER_DIGITS}` };
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, problem: 'CHARACTERS', message: 'an ID number is 17 digits followed by a digit or X' };
  if (value[0] === '0' || value.slice(0, 2) === '00') return { ok: false, problem: 'REGION', message: 'the address code (first 6 digits) is not a division code' };
  const y = Number(value.slice(6, 10));
  const m = Number(value.slice(10, 12));
  const d = Number(value.slice(12, 14));
  const birthDate = birthDateOf(value);
  if (y < 1870 || !isCalendarDate(y, m, d) || birthDate > today) {
    return { ok: false, problem: 'BIRTH_DATE', message: `digits 7-14 are not a possible birth date (${value.slice(6, 14)})` };
  }
  const expected = idNumberCheckChar(value.slice(0, 17));
  if (value[17] !== expected) return { ok: false, problem: 'CHECKSUM', message: 'the check character (18th) does not match the other 17 digits' };
  return { ok: true, idNumber: value, birthDate, gender: Number(value[16]) % 2 === 1 ? 'M' : 'F', regionCode: value.slice(0, 6) };
}

/**
 * Province-level codes (GB/T 2260) of the mainland, under which the old 15-digit numbers (GB
 * 11643-1989) were issued; Hong Kong, Macao and Taiwan residents' numbers (81, 82, 83) are 18 digits.
 */
const MAINLAND_PROVINCES = new Set(['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65']);

/**
 * Whether 15 digits can be an old ID number (GB 11643-1989, issued until 2004): a mainland
 * province's address code (not the province's own 0000), a birth date yymmdd in the 1900s, and a
 * 3-digit sequence. An order number, a timestamp or a file number that cannot be one is left alone.
 */
export function isOldIdNumber(digits: string): boolean {
  if (!/^\d{15}$/.test(digits)) return false;
  if (!MAINLAND_PROVINCES.has(digits.slice(0, 2)) || digits.slice(2, 6) === '0000') return false;
  return isCalendarDate(1900 + Number(digits.slice(6, 8)), Number(digits.slice(8, 10)), Number(digits.slice(10, 12)));
}

/**
 * What people put between the parts of an ID number when they write it out: spaces, - . _ : /, and
 * list separators (; , and the full-width ；，、), which join a form's fields run together.
 */
const SEPARATOR = /[\s._:/;,，；、-]+/;
/** A run of digit groups joined by separators, the last one perhaps ending in a check character X. */
const DIGIT_GROUPS = /\d+(?:[\s._:/;,，；、-]+\d+)*[Xx]?/g;

/**
 * Whether the digits of a number written in parts have the shape of an ID number: 17 digits and a
 * check character with a possible birth date at 7-14, or the old 15 digits with one at 7-12 (yymmdd).
 */
function idNumberShaped(digits: string): boolean {
  if (/^\d{17}[\dXx]$/.test(digits)) {
    const y = Number(digits.slice(6, 10));
    return y >= 1870 && y <= 2099 && isCalendarDate(y, Number(digits.slice(10, 12)), Number(digits.slice(12, 14)));
  }
  return /^\d{15}$/.test(digits) && isCalendarDate(1900 + Number(digits.slice(6, 8)), Number(digits.slice(8, 10)), Number(digits.slice(10, 12)));
}

/**
 * Whether free text a caller sends along (a request id, a case reference) may carry an ID number,
 * which must then reach no log line and no audit row. Fifteen digits in a row are enough (an old
 * 15-digit number, or most of an 18-digit one). A number written in parts, as people write them
 * ("370811-19900101-123X", "370811 19900101 123X", "3708 1119 9001 0112 3X"), counts when some
 * groups in a row, joined, have an ID number's shape; other numbers with separators, such as a file
 * number 370811-2026-000042 or a date and a sequence, do not.
 */
export function mayContainIdNumber(text: string): boolean {
  if (/\d{15}/.test(text)) return true;
  for (const run of text.match(DIGIT_GROUPS) ?? []) {
    const groups = run.split(SEPARATOR);
    for (let first = 0; first < groups.length; first++) {
      let joined = '';
      for (let last = first; last < groups.length && joined.length < 18; last++) {
        joined += groups[last];
        if (idNumberShaped(joined)) return true;
      }
    }
  }
  return false;
}

/**
 * mayContainIdNumber with digests judged apart: a digest in lowercase hexadecimal (32 characters or
 * more standing alone, a letter among them: a persisted query's SHA-256 hash, a finding's id, a W3C
 * trace id a department sends as its X-Request-Id) holds 15 digits in a row for about one in 60 to
 * 120, which read as an old ID number. A digest is taken as carrying one only where 18 of its digits
 * in a row are a whole ID number, check character and birth date included (checkIdNumber), which a
 * digest is by chance fewer than once in ten million; an old 15-digit number run into one is not
 * found. Everything around the digests is judged by mayContainIdNumber.
 */
export function mayContainIdNumberBesideDigests(text: string): boolean {
  const digests = (text.match(HEX_DIGEST) ?? []).filter((token) => /[a-f]/.test(token));
  if (digests.some(holdsWholeIdNumber)) return true;
  return mayContainIdNumber(digests.reduce((rest, digest) => rest.split(digest).join(' '), text));
}

/** 32 or more lowercase hexadecimal characters standing alone (no letter or digit either side). */
const HEX_DIGEST = /(?<![0-9A-Za-z])[0-9a-f]{32,}(?![0-9A-Za-z])/g;

/** Whether 18 digits in a row of `digest` are a whole valid ID number (checkIdNumber). */
function holdsWholeIdNumber(digest: string): boolean {
  return (digest.match(/\d{18,}/g) ?? []).some((run) => [...Array(run.length - 17).keys()].some((i) => checkIdNumber(run.slice(i, i + 18)).ok));
}

/** Masks an ID number for logs and for callers without the right to see it: 370811********123X. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length < 10) return '*'.repeat(idNumber.length);
  return idNumber.slice(0, 6) + '*'.repeat(idNumber.length - 10) + idNumber.slice(-4);
}

/** Builds a valid ID number from its parts (the demo generator and tests use it). */
export function makeIdNumber(regionCode: string, birthDate: string, sequence: number): string {
  const first17 = regionCode + birthDate.replace(/-/g, '') + String(sequence).padStart(3, '0');
  return first17 + idNumberCheckChar(first17);
}

/** An ID number as the hub keys people: 17 ASCII digits and a digit or `X`. */
const KEYED = /^\d{17}[\dX]$/;

/**
 * An ID number as the hub keys people: `checkIdNumber`'s normalisation (trimmed, a check character
 * `x` upper-cased, full-width digits and letters as ASCII) without its checks, and an old 15-digit
 * number (`isOldIdNumber`) as its 18-digit successor (`idNumberOfOld`). For ID numbers read from
 * department databases, which their own systems and clerks write (federation/id-numbers.ts): many
 * with a lower-case `x`, some elderly people's old records under the first-generation number, some
 * typed with a Chinese input method left in full-width mode (`３７０８…`). A department's record is
 * read as it keys the person, typing slips included; an officer's 15-digit argument is refused
 * (`checkIdNumber`), as the officer can ask for the current card.
 */
export function normaliseIdNumber(raw: string): string {
  const value = raw.trim().toUpperCase();
  // Nearly every row: one test, no copy (a scan reads hundreds of thousands).
  if (value.length === 18 && KEYED.test(value)) return value;
  const typed = halfWidth(value).trim().toUpperCase();
  return isOldIdNumber(typed) ? idNumberOfOld(typed) : typed;
}

/**
 * The 18-digit number that replaced an old 15-digit one (GB 11643-1999 replaced GB 11643-1989): the
 * century `19` inserted before the birth year (the old number's yymmdd implied it) and the check
 * character computed. Only people born 1900–1999 held one.
 */
export function idNumberOfOld(old: string): string {
  const first17 = `${old.slice(0, 6)}19${old.slice(6)}`;
  return first17 + idNumberCheckChar(first17);
}

/**
 * The old 15-digit number of an 18-digit one, where there can have been one: born 1900–1999 (the
 * old number's yymmdd implied the century 19; a person born in 1899 or after 1999 never held one
 * that reads back to this number). Null otherwise.
 */
export function oldIdNumberOf(idNumber: string): string | null {
  return idNumber.startsWith('19', 6) ? idNumber.slice(0, 6) + idNumber.slice(8, 17) : null;
}

/** Digits and letters as a Chinese input method in full-width mode types them (`３７０８…１２３Ｘ`). */
export function fullWidth(ascii: string): string {
  return ascii.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

/**
 * The forms in which a department may hold this (normalised) ID number (federation/id-numbers.ts):
 * itself; with a check character `X` also the lower-case `x`, for a column whose collation tells
 * the two apart; and each with one space before or after it, as a clerk's stray keystroke or a
 * pasted cell leaves it. A leading space matches under no collation, a trailing one only under a
 * PAD SPACE collation (MariaDB's defaults, not MySQL 8's `utf8mb4_0900_ai_ci`): a household read or
 * pre-grant check left such a record out and still answered `complete: true`. Asking for these
 * forms keeps the read on the column's index, in the same statement. Other whitespace around an
 * ID number (a tab, two spaces, a full-width space) is not asked for: a scan stops on it
 * (federation/person-keys.ts, `isAskedStoredForm`). Then the forms of other writings
 * (`otherWrittenForms`: an old 15-digit number, full-width digits), without spaces.
 */
export function storedForms(idNumber: string): string[] {
  return [...caseAndSpaceForms(idNumber), ...otherWrittenForms(idNumber)];
}

/** `storedForms`' first part: the number, `…x` for a check character `X`, each with one space before or after it. */
export function caseAndSpaceForms(idNumber: string): string[] {
  const written = idNumber.endsWith('X') ? [idNumber, `${idNumber.slice(0, -1)}x`] : [idNumber];
  return written.flatMap((form) => [form, ` ${form}`, `${form} `]);
}

/**
 * The forms of an ID number written otherwise than the hub keys it, as a department's old records
 * and clerks hold some: the old 15-digit number (born 1900–1999 only, `oldIdNumberOf`), and each
 * form in full-width digits (`fullWidth`; a check character in both cases, `Ｘ` and `ｘ`, as a
 * case-sensitive column tells them apart). Three constants a person (four with `X`; one for a person
 * born after 1999). Not with spaces around them, nor a mix of full-width and ASCII digits.
 */
export function otherWrittenForms(idNumber: string): string[] {
  const old = oldIdNumberOf(idNumber);
  const forms = [fullWidth(idNumber)];
  if (idNumber.endsWith('X')) forms.push(fullWidth(`${idNumber.slice(0, -1)}x`));
  if (old) forms.push(old, fullWidth(old));
  return forms;
}

/**
 * Whether a stored ID number is written otherwise than the hub keys it and than its case and space
 * forms (`otherWrittenForms`): an old 15-digit number, full-width digits. A region scan asks a
 * department for those forms only where its rows hold them (federation/person-keys.ts).
 */
export function isOtherWriting(stored: string): boolean {
  const value = stored.trim();
  return value.length !== 18 || !KEYED.test(value.toUpperCase());
}

/** Whether a department's stored ID number is one of the forms the hub asks for (`storedForms`), so that its rows are read. */
export function isAskedStoredForm(stored: string): boolean {
  return storedForms(normaliseIdNumber(stored)).includes(stored);
}
