/**
 * How a stored finding's status moves: by an officer settling it, and by the next scan seeing it
 * again. Pure, so the lifecycle is tested without a database.
 *
 * - A dismissed finding (e.g. a combination allowed locally) stays dismissed in later scans while
 *   the records it is about say the same thing; when they change, it is reopened.
 * - A resolved finding stays resolved while what it found lies in the past (a repaid overlap, an
 *   old duplicate grant); if the problem still runs today (an overlap with no end, aid still paid
 *   after death, aid still missing), the resolution did not take and it is reopened.
 * - A confirmed finding stays confirmed: the department has it in hand.
 */
export const FINDING_STATUSES = ['OPEN', 'CONFIRMED', 'DISMISSED', 'RESOLVED'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export type SettleAction = 'CONFIRM' | 'DISMISS' | 'RESOLVE';

const TARGET: Record<SettleAction, FindingStatus> = { CONFIRM: 'CONFIRMED', DISMISS: 'DISMISSED', RESOLVE: 'RESOLVED' };

export type SettleRefusal = 'REASON_REQUIRED' | 'NO_CHANGE';

/** The status a settling action gives a finding. */
export function settledStatus(action: SettleAction): FindingStatus {
  return TARGET[action];
}

export function settle(current: FindingStatus, action: SettleAction, reason: string | null): { ok: true; status: FindingStatus } | { ok: false; code: SettleRefusal } {
  if (action === 'DISMISS' && !reason?.trim()) return { ok: false, code: 'REASON_REQUIRED' };
  const status = TARGET[action];
  if (status === current) return { ok: false, code: 'NO_CHANGE' };
  return { ok: true, status };
}

/** A settling as its event records it: who, for which department and officer, with what reason or note. */
export interface SettleRecord {
  action: string;
  actor: string;
  department: string | null;
  officer: string | null;
  reason: string | null;
}

/**
 * Whether a settling refused as NO_CHANGE repeats the one that gave the finding its status: the
 * same action by the same client, department and officer, with the same reason or note (a retry
 * after a lost answer, or two identical requests at once). It is answered with the finding as it
 * stands; anything else that finds the status already there stays NO_CHANGE.
 */
export function isRepeatSettle(last: SettleRecord | undefined, asked: SettleRecord): boolean {
  return (
    last !== undefined &&
    last.action === asked.action &&
    last.actor === asked.actor &&
    last.department === asked.department &&
    last.officer === asked.officer &&
    last.reason === asked.reason
  );
}

export interface StoredState {
  status: FindingStatus;
  /** The content when it was last settled; null if never settled. */
  settledContentHash: string | null;
}

export type SeenOutcome = 'NEW' | 'SEEN' | 'REOPENED' | 'STILL_SETTLED';
export type ReopenReason = 'RECORDS_CHANGED' | 'STILL_ONGOING';

/** What a scan does with a finding it found, given what is stored under its fingerprint. */
export function seenAgain(found: { contentHash: string; ongoing: boolean }, stored: StoredState | undefined): { outcome: SeenOutcome; status: FindingStatus; reason: ReopenReason | null } {
  if (!stored) return { outcome: 'NEW', status: 'OPEN', reason: null };
  switch (stored.status) {
    case 'OPEN':
    case 'CONFIRMED':
      return { outcome: 'SEEN', status: stored.status, reason: null };
    case 'DISMISSED':
      return found.contentHash === stored.settledContentHash
        ? { outcome: 'STILL_SETTLED', status: 'DISMISSED', reason: null }
        : { outcome: 'REOPENED', status: 'OPEN', reason: 'RECORDS_CHANGED' };
    case 'RESOLVED':
      return found.ongoing ? { outcome: 'REOPENED', status: 'OPEN', reason: 'STILL_ONGOING' } : { outcome: 'STILL_SETTLED', status: 'RESOLVED', reason: null };
  }
}
