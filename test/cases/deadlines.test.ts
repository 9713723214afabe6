/**
 * Statutory deadlines of a case: hour limits on instants, day limits on China dates and working
 * days, across the 2025 National Day and the 2026 Spring Festival holidays.
 */
import { chinaDateOf, endOfChinaDay, formatChinaInstant } from '../../domain/cases/china-time';
import { caseDeadlines, dueOf, isMissed, standing, type CaseTimeline } from '../../domain/cases/deadlines';

/** An instant given in China time. */
const cn = (local: string) => new Date(`${local}+08:00`);

function timeline(urgency: CaseTimeline['urgency'], reported: string, ...steps: [CaseTimeline['transitions'][number]['to'], string][]): CaseTimeline {
  return { urgency, reportedAt: cn(reported), transitions: steps.map(([to, at]) => ({ to, at: cn(at) })) };
}

function byKind(t: CaseTimeline, asOf: string) {
  return Object.fromEntries(caseDeadlines(t, cn(asOf)).map((d) => [d.kind, d]));
}

describe('China time', () => {
  it('takes the date in China, not in UTC', () => {
    // 16:30 UTC on 10-10 is 00:30 on 10-11 in China.
    expect(chinaDateOf(new Date('2025-10-10T16:30:00Z'))).toBe('2025-10-11');
    expect(endOfChinaDay('2025-10-11').toISOString()).toBe('2025-10-11T15:59:59.999Z');
    expect(formatChinaInstant(new Date('2025-10-10T16:30:00Z'))).toBe('2025-10-11T00:30:00.000+08:00');
  });
});

describe('due dates', () => {
  it('counts an hour limit from the instant, holidays or not', () => {
    const due = dueOf({ unit: 'HOURS', hours: 24 }, cn('2025-09-30T22:00:00'));
    expect(due).toEqual({ dueAt: cn('2025-10-01T22:00:00'), dueOn: null, provisional: false });
    const emergency = dueOf({ unit: 'HOURS', hours: 2 }, cn('2026-02-16T23:30:00'));
    expect(emergency.dueAt).toEqual(cn('2026-02-17T01:30:00'));
  });

  it('counts a day limit from the China date of the report, to the end of the due day', () => {
    // Reported 00:30 on Saturday 2025-10-11 in China (a worked Saturday), still Friday in UTC.
    const due = dueOf({ unit: 'WORKING_DAYS', workingDays: 3 }, new Date('2025-10-10T16:30:00Z'));
    expect(due.dueOn).toBe('2025-10-15');
    expect(due.dueAt).toEqual(cn('2025-10-15T23:59:59.999'));
  });
});

describe('a normal case across the Spring Festival', () => {
  // Reported Friday 2026-02-13: opinion due Wed 02-25, approval due Thu 03-19.
  const t = timeline('NORMAL', '2026-02-13T10:00:00', ['ACCEPTED', '2026-02-14T09:00:00'], ['INVESTIGATING', '2026-02-14T10:00:00']);

  it('has an investigation opinion and an approval deadline, pending during the holiday', () => {
    const d = byKind(t, '2026-02-20T12:00:00');
    expect(Object.keys(d).sort()).toEqual(['APPROVAL', 'INVESTIGATION_OPINION']);
    expect(d.INVESTIGATION_OPINION).toMatchObject({ dueOn: '2026-02-25', status: 'PENDING', limit: { unit: 'WORKING_DAYS', workingDays: 3 } });
    // From the holiday Friday 02-20: Tue 02-24 and Wed 02-25 are left.
    expect(d.INVESTIGATION_OPINION.timeLeft).toEqual({ hours: 5 * 24 + 11, workingDays: 2 });
    expect(d.APPROVAL).toMatchObject({ dueOn: '2026-03-19', status: 'PENDING' });
  });

  it('is met by the opinion on the due day and overdue the day after', () => {
    const met = { ...t, transitions: [...t.transitions, { to: 'IN_DELIBERATION' as const, at: cn('2026-02-25T23:00:00') }] };
    expect(byKind(met, '2026-03-01T00:00:00').INVESTIGATION_OPINION).toMatchObject({ status: 'MET', metAt: cn('2026-02-25T23:00:00') });
    const late = byKind(t, '2026-02-27T09:00:00').INVESTIGATION_OPINION;
    expect(late.status).toBe('OVERDUE');
    // Due end of Wed 02-25; at 09:00 on Fri 02-27: 33 hours, 2 calendar days, 2 working days (Thu, Fri).
    expect(late.overdue).toEqual({ hours: 33, calendarDays: 2, workingDays: 2, provisional: false });
  });

  it('marks an opinion given after the due day as met late, which counts as missed', () => {
    const lateOpinion = { ...t, transitions: [...t.transitions, { to: 'DECIDED' as const, at: cn('2026-02-28T10:00:00') }] };
    const d = byKind(lateOpinion, '2026-03-02T10:00:00');
    expect(d.INVESTIGATION_OPINION.status).toBe('MET_LATE');
    // Thu 02-26, Fri 02-27 and the worked Saturday 02-28.
    expect(d.INVESTIGATION_OPINION.overdue).toMatchObject({ calendarDays: 3, workingDays: 3 });
    expect(isMissed(d.INVESTIGATION_OPINION.status)).toBe(true);
    expect(d.APPROVAL.status).toBe('MET');
  });
});

