/**
 * 冬春救助 (WINTER_SPRING_RELIEF) runs December to May, its money reaching victims within 15 working
 * days of allocation (DOMAIN.md). It was taken on any date: aidReport (and `npm run report`, which
 * sends to it) kept a grant dated 1 July, a meeting decided it in August. One definition
 * (domain/programme-seasons.ts) refuses a grant June (after the 15th working day from 31 May) to
 * November as OUT_OF_SEASON, in aidReport's validation and a meeting's (a correction's, a
 * reassignment's) checks here; preGrantCheck's in test/pregrant-inputs.test.ts. Pure: no server.
 */
import { checkMeeting, type DecisionInput } from '../domain/cases/meetings';
import { makeIdNumber } from '../domain/id-number';
import { outOfSeasonProblem } from '../domain/programme-seasons';
import { validateReport } from '../domain/reported-aid/validate';

const VICTIM = makeIdNumber('370811', '1958-03-03', 41);

describe('outOfSeasonProblem', () => {
  test.each([
    ['the first of December', '2026-12-01'],
    ['New Year', '2027-01-01'],
    ['the last of May', '2026-05-31'],
    // 2026-05-31 is a Sunday; 端午 (19 June) is a day off: the 15th working day after is Monday 22 June.
    ['the 15th working day after 31 May, money allocated then', '2026-06-22'],
  ])('%s is in season', (_what, date) => {
    expect(outOfSeasonProblem('WINTER_SPRING_RELIEF', date)).toBeNull();
  });

  test.each([
    ['the day after the 15th working day from 31 May', '2026-06-23'],
    ['1 July', '2026-07-01'],
    ['30 November', '2026-11-30'],
  ])('%s is out of season, the message naming the season', (_what, date) => {
    expect(outOfSeasonProblem('WINTER_SPRING_RELIEF', date)).toContain('December to May');
  });

  test('a programme of no season is granted any day', () => {
    expect(outOfSeasonProblem('TEMP_AID', '2026-07-01')).toBeNull();
    expect(outOfSeasonProblem('DISASTER_TRANSITION', '2026-07-01')).toBeNull();
  });
});

describe('aidReport (and npm run report)', () => {
  const record = (reference: string, grantDate: string, extra: Record<string, unknown> = {}) => ({ reference, beneficiaryIdNumber: VICTIM, programme: 'WINTER_SPRING_RELIEF', grantDate, amountFen: 30_000, ...extra });
  const codes = (checked: ReturnType<typeof validateReport>) => (checked.ok ? [] : checked.errors.map((e) => [e.index, e.code, e.field]));

  test('a 冬春救助 grant dated 1 July is OUT_OF_SEASON at grantDate; one of February is taken', () => {
    expect(codes(validateReport('EMERGENCY_MANAGEMENT', [record('DC-7', '2026-07-01')], '2026-08-01'))).toEqual([[0, 'OUT_OF_SEASON', 'grantDate']]);
    expect(codes(validateReport('EMERGENCY_MANAGEMENT', [record('DC-2', '2026-02-01')], '2026-08-01'))).toEqual([]);
  });

  test('a reversal grants nothing: taken whatever its date', () => {
    expect(codes(validateReport('EMERGENCY_MANAGEMENT', [record('DC-7-R', '2026-07-01', { entryKind: 'REVERSAL', supersedesReference: 'DC-7', amountFen: 0 })], '2026-08-01'))).toEqual([]);
  });
});

describe('a meeting’s decision (a correction’s, a reassignment’s: decided on its day)', () => {
  const decision: DecisionInput = { department: 'EMERGENCY_MANAGEMENT', programmeCode: 'WINTER_SPRING_RELIEF', amountFen: 30_000, deadlineWorkingDays: 10, ask: null, beneficiaryIdNumber: VICTIM, secondAid: null, cause: null, settlementRef: null, schoolYear: null };
  const codes = (heldOn: string) =>
    checkMeeting({ heldOn, departmentsPresent: ['EMERGENCY_MANAGEMENT'], notes: null, decisions: [decision] }, { reportedOn: '2026-01-01', today: heldOn, members: [VICTIM] }).map((e) => [e.code, e.field?.join('.')]);

  test('decided in August is OUT_OF_SEASON at its programme; in January it is taken', () => {
    expect(codes('2026-08-18')).toEqual([['OUT_OF_SEASON', 'input.decisions.0.programme']]);
    expect(codes('2026-01-20')).toEqual([]);
  });
});
