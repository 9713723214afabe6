/**
 * The hub's tables for joint cases (一事一议), referral slips (转办单) and second temporary aid.
 * Unlike aid, which stays in the department sources, these belong to no single department: the
 * hub is where the closed loop 申请—受理—分办—反馈 is kept.
 *
 * Instants are DATETIME(3) in UTC, read and written as strings (the pool uses dateStrings), and
 * converted at the edge of the data layer; calendar dates are DATE.
 *
 * An office is stored as a short key (at most 24 characters): an office code ('HEALTH', 'JUSTICE') for a county office, or a
 * township's 9-digit division code for a township (乡镇街道) office.
 */
import { REMINDER_KINDS } from '../../domain/cases/reminders';
import { DEADLINE_KINDS } from '../../domain/cases/deadlines';
import { bigint, boolean, char, date, datetime, foreignKey, index, int, longtext, mysqlEnum, mysqlTable, primaryKey, smallint, text, unique, varchar } from 'drizzle-orm/mysql-core';
import type { DepartmentCode, OfficeCode } from '../../domain/departments';
import { household, programme } from '../household/schema';
import { keyDigestColumn } from '../idempotency-key';

const CASE_STATE = ['REPORTED', 'ACCEPTED', 'INVESTIGATING', 'FIRST_AID_GIVEN', 'IN_DELIBERATION', 'DECIDED', 'CLOSED', 'REJECTED', 'WITHDRAWN', 'HANDED_OVER'] as const;
const instant = (name: string) => datetime(name, { mode: 'string', fsp: 3 });
const id = (name: string) => bigint(name, { mode: 'number', unsigned: true });

export const aidCase = mysqlTable(
  'aid_case',
  {
    id: id('id').autoincrement().primaryKey(),
    householdId: id('household_id').notNull(),
    /** The household's township when the case was opened: the supervision view groups by it. */
    townshipCode: char('township_code', { length: 9 }).notNull(),
    origin: mysqlEnum('origin', ['APPLICATION', 'ACTIVE_DISCOVERY', 'ALERT', 'REFERRAL']).notNull(),
    urgency: mysqlEnum('urgency', ['EMERGENCY', 'URGENT', 'NORMAL']).notNull(),
    state: mysqlEnum('state', CASE_STATE).notNull(),
    /** What happened, in the receiving officer's words. */
    summary: varchar('summary', { length: 500 }).notNull(),
    /** 首问负责: the office first asked. */
    firstOffice: varchar('first_office', { length: 24 }).notNull(),
    /** The office that owns the case now; changes only when a hand-over slip is accepted. */
    ownerOffice: varchar('owner_office', { length: 24 }).notNull(),
    /** When the household reported or the need was found; the time limits run from here. */
    reportedAt: instant('reported_at').notNull(),
    /** A rejection's explanation given to the household. */
    explanation: text('explanation'),
    endedAt: instant('ended_at'),
    /**
     * The case of another county this one continues (caseHandOver: the household moved here and that
     * county's convener handed its case over). Unique: a case is handed over once, to one successor.
     */
    predecessorCaseId: id('predecessor_case_id'),
  },
  (t) => [
    foreignKey({ name: 'aid_case_household_fk', columns: [t.householdId], foreignColumns: [household.id] }),
    foreignKey({ name: 'aid_case_predecessor_fk', columns: [t.predecessorCaseId], foreignColumns: [t.id] }),
    unique('aid_case_predecessor').on(t.predecessorCaseId),
    index('aid_case_household').on(t.householdId),
    index('aid_case_township_state').on(t.townshipCode, t.state),
    index('aid_case_owner_state').on(t.ownerOffice, t.state),
    // Supervision reads the cases still open (ended_at NULL) and those ended in its period (a year
    // of them for casesLate, db/cases/store.ts casesWithEvents): two ranges of this one index, not
    // every case the county ever had.
    index('aid_case_ended').on(t.endedAt),
  ],
);

