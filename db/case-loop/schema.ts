/**
 * The hub's tables for the closed loop of cases (件件有落实、有反馈) beyond the case tables of
 * db/cases/: what a retried request must match. Kept in its own migration set so that its journal
 * never clashes with another feature's.
 */
import { bigint, char, date, datetime, index, int, mysqlEnum, mysqlTable, primaryKey, text, unique, varchar } from 'drizzle-orm/mysql-core';

/**
 * One row per idempotency key a case write used: the hash of the request it came with. A retry
 * with the same key and the same request gets the first outcome; the same key with a different
 * request (another ask, another office, another amount) is refused with IDEMPOTENCY_KEY_REUSED.
 */
export const caseRequest = mysqlTable('case_request', {
  /**
   * keyDigest (db/idempotency-key.ts) of the key as case_event.idempotency_key keeps it sent
   * (`<office>/c<client id>:<client's key>`, `<office>:<key>` without an authenticated client):
   * keys are one key only when byte for byte the same. Lowercase hex, so the column's collation
   * compares it exactly. The column keeps its name: case-loop 0009 wrote each key's digest in its
   * place, in one UPDATE, rather than put a new table in this one's (that took DROP, a right the
   * hub's user is not given, and was not atomic).
   */
  keySha256: varchar('idempotency_key', { length: 96 }).primaryKey(),
  /** SHA-256 (hex) of the mutation's name and its input, idempotency key left out. */
  requestHash: char('request_hash', { length: 64 }).notNull(),
  caseId: bigint('case_id', { mode: 'number', unsigned: true }).notNull(),
});

/**
 * What the hub read from the department's data when a decision's slip was completed with its aid
 * record (domain/cases/fulfilment.ts): kept as it was then, so the check stays provable even if
 * the department later changes its record.
 */
export const referralFulfilment = mysqlTable('referral_fulfilment', {
  referralId: bigint('referral_id', { mode: 'number', unsigned: true }).primaryKey(),
  aidSourceRef: varchar('aid_source_ref', { length: 128 }).notNull(),
  programmeCode: varchar('programme_code', { length: 32 }).notNull(),
  beneficiaryIdNumber: char('beneficiary_id_number', { length: 18 }).notNull(),
  aidDate: date('aid_date', { mode: 'string' }).notNull(),
  amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
  decidedAmountFen: bigint('decided_amount_fen', { mode: 'number' }).notNull(),
  shortfallFen: bigint('shortfall_fen', { mode: 'number' }).notNull(),
  differenceReason: varchar('difference_reason', { length: 500 }),
});

/**
 * Which decision each aid record fulfils (件件有落实: one payment fulfils one decision), across
 * every case: supervision counts a decision fulfilled by its record, so one payment completing the
 * decisions of two 一事一议 cases would count one grant twice. A record is its office (the slip's
 * receiving department, whose data it was read from) and its AidRecord.sourceReference, unique
 * within that office's source. Written in the completion's transaction; the unique key makes two
 * completions racing in two cases (each under its own case's lock) land one and refuse the other.
 * Rows of completions before this table were added by its migration, the earliest completion first.
 */
export const aidRecordUse = mysqlTable(
  'aid_record_use',
  {
    referralId: bigint('referral_id', { mode: 'number', unsigned: true }).primaryKey(),
    office: varchar('office', { length: 24 }).notNull(),
    aidSourceRef: varchar('aid_source_ref', { length: 128 }).notNull(),
    caseId: bigint('case_id', { mode: 'number', unsigned: true }).notNull(),
  },
  (t) => [unique('aid_record_use_record').on(t.office, t.aidSourceRef)],
);

/**
 * The pre-grant check (resolvers/findings/live.ts preGrantCheck) each decision of a meeting ran
 * when the meeting was recorded: the findings it raised, the departments that did not answer, and
 * the convener's reason for deciding despite a conflict. One row per decision slip.
 */
export const decisionCheck = mysqlTable('decision_check', {
  referralId: bigint('referral_id', { mode: 'number', unsigned: true }).primaryKey(),
  meetingId: bigint('meeting_id', { mode: 'number', unsigned: true }).notNull(),
  /** JSON: [{ ruleId, severity, summary, departments }], summaries without health detail. */
  findingsJson: text('findings_json').notNull(),
  /** JSON: the departments that did not answer, so the check could not see their aid. */
  unavailableJson: varchar('unavailable_json', { length: 255 }).notNull(),
  overrideReason: varchar('override_reason', { length: 500 }),
});

/**
 * What became of a declined decision (a case closes only when every decision is fulfilled or
 * waived): reassigned to another department (the new slip), re-deliberated at a later meeting, or
 * waived by the convener with a reason.
 */
