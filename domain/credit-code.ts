/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters. 1: registration authority (5 = civil affairs,
 * where charities and other social organisations register); 2: organisation type; 3–8: the
 * division code of the registering office; 9–17: the organisation code; 18: a check character.
 * The alphabet is the digits and the capitals without I, O, Z, S and V (31 characters); the check
 * character is 31 − (Σ value × weight mod 31), 31 becoming 0, with weights 3^(i) mod 31.
 */
import { typedCode } from './aid';

export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type CreditCodeProblem = 'LENGTH' | 'CHARACTERS' | 'DIVISION' | 'CHECKSUM';
export type CreditCodeCheck = { ok: true; creditCode: string } | { ok: false; problem: CreditCodeProblem; message: string };

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CODE_ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  const c = 31 - (sum % 31);
  return CREDIT_CODE_ALPHABET[c === 31 ? 0 : c];
}

/**
 * Checks a code as a clerk types it: read as typedCode reads a code (full-width characters, from a
 * Chinese input method left in full-width mode, as ASCII; whitespace around it left out) and
 * upper-cased; `creditCode` is the code in the form the hub keys it. A code typed in full width was
 * refused CHARACTERS, naming no cause the clerk could see, where ID numbers and phone lines are read.
 */
export function checkCreditCode(raw: string): CreditCodeCheck {
  const code = (typedCode(raw) ?? '').toUpperCase();
  if (code.length !== 18) return { ok: false, problem: 'LENGTH', message: 'a 统一社会信用代码 has 18 characters' };
  for (const ch of code) if (!CREDIT_CODE_ALPHABET.includes(ch)) return { ok: false, problem: 'CHARACTERS', message: 'only digits and capitals other than I, O, Z, S, V' };
  if (!/^\d{6}$/.test(code.slice(2, 8))) return { ok: false, problem: 'DIVISION', message: 'characters 3–8 are the division code of the registering office' };
  if (creditCodeCheckChar(code.slice(0, 17)) !== code[17]) return { ok: false, problem: 'CHECKSUM', message: 'the check character does not match (GB 32100)' };
  return { ok: true, creditCode: code };
}

/** Builds a valid code from its first 17 characters (demo data and tests). */
export function makeCreditCode(first17: string): string {
  return first17 + creditCodeCheckChar(first17);
}

/** Whether a value is a valid 统一社会信用代码, check character included, in the form the hub keys it (checkCreditCode's `creditCode`). */
export function isCreditCode(value: string): boolean {
  const check = checkCreditCode(value);
  return check.ok && check.creditCode === value;
}