/** Every write to a case, in order: who, when, why. The state column of aid_case follows from it. */
export const caseEvent = mysqlTable(
  'case_event',
  {
    id: id('id').autoincrement().primaryKey(),
    caseId: id('case_id').notNull(),
    seq: int('seq').notNull(),
    action: mysqlEnum('action', [
      'OPENED',
      'TRANSITIONED',
      'REFERRAL_ISSUED',
      'REFERRAL_ACCEPTED',
      'REFERRAL_COMPLETED',
      'REFERRAL_DECLINED',
      'OWNER_CHANGED',
      'MEETING_RECORDED',
      'SECOND_AID_APPROVED',
      // 补充完善救助材料 recorded (caseMaterialsComplete); a declined decision waived (referralWaive).
      'MATERIALS_COMPLETED',
      'DECISION_WAIVED',
      // Decisions corrected after the meeting (decisionCorrect): the correction, and each slip it superseded.
      'DECISION_CORRECTED',
      'REFERRAL_SUPERSEDED',
      // 转交县级审批: the township's review done and the case forwarded to the county for approval (db/cases/county-approval.ts).
      'APPROVAL_FORWARDED',
      // A forwarded matter's slip withdrawn by the case's owner (referralWithdraw, db/cases/referrals.ts), with the reason.
      'REFERRAL_WITHDRAWN',
    ]).notNull(),
    fromState: mysqlEnum('from_state', CASE_STATE),
    toState: mysqlEnum('to_state', CASE_STATE),
    referralId: id('referral_id'),
    meetingId: id('meeting_id'),
    /** When it happened (may be earlier than recorded, e.g. first aid given in the field). */
    occurredAt: instant('occurred_at').notNull(),
    recordedAt: instant('recorded_at').notNull(),
    actor: varchar('actor', { length: 64 }).notNull(),
    actorOffice: varchar('actor_office', { length: 24 }).notNull(),
    reason: text('reason'),
    /**
     * OWNER_CHANGED: the office that owned the case until this event and the office that owns it from
     * then (an accepted hand-over slip, a forward to the county for approval). Supervision files what
     * happened on the case under the office that owned it then (domain/cases/supervision.ts ownerAt,
     * db/cases/records.ts ownerWhen) from these columns; `reason` says the same for people. NULL on
     * every other event.
     */
    fromOffice: varchar('from_office', { length: 24 }),
    toOffice: varchar('to_office', { length: 24 }),
    /** `<office>/c<client id>:<client's key>` of the request that wrote this event, as sent: a retry returns the first outcome. */
    idempotencyKey: varchar('idempotency_key', { length: 96 }),
    /** keyDigest of `idempotency_key` (db/idempotency-key.ts), what a retry is found by: keys differing in case or trailing spaces are two keys. */
    keySha256: keyDigestColumn('key_sha256'),
  },
  (t) => [
    foreignKey({ name: 'case_event_case_fk', columns: [t.caseId], foreignColumns: [aidCase.id] }),
    unique('case_event_seq').on(t.caseId, t.seq),
    unique('case_event_key_sha256').on(t.keySha256),
  ],
);

export const caseMeeting = mysqlTable(
  'case_meeting',
  {
    id: id('id').autoincrement().primaryKey(),
    caseId: id('case_id').notNull(),
    heldOn: date('held_on', { mode: 'string' }).notNull(),
    convenedBy: varchar('convened_by', { length: 24 }).notNull(),
    notes: text('notes'),
    /** The dossier as it stood when the meeting was recorded (JSON), so later changes do not rewrite it. */
    dossierJson: longtext('dossier_json').notNull(),
    recordedAt: instant('recorded_at').notNull(),
    recordedBy: varchar('recorded_by', { length: 64 }).notNull(),
  },
  (t) => [foreignKey({ name: 'case_meeting_case_fk', columns: [t.caseId], foreignColumns: [aidCase.id] }), index('case_meeting_case').on(t.caseId)],
);

export const meetingDepartment = mysqlTable(
  'case_meeting_department',
  {
    meetingId: id('meeting_id').notNull(),
    // A code of domain/departments.ts, checked there: a new department needs no migration here.
    department: varchar('department', { length: 24 }).$type<OfficeCode>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.department] }), foreignKey({ name: 'case_meeting_department_fk', columns: [t.meetingId], foreignColumns: [caseMeeting.id] })],
);