describe('an urgent case across National Day', () => {
  const reported = '2025-09-30T20:00:00';

  it('owes first aid in 24 hours and materials by the worked Saturday after the break', () => {
    const d = byKind(timeline('URGENT', reported), '2025-10-01T08:00:00');
    expect(d.FIRST_AID).toMatchObject({ dueAt: cn('2025-10-01T20:00:00'), dueOn: null, status: 'PENDING', timeLeft: { hours: 12, workingDays: null } });
    // 5 working days from Tue 09-30: 10-09, 10-10, 10-11 (worked Saturday), 10-13, 10-14.
    expect(d.MATERIALS).toMatchObject({ dueOn: '2025-10-14', status: 'PENDING' });
  });

  it('is overdue on first aid after 24 hours, then met late when it is given', () => {
    const t = timeline('URGENT', reported, ['ACCEPTED', '2025-09-30T20:10:00'], ['INVESTIGATING', '2025-09-30T20:20:00']);
    const before = byKind(t, '2025-10-02T02:00:00').FIRST_AID;
    expect(before).toMatchObject({ status: 'OVERDUE', overdue: { hours: 6, calendarDays: 1, workingDays: 0 } });
    const given = { ...t, transitions: [...t.transitions, { to: 'FIRST_AID_GIVEN' as const, at: cn('2025-10-02T02:00:00') }] };
    expect(byKind(given, '2025-10-03T00:00:00').FIRST_AID).toMatchObject({ status: 'MET_LATE', overdue: { hours: 6 } });
  });

  it('voids first aid when the case is rejected before it is due, and misses it when rejected after', () => {
    const early = timeline('URGENT', reported, ['REJECTED', '2025-09-30T23:00:00']);
    const d = byKind(early, '2025-10-09T00:00:00');
    expect(d.FIRST_AID.status).toBe('VOID');
    // Materials are a recorded act, not inferred from a decision: rejected before they were due, they no longer apply.
    expect(d.MATERIALS.status).toBe('VOID');
    const late = timeline('URGENT', reported, ['REJECTED', '2025-10-02T20:00:00']);
    expect(byKind(late, '2025-10-09T00:00:00').FIRST_AID).toMatchObject({ status: 'MISSED', overdue: { hours: 24 } });
  });

  it('counts the materials from the first aid, and meets them only by the recorded act', () => {
    // First aid recorded Thu 10-09 (after the break): 5 working days are 10-10, 10-11 (worked Saturday), 10-13, 10-14, 10-15.
    const t = timeline('URGENT', reported, ['ACCEPTED', '2025-09-30T21:00:00'], ['FIRST_AID_GIVEN', '2025-10-09T10:00:00'], ['IN_DELIBERATION', '2025-10-10T10:00:00']);
    expect(byKind(t, '2025-10-10T12:00:00').MATERIALS).toMatchObject({ dueOn: '2025-10-15', status: 'PENDING', metAt: null });
    const done = { ...t, acts: [{ act: 'MATERIALS_COMPLETED' as const, at: new Date(cn('2025-10-16T09:00:00')), statedAt: new Date(cn('2025-10-15T17:00:00')) }] };
    const materials = byKind(done, '2025-10-17T00:00:00').MATERIALS;
    expect(materials).toMatchObject({ status: 'MET_LATE', metAt: new Date(cn('2025-10-16T09:00:00')), metStatedAt: new Date(cn('2025-10-15T17:00:00')) });
  });

  it('ignores what happened after asOf', () => {
    const t = timeline('URGENT', reported, ['FIRST_AID_GIVEN', '2025-10-01T10:00:00']);
    expect(byKind(t, '2025-10-01T09:00:00').FIRST_AID.status).toBe('PENDING');
    expect(byKind(t, '2025-10-01T11:00:00').FIRST_AID.status).toBe('MET');
  });
});

