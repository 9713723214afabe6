/**
 * The day a slip's working days count from (domain/cases/supervision.ts dueCountedFrom): the day
 * its meeting was held for a decision issued in the meeting's record, however late; the day it was
 * issued, China time, for any other slip, a reassignment or a correction that keeps the meeting's id
 * included. Referral.deadlineStatus(asOf) is NOT_STARTED before it (Referral.countedFrom); the due-date recount counts from it.
 */
import { dueCountedFrom } from '../../domain/cases/supervision';
import { storedDueCountedFrom } from '../../db/cases/due-recount';

const cn = (local: string) => new Date(`${local}+08:00`);

describe('dueCountedFrom', () => {
  const meeting = { heldOn: '2026-03-12', recordedAt: cn('2026-03-15T10:00:00') };

  it('a decision issued with its meeting’s record counts from the day the meeting was held', () => {
    expect(dueCountedFrom({ issuedAt: cn('2026-03-15T10:00:00'), meeting })).toBe('2026-03-12');
  });

  it('a slip issued later under the meeting’s id (a reassignment, a correction) counts from its own day', () => {
    expect(dueCountedFrom({ issuedAt: cn('2026-03-17T09:00:00'), meeting })).toBe('2026-03-17');
  });

  it('a slip without a meeting counts from the day issued in China, not in UTC', () => {
    expect(dueCountedFrom({ issuedAt: new Date('2026-03-15T16:30:00Z'), meeting: null })).toBe('2026-03-16');
  });

  it('reads a stored row (DATETIME(3), UTC) the same way', () => {
    expect(storedDueCountedFrom({ issuedAt: '2026-03-15 02:00:00.000', meetingHeldOn: '2026-03-12', meetingRecordedAt: '2026-03-15 02:00:00.000' })).toBe('2026-03-12');
    expect(storedDueCountedFrom({ issuedAt: '2026-03-17 01:00:00.000', meetingHeldOn: '2026-03-12', meetingRecordedAt: '2026-03-15 02:00:00.000' })).toBe('2026-03-17');
    expect(storedDueCountedFrom({ issuedAt: '2026-03-15 16:30:00.000', meetingHeldOn: null, meetingRecordedAt: null })).toBe('2026-03-16');
  });
});
