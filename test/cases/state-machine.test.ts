/**
 * The case state machine and the referral slip's, as tables: every edge allowed, everything else
 * refused with a stable code.
 */
import { allowedTransitions, CASE_STATES, CASE_TRANSITIONS, checkTransition, TERMINAL_STATES, type CaseState } from '../../domain/cases/state-machine';
import { checkReferralAction, hasFeedback, REFERRAL_STATES, type ReferralAction } from '../../domain/cases/referrals';

const ok = { reason: 'checked by the township', referralsWithoutFeedback: 0 };

describe('case transitions', () => {
  it('walks the full path report → closure', () => {
    const path: CaseState[] = ['REPORTED', 'ACCEPTED', 'INVESTIGATING', 'FIRST_AID_GIVEN', 'IN_DELIBERATION', 'DECIDED', 'CLOSED'];
    for (let i = 1; i < path.length; i++) {
      expect(checkTransition(path[i - 1], path[i], { ...ok, viaMeeting: path[i] === 'DECIDED', viaFirstAid: path[i] === 'FIRST_AID_GIVEN' })).toEqual({ ok: true });
    }
  });

  it('allows exactly the edges of the table and refuses every other pair with ILLEGAL_TRANSITION', () => {
    let allowed = 0;
    for (const from of CASE_STATES) {
      for (const to of CASE_STATES) {
        const result = checkTransition(from, to, { ...ok, viaMeeting: true, viaFirstAid: true, viaHandOver: true });
        if (CASE_TRANSITIONS[from].includes(to)) {
          allowed += 1;
          expect({ from, to, result }).toEqual({ from, to, result: { ok: true } });
        } else {
          expect({ from, to, code: result.ok ? null : result.code }).toEqual({ from, to, code: 'ILLEGAL_TRANSITION' });
        }
      }
    }
    expect(allowed).toBe(Object.values(CASE_TRANSITIONS).reduce((n, list) => n + list.length, 0));
  });

  it.each([
    ['REPORTED', 'DECIDED'],
    ['REPORTED', 'FIRST_AID_GIVEN'],
    ['DECIDED', 'IN_DELIBERATION'],
    ['CLOSED', 'REPORTED'],
    ['REJECTED', 'ACCEPTED'],
    ['INVESTIGATING', 'INVESTIGATING'],
  ] as const)('refuses %s → %s', (from, to) => {
    expect(checkTransition(from, to, ok)).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
  });

  it('takes first aid (先行救助) only as the recorded act, and only for urgent or emergency cases', () => {
    expect(checkTransition('ACCEPTED', 'FIRST_AID_GIVEN', ok)).toMatchObject({ ok: false, code: 'FIRST_AID_DETAILS_REQUIRED' });
    expect(checkTransition('ACCEPTED', 'FIRST_AID_GIVEN', { ...ok, viaFirstAid: true, urgency: 'NORMAL' })).toMatchObject({ ok: false, code: 'CASE_NOT_URGENT' });
    expect(checkTransition('ACCEPTED', 'FIRST_AID_GIVEN', { ...ok, viaFirstAid: true, urgency: 'URGENT' })).toEqual({ ok: true });
    expect(checkTransition('FIRST_AID_GIVEN', 'INVESTIGATING', ok)).toEqual({ ok: true });
  });

  it('hands a case over (移交) only by caseHandOver, from every open state, its slips still open', () => {
    expect(checkTransition('ACCEPTED', 'HANDED_OVER', ok)).toMatchObject({ ok: false, code: 'HAND_OVER_REQUIRED' });
    for (const s of ['REPORTED', 'ACCEPTED', 'INVESTIGATING', 'FIRST_AID_GIVEN', 'IN_DELIBERATION', 'DECIDED'] as const) {
      expect(checkTransition(s, 'HANDED_OVER', { ...ok, viaHandOver: true, referralsWithoutFeedback: 2 })).toEqual({ ok: true });
    }
    // A declined decision is resolved by the convener who decided it, before the case leaves the county.
    expect(checkTransition('DECIDED', 'HANDED_OVER', { ...ok, viaHandOver: true, declinedDecisionsOpen: 1 })).toMatchObject({ ok: false, code: 'DECLINED_DECISIONS_OPEN' });
    expect(TERMINAL_STATES.has('HANDED_OVER')).toBe(true);
  });

  it('ends nowhere from a terminal state', () => {
    for (const s of TERMINAL_STATES) expect(allowedTransitions(s)).toEqual([]);
  });

  it('can reject from every open state before a decision', () => {
    for (const s of ['REPORTED', 'ACCEPTED', 'INVESTIGATING', 'FIRST_AID_GIVEN', 'IN_DELIBERATION'] as const) {
      expect(checkTransition(s, 'REJECTED', { ...ok, reason: '家庭收入超过当地低保标准' })).toEqual({ ok: true });
    }
  });

  it('needs a reason for every transition, and the explanation for a rejection', () => {
    expect(checkTransition('REPORTED', 'ACCEPTED', { ...ok, reason: '  ' })).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
    expect(checkTransition('INVESTIGATING', 'REJECTED', { ...ok, reason: '' })).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
  });

  it('decides a case in deliberation only through its meeting', () => {
    expect(checkTransition('IN_DELIBERATION', 'DECIDED', ok)).toMatchObject({ ok: false, code: 'MEETING_REQUIRED' });
    expect(checkTransition('IN_DELIBERATION', 'DECIDED', { ...ok, viaMeeting: true })).toEqual({ ok: true });
    // Back in deliberation over a decline: once every decline is reassigned or waived, the earlier
    // meeting's decisions stand; while one is open, a meeting still decides.
    expect(checkTransition('IN_DELIBERATION', 'DECIDED', { ...ok, decisionsOnRecord: 2, declinedDecisionsOpen: 0 })).toEqual({ ok: true });
    expect(checkTransition('IN_DELIBERATION', 'DECIDED', { ...ok, decisionsOnRecord: 2, declinedDecisionsOpen: 1 })).toMatchObject({ ok: false, code: 'MEETING_REQUIRED' });
    // A township may decide a simple case without a meeting.
    expect(checkTransition('INVESTIGATING', 'DECIDED', ok)).toEqual({ ok: true });
  });

  it('does not close or reject a case while a slip waits for feedback', () => {
    expect(checkTransition('DECIDED', 'CLOSED', { ...ok, referralsWithoutFeedback: 1 })).toMatchObject({ ok: false, code: 'REFERRALS_WITHOUT_FEEDBACK' });
    expect(checkTransition('IN_DELIBERATION', 'REJECTED', { ...ok, referralsWithoutFeedback: 2 })).toMatchObject({ ok: false, code: 'REFERRALS_WITHOUT_FEEDBACK' });
    // Back in deliberation over a decline: rejected with the decline open, the decided aid would leave
    // supervision's declinesOpen without a waiver on record. The convener resolves it first.
    expect(checkTransition('IN_DELIBERATION', 'REJECTED', { ...ok, decisionsOnRecord: 1, declinedDecisionsOpen: 1 })).toMatchObject({ ok: false, code: 'DECLINED_DECISIONS_OPEN' });
    expect(checkTransition('IN_DELIBERATION', 'REJECTED', { ...ok, decisionsOnRecord: 1, declinedDecisionsOpen: 0 })).toEqual({ ok: true });
    // Open slips do not block moves that do not end the case.
    expect(checkTransition('INVESTIGATING', 'IN_DELIBERATION', { ...ok, referralsWithoutFeedback: 3 })).toEqual({ ok: true });
  });
});

