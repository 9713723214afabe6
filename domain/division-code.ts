/**
 * Administrative division codes (GB/T 2260, and the 12-digit statistical codes below county).
 * A code's significant prefix selects everything under it: 370800 (a city) → "3708".
 */
export type DivisionLevel = 'PROVINCE' | 'CITY' | 'COUNTY' | 'TOWNSHIP' | 'VILLAGE';

const DIVISION_CODE = /^(\d{6}|\d{9}|\d{12})$/;

export function isDivisionCode(code: string): boolean {
  return DIVISION_CODE.test(code);
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