export const referralSlip = mysqlTable(
  'referral_slip',
  {
    id: id('id').autoincrement().primaryKey(),
    caseId: id('case_id').notNull(),
    kind: mysqlEnum('kind', ['DECISION', 'FORWARD']).notNull(),
    /** DECISION slips: the meeting that decided it. */
    meetingId: id('meeting_id'),
    fromOffice: varchar('from_office', { length: 24 }).notNull(),
    toOffice: varchar('to_office', { length: 24 }).notNull(),
    /** What is asked, in words. */
    ask: varchar('ask', { length: 500 }).notNull(),
    /** DECISION slips: the programme and amount decided (fen; per month for recurring programmes). */
    programmeCode: varchar('programme_code', { length: 32 }),
    amountFen: bigint('amount_fen', { mode: 'number' }),
    beneficiaryIdNumber: char('beneficiary_id_number', { length: 18 }),
    /**
     * DECISION slips of a programme a rule counts by cause (X5: TEMP_AID): the cause decided, which
     * the decision's pre-grant check judged and the aid record fulfilling it must carry.
     */
    cause: mysqlEnum('cause', ['ILLNESS', 'ACCIDENT', 'DISASTER', 'JOB_LOSS', 'EDUCATION', 'OTHER']),
    /**
     * DECISION slips of a programme a rule adds up by stay (X7): the hospital settlement the aid pays
     * towards (medical insurance's number, domain/aid.ts SETTLEMENT_REFERENCE_MAX_LENGTH), which the
     * decision's pre-grant check weighed and the aid record fulfilling it must be tied to.
     */
    settlementRef: varchar('settlement_ref', { length: 30 }),
    /**
     * DECISION slips: the school year the aid is for (2025-2026), as given (required for one-off aid
     * a rule counts by school year decided in July or August, X6/X12); the decision's pre-grant check
     * counted it in that year. NULL: none given (the rules count a one-off grant in the year of its day).
     */
    schoolYear: varchar('school_year', { length: 9 }),
    /** FORWARD slips: accepting it makes the receiving office the case's owner. */
    handOver: boolean('hand_over').notNull().default(false),
    deadlineWorkingDays: smallint('deadline_working_days').notNull(),
    issuedAt: instant('issued_at').notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    /**
     * SUPERSEDED: a decision a later correction replaced or withdrew (db/cases/corrections.ts);
     * WITHDRAWN: a forwarded matter the case's owner took back (db/cases/referrals.ts withdrawReferral).
     * answeredAt is then when.
     */
    state: mysqlEnum('state', ['ISSUED', 'ACCEPTED', 'COMPLETED', 'DECLINED', 'SUPERSEDED', 'WITHDRAWN']).notNull(),
    acceptedAt: instant('accepted_at'),
    /** When feedback was given (completed or declined). */
    answeredAt: instant('answered_at'),
    feedback: text('feedback'),
    declineReason: text('decline_reason'),
    /** WITHDRAWN: why the case's owner took the slip back (also the reason of its REFERRAL_WITHDRAWN event). */
    withdrawReason: text('withdraw_reason'),
    /** The aid record the receiving department produced: its AidRecord.sourceReference. */
    aidSourceRef: varchar('aid_source_ref', { length: 128 }),
  },
  (t) => [
    foreignKey({ name: 'referral_slip_case_fk', columns: [t.caseId], foreignColumns: [aidCase.id] }),
    foreignKey({ name: 'referral_slip_meeting_fk', columns: [t.meetingId], foreignColumns: [caseMeeting.id] }),
    foreignKey({ name: 'referral_slip_programme_fk', columns: [t.programmeCode], foreignColumns: [programme.code] }),
    index('referral_slip_case').on(t.caseId),
    // An office's inbox a page at a time (store.ts referralInboxPage): each state's slips read off
    // this index in (due date, id) order from the cursor (InnoDB appends the id), never sorted.
    index('referral_slip_to_state_due').on(t.toOffice, t.state, t.dueOn),
    index('referral_slip_state_due').on(t.state, t.dueOn),
  ],
);

/**
 * 二次临时救助 (seed 000, 三(四)1: 花费较多、困难程度严重的，市、县可给予二次临时救助): a second
 * temporary aid approved for one person. The duplicate-aid rule X5 reads these as approved.
 */
