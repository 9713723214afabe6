/** A meeting record's checks, the dossier window, and the supervision grouping: pure functions. */
import { chinaDateOf } from '../../domain/cases/china-time';
import { departmentsNotContributed, dossierChanges, monthsWindow } from '../../domain/cases/dossier';
import { checkMeeting, defaultAsk, meetingBeforeLatest, type DecisionInput, type MeetingInput } from '../../domain/cases/meetings';
import type { CaseTimeline } from '../../domain/cases/deadlines';
import { overdueReport, slipStanding } from '../../domain/cases/supervision';
import { DEPARTMENT_CODES } from '../../domain/departments';
import { makeIdNumber } from '../../domain/id-number';
import type { AidRecord } from '../../federation/contract';

const member = makeIdNumber('370811', '1980-05-05', 11);
const stranger = makeIdNumber('370811', '1981-06-06', 13);
const facts = { reportedOn: '2025-09-26', today: '2025-10-20', members: [member] };

const decision = (d: Partial<DecisionInput> = {}): DecisionInput => ({
  department: 'HEALTH',
  programmeCode: 'MEDICAL_AID',
  amountFen: 500_000,
  deadlineWorkingDays: 10,
  ask: null,
  beneficiaryIdNumber: null,
  secondAid: null,
  cause: null,
  settlementRef: null,
  schoolYear: null,
  ...d,
});

const meeting = (m: Partial<MeetingInput> = {}): MeetingInput => ({ heldOn: '2025-10-09', departmentsPresent: ['HEALTH', 'CIVIL_AFFAIRS'], notes: null, decisions: [decision()], ...m });

const codes = (m: MeetingInput) => checkMeeting(m, facts).map((e) => `${e.code}@${e.field?.slice(1).join('.')}`);

