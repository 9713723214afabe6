/**
 * 公民身份号码 (GB 11643) as DOMAIN.md states it: 18 characters, an address code, a birth date, a
 * sequence whose parity is the gender, and the ISO 7064 MOD 11-2 check character. Birth dates are
 * China's calendar dates: a child born today in China is valid from China's midnight, not UTC's.
 */
import { checkIdNumber, idNumberCheckChar, makeIdNumber, normaliseIdNumber, storedForms } from '../domain/id-number';
import { lookupForms } from '../federation/id-numbers';

/** Every timer real, only the clock set: the check reads the date and nothing else. */
const REAL_TIMERS = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;

afterEach(() => jest.useRealTimers());

it('computes the check character with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 and 1 0 X 9 8 7 6 5 4 3 2', () => {
  // GB 11643-1999's own example.
  expect(idNumberCheckChar('11010519491231002')).toBe('X');
  expect(checkIdNumber('11010519491231002x', '2026-03-15')).toEqual({ ok: true, idNumber: '11010519491231002X', birthDate: '1949-12-31', gender: 'F', regionCode: '110105' });
  expect(checkIdNumber('110105194912310021', '2026-03-15')).toMatchObject({ ok: false, problem: 'CHECKSUM' });
  // Odd sequence: male.
  expect(checkIdNumber(makeIdNumber('370811', '1975-04-12', 31), '2026-03-15')).toMatchObject({ ok: true, gender: 'M' });
});

it('knows leap days and refuses the old 15-digit form, which DOMAIN.md does not name', () => {
  expect(checkIdNumber(makeIdNumber('370811', '2000-02-29', 12), '2026-03-15')).toMatchObject({ ok: true, birthDate: '2000-02-29' });
  expect(checkIdNumber(`37081119000229012${idNumberCheckChar('37081119000229012')}`, '2026-03-15')).toMatchObject({ ok: false, problem: 'BIRTH_DATE' });
  expect(checkIdNumber('370811750412031', '2026-03-15')).toMatchObject({ ok: false, problem: 'LENGTH' });
});

it('takes a birth date of today in China as possible before 08:00 China time, when UTC is still on yesterday', () => {
  // 00:30 on 15 March in China is 16:30 on 14 March UTC.
  jest.useFakeTimers({ now: new Date('2026-03-14T16:30:00.000Z'), doNotFake: [...REAL_TIMERS] });
  expect(checkIdNumber(makeIdNumber('370811', '2026-03-15', 12))).toMatchObject({ ok: true, birthDate: '2026-03-15' });
  expect(checkIdNumber(makeIdNumber('370811', '2026-03-16', 12))).toMatchObject({ ok: false, problem: 'BIRTH_DATE' });
});

test('a department’s ID number is keyed upper-case, and looked up in both forms when it ends in X', () => {
  const x = makeIdNumber('370811', '1991-08-08', 104);
  expect(x.endsWith('X')).toBe(true);
  const lower = `${x.slice(0, 17)}x`;
  expect(normaliseIdNumber(lower)).toBe(x);
  expect(normaliseIdNumber(`${lower} `)).toBe(x);
  expect(storedForms(x)).toEqual([x, lower]);
  const digit = makeIdNumber('370811', '1966-03-03', 311);
  expect(storedForms(digit)).toEqual([digit]);
  // One entry per form, each asked once; a batch without X is passed as it is.
  expect(lookupForms([digit, x, x])).toEqual([digit, x, lower]);
  expect(lookupForms([digit])).toEqual([digit]);
});
