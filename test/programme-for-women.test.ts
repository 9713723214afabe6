/**
 * "两癌"救助 (TWO_CANCERS_AID, the women's federation's aid to women with breast or cervical cancer)
 * and 春蕾计划 (SPRING_BUD, its education aid to girls) are for women and girls only (DOMAIN.md,
 * "Departments"). A grant of either to a man's ID number (its 17th digit odd, GB 11643) was taken:
 * an ID number mistyped by one digit put a cancer aid on a stranger's record, read by every office
 * that reads his household. One definition (domain/programme-beneficiaries.ts) refuses it as
 * PROGRAMME_FOR_WOMEN in aidReport's validation (and `npm run report`, which sends to it) and a
 * meeting's decision here; preGrantCheck's in test/pregrant-inputs.test.ts. Pure: no server.
 */
import { checkMeeting, type DecisionInput } from '../domain/cases/meetings';
import { makeIdNumber } from '../domain/id-number';
import { validateReport } from '../domain/reported-aid/validate';

const WOMAN = makeIdNumber('370811', '1972-05-05', 42);
const MAN = makeIdNumber('370811', '1972-05-05', 43);
const GIRL = makeIdNumber('370811', '2014-09-09', 22);
const BOY = makeIdNumber('370811', '2014-09-09', 21);
const TODAY = '2026-03-15';

describe('aidReport (and npm run report)', () => {
  const record = (reference: string, programme: string, beneficiaryIdNumber: string, extra: Record<string, unknown> = {}) => ({ reference, beneficiaryIdNumber, programme, grantDate: '2026-03-01', amountFen: 500_000, ...extra });
  const codes = (checked: ReturnType<typeof validateReport>) => (checked.ok ? [] : checked.errors.map((e) => [e.index, e.code, e.field]));

  test('两癌救助 to a man, 春蕾计划 to a boy: PROGRAMME_FOR_WOMEN at beneficiaryIdNumber; to a woman and a girl taken', () => {
    expect(codes(validateReport('WOMENS_FEDERATION', [record('FL-1', 'TWO_CANCERS_AID', MAN), record('FL-2', 'SPRING_BUD', BOY)], TODAY))).toEqual([
      [0, 'PROGRAMME_FOR_WOMEN', 'beneficiaryIdNumber'],
      [1, 'PROGRAMME_FOR_WOMEN', 'beneficiaryIdNumber'],
    ]);
    expect(codes(validateReport('WOMENS_FEDERATION', [record('FL-3', 'TWO_CANCERS_AID', WOMAN), record('FL-4', 'SPRING_BUD', GIRL)], TODAY))).toEqual([]);
  });

  test('the message names the programme and says to check the ID number, never the number itself', () => {
    const checked = validateReport('WOMENS_FEDERATION', [record('FL-5', 'TWO_CANCERS_AID', MAN)], TODAY);
    const message = checked.ok ? '' : checked.errors[0].message;
    expect(message).toContain('TWO_CANCERS_AID');
    expect(message).not.toContain(MAN);
  });

  test('a reversal of a record so taken before is taken: it grants nothing, and takes the wrong record back', () => {
    expect(codes(validateReport('WOMENS_FEDERATION', [record('FL-1-R', 'TWO_CANCERS_AID', MAN, { entryKind: 'REVERSAL', supersedesReference: 'FL-1', amountFen: 0 })], TODAY))).toEqual([]);
  });

  test('other programmes are for anyone', () => {
    expect(codes(validateReport('RED_CROSS', [record('HSH-1', 'RED_CROSS_ILLNESS', MAN)], TODAY))).toEqual([]);
  });
});

describe('a meeting’s decision', () => {
  const decision: DecisionInput = { department: 'WOMENS_FEDERATION', programmeCode: 'TWO_CANCERS_AID', amountFen: 500_000, deadlineWorkingDays: 10, ask: null, beneficiaryIdNumber: MAN, secondAid: null, cause: null, settlementRef: null, schoolYear: null };
  const codes = (beneficiaryIdNumber: string) =>
    checkMeeting({ heldOn: TODAY, departmentsPresent: ['WOMENS_FEDERATION'], notes: null, decisions: [{ ...decision, beneficiaryIdNumber }] }, { reportedOn: '2026-01-01', today: TODAY, members: [MAN, WOMAN] }).map((e) => [e.code, e.field?.join('.')]);

  test('两癌救助 decided for a man is PROGRAMME_FOR_WOMEN at its beneficiary; for a woman it is taken', () => {
    expect(codes(MAN)).toEqual([['PROGRAMME_FOR_WOMEN', 'input.decisions.0.beneficiaryIdNumber']]);
    expect(codes(WOMAN)).toEqual([]);
  });
});
