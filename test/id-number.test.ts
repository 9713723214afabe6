/**
 * 公民身份号码 (GB 11643) as DOMAIN.md states it: 18 characters, an address code, a birth date, a
 * sequence whose parity is the gender, and the ISO 7064 MOD 11-2 check character. Birth dates are
 * China's calendar dates: a child born today in China is valid from China's midnight, not UTC's.
 */
import { checkIdNumber, idNumberCheckChar, idNumberOfOld, isAskedStoredForm, isOtherWriting, makeIdNumber, normaliseIdNumber, oldIdNumberOf, storedForms } from '../domain/id-number';
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
  // Told what it is and what to ask for ("this one has 15" named no cause a clerk could act on),
  // typed as a clerk types it too; fifteen digits that cannot be an old number are only counted.
  for (const old of ['370811750412031', '３７０８１１ ７５０４１２ ０３１']) {
    const check = checkIdNumber(old, '2026-03-15');
    expect(check).toMatchObject({ ok: false, problem: 'LENGTH' });
    expect(!check.ok && check.message).toContain('old 15-digit');
  }
  const notOld = checkIdNumber('370811751332031', '2026-03-15');
  expect(!notOld.ok && notOld.message).toBe('an ID number has 18 characters, this one has 15');
});

it('takes a birth date of today in China as possible before 08:00 China time, when UTC is still on yesterday', () => {
  // 00:30 on 15 March in China is 16:30 on 14 March UTC.
  jest.useFakeTimers({ now: new Date('2026-03-14T16:30:00.000Z'), doNotFake: [...REAL_TIMERS] });
  expect(checkIdNumber(makeIdNumber('370811', '2026-03-15', 12))).toMatchObject({ ok: true, birthDate: '2026-03-15' });
  expect(checkIdNumber(makeIdNumber('370811', '2026-03-16', 12))).toMatchObject({ ok: false, problem: 'BIRTH_DATE' });
});

