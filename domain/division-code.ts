/**
 * Administrative division codes (GB/T 2260, and the 12-digit statistical codes below county).
 * A code's significant prefix selects everything under it: 370800 (a city) → "3708".
 */
export type DivisionLevel = 'PROVINCE' | 'CITY' | 'COUNTY' | 'TOWNSHIP' | 'VILLAGE';

const DIVISION_CODE = /^(\d{6}|\d{9}|\d{12})$/;

export function isDivisionCode(code: string): boolean {
  return DIVISION_CODE.test(code);
}

/** What a refused division code is told: the words after the argument's name. */
export const DIVISION_CODE_EXPECTED = 'must be a division code of 6, 9 or 12 digits';

/**
 * A division code as a caller gives it (an API argument, a tool's `--region`), trimmed as every
 * single-line text is (README "Texts": a code pasted from a spreadsheet, ` 370811`): the code to
 * use, or null when it is none (refused MALFORMED_DIVISION_CODE by the API and the tools alike).
 */
export function givenDivisionCode(value: string): string | null {
  const code = value.trim();
  return isDivisionCode(code) ? code : null;
}

export function divisionLevel(code: string): DivisionLevel {
  if (code.length === 12) return 'VILLAGE';
  if (code.length === 9) return 'TOWNSHIP';
  if (code.endsWith('0000')) return 'PROVINCE';
  if (code.endsWith('00')) return 'CITY';
  return 'COUNTY';
}

/** The prefix every code under this division starts with. */
export function divisionPrefix(code: string): string {
  switch (divisionLevel(code)) {
    case 'PROVINCE':
      return code.slice(0, 2);
    case 'CITY':
      return code.slice(0, 4);
    default:
      return code;
  }
}
