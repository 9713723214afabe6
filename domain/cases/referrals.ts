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
 * WITHDRAWN: a forwarded matter's slip the case's owner took back before its office answered
 * (referralWithdraw: sent to the wrong office, or the matter went away); nothing more is asked either.
 */
export const REFERRAL_STATES = ['ISSUED', 'ACCEPTED', 'COMPLETED', 'DECLINED', 'SUPERSEDED', 'WITHDRAWN'] as const;
export type ReferralState = (typeof REFERRAL_STATES)[number];

export const REFERRAL_KINDS = ['DECISION', 'FORWARD'] as const;
export type ReferralKind = (typeof REFERRAL_KINDS)[number];

export type ReferralAction = 'ACCEPT' | 'COMPLETE' | 'DECLINE';

export type ReferralRefusal = 'REFERRAL_ILLEGAL_TRANSITION' | 'REFERRAL_SUPERSEDED' | 'REFERRAL_WITHDRAWN' | 'FEEDBACK_REQUIRED' | 'REASON_REQUIRED' | 'HAND_OVER_LAPSED';

export type ReferralCheck = { ok: true; to: ReferralState } | { ok: false; code: ReferralRefusal; message: string };

const FROM: Record<ReferralAction, readonly ReferralState[]> = {
  ACCEPT: ['ISSUED'],
  COMPLETE: ['ACCEPTED'],
  DECLINE: ['ISSUED', 'ACCEPTED'],
};

const DONE: Record<ReferralAction, string> = { ACCEPT: 'accepted', COMPLETE: 'completed', DECLINE: 'declined' };
const ARTICLE: Record<ReferralState, 'a' | 'an'> = { ISSUED: 'an', ACCEPTED: 'an', COMPLETED: 'a', DECLINED: 'a', SUPERSEDED: 'a', WITHDRAWN: 'a' };

/**
 * The states of a slip still waiting for its answer: its office has yet to complete or decline it,
 * and its due date still runs. Any other slip was answered (or superseded): its due date is history.
 */
export const WAITING_REFERRAL_STATES = ['ISSUED', 'ACCEPTED'] as const satisfies readonly ReferralState[];
export type WaitingReferralState = (typeof WAITING_REFERRAL_STATES)[number];

export function isWaitingReferral(state: ReferralState): state is WaitingReferralState {
  return (WAITING_REFERRAL_STATES as readonly ReferralState[]).includes(state);
}

/** The states of a slip answered (completed or declined), superseded or withdrawn: every state not waiting. */
export const ANSWERED_REFERRAL_STATES: readonly Exclude<ReferralState, WaitingReferralState>[] = REFERRAL_STATES.filter(
  (s): s is Exclude<ReferralState, WaitingReferralState> => !isWaitingReferral(s),
);

/** Feedback has been given, or the decision was superseded, or the slip withdrawn: the slip no longer holds its case open. */
export function hasFeedback(state: ReferralState): boolean {
  return !isWaitingReferral(state);
}

/**
 * The case a hand-over slip would hand on, as it stands when the slip is accepted: its owner now, the
 * office that issued the slip, and whether the case has ended (closed, rejected, withdrawn, handed
 * over to another county).
 */
export interface HandOverCase {
  ownerOffice: string;
  fromOffice: string;
  ended: boolean;
}

/**
 * Why accepting a hand-over slip would no longer hand its case on, or null while it would. 首问负责:
 * the office that owns a case keeps it until it hands it on, so a hand-over passes the case only from
 * the office that issued it, while that office still owns it. An owner that issued two hand-overs (to
 * two offices, or one it then settled another way: a forward to the county for approval) had the
 * second acceptance take the case from the office the first made its owner, which never handed it
 * on: the case's history showed `HEALTH → 370811001` with no slip of HEALTH's. And an ended case has
 * no owner to hand on. The receiving office declines such a slip.
 */
