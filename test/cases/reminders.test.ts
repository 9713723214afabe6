/**
 * Which reminder a waiting slip has due on a day (domain/cases/reminders.ts), in working days of the
 * calendar in force: 国庆 2026 by its published notice (10-01 … 10-07 off), none on weekends.
 */
import { dueSoonUntil, reminderDue } from '../../domain/cases/reminders';

/** A slip counted from Monday 09-28 for 3 working days: 09-29, 09-30 and, after the holiday, 10-08. */
const slip = { countedFrom: '2026-09-28', deadlineWorkingDays: 3, dueOn: '2026-10-08' };

describe('reminderDue', () => {
  it('is DUE_SOON from the working day before the due date, counting over a holiday, and not before', () => {
    // Due Thursday 10-08: from 09-30 (Wednesday) one working day is left, the holiday between.
    expect(reminderDue(slip, '2026-09-29', 1)).toBeNull();
    expect(reminderDue(slip, '2026-09-30', 1)).toEqual({ kind: 'DUE_SOON', workingDays: 1, provisional: false });
    expect(reminderDue(slip, '2026-10-05', 1)).toEqual({ kind: 'DUE_SOON', workingDays: 1, provisional: false });
    expect(reminderDue(slip, '2026-10-08', 1)).toEqual({ kind: 'DUE_SOON', workingDays: 0, provisional: false });
  });

  it('with 0, only on the due date itself', () => {
    expect(reminderDue(slip, '2026-10-07', 0)).toBeNull();
    expect(reminderDue(slip, '2026-10-08', 0)).toEqual({ kind: 'DUE_SOON', workingDays: 0, provisional: false });
  });

  it('is OVERDUE from the day after the due date, with the working days late', () => {
    expect(reminderDue(slip, '2026-10-09', 1)).toEqual({ kind: 'OVERDUE', workingDays: 1, provisional: false });
    // Friday 10-09, then Saturday 10-10 (worked under the 2026 notice), then Monday 10-12.
    expect(reminderDue(slip, '2026-10-12', 1)?.kind).toBe('OVERDUE');
  });

  it('reads as far as the last due date a DUE_SOON is sent for', () => {
    expect(dueSoonUntil('2026-09-30', 1)).toBe('2026-10-08');
    expect(dueSoonUntil('2026-09-30', 0)).toBe('2026-09-30');
  });
});