export const secondAidApproval = mysqlTable(
  'second_aid_approval',
  {
    id: id('id').autoincrement().primaryKey(),
    caseId: id('case_id').notNull(),
    referralId: id('referral_id').notNull(),
    idNumber: char('id_number', { length: 18 }).notNull(),
    cause: mysqlEnum('cause', ['ILLNESS', 'ACCIDENT', 'DISASTER', 'JOB_LOSS', 'EDUCATION', 'OTHER']).notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    approvedOn: date('approved_on', { mode: 'string' }).notNull(),
    /** Filled when civil affairs completes the slip with the temporary-aid record it paid. */
    aidSourceRef: varchar('aid_source_ref', { length: 128 }),
  },
  (t) => [
    foreignKey({ name: 'second_aid_case_fk', columns: [t.caseId], foreignColumns: [aidCase.id] }),
    foreignKey({ name: 'second_aid_referral_fk', columns: [t.referralId], foreignColumns: [referralSlip.id] }),
    unique('second_aid_referral').on(t.referralId),
    index('second_aid_person').on(t.idNumber),
  ],
);

/**
 * 转交县级审批 (seed 000, 二(三); db/cases/county-approval.ts): a case whose approval the township may
 * not give, reviewed there and forwarded to the county office that runs the programme sought, which
 * owns it from then. One per case (the key): a case is forwarded once. Sealed like the case's other acts.
 */
export const caseCountyApproval = mysqlTable(
  'case_county_approval',
  {
    caseId: id('case_id').primaryKey(),
    /** The programme whose approval the county holds (the locality's townshipApproval lists it). */
    programmeCode: varchar('programme_code', { length: 32 }).notNull(),
    /** The township office that reviewed and forwarded it, and the county office it went to. */
    fromOffice: varchar('from_office', { length: 24 }).notNull(),
    toOffice: varchar('to_office', { length: 24 }).notNull(),
    /** The township's review opinion (审核意见). */
    review: text('review').notNull(),
    /** When the officer says it was forwarded; recordedAt is when the hub recorded it (what deadlines read). */
    forwardedAt: instant('forwarded_at').notNull(),
    recordedAt: instant('recorded_at').notNull(),
    actor: varchar('actor', { length: 64 }).notNull(),
  },
  (t) => [
    foreignKey({ name: 'case_county_approval_case_fk', columns: [t.caseId], foreignColumns: [aidCase.id] }),
    foreignKey({ name: 'case_county_approval_programme_fk', columns: [t.programmeCode], foreignColumns: [programme.code] }),
  ],
);

/**
 * A case's working-day deadline as counted when it stopped running (db/cases/deadlines-kept.ts): the
 * due date under the calendar in force when the hub recorded the step that met it or ended the case.
 * Met or missed then, it stays so: a holiday notice loaded since does not move it (domain/cases
 * /deadlines.ts caseDeadlines reads it, provisional where counted without the notice that gives
 * another day). A deadline still running has no row: it is counted under the calendar in force at
 * each read. One per case and kind (the key), written once; sealed like the case's other records.
 */
