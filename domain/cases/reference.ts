/**
 * A case's reference, the number officers quote on the phone, on slips and on the printed brief:
 * AH-<year reported, China time>-<hub id, 6 digits>, e.g. AH-2025-000042.
 */
import { chinaDateOf } from './china-time';

export function caseReference(id: number, reportedAt: Date): string {
  return `AH-${chinaDateOf(reportedAt).slice(0, 4)}-${String(id).padStart(6, '0')}`;
}

/** The hub's own form of a case reference, in any case (an officer types ah-2026-000014 too). */
const HUB_CASE_REFERENCE = /^AH-(\d{4})-(\d{6,})$/i;

/**
 * The hub id a reference in the hub's own case form names (AH-2026-000014: 14), or null for text in
 * another form (an office's own numbering, free text). Whether a case has that id and that year is
 * the caller's to check: `caseReference(id, reportedAt)` must give the reference back.
 */
export function caseIdOfReference(reference: string): number | null {
  const m = HUB_CASE_REFERENCE.exec(reference);
  if (!m) return null;
  const id = Number(m[2]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