describe('referral slip answers', () => {
  const text = { handOver: false, text: '已发放' };

  it('goes ISSUED → ACCEPTED → COMPLETED', () => {
    expect(checkReferralAction('ISSUED', 'ACCEPT', text)).toEqual({ ok: true, to: 'ACCEPTED' });
    expect(checkReferralAction('ACCEPTED', 'COMPLETE', text)).toEqual({ ok: true, to: 'COMPLETED' });
  });

  it('settles a hand-over slip by its acceptance', () => {
    expect(checkReferralAction('ISSUED', 'ACCEPT', { handOver: true, text: '' })).toEqual({ ok: true, to: 'COMPLETED' });
    expect(checkReferralAction('ISSUED', 'ACCEPT', { handOver: true, text: '', handOverCase: { ownerOffice: 'CIVIL_AFFAIRS', fromOffice: 'CIVIL_AFFAIRS', ended: false } })).toEqual({ ok: true, to: 'COMPLETED' });
  });

  it('hands a case on only from the office that owns it, while it is open (HAND_OVER_LAPSED): declined instead', () => {
    const handedOnSince = { ownerOffice: 'HEALTH', fromOffice: 'CIVIL_AFFAIRS', ended: false };
    expect(checkReferralAction('ISSUED', 'ACCEPT', { handOver: true, text: '', handOverCase: handedOnSince })).toMatchObject({ ok: false, code: 'HAND_OVER_LAPSED' });
    expect(checkReferralAction('ISSUED', 'ACCEPT', { handOver: true, text: '', handOverCase: { ownerOffice: 'CIVIL_AFFAIRS', fromOffice: 'CIVIL_AFFAIRS', ended: true } })).toMatchObject({ ok: false, code: 'HAND_OVER_LAPSED' });
    expect(checkReferralAction('ISSUED', 'DECLINE', { handOver: true, text: '已由医保局接办', handOverCase: handedOnSince })).toEqual({ ok: true, to: 'DECLINED' });
    // A slip that hands nothing on is answered whoever owns the case now.
    expect(checkReferralAction('ISSUED', 'ACCEPT', { handOver: false, text: '', handOverCase: handedOnSince })).toEqual({ ok: true, to: 'ACCEPTED' });
  });

  it('declines from ISSUED or ACCEPTED, with a reason', () => {
    expect(checkReferralAction('ISSUED', 'DECLINE', text)).toEqual({ ok: true, to: 'DECLINED' });
    expect(checkReferralAction('ACCEPTED', 'DECLINE', text)).toEqual({ ok: true, to: 'DECLINED' });
    expect(checkReferralAction('ISSUED', 'DECLINE', { handOver: false, text: ' ' })).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
  });

  it('completes only an accepted slip, with feedback', () => {
    expect(checkReferralAction('ISSUED', 'COMPLETE', text)).toMatchObject({ ok: false, code: 'REFERRAL_ILLEGAL_TRANSITION' });
    expect(checkReferralAction('ACCEPTED', 'COMPLETE', { handOver: false, text: '' })).toMatchObject({ ok: false, code: 'FEEDBACK_REQUIRED' });
  });

  it('answers nothing once feedback is given', () => {
    for (const state of REFERRAL_STATES.filter(hasFeedback)) {
      for (const action of ['ACCEPT', 'COMPLETE', 'DECLINE'] as ReferralAction[]) {
        // A superseded or withdrawn slip says why it asks nothing any more (decisionCorrect replaced it; referralWithdraw took it back).
        const code = state === 'SUPERSEDED' ? 'REFERRAL_SUPERSEDED' : state === 'WITHDRAWN' ? 'REFERRAL_WITHDRAWN' : 'REFERRAL_ILLEGAL_TRANSITION';
        expect(checkReferralAction(state, action, text)).toMatchObject({ ok: false, code });
      }
    }
    expect(checkReferralAction('ACCEPTED', 'ACCEPT', text)).toMatchObject({ ok: false, code: 'REFERRAL_ILLEGAL_TRANSITION' });
  });
});
