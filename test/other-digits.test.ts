/**
 * Digits of another script or style than 0-9 (Arabic-Indic ٣, mathematical 𝟑, circled ③, a Roman
 * numeral Ⅹ) are found by one helper (domain/half-width.ts holdsOtherDigits) wherever a code is
 * checked, and said in one message each. An ID number's check looked for decimal digits alone
 * (\p{Nd}), so one holding ③ or Ⅹ was told only "17 digits followed by a digit or X", where one
 * holding ٣ was told its cause; and a settlement reference was told its cause in two wordings, one
 * by aidReport, another by the pre-grant check and a decision.
 */
import { holdsOtherDigits } from '../domain/half-width';
import { checkIdNumber, makeIdNumber } from '../domain/id-number';
import { validateReport } from '../domain/reported-aid/validate';
import { givenSettlementRef } from '../resolvers/findings/resolvers';

const X = makeIdNumber('370811', '1991-08-08', 104);

/** The GraphQLError `run` throws. */
function refusalOf(run: () => unknown): { message: string; extensions: { reason?: unknown } } {
  try {
    run();
  } catch (err) {
    return err as { message: string; extensions: { reason?: unknown } };
  }
  throw new Error('not refused');
}

test('holdsOtherDigits finds a digit or number of any other script or style, and none in 0-9 or letters', () => {
  for (const c of ['٣', '३', '𝟑', '③', 'Ⅹ', '½', '⓪']) expect({ c, held: holdsOtherDigits(`AB${c}12`) }).toEqual({ c, held: true });
  for (const text of ['SETL-2026-0001', 'ABCxyz', '']) expect(holdsOtherDigits(text)).toBe(false);
});

test('an ID number holding any of them is told the one cause, in one message', () => {
  const typed = [`${X.slice(0, 5)}٣${X.slice(6)}`, `${X.slice(0, 5)}𝟑${X.slice(6)}`, `${X.slice(0, 5)}③${X.slice(6)}`, `${X.slice(0, 17)}Ⅹ`];
  const checks = typed.map((t) => checkIdNumber(t, '2026-03-15'));
  for (const check of checks) expect(check).toMatchObject({ ok: false, problem: 'CHARACTERS' });
  expect(new Set(checks.map((c) => (c.ok ? null : c.message))).size).toBe(1);
});

test('a settlement reference holding them is told one message by aidReport and by the pre-grant check', () => {
  const messages = new Set<string>();
  for (const ref of ['SETL-𝟏', 'SETL-①', 'SETL-١']) {
    const report = validateReport('HEALTH', [{ reference: 'R-1', beneficiaryIdNumber: X, programme: 'MEDICAL_AID', grantDate: '2026-01-25', amountFen: 40_000, settlementRef: ref }], '2026-03-15');
    const problem = report.ok ? null : report.errors.find((e) => e.field === 'settlementRef');
    expect(problem).toMatchObject({ code: 'SETTLEMENT_REF_INVALID' });
    messages.add(problem!.message);
    const thrown = refusalOf(() => givenSettlementRef('MEDICAL_AID', ref, 'input.settlementReference'));
    expect(thrown.extensions.reason).toBe('CHARACTERS');
    messages.add(thrown.message);
  }
  expect([...messages]).toHaveLength(1);
});
