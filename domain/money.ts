/** Money is integer fen (1 yuan = 100 fen). Never a float. */

/**
 * Converts a decimal yuan amount as a department stores it (DECIMAL(12,2), returned by the driver
 * as a string such as "1234.5" or "-0.05") into integer fen, exactly, without floating point.
 */
export function yuanToFen(yuan: string | number): number {
  const text = typeof yuan === 'number' ? yuan.toFixed(2) : yuan.trim();
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new RangeError(`not a yuan amount with at most two decimals: ${JSON.stringify(yuan)}`);
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) throw new RangeError('amount out of range');
  return m[1] && fen !== 0 ? -fen : fen;
}

/**
 * A yuan amount as a department's row holds it, in fen; NaN when it holds none the hub can read
 * (NULL, a fraction of a fen such as `12.345`), so that the one record is left out as unreadable
 * (domain/aid.ts unreadableValue) instead of the department's whole read failing. A column widened
 * to more decimals (`DECIMAL(12,3)`: `12.340`) is read as the amount it is.
 */
export function departmentYuanToFen(yuan: string | number | null | undefined): number {
  if (yuan == null) return NaN;
  try {
    return yuanToFen(typeof yuan === 'string' ? yuan.trim().replace(/^(-?\d+\.\d{2})0+$/, '$1') : yuan);
  } catch {
    return NaN;
  }
}

/** Integer fen as a decimal yuan string with two places, for departments that store yuan. */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