describe('checkMeeting', () => {
  it('accepts a sound record', () => {
    expect(codes(meeting())).toEqual([]);
    expect(codes(meeting({ decisions: [] }))).toEqual([]);
  });

  it('bounds a decided amount as a pre-grant check bounds its proposal (the decision is checked with it)', () => {
    expect(codes(meeting({ decisions: [decision({ amountFen: 2_147_483_647 })] }))).toEqual([]);
    expect(codes(meeting({ decisions: [decision({ amountFen: 2_147_483_648 })] }))).toEqual(['AMOUNT_TOO_LARGE@decisions.0.amountFen']);
    expect(codes(meeting({ decisions: [decision({ amountFen: Number.MAX_SAFE_INTEGER })] }))).toEqual(['AMOUNT_TOO_LARGE@decisions.0.amountFen']);
  });

  it('holds a service (法律援助) to 0 fen, as aidReport does: money decided for it is AMOUNT_INVALID; money for money aid is not', () => {
    const legal = (amountFen: number) => meeting({ departmentsPresent: ['JUSTICE', 'CIVIL_AFFAIRS'], decisions: [decision({ department: 'JUSTICE', programmeCode: 'LEGAL_AID', amountFen })] });
    expect(codes(legal(0))).toEqual([]);
    expect(codes(legal(1))).toEqual(['AMOUNT_INVALID@decisions.0.amountFen']);
    expect(codes(legal(2_147_483_648))).toEqual(['AMOUNT_TOO_LARGE@decisions.0.amountFen']);
    expect(codes(meeting({ decisions: [decision({ amountFen: 1 })] }))).toEqual([]);
  });

  it('holds aid in money to more than 0 fen, as aidReport does: a decision of 0 fen for it is AMOUNT_INVALID (it was completed by any payment)', () => {
    expect(codes(meeting({ decisions: [decision({ amountFen: 0 })] }))).toEqual(['AMOUNT_INVALID@decisions.0.amountFen']);
    expect(codes(meeting({ departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [decision({ department: 'CIVIL_AFFAIRS', programmeCode: 'DIBAO', amountFen: 0 })] }))).toEqual(['AMOUNT_INVALID@decisions.0.amountFen']);
    // An unknown programme is refused as such, not for its amount.
    expect(codes(meeting({ decisions: [decision({ programmeCode: 'NO_SUCH', amountFen: 0 })] }))).toEqual(['UNKNOWN_PROGRAMME@decisions.0.programme']);
  });

  it('names each fault with its field', () => {
    expect(
      codes(
        meeting({
          heldOn: '2025-09-25',
          decisions: [
            decision({ programmeCode: 'DIBAO' }),
            decision({ department: 'UNION', programmeCode: 'UNION_ILLNESS' }),
            decision({ programmeCode: 'NO_SUCH' }),
            decision({ amountFen: -1, deadlineWorkingDays: 61 }),
            decision({ beneficiaryIdNumber: stranger }),
            decision({ department: 'CIVIL_AFFAIRS', programmeCode: 'DIBAO', secondAid: { cause: 'ILLNESS' } }),
          ],
        }),
      ),
    ).toEqual([
      'MEETING_DATE_OUT_OF_RANGE@heldOn',
      'PROGRAMME_NOT_OF_DEPARTMENT@decisions.0.programme',
      'DEPARTMENT_NOT_PRESENT@decisions.1.department',
      'UNKNOWN_PROGRAMME@decisions.2.programme',
      'AMOUNT_NEGATIVE@decisions.3.amountFen',
      'DEADLINE_OUT_OF_RANGE@decisions.3.deadlineWorkingDays',
      'BENEFICIARY_NOT_IN_HOUSEHOLD@decisions.4.beneficiaryIdNumber',
      'SECOND_AID_NOT_TEMPORARY_AID@decisions.5.secondAid',
      'BENEFICIARY_NOT_IN_HOUSEHOLD@decisions.5.beneficiaryIdNumber',
    ]);
  });

  it('refuses a meeting in the future or with nobody present', () => {
    expect(codes(meeting({ heldOn: '2025-10-21', departmentsPresent: [], decisions: [] }))).toEqual(['MEETING_DATE_OUT_OF_RANGE@heldOn', 'NO_DEPARTMENTS_PRESENT@departmentsPresent']);
  });

  it('refuses a meeting held before the case’s latest meeting on record, and takes one held the same day or later', () => {
    const code = (heldOn: string, latest: string | null) => meetingBeforeLatest(heldOn, latest)?.code ?? null;
    expect(code('2025-10-08', '2025-10-09')).toBe('MEETING_DATE_OUT_OF_RANGE');
    expect(meetingBeforeLatest('2025-10-08', '2025-10-09')?.field).toEqual(['input', 'heldOn']);
    expect(code('2025-10-09', '2025-10-09')).toBeNull();
    expect(code('2025-10-10', '2025-10-09')).toBeNull();
    expect(code('2025-10-08', null)).toBeNull();
  });

  it('words the slip from the programme and amount', () => {
    expect(defaultAsk(decision())).toBe('医疗救助 5000.00 元');
    expect(defaultAsk(decision({ department: 'HOUSING', programmeCode: 'RENT_SUBSIDY', amountFen: 45_000 }))).toBe('公租房租赁补贴 450.00 元/月');
    expect(defaultAsk(decision({ department: 'CIVIL_AFFAIRS', programmeCode: 'TEMP_AID', amountFen: 300_000, secondAid: { cause: 'ILLNESS' } }))).toBe('临时救助 3000.00 元（二次临时救助）');
  });
});

describe('dossier', () => {
  it('looks back 24 months, inclusive of today', () => {
    expect(monthsWindow('2026-03-15', 24)).toEqual({ from: '2024-03-16', to: '2026-03-15' });
    expect(monthsWindow('2026-01-31', 24)).toEqual({ from: '2024-02-01', to: '2026-01-31' });
    // 2024-02-29 exists; 2026-02-29 does not: the window starts the day after the month's end.
    expect(monthsWindow('2028-02-29', 24)).toEqual({ from: '2026-03-01', to: '2028-02-29' });
    expect(monthsWindow('2026-03-15', 12)).toEqual({ from: '2025-03-16', to: '2026-03-15' });
  });

  it('lists departments with no aid and no completed slip', () => {
    const aid = (department: AidRecord['department'], status: AidRecord['status'] = 'PAID') => ({ department, status }) as AidRecord;
    expect(
      departmentsNotContributed(
        [aid('CIVIL_AFFAIRS'), aid('HOUSING', 'CANCELLED')],
        [
          { to: 'HEALTH', state: 'COMPLETED' },
          { to: 'UNION', state: 'DECLINED' },
          { to: '370811001', state: 'COMPLETED' },
        ],
      ),
    ).toEqual(DEPARTMENT_CODES.filter((d) => d !== 'CIVIL_AFFAIRS' && d !== 'HEALTH' && d !== 'REPORTED'));
  });
});

