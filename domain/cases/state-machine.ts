/**
 * The life of a case (seed 000, 二(三): 申请—受理—分办—反馈), as a table. A case is reported,
 * accepted (受理), investigated, may receive first aid (先行救助), may go to joint deliberation
 * (一事一议), is decided and closed; or it is rejected with the explanation given to the household
 * (seed 000: 对不符合救助条件的…做好解释说明); or, opened by mistake (the wrong household, a
 * duplicate of another case, a report entered twice), withdrawn (撤回) with the reason before any
 * aid or deliberation: it ends without being a refusal, and its deadlines are void rather than met
 * (a rejection meets the approval deadline as the decision it is). Pure: the data layer asks, then records.
 */

export const CASE_STATES = ['REPORTED', 'ACCEPTED', 'INVESTIGATING', 'FIRST_AID_GIVEN', 'IN_DELIBERATION', 'DECIDED', 'CLOSED', 'REJECTED', 'WITHDRAWN', 'HANDED_OVER'] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_ORIGINS = ['APPLICATION', 'ACTIVE_DISCOVERY', 'ALERT', 'REFERRAL'] as const;
export type CaseOrigin = (typeof CASE_ORIGINS)[number];

export const CASE_URGENCIES = ['EMERGENCY', 'URGENT', 'NORMAL'] as const;
export type CaseUrgency = (typeof CASE_URGENCIES)[number];

/** Where a case may go from each state. Terminal states go nowhere. */
export const CASE_TRANSITIONS: Readonly<Record<CaseState, readonly CaseState[]>> = {
  // HANDED_OVER from every open state, only by caseHandOver (HAND_OVER_REQUIRED otherwise).
  REPORTED: ['ACCEPTED', 'REJECTED', 'WITHDRAWN', 'HANDED_OVER'],
  // 先行救助 comes before investigation or during it (seed 000, 二(三)); investigation follows it.
  ACCEPTED: ['INVESTIGATING', 'FIRST_AID_GIVEN', 'REJECTED', 'WITHDRAWN', 'HANDED_OVER'],
  // Withdrawn only before any aid was given or deliberated: a case that gave first aid or went to a
  // meeting was a real matter, and ends as closed or rejected.
  INVESTIGATING: ['FIRST_AID_GIVEN', 'IN_DELIBERATION', 'DECIDED', 'REJECTED', 'WITHDRAWN', 'HANDED_OVER'],
  FIRST_AID_GIVEN: ['INVESTIGATING', 'IN_DELIBERATION', 'DECIDED', 'REJECTED', 'HANDED_OVER'],
  IN_DELIBERATION: ['DECIDED', 'REJECTED', 'HANDED_OVER'],
  DECIDED: ['CLOSED', 'HANDED_OVER'],
  CLOSED: [],
  REJECTED: [],
  WITHDRAWN: [],
  HANDED_OVER: [],
};

export const TERMINAL_STATES: ReadonlySet<CaseState> = new Set(['CLOSED', 'REJECTED', 'WITHDRAWN', 'HANDED_OVER']);

/**
 * The ended states whose meetings' decisions ended with them. A case handed over (移交) is not one:
 * its open slips stay with its county's offices (db/cases/hand-over.ts), so its decisions are still
 * decisions not yet given (the household's other cases are checked against them), and its convener
 * still resolves one declined (reassign, waive) or corrects one found wrong (decisionCorrect).
 */
export const DECISIONS_ENDED_STATES: ReadonlySet<CaseState> = new Set([...TERMINAL_STATES].filter((s) => s !== 'HANDED_OVER'));

export type TransitionRefusal =
  /** Not an edge of the table. */
  | 'ILLEGAL_TRANSITION'
  /** Every transition records why; a rejection's reason is the explanation given to the household. */
  | 'REASON_REQUIRED'
  /** A case in deliberation is decided by recording the meeting and its decisions. */
  | 'MEETING_REQUIRED'
  /** 件件有落实、有反馈: a case ends only when every referral slip has its feedback. */
  | 'REFERRALS_WITHOUT_FEEDBACK'
  /** A declined decision must be reassigned, re-deliberated or waived before the case closes, is handed over or rejected. */
  | 'DECLINED_DECISIONS_OPEN'
  /** 先行救助 is recorded with what was given (caseFirstAid), not as a bare state change. */
  | 'FIRST_AID_DETAILS_REQUIRED'
  /** First aid is for urgent and emergency cases. */
  | 'CASE_NOT_URGENT'
  /** A case goes to another county by caseHandOver (its successor opened there), not as a bare state change. */
  | 'HAND_OVER_REQUIRED';

