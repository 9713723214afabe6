/**
 * Each office's stable number (DEPARTMENT_NUMBERS, domain/departments.ts) is its bit in the
 * department mask stored with every finding (an unsigned 32-bit column). A new department takes
 * the next free number (README, "Adding a department", step 1): one already taken would make
 * stored findings name both offices, and one past 31 would wrap onto another's bit. The compiler
 * asks for a number for every office, not for a free one; this does.
 */
import { departmentMask, departmentsOfMask } from '../db/findings/store';
import { DEPARTMENT_CODES, DEPARTMENT_NUMBERS, OFFICE_CODES, REPORTER_CODES } from '../domain/departments';

test('every office has its own number, one bit of the stored 32-bit mask', () => {
  const numbers = OFFICE_CODES.map((code) => DEPARTMENT_NUMBERS[code]);
  for (const [i, n] of numbers.entries()) expect({ office: OFFICE_CODES[i], n, bit: Number.isInteger(n) && n >= 0 && n <= 31 }).toEqual({ office: OFFICE_CODES[i], n, bit: true });
  const taken = new Map<number, string>();
  for (const code of OFFICE_CODES) {
    const n = DEPARTMENT_NUMBERS[code];
    expect({ code, number: n, alreadyTakenBy: taken.get(n) ?? null }).toEqual({ code, number: n, alreadyTakenBy: null });
    taken.set(n, code);
  }
});

test('a mask gives back exactly the offices it was made of, for every office', () => {
  for (const code of OFFICE_CODES) expect(departmentsOfMask(departmentMask([code]))).toEqual([code]);
  expect(departmentsOfMask(departmentMask(OFFICE_CODES))).toEqual([...OFFICE_CODES]);
});

test('no office is both a federated department and a reporter', () => {
  // Every office DOMAIN.md names beyond the federated seven reports already (REPORTER_CODES). Such a
  // code added to DEPARTMENT_CODES by step 1 raised no complaint from the compiler beyond the records
  // of steps 7 and 9, and would be listed twice in OFFICE_CODES, which the first test above reads as
  // the office's number taken by itself. README "Adding a department", "Which office", says why the
  // steps do not move a reporter.
  expect({ bothDepartmentAndReporter: DEPARTMENT_CODES.filter((code) => (REPORTER_CODES as readonly string[]).includes(code)) }).toEqual({ bothDepartmentAndReporter: [] });
});