describe('overdueReport', () => {
  const asOf = new Date('2025-10-21T12:00:00+08:00');
  const slip = (id: number, to: string, township: string, dueOn: string) => ({ referral: { id }, countedFrom: '2025-10-09', deadlineWorkingDays: 0, issuedAt: new Date('2025-10-09T10:00:00+08:00'), dueOn, answeredAt: null, superseded: false, declined: false, toOffice: to, townshipCode: township });

  it('groups overdue slips by receiving office of the county and by township, most overdue first, and leaves out what is not due', () => {
    const report = overdueReport(
      [slip(1, 'HEALTH', '370811001', '2025-10-15'), slip(2, 'HEALTH', '370826100', '2025-10-10'), slip(3, 'UNION', '370811001', '2025-10-21')],
      [
        {
          case: { id: 9 },
          timeline: { urgency: 'URGENT', reportedAt: new Date('2025-10-20T08:00:00+08:00'), transitions: [] },
          openedAt: new Date('2025-10-20T08:30:00+08:00'),
          ownerOffice: '370811001',
          townshipCode: '370811001',
        },
      ],
      asOf,
    );
    // The health office of 任城区 and that of 微山县 are two offices.
    expect(report.byOffice.map((g) => [g.countyCode, g.office, g.referrals.map((r) => r.referral.id), g.cases.map((c) => [c.case.id, c.deadline.kind])])).toEqual([
      ['370811', '370811001', [], [[9, 'FIRST_AID']]],
      ['370811', 'HEALTH', [1], []],
      ['370826', 'HEALTH', [2], []],
    ]);
    expect(report.byTownship.map((g) => [g.townshipCode, g.referrals.map((r) => r.referral.id), g.cases.length])).toEqual([
      ['370811001', [1], 1],
      ['370826100', [2], 0],
    ]);
    expect(report.byOffice[1].referrals[0].overdue).toMatchObject({ workingDays: 4 });
    expect(chinaDateOf(report.asOf)).toBe('2025-10-21');
    // All recorded by asOf: the report reads as it did when asOf was now.
    expect(report.recordedAfterAsOf).toBe(0);
    expect(report.byCounty.flatMap((g) => [...g.referrals, ...g.cases]).map((i) => i.recordedAfterAsOf)).toEqual([false, false, false]);
  });

  it('flags what the hub recorded after asOf and counts it once, however many lists hold it', () => {
    // A meeting held 10-13 and recorded 10-24 (a day after asOf), its slip due 10-15; a case opened
    // 10-24 with its report stated 10-20: both overdue at 10-21, neither known to the hub then.
    const late = { ...slip(4, 'HEALTH', '370811001', '2025-10-15'), issuedAt: new Date('2025-10-24T09:00:00+08:00') };
    const opened = { case: { id: 10 }, timeline: { urgency: 'URGENT' as const, reportedAt: new Date('2025-10-20T08:00:00+08:00'), transitions: [] }, openedAt: new Date('2025-10-24T09:00:00+08:00'), ownerOffice: '370811001', townshipCode: '370811001' };
    const report = overdueReport([slip(1, 'HEALTH', '370811001', '2025-10-15'), late], [opened], asOf);
    expect(report.byOffice.flatMap((g) => [...g.referrals.map((r) => [r.referral.id, r.recordedAfterAsOf]), ...g.cases.map((c) => [c.case.id, c.recordedAfterAsOf])])).toEqual([
      [10, true],
      [1, false],
      [4, true],
    ]);
    expect(report.recordedAfterAsOf).toBe(2);
    // Asked at a later asOf, both were known by then.
    expect(overdueReport([late], [opened], new Date('2025-10-27T12:00:00+08:00')).recordedAfterAsOf).toBe(0);
  });

  it('lists a slip superseded after its due date as answered late (MISSED), one superseded before it not at all', () => {
    const supersededAt = (id: number, dueOn: string) => ({ ...slip(id, 'HEALTH', '370811001', dueOn), answeredAt: new Date('2025-10-20T09:00:00+08:00'), superseded: true });
    const report = overdueReport([], [], asOf, [], [], [], [], [supersededAt(1, '2025-10-15'), supersededAt(2, '2025-10-21')]);
    expect(report.byOffice.map((g) => [g.office, g.answeredLate.map((l) => [l.referral.id, l.overdue.workingDays])])).toEqual([['HEALTH', [[1, 3]]]]);
    expect(slipStanding(supersededAt(1, '2025-10-15'), asOf).status).toBe('MISSED');
    expect(slipStanding(supersededAt(2, '2025-10-21'), asOf).status).toBe('VOID');
    // Before it was superseded it stood as any open slip.
    expect(slipStanding(supersededAt(1, '2025-10-15'), new Date('2025-10-17T12:00:00+08:00')).status).toBe('OVERDUE');
  });

  it('tallies each slip of its period once by its standing, under the office it was sent to, the late figures the lists’ lengths', () => {
    const answered = (id: number, dueOn: string, at: string, more: { declined?: boolean; superseded?: boolean } = {}) => ({
      ...slip(id, 'HEALTH', '370811001', dueOn),
      answeredAt: new Date(`${at}+08:00`),
      declined: more.declined ?? false,
      superseded: more.superseded ?? false,
    });
    const report = overdueReport(
      // Open: one past due at asOf, one due later (not counted).
      [slip(1, 'HEALTH', '370811001', '2025-10-15'), slip(2, 'HEALTH', '370811001', '2025-10-30')],
      [],
      asOf,
      [], [], [], [],
      [
        answered(3, '2025-10-20', '2025-10-20T23:59:00'), // on its due day: on time
        answered(4, '2025-10-15', '2025-10-16T09:00:00'), // late
        answered(5, '2025-10-30', '2025-10-17T09:00:00', { declined: true }), // declined early: on time
        answered(6, '2025-10-14', '2025-10-20T09:00:00', { declined: true }), // declined late
        answered(7, '2025-10-24', '2025-10-20T09:00:00', { superseded: true }), // superseded before its due date
        answered(8, '2025-10-14', '2025-10-20T09:00:00', { superseded: true }), // superseded after it
      ],
    );
    const [health] = report.byOffice;
    // No period given (casesLateSince null): nothing counted as fallen due in it.
    expect(health.tally.referrals).toEqual({ answeredOnTime: 2, answeredLate: 2, declined: 2, supersededBeforeDue: 1, supersededLate: 1, openOverdue: 1, fellDue: 0, counted: 6, onTimeRate: 2 / 6 });
    expect([health.answeredLate.length, health.referrals.length]).toEqual([3, 1]);
    expect(report.byCounty[0].tally).toEqual(health.tally);
    expect(report.byTownship[0].tally).toEqual(health.tally);
    // A slip not yet due counts nowhere: no group for it.
    expect(overdueReport([slip(2, 'HEALTH', '370811001', '2025-10-30')], [], asOf).byOffice).toEqual([]);
  });
  it('counts as fallen due in the period each slip whose due date ended in it, whatever its state, and nothing else', () => {
    const since = new Date('2025-10-14T00:00:00+08:00');
    const due = [
      slip(1, 'HEALTH', '370811001', '2025-10-13'), // before the period
      { ...slip(2, 'HEALTH', '370811001', '2025-10-14'), answeredAt: new Date('2025-10-10T09:00:00+08:00') }, // answered before the period
      { ...slip(3, 'HEALTH', '370811001', '2025-10-17'), answeredAt: new Date('2025-10-16T09:00:00+08:00'), superseded: true },
      slip(4, 'HEALTH', '370811001', '2025-10-20'), // open, past due
      slip(5, 'HEALTH', '370811001', '2025-10-21'), // due on asOf's day: its day has not ended at noon
    ];
    const report = overdueReport([], [], asOf, [], [], [], [], [], [], since, [], [], due);
    expect(report.byOffice.map((g) => [g.office, g.tally.referrals.fellDue, g.tally.referrals.counted])).toEqual([['HEALTH', 3, 0]]);
    // At the end of asOf's day the last has fallen due too; without a period, nothing.
    expect(overdueReport([], [], new Date('2025-10-22T00:00:00+08:00'), [], [], [], [], [], [], since, [], [], due).byOffice[0].tally.referrals.fellDue).toBe(4);
    expect(overdueReport([], [], asOf, [], [], [], [], [], [], null, [], [], due).byOffice).toEqual([]);
  });

  it('lists case deadlines met late or missed in its period under the owner, by the step that ended them; not a withdrawn case’s', () => {
    const cnAt = (local: string) => new Date(`${local}+08:00`);
    // Urgent, reported Mon 10-13: first aid due within 24 hours, given 10-15 (late); materials due 5
    // working days from the first aid (10-22), completed 10-27 (late); a second case closed late
    // without its first aid (MISSED); a third withdrawn late (not listed).
    const urgent = (id: number, steps: CaseTimeline['transitions'], acts: CaseTimeline['acts'] = []) => ({
      case: { id },
      timeline: { urgency: 'URGENT' as const, reportedAt: cnAt('2025-10-13T09:00:00'), transitions: steps, acts },
      openedAt: cnAt('2025-10-13T09:00:00'),
      ownerOffice: 'CIVIL_AFFAIRS',
      townshipCode: '370811001',
    });
    const cases = [
      urgent(1, [{ to: 'ACCEPTED', at: cnAt('2025-10-13T10:00:00'), seq: 2 }, { to: 'FIRST_AID_GIVEN', at: cnAt('2025-10-15T09:00:00'), seq: 3 }], [{ act: 'MATERIALS_COMPLETED', at: cnAt('2025-10-27T09:00:00'), seq: 4 }]),
      urgent(2, [{ to: 'REJECTED', at: cnAt('2025-10-16T09:00:00'), seq: 2 }]),
      urgent(3, [{ to: 'WITHDRAWN', at: cnAt('2025-10-16T09:00:00'), seq: 2 }]),
    ];
    const late = (at: string, since: string) =>
      overdueReport([], cases, cnAt(at), [], [], [], [], [], [], cnAt(since)).byOffice.flatMap((g) =>
        g.casesLate.map((l) => [g.office, l.case.id, l.deadline.kind, l.deadline.status, l.endedBy.to ?? l.endedBy.act, l.endedBy.seq]),
      );
    // Most late first: the materials by three working days, the first aids by 48 and 24 hours.
    expect(late('2025-10-28T12:00:00', '2025-10-01T00:00:00')).toEqual([
      ['CIVIL_AFFAIRS', 1, 'MATERIALS', 'MET_LATE', 'MATERIALS_COMPLETED', 4],
      ['CIVIL_AFFAIRS', 2, 'FIRST_AID', 'MISSED', 'REJECTED', 2],
      ['CIVIL_AFFAIRS', 1, 'FIRST_AID', 'MET_LATE', 'FIRST_AID_GIVEN', 3],
    ]);
    // Before the materials were completed they were still running; from 10-20 only the materials are in the period.
    expect(late('2025-10-24T12:00:00', '2025-10-01T00:00:00').map((l) => l.slice(1, 3))).toEqual([[2, 'FIRST_AID'], [1, 'FIRST_AID']]);
    expect(late('2025-10-28T12:00:00', '2025-10-20T00:00:00').map((l) => l.slice(1, 3))).toEqual([[1, 'MATERIALS']]);
    // Without a period, none (the caller did not read the ended cases).
    expect(overdueReport([], cases, cnAt('2025-10-28T12:00:00')).byOffice.flatMap((g) => g.casesLate)).toEqual([]);
  });
});