export const caseDeadlineKept = mysqlTable(
  'case_deadline_kept',
  {
    caseId: id('case_id').notNull(),
    kind: mysqlEnum('kind', DEADLINE_KINDS).notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    /** When the step that stopped it was recorded (the calendar then in force counted due_on). */
    keptAt: instant('kept_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.kind] }), foreignKey({ name: 'case_deadline_kept_case_fk', columns: [t.caseId], foreignColumns: [aidCase.id] })],
);

/**
 * The holiday calendar each start-up recount of stored due dates last ran under (db/cases/due-recount.ts):
 * a hub starting under the same calendar (domain/cases/working-days.ts calendarFingerprint) reads no
 * slip; a notice loaded, changed or removed, or a new package table, changes the fingerprint and the
 * next start counts every stored date again. One row per recount (`referral_slip`, `charity_claim`).
 */
export const calendarRecount = mysqlTable('calendar_recount', {
  /** What was counted again: the table whose dates the recount keeps. */
  name: varchar('name', { length: 32 }).primaryKey(),
  /** The calendar it was counted under: sha256 (hex) of its days off and worked weekends. */
  calendar: char('calendar', { length: 64 }).notNull(),
  /** When the recount finished (UTC). */
  recountedAt: instant('recounted_at').notNull(),
});

/**
 * Per year, what a recount's dates were last counted under (db/cases/due-recount.ts
 * yearsRecountedUnder): a sha256 of the year's weekdays off, worked weekends and whether its notice is
 * known (domain/cases/working-days.ts calendarYearFingerprints), so the next recount under another
 * calendar knows which years changed. `recount` is the calendar_recount fingerprint the rows were
 * stored with: rows of another one than calendar_recount holds (a recount stopped between the two
 * writes) tell nothing, and the recount reads every year. Kept for `monitoring_alert` only.
 */
export const calendarRecountYear = mysqlTable(
  'calendar_recount_year',
  {
    name: varchar('name', { length: 32 }).notNull(),
    year: smallint('year').notNull(),
    calendar: char('calendar', { length: 64 }).notNull(),
    recount: char('recount', { length: 64 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.year] })],
);

/**
 * The reminders pushed of a slip (db/cases/store.ts slipsToRemind, resolvers/cases/referral-reminders.ts):
 * one row per slip and kind, written in the transaction that queues the pushes, so each kind is
 * queued once per slip whatever the number of hub processes, restarts or ticks. The primary key is
 * the guarantee (a second insert of the pair is ignored and queues nothing); the job's lease only
 * keeps two processes from doing the same work twice. `subscriptions` is how many pushes were queued
 * (0: no subscription of the office's department covered it then; the reminder is still spent).
 */
export const referralReminder = mysqlTable(
  'referral_reminder',
  {
    referralId: id('referral_id').notNull(),
    kind: mysqlEnum('kind', REMINDER_KINDS).notNull(),
    /** The slip's due date the reminder was counted for. */
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    subscriptions: smallint('subscriptions', { unsigned: true }).notNull(),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.referralId, t.kind] })],
);

/**
 * The seal chain of the case records (db/cases/seals.ts): one row per case row a hub write
 * inserted or changed, holding only the SHA-256 of the row as written (no personal data), linked
 * to the seal before it by hash. Its own chain and head, apart from the access chain, so a case
 * write waits only for other case writes' seals, never for the audit writer's group commits.
 */
export const caseSeal = mysqlTable(
  'case_seal',
  {
    seq: id('seq').primaryKey(),
    /** The sealed row's table and primary key (`12`, or `12/3` for a key of two columns). */
    tableName: varchar('table_name', { length: 40 }).notNull(),
    rowKey: varchar('row_key', { length: 80 }).notNull(),
    /** SHA-256 of the row's columns as the hub wrote them; null: the hub deleted the row. */
    rowDigest: char('row_digest', { length: 64 }),
    prevHash: char('prev_hash', { length: 64 }).notNull(),
    sealHash: char('seal_hash', { length: 64 }).notNull(),
    sealedAt: instant('sealed_at').notNull(),
  },
  // A row's seals in order: audit:verify reads a page of rows' last seals, and each table's sealed
  // keys in key order, without holding every key in memory (db/cases/seals.ts verifyCaseSeals).
  (t) => [index('case_seal_row').on(t.tableName, t.rowKey, t.seq)],
);

/**
 * The end of the seal chain, locked (FOR UPDATE) by each case write as its last statement before
 * COMMIT. Made by the first start of a release that seals (db/cases/seals.ts sealStanding), which
 * seals the rows standing then: absent, case writes are refused.
 */
export const caseSealHead = mysqlTable('case_seal_head', {
  id: int('id').primaryKey(),
  lastSeq: id('last_seq').notNull(),
  lastHash: char('last_hash', { length: 64 }).notNull(),
  /**
   * The sealing of the rows standing at the first start, in batches (db/cases/seals.ts sealStanding):
   * the table it is at and the last value of that table's first key column sealed (null: from its
   * start). Both null: done (or sealed by a release that sealed in one transaction).
   */
  standingTable: varchar('standing_table', { length: 40 }),
  standingAfter: id('standing_after'),
});
