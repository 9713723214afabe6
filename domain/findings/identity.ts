/**
 * A finding's identity and content. The fingerprint is the rule plus the records (or facts) it is
 * about, so the same duplicate found by next month's scan is the same finding. The content hash
 * covers what those records say (periods, amounts, causes, flags): a dismissal holds while it is
 * unchanged. Neither depends on today's date, so a finding does not change identity overnight.
 */
import crypto from 'node:crypto';
import { recordKey, type AidRecord } from './facts';

function sha(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export function fingerprintOf(ruleId: string, keys: readonly string[]): string {
  return sha(`${ruleId}\n${[...keys].sort().join('\n')}`);
}

/** What a record says, without the status the adapters derive from today's date. */
export function recordContent(r: AidRecord): string {
  return [
    recordKey(r),
    r.programme,
    r.beneficiaryIdNumber,
    r.periodStart ?? '',
    r.periodEnd ?? '',
    r.grantDate ?? '',
    r.amountFen,
    r.status === 'CANCELLED' ? 'C' : r.status === 'SUSPENDED' ? 'S' : '',
    r.cause ?? '',
    r.secondAid ? '2' : '',
    r.settlementRef ?? '',
    r.schoolYear ?? '',
  ].join('|');
}

export function contentHashOf(parts: readonly string[]): string {
  return sha([...parts].sort().join('\n'));
}
