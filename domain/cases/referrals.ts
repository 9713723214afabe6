/**
 * Referral slips (转办单, seed 000 三(三)2: 件件有落实、有反馈). A slip goes from one office to
 * another with what is asked and a deadline in working days. The receiving office accepts it, then
 * completes it with feedback, or declines it with a reason. A hand-over slip (首问负责: the office
 * first asked owns the case until it hands it on) is settled by its acceptance: the receiving office
 * becomes the owner, and that is the feedback.
 */

/**
 * SUPERSEDED: a decision's slip a later correction of the meeting's decisions replaced or withdrew
 * (db/cases/corrections.ts) before its department answered; nothing more is asked of that office.
 */
export const REFERRAL_STATES = ['ISSUED', 'ACCEPTED', 'COMPLETED', 'DECLINED', 'SUPERSEDED'] as const;
export type ReferralState = (typeof REFERRAL_STATES)[number];

export const REFERRAL_KINDS = ['DECISION', 'FORWARD'] as const;
export type ReferralKind = (typeof REFERRAL_KINDS)[number];

export type ReferralAction = 'ACCEPT' | 'COMPLETE' | 'DECLINE';

export type ReferralRefusal = 'REFERRAL_ILLEGAL_TRANSITION' | 'REFERRAL_SUPERSEDED' | 'FEEDBACK_REQUIRED' | 'REASON_REQUIRED';

export type ReferralCheck = { ok: true; to: ReferralState } | { ok: false; code: ReferralRefusal; message: string };

const FROM: Record<ReferralAction, readonly ReferralState[]> = {
  ACCEPT: ['ISSUED'],
  COMPLETE: ['ACCEPTED'],
  DECLINE: ['ISSUED', 'ACCEPTED'],
};

const DONE: Record<ReferralAction, string> = { ACCEPT: 'accepted', COMPLETE: 'completed', DECLINE: 'declined' };
const ARTICLE: Record<ReferralState, 'a' | 'an'> = { ISSUED: 'an', ACCEPTED: 'an', COMPLETED: 'a', DECLINED: 'a', SUPERSEDED: 'a' };

/**
 * The states of a slip still waiting for its answer: its office has yet to complete or decline it,
 * and its due date still runs. Any other slip was answered (or superseded): its due date is history.
 */
export const WAITING_REFERRAL_STATES = ['ISSUED', 'ACCEPTED'] as const satisfies readonly ReferralState[];
export type WaitingReferralState = (typeof WAITING_REFERRAL_STATES)[number];

export function isWaitingReferral(state: ReferralState): state is WaitingReferralState {
  return (WAITING_REFERRAL_STATES as readonly ReferralState[]).includes(state);
}

/** The states of a slip answered (completed or declined) or superseded: every state not waiting. */
export const ANSWERED_REFERRAL_STATES: readonly Exclude<ReferralState, WaitingReferralState>[] = REFERRAL_STATES.filter(
  (s): s is Exclude<ReferralState, WaitingReferralState> => !isWaitingReferral(s),
);

/** Feedback has been given, or the decision was superseded: the slip no longer holds its case open. */
export function hasFeedback(state: ReferralState): boolean {
  return !isWaitingReferral(state);
}

export function checkReferralAction(state: ReferralState, action: ReferralAction, facts: { handOver: boolean; text: string }): ReferralCheck {
  // A corrected decision's old slip: the office is told why nothing is asked of it any more.
  if (state === 'SUPERSEDED') return { ok: false, code: 'REFERRAL_SUPERSEDED', message: `a SUPERSEDED slip cannot be ${DONE[action]}` };
  if (!FROM[action].includes(state)) {
    return { ok: false, code: 'REFERRAL_ILLEGAL_TRANSITION', message: `${ARTICLE[state]} ${state} slip cannot be ${DONE[action]}` };
  }
  if (action === 'COMPLETE' && facts.text.trim() === '') return { ok: false, code: 'FEEDBACK_REQUIRED', message: 'completion needs feedback' };
  if (action === 'DECLINE' && facts.text.trim() === '') return { ok: false, code: 'REASON_REQUIRED', message: 'a decline needs its reason' };
  if (action === 'ACCEPT') return { ok: true, to: facts.handOver ? 'COMPLETED' : 'ACCEPTED' };
  return { ok: true, to: action === 'COMPLETE' ? 'COMPLETED' : 'DECLINED' };
}