export const declinedDecision = mysqlTable('declined_decision', {
  referralId: bigint('referral_id', { mode: 'number', unsigned: true }).primaryKey(),
  caseId: bigint('case_id', { mode: 'number', unsigned: true }).notNull(),
  resolution: mysqlEnum('resolution', ['REASSIGNED', 'REDELIBERATED', 'WAIVED']).notNull(),
  /** REASSIGNED: the slip to the department that now carries it out. */
  newReferralId: bigint('new_referral_id', { mode: 'number', unsigned: true }),
  /** REDELIBERATED: the meeting that decided again. */
  meetingId: bigint('meeting_id', { mode: 'number', unsigned: true }),
  reason: varchar('reason', { length: 500 }).notNull(),
  actor: varchar('actor', { length: 64 }).notNull(),
  recordedAt: datetime('recorded_at', { mode: 'string', fsp: 3 }).notNull(),
});

/**
 * 先行救助 (seed 000, 二(三)): the first aid an urgent or emergency case was given, recorded with
 * its money trail: the programme, the amount, the member, and the aid record it produced (null
 * while the grant is pending). One per case; the case's FIRST_AID_GIVEN transition event carries
 * who recorded it and when (stated and recorded).
 */
export const caseFirstAid = mysqlTable('case_first_aid', {
  caseId: bigint('case_id', { mode: 'number', unsigned: true }).primaryKey(),
  programmeCode: varchar('programme_code', { length: 32 }).notNull(),
  amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
  beneficiaryIdNumber: char('beneficiary_id_number', { length: 18 }),
  /**
   * The cause of the aid given, for a programme a rule counts by cause (X5: TEMP_AID), as a meeting's
   * decision states it (referral_slip.cause); the aid record named must carry it.
   */
  cause: mysqlEnum('cause', ['ILLNESS', 'ACCIDENT', 'DISASTER', 'JOB_LOSS', 'EDUCATION', 'OTHER']),
  aidSourceRef: varchar('aid_source_ref', { length: 128 }),
  reason: varchar('reason', { length: 500 }).notNull(),
  givenAt: datetime('given_at', { mode: 'string', fsp: 3 }).notNull(),
  recordedAt: datetime('recorded_at', { mode: 'string', fsp: 3 }).notNull(),
  actor: varchar('actor', { length: 64 }).notNull(),
});

/**
 * One row per household that has had a decision issued (a meeting's decision, a reassignment): how
 * many were issued. A decision is checked against the household's decisions not yet given before
 * its transaction (the pre-grant check reads the departments), so two cases of one household could
 * each pass that check and both decide the same aid. Each write that issues decisions locks this
 * row (by primary key: a point lock TiDB takes as MySQL does) and counts up; the count read under
 * the lock is the latest committed one on every engine, where a plain read after a lock is not on
 * TiDB (it reads the transaction's start snapshot). A count other than the one read before the
 * check means a decision was issued meanwhile: the write is refused and checked again.
 */
export const householdDecisionLock = mysqlTable('household_decision_lock', {
  householdId: bigint('household_id', { mode: 'number', unsigned: true }).primaryKey(),
  decisionsIssued: bigint('decisions_issued', { mode: 'number', unsigned: true }).notNull().default(0),
});

/**
 * A meeting's decisions corrected after the meeting (decisionCorrect, db/cases/corrections.ts): one
 * row per slip the correction touched, superseded (its decision replaced, or withdrawn) or issued
 * (a replacement, or a decision added). A slip is issued once and superseded once: a slip one
 * correction issued and a later one superseded has a row of each. A correction is the case's DECISION_CORRECTED event
 * (`event_seq`), which carries who, when and why and the request's idempotency key.
 */
export const decisionCorrection = mysqlTable(
  'decision_correction',
  {
    referralId: bigint('referral_id', { mode: 'number', unsigned: true }).notNull(),
    caseId: bigint('case_id', { mode: 'number', unsigned: true }).notNull(),
    /** The correction's DECISION_CORRECTED event (case_event.seq of the case). */
    eventSeq: int('event_seq').notNull(),
    role: mysqlEnum('role', ['SUPERSEDED', 'ISSUED']).notNull(),
    /** SUPERSEDED: the slip that carries the corrected decision now; null: the decision was withdrawn. */
    replacedBy: bigint('replaced_by', { mode: 'number', unsigned: true }),
    reason: varchar('reason', { length: 500 }).notNull(),
    actor: varchar('actor', { length: 64 }).notNull(),
    recordedAt: datetime('recorded_at', { mode: 'string', fsp: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.referralId, t.role] }), index('decision_correction_event').on(t.caseId, t.eventSeq)],
);