export interface TransitionFacts {
  reason: string;
  /** True only when the transition is made by recording a meeting's decisions. */
  viaMeeting?: boolean;
  /** Referral slips of the case still without feedback (neither completed nor declined). */
  referralsWithoutFeedback: number;
  /** Declined decisions not yet reassigned, re-deliberated or waived (domain/cases/declines.ts). */
  declinedDecisionsOpen?: number;
  /** True only when the transition is made by recording the first aid given (caseFirstAid). */
  viaFirstAid?: boolean;
  /** True only when the transition is made by handing the case over to another county (caseHandOver). */
  viaHandOver?: boolean;
  /** The case's urgency: first aid is for URGENT and EMERGENCY cases. */
  urgency?: CaseUrgency;
  /** Decision slips on record: the case was decided at a meeting before (it is back in deliberation over a decline). */
  decisionsOnRecord?: number;
}

export type TransitionCheck = { ok: true } | { ok: false; code: TransitionRefusal; message: string };

/**
 * Where caseTransition may take the case next. HANDED_OVER is left out: it is reached only by
 * caseHandOver, once the household lives in another county (Case.householdMoved says when).
 */
export function allowedTransitions(from: CaseState): readonly CaseState[] {
  return CASE_TRANSITIONS[from].filter((to) => to !== 'HANDED_OVER');
}

export function checkTransition(from: CaseState, to: CaseState, facts: TransitionFacts): TransitionCheck {
  // A decided case goes back to deliberation only to decide again what a department declined.
  const redeliberate = from === 'DECIDED' && to === 'IN_DELIBERATION' && (facts.declinedDecisionsOpen ?? 0) > 0;
  if (!CASE_TRANSITIONS[from].includes(to) && !redeliberate) {
    return { ok: false, code: 'ILLEGAL_TRANSITION', message: `a case cannot go from ${from} to ${to}` };
  }
  if (facts.reason.trim() === '') {
    return { ok: false, code: 'REASON_REQUIRED', message: to === 'REJECTED' ? 'a rejection needs the explanation given to the household' : to === 'WITHDRAWN' ? 'a withdrawal needs its reason (why the case was opened by mistake)' : 'say why' };
  }
  if (to === 'HANDED_OVER' && !facts.viaHandOver) {
    return { ok: false, code: 'HAND_OVER_REQUIRED', message: 'a case goes to the county its household moved to by caseHandOver, which opens its successor there' };
  }
  if (to === 'FIRST_AID_GIVEN' && facts.urgency === 'NORMAL') {
    return { ok: false, code: 'CASE_NOT_URGENT', message: 'first aid (先行救助) is for urgent and emergency cases' };
  }
  if (to === 'FIRST_AID_GIVEN' && !facts.viaFirstAid) {
    return { ok: false, code: 'FIRST_AID_DETAILS_REQUIRED', message: 'first aid is recorded with what was given (caseFirstAid)' };
  }
  // A case back in deliberation over a decline whose convener then reassigned or waived every
  // declined decision (referralReassign, referralWaive) has nothing left for a meeting to decide:
  // its earlier meeting's decisions stand, and it returns to DECIDED to be carried out and closed.
  // Without this it could only be rejected (as if refused to the household) or given a meeting
  // deciding aid no one asked for.
  const decisionsStand = (facts.decisionsOnRecord ?? 0) > 0 && (facts.declinedDecisionsOpen ?? 0) === 0;
  if (from === 'IN_DELIBERATION' && to === 'DECIDED' && !facts.viaMeeting && !decisionsStand) {
    return { ok: false, code: 'MEETING_REQUIRED', message: 'a case in deliberation is decided by recording the meeting (meetingRecord)' };
  }
  // A case handed over ends in its county with its slips still open: each was sent to an office of
  // that county, which answers it by its due date as before (its feedback is on this case, which the
  // successor's county reads as its predecessor). The household's matter goes on in the new county.
  if (TERMINAL_STATES.has(to) && to !== 'HANDED_OVER' && facts.referralsWithoutFeedback > 0) {
    return { ok: false, code: 'REFERRALS_WITHOUT_FEEDBACK', message: `${facts.referralsWithoutFeedback} referral slip(s) have no feedback yet` };
  }
  // 件件有落实: a case closes only when every decision is fulfilled or waived; a declined decision is
  // resolved by the convener who decided it before the case leaves the county. Nor is a case back in
  // deliberation over a decline rejected with it open: the case ended, the decided aid left
  // supervision's declinesOpen with no waiver on record (referralWaive first, which keeps its reason).
  if ((to === 'CLOSED' || to === 'HANDED_OVER' || to === 'REJECTED') && (facts.declinedDecisionsOpen ?? 0) > 0) {
    return { ok: false, code: 'DECLINED_DECISIONS_OPEN', message: `${facts.declinedDecisionsOpen} declined decision(s) are not yet reassigned, re-deliberated or waived` };
  }
  return { ok: true };
}