describe('dossierChanges: the current dossier beside a meeting’s', () => {
  const base = { department: 'CIVIL_AFFAIRS' as const, beneficiaryIdNumber: 'x', sourceHouseholdRef: null, periodStart: null, periodEnd: null, grantDate: '2026-01-01', status: 'PAID' as const };
  const a = { ...base, programme: 'TEMP_AID' as const, amountFen: 100, sourceRef: 'temp:1' };
  const b = { ...base, programme: 'TEMP_AID' as const, amountFen: 200, sourceRef: 'temp:2' };
  const c = { ...base, programme: 'DIBAO' as const, periodStart: '2025-01-01', grantDate: null, status: 'ACTIVE' as const, amountFen: 72_000, sourceRef: 'dibao:1' };

  it('names aid added, changed and gone since the meeting, by department and source reference', () => {
    const ended = { ...c, periodEnd: '2026-02-28', status: 'ENDED' as const };
    // The same reference in another department is another record.
    const elsewhere = { ...a, department: 'UNION' as const };
    expect(dossierChanges({ aid: [a, c] }, { aid: [c, b, elsewhere] })).toEqual({ added: [b, elsewhere], changed: [], removed: [a] });
    expect(dossierChanges({ aid: [a, c] }, { aid: [a, ended] })).toEqual({ added: [], changed: [{ before: c, after: ended }], removed: [] });
    expect(dossierChanges({ aid: [a, c] }, { aid: [a, c] })).toEqual({ added: [], changed: [], removed: [] });
  });
});
