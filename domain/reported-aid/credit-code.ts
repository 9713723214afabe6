/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters from 0-9 and 21 capital letters (no I, O, Z, S,
 * V), the last a check character: 31 − (Σ value × weight mod 31), 31 read as 0. A charity client
 * is identified by it.
 */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character for the first 17 characters, or null if one is outside the character set. */
export function creditCodeCheckChar(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CHARSET.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * WEIGHTS[i];
  }
  return CHARSET[(31 - (sum % 31)) % 31];
}

export function isCreditCode(value: string): boolean {
  return /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(value) && creditCodeCheckChar(value.slice(0, 17)) === value[17];
}

/** A valid code from its first 17 characters (demo data and tests). */
export function makeCreditCode(first17: string): string {
  const check = creditCodeCheckChar(first17);
  if (check === null || first17.length !== 17) throw new Error('not 17 characters of the 统一社会信用代码 set');
  return first17 + check;
}
