import { isRepeatSettle, seenAgain, settle } from '../../domain/findings/settlement';

describe('settling a finding', () => {
  it('confirms, dismisses with a reason, and resolves', () => {
    expect(settle('OPEN', 'CONFIRM', null)).toEqual({ ok: true, status: 'CONFIRMED' });
    expect(settle('CONFIRMED', 'DISMISS', '本县允许两项补贴叠加')).toEqual({ ok: true, status: 'DISMISSED' });
    expect(settle('DISMISSED', 'RESOLVE', null)).toEqual({ ok: true, status: 'RESOLVED' });
  });

  it('refuses a dismissal without a reason, and a change to the same status', () => {
    expect(settle('OPEN', 'DISMISS', '  ')).toEqual({ ok: false, code: 'REASON_REQUIRED' });
    expect(settle('CONFIRMED', 'CONFIRM', 'again')).toEqual({ ok: false, code: 'NO_CHANGE' });
  });

  it('takes a refused settling as a repeat only of the same action, client, department, officer and reason', () => {
    const done = { action: 'DISMISSED', actor: 'county-ca', department: 'CIVIL_AFFAIRS', officer: 'zhang01', reason: '本县允许' };
    expect(isRepeatSettle(done, { ...done })).toBe(true);
    expect(isRepeatSettle(undefined, done)).toBe(false);
    for (const change of [{ action: 'RESOLVED' }, { actor: 'city-ca' }, { department: 'HOUSING' }, { officer: null }, { reason: '另一理由' }]) {
      expect(isRepeatSettle(done, { ...done, ...change })).toBe(false);
    }
  });
});

describe('a scan seeing a stored finding again', () => {
  const found = { contentHash: 'h1', ongoing: true };

  it('stores a new one as open and keeps open and confirmed ones as they are', () => {
    expect(seenAgain(found, undefined)).toEqual({ outcome: 'NEW', status: 'OPEN', reason: null });
    expect(seenAgain(found, { status: 'CONFIRMED', settledContentHash: 'h0' })).toEqual({ outcome: 'SEEN', status: 'CONFIRMED', reason: null });
  });

  it('keeps a dismissal while the records are unchanged, and reopens when they change', () => {
    expect(seenAgain(found, { status: 'DISMISSED', settledContentHash: 'h1' }).status).toBe('DISMISSED');
    expect(seenAgain(found, { status: 'DISMISSED', settledContentHash: 'h0' })).toEqual({ outcome: 'REOPENED', status: 'OPEN', reason: 'RECORDS_CHANGED' });
  });

  it('keeps a resolution for a past problem, and reopens one that still runs', () => {
    expect(seenAgain({ contentHash: 'h2', ongoing: false }, { status: 'RESOLVED', settledContentHash: 'h1' }).status).toBe('RESOLVED');
    expect(seenAgain(found, { status: 'RESOLVED', settledContentHash: 'h1' })).toEqual({ outcome: 'REOPENED', status: 'OPEN', reason: 'STILL_ONGOING' });
  });
});
