/**
 * A case's reference, the number officers quote on the phone, on slips and on the printed brief:
 * AH-<year reported, China time>-<hub id, 6 digits>, e.g. AH-2025-000042.
 */
import { chinaDateOf } from './china-time';

export function caseReference(id: number, reportedAt: Date): string {
  return `AH-${chinaDateOf(reportedAt).slice(0, 4)}-${String(id).padStart(6, '0')}`;
}