test('a department’s ID number is keyed upper-case, and looked up in both forms when it ends in X, each with one space before or after it', () => {
  const x = makeIdNumber('370811', '1991-08-08', 104);
  expect(x.endsWith('X')).toBe(true);
  const lower = `${x.slice(0, 17)}x`;
  expect(normaliseIdNumber(lower)).toBe(x);
  expect(normaliseIdNumber(`${lower} `)).toBe(x);
  const fw = (s: string) => s.replace(/[0-9Xx]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  // Then the other writings: full-width digits (`Ｘ` and `ｘ`), the old 15-digit number, and that in full-width digits.
  const old = `${x.slice(0, 6)}${x.slice(8, 17)}`;
  expect(storedForms(x)).toEqual([x, ` ${x}`, `${x} `, lower, ` ${lower}`, `${lower} `, fw(x), fw(lower), old, fw(old)]);
  const digit = makeIdNumber('370811', '1966-03-03', 311);
  expect(storedForms(digit)).toEqual([digit, ` ${digit}`, `${digit} `, fw(digit), `${digit.slice(0, 6)}${digit.slice(8, 17)}`, fw(`${digit.slice(0, 6)}${digit.slice(8, 17)}`)]);
  // Born after 1999: no old number.
  const young = makeIdNumber('370811', '2003-05-05', 311);
  expect(storedForms(young)).toEqual([young, ` ${young}`, `${young} `, fw(young)]);
  // One entry per form, each asked once.
  expect(lookupForms([digit, x, x])).toEqual([...storedForms(digit), ...storedForms(x)]);
  expect(lookupForms([digit])).toEqual(storedForms(digit));
  // What a scan still stops on: whitespace around it other than the one space asked for.
  expect([` ${lower}`, `${digit} `, digit].map(isAskedStoredForm)).toEqual([true, true, true]);
  expect([`\t${digit}`, `  ${digit}`, `${digit}  `, `\u3000${digit}`].map(isAskedStoredForm)).toEqual([false, false, false, false]);
});

test('a department’s ID number held under the old 15-digit number or in full-width digits is keyed by its 18-digit number', () => {
  const x = Array.from({ length: 200 }, (_, i) => makeIdNumber('370811', '1951-08-08', 100 + i)).find((id) => id.endsWith('X'))!;
  const fw = (s: string) => s.replace(/[0-9Xx]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  const old = `${x.slice(0, 6)}${x.slice(8, 17)}`;
  for (const stored of [old, ` ${old}`, fw(old), fw(x), fw(`${x.slice(0, 17)}x`), `${fw(x)}\u3000`]) expect([stored, normaliseIdNumber(stored)]).toEqual([stored, x]);
  expect(idNumberOfOld(old)).toBe(x);
  expect(oldIdNumberOf(x)).toBe(old);
  // Only people born 1900–1999 held an old number (its yymmdd implied the century 19).
  expect([makeIdNumber('370811', '2003-01-01', 12), makeIdNumber('370811', '1899-12-31', 12)].map(oldIdNumberOf)).toEqual([null, null]);
  // 15 digits that cannot be an old number (no mainland province, no date) are left as they are: they key no one.
  expect(normaliseIdNumber('990811510808104')).toBe('990811510808104');
  expect(normaliseIdNumber('370811511308104')).toBe('370811511308104');
  // Asked as written, without spaces: the scan's person keys stop on a padded one, as on `…X  `.
  expect([old, fw(x), fw(old)].map(isAskedStoredForm)).toEqual([true, true, true]);
  expect([` ${old}`, `${fw(x)} `].map(isAskedStoredForm)).toEqual([false, false]);
  expect([x, ` ${x}`, `${x.slice(0, 17)}x `].map(isOtherWriting)).toEqual([false, false, false]);
  expect([old, fw(x), ` ${old}`].map(isOtherWriting)).toEqual([true, true, true]);
});

test('every department asked about the same people in turn gets the forms made once (docs/performance.md, Session 25)', () => {
  const x = makeIdNumber('370811', '1991-08-08', 104);
  const digit = makeIdNumber('370811', '1966-03-03', 311);
  // A household query's seven department reads, each with its own copy of the members' list.
  const asked = Array.from({ length: 7 }, () => lookupForms([digit, x]));
  expect(new Set(asked).size).toBe(1);
  expect(asked[0]).toEqual([...storedForms(digit), ...storedForms(x)]);
  // Frozen, so the statements write the list's SQL once for all seven (db/prepared.ts listsEscapedOnce).
  expect(Object.isFrozen(asked[0])).toBe(true);
  expect(Object.isFrozen(lookupForms([x]))).toBe(true);
  // Another list, or the same people in another order, is another statement's: its own forms.
  expect(lookupForms([x, digit])).toEqual([...storedForms(x), ...storedForms(digit)]);
  expect(lookupForms([digit])).toEqual(storedForms(digit));
  expect(lookupForms([digit, x])).toEqual(asked[0]);
  expect(lookupForms([])).toEqual([]);
});

test('an ID number as a clerk types it: full-width digits and Ｘ, spaces between the groups, a lower-case x', () => {
  const x = makeIdNumber('370811', '1991-08-08', 104);
  expect(x.endsWith('X')).toBe(true);
  const fullWidth = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  for (const typed of [fullWidth(x), `${x.slice(0, 6)} ${x.slice(6, 14)} ${x.slice(14)}`, `${x.slice(0, 6)}\u3000${fullWidth(x.slice(6))}`, `\t${x.slice(0, 17)}x `, `${fullWidth(x.slice(0, 17))}ｘ`]) {
    expect(checkIdNumber(typed, '2026-03-15')).toMatchObject({ ok: true, idNumber: x });
  }
  // Still checked: a typing slip in full width fails its check character as in ASCII.
  const slip = `${x.slice(0, 16)}${(Number(x[16]) + 1) % 10}X`;
  expect(checkIdNumber(fullWidth(slip), '2026-03-15')).toMatchObject({ ok: false, problem: 'CHECKSUM' });
  // Other separators and invisible characters are not read away.
  expect(checkIdNumber(`${x.slice(0, 6)}-${x.slice(6)}`, '2026-03-15')).toMatchObject({ ok: false, problem: 'LENGTH' });
  // An invisible character pasted with it is named as such, not as a length the clerk cannot see.
  expect(checkIdNumber(`${x.slice(0, 6)}\u200b${x.slice(6)}`, '2026-03-15')).toMatchObject({ ok: false, problem: 'CHARACTERS', message: expect.stringContaining('invisible') });
  // A byte-order mark a spreadsheet's first cell carries is whitespace to JavaScript, and read away.
  expect(checkIdNumber(`\ufeff${x}`, '2026-03-15')).toMatchObject({ ok: true, idNumber: x });
});

test('full width is the only other form of its digits read as ASCII: digits of another script or style are CHARACTERS alike', () => {
  const x = makeIdNumber('370811', '1991-08-08', 104);
  const digits = (zero: number) => (s: string) => s.replace(/[0-9]/g, (c) => String.fromCodePoint(zero + Number(c)));
  // Arabic-Indic and Devanagari (left by NFKC), and the mathematical bold, double-struck, monospace
  // and segmented digits, circled digits and a Roman numeral Ⅹ, which NFKC read as ASCII and so
  // as this person's number. Eighteen of them are eighteen characters as seen, not their UTF-16 units.
  const styled = [0x660, 0x966, 0x1d7ce, 0x1d7d8, 0x1d7f6, 0x1fbf0].map((zero) => digits(zero)(x));
  const circled = x.replace(/[1-9]/g, (c) => String.fromCodePoint(0x245f + Number(c))).replace(/0/g, '⓪');
  for (const typed of [...styled, circled, `${x.slice(0, 17)}Ⅹ`, `${x.slice(0, 17)}𝐗`, `${digits(0x1d7ce)(x.slice(0, 6))} ${x.slice(6)}`]) {
    expect(checkIdNumber(typed, '2026-03-15')).toMatchObject({ ok: false, problem: 'CHARACTERS' });
  }
  expect(checkIdNumber(digits(0x1d7ce)(x.slice(0, 17)), '2026-03-15')).toMatchObject({ ok: false, problem: 'LENGTH', message: 'an ID number has 18 characters, this one has 17' });
});