describe('an emergency', () => {
  it('has one deadline: first aid within 2 hours', () => {
    const d = caseDeadlines(timeline('EMERGENCY', '2026-02-16T23:30:00', ['FIRST_AID_GIVEN', '2026-02-17T01:00:00']), cn('2026-02-17T02:00:00'));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ kind: 'FIRST_AID', limit: { unit: 'HOURS', hours: 2 }, status: 'MET' });
  });
});

describe('standing', () => {
  const due = dueOf({ unit: 'WORKING_DAYS', workingDays: 5 }, cn('2025-10-09T09:00:00'));

  it('counts overdue working days past the due date, skipping weekends', () => {
    // From Thu 10-09: Fri 10-10, the worked Saturday 10-11, Mon 10-13, Tue 10-14, Wed 10-15.
    expect(due.dueOn).toBe('2025-10-15');
    // At Tue 10-21 noon: Thu 10-16, Fri 10-17, Mon 10-20, Tue 10-21.
    expect(standing(due, null, null, cn('2025-10-21T12:00:00'))).toMatchObject({ status: 'OVERDUE', overdue: { workingDays: 4, calendarDays: 6 } });
  });

  it('is met at the last millisecond of the due day', () => {
    expect(standing(due, cn('2025-10-15T23:59:59.999'), null, cn('2025-10-30T00:00:00')).status).toBe('MET');
    expect(standing(due, cn('2025-10-16T00:00:00'), null, cn('2025-10-30T00:00:00')).status).toBe('MET_LATE');
  });

  it('has not started before its clock’s first instant: nothing left, nothing late, not missed', () => {
    const startsAt = cn('2025-10-09T00:00:00');
    expect(standing(due, null, null, cn('2025-10-08T23:59:59.999'), startsAt)).toEqual({ status: 'NOT_STARTED', timeLeft: null, overdue: null });
    expect(standing(due, null, null, startsAt, startsAt).status).toBe('PENDING');
    expect(isMissed('NOT_STARTED')).toBe(false);
  });
});

describe('a case before it was reported', () => {
  it('has every deadline not started, due dates as counted from the report', () => {
    const t = timeline('URGENT', '2025-09-30T22:00:00');
    const before = caseDeadlines(t, cn('2025-09-30T21:59:59.999'));
    expect(before.map((d) => [d.kind, d.status, d.timeLeft, d.overdue])).toEqual([
      ['FIRST_AID', 'NOT_STARTED', null, null],
      ['MATERIALS', 'NOT_STARTED', null, null],
    ]);
    expect(before.map((d) => d.dueAt)).toEqual(caseDeadlines(t, cn('2025-09-30T22:00:00')).map((d) => d.dueAt));
    expect(byKind(t, '2025-09-30T22:00:00').FIRST_AID.status).toBe('PENDING');
  });
});

describe('a case opened by verifying an alert', () => {
  it('has its investigation opinion met on its report; approval still runs, and no other case is affected', () => {
    // Verified Thursday 2026-03-19; the village notice holds the decision to the 25th at the earliest.
    const verified = { ...timeline('NORMAL', '2026-03-19T10:00:00'), investigatedOnReport: true };
    const d = byKind(verified, '2026-03-26T10:00:00');
    expect(d.INVESTIGATION_OPINION).toMatchObject({ status: 'MET', metAt: cn('2026-03-19T10:00:00'), endedBy: { at: cn('2026-03-19T10:00:00') } });
    expect(d.APPROVAL.status).toBe('PENDING');
    // Asked as of before the report, it was not met yet.
    expect(byKind(verified, '2026-03-19T09:00:00').INVESTIGATION_OPINION.metAt).toBeNull();
    expect(byKind(timeline('NORMAL', '2026-03-19T10:00:00'), '2026-03-26T10:00:00').INVESTIGATION_OPINION.status).toBe('OVERDUE');
    // An urgent case has no investigation-opinion limit to meet.
    expect(byKind({ ...timeline('URGENT', '2026-03-19T10:00:00'), investigatedOnReport: true }, '2026-03-26T10:00:00').FIRST_AID.status).toBe('OVERDUE');
  });
});