export function handOverLapse(c: HandOverCase): string | null {
  if (c.ended) return 'the case has ended: a hand-over of it can no longer be accepted; decline the slip';
  if (c.ownerOffice !== c.fromOffice) return `the case was handed on since this slip was issued: ${c.fromOffice}, which issued it, no longer owns the case (${c.ownerOffice} does); decline the slip`;
  return null;
}

/**
 * A slip that ended with no answer from its office: superseded by a correction, or withdrawn by the
 * case's owner. Its `answeredAt` is when it ended; its deadline stops there unmet (VOID before its
 * due date, MISSED after), never met (domain/cases/supervision.ts slipStanding).
 */
export function endedUnanswered(state: ReferralState): boolean {
  return (ENDED_UNANSWERED_STATES as readonly ReferralState[]).includes(state);
}

/** The states of a slip that ended with no answer from its office (endedUnanswered). */
export const ENDED_UNANSWERED_STATES = ['SUPERSEDED', 'WITHDRAWN'] as const satisfies readonly ReferralState[];

export function checkReferralAction(state: ReferralState, action: ReferralAction, facts: { handOver: boolean; text: string; handOverCase?: HandOverCase }): ReferralCheck {
  // A corrected decision's old slip, or one its issuer took back: the office is told why nothing is asked of it any more.
  if (state === 'SUPERSEDED') return { ok: false, code: 'REFERRAL_SUPERSEDED', message: `a SUPERSEDED slip cannot be ${DONE[action]}` };
  if (state === 'WITHDRAWN') return { ok: false, code: 'REFERRAL_WITHDRAWN', message: `a WITHDRAWN slip cannot be ${DONE[action]}` };
  if (!FROM[action].includes(state)) {
    return { ok: false, code: 'REFERRAL_ILLEGAL_TRANSITION', message: `${ARTICLE[state]} ${state} slip cannot be ${DONE[action]}` };
  }
  if (action === 'COMPLETE' && facts.text.trim() === '') return { ok: false, code: 'FEEDBACK_REQUIRED', message: 'completion needs feedback' };
  if (action === 'DECLINE' && facts.text.trim() === '') return { ok: false, code: 'REASON_REQUIRED', message: 'a decline needs its reason' };
  const lapsed = action === 'ACCEPT' && facts.handOver && facts.handOverCase ? handOverLapse(facts.handOverCase) : null;
  if (lapsed) return { ok: false, code: 'HAND_OVER_LAPSED', message: lapsed };
  if (action === 'ACCEPT') return { ok: true, to: facts.handOver ? 'COMPLETED' : 'ACCEPTED' };
  return { ok: true, to: action === 'COMPLETE' ? 'COMPLETED' : 'DECLINED' };
}

export type WithdrawalRefusal = 'DECISION_SLIP' | 'REFERRAL_WITHDRAWN' | 'REFERRAL_ILLEGAL_TRANSITION';

/**
 * Whether the case's owner may withdraw (撤回) a slip it issued, or why not. Only a forwarded
 * matter (FORWARD) still waiting for its office (ISSUED, ACCEPTED) is withdrawn. A meeting's
 * decision is not: the meeting decided it, and only a record of a later decision changes it
 * (decisionCorrect withdraws it, SUPERSEDED; one declined is reassigned or waived). A slip answered
 * (completed, declined; a hand-over accepted is completed) keeps its answer: its office did the work.
 */
export function checkWithdrawal(slip: { kind: ReferralKind; state: ReferralState }): { code: WithdrawalRefusal; message: string } | null {
  if (slip.kind === 'DECISION') {
    return {
      code: 'DECISION_SLIP',
      message: 'a meeting’s decision is not withdrawn by its slip: the convener corrects the meeting’s decisions (decisionCorrect, the decision left out), or reassigns or waives it once declined (referralReassign, referralWaive)',
    };
  }
  if (slip.state === 'WITHDRAWN') return { code: 'REFERRAL_WITHDRAWN', message: 'the slip was withdrawn already' };
  if (!isWaitingReferral(slip.state)) return { code: 'REFERRAL_ILLEGAL_TRANSITION', message: `${ARTICLE[slip.state]} ${slip.state} slip was answered by its office and is not withdrawn` };
  return null;
}
