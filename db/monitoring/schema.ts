/**
 * The hub's monitoring tables (监测预警): alerts with their history, and the watermark of each
 * department table the change-driven detection reads. Instants are DATETIME(3) in UTC as strings
 * (db/instants.ts); calendar dates are DATE.
 */
import { bigint, boolean, char, date, datetime, index, int, mysqlEnum, mysqlTable, text, unique, varchar } from 'drizzle-orm/mysql-core';

import { keyDigestColumn } from '../idempotency-key';
export const ALERT_STATES = ['NEW', 'DELIVERED', 'ACKNOWLEDGED', 'VERIFIED', 'DISMISSED'] as const;
export const ALERT_GRADES = ['RED', 'ORANGE', 'YELLOW'] as const;
const instant = (name: string) => datetime(name, { mode: 'string', fsp: 3 });
const id = (name: string) => bigint(name, { mode: 'number', unsigned: true });

export const monitoringAlert = mysqlTable(
  'monitoring_alert',
  {
    id: id('id').autoincrement().primaryKey(),
    /** Trigger + subject + the records that first met the condition (domain/monitoring/evaluate.ts). */
    identity: char('identity', { length: 40 }).notNull(),
    triggerId: varchar('trigger_id', { length: 32 }).notNull(),
    grade: mysqlEnum('grade', ALERT_GRADES).notNull(),
    state: mysqlEnum('state', ALERT_STATES).notNull(),
    subjectIdNumber: char('subject_id_number', { length: 18 }).notNull(),
    householdId: id('household_id'),
    /** The household's division when raised (village or township); filters match its prefix. */
    regionCode: varchar('region_code', { length: 12 }).notNull(),
    townshipCode: char('township_code', { length: 9 }).notNull(),
    /** Who must verify: a township code or a department code (domain/cases/offices.ts, at most OFFICE_KEY_MAX_LENGTH). */
    verifierOffice: varchar('verifier_office', { length: 24 }).notNull(),
    monitored: boolean('monitored').notNull(),
    /** JSON array of sentences an officer can read out. */
    evidence: text('evidence').notNull(),
    /** JSON array of `<department>:<sourceRef>`. */
    evidenceRefs: text('evidence_refs').notNull(),
    measure: bigint('measure', { mode: 'number' }).notNull(),
    detectedBy: mysqlEnum('detected_by', ['POLL', 'MONTHLY']).notNull(),
    raisedAt: instant('raised_at').notNull(),
    /** The first clue's day (China time): the verification clock runs from it. */
    firstClueOn: date('first_clue_on', { mode: 'string' }).notNull(),
    /**
     * The day the 签收 clock runs from when it is not the first clue's: the day the alert moved to
     * another township, which must sign for it anew (NULL: the first clue's day).
     */
    acknowledgeFrom: date('acknowledge_from', { mode: 'string' }),
    acknowledgeBy: date('acknowledge_by', { mode: 'string' }).notNull(),
    verifyBy: date('verify_by', { mode: 'string' }).notNull(),
    /** The decision due by this day: the grade's decision limit from the first clue (domain/monitoring/alerts.ts). */
    decideBy: date('decide_by', { mode: 'string' }).notNull(),
    /**
     * The day the decision was recorded (China): the dismissal, the verification as needing no aid,
     * or the day its case was decided (DECIDED or REJECTED, written by db/cases/store.ts
     * applyTransition); NULL while pending.
     */
    decidedOn: date('decided_on', { mode: 'string' }),
    /**
     * decideBy is the published 15 days migration 0008 gave an alert raised before the decision limit
     * existed, not its grade's limit: set by migration 0009, cleared once the hub has counted the
     * limit the triggers file gives the grade (resolvers/monitoring/decide-by-backfill.ts). An
     * alert raised since has its limit from its raise and is never marked.
     */
    decideByBackfilled: boolean('decide_by_backfilled').notNull().default(false),
    /**
     * The working days each date was counted with, kept so that a start under another holiday
     * calendar (a year's notice loaded after the alert was raised) counts it again
     * (resolvers/monitoring/deadline-recount.ts): 签收 from acknowledge_from or the first clue, the
     * others from the first clue. NULL: a day in calendar days (verify, decide), which no calendar
     * moves, or, while deadline_counts_kept is false, a count this alert never kept (raised before
     * the counts were kept): its date stays as it is.
     */
    acknowledgeWorkingDays: int('acknowledge_working_days'),
    verifyWorkingDays: int('verify_working_days'),
    decideWorkingDays: int('decide_working_days'),
    /**
     * The calendar days verification and decision were counted with (NULL: working days, or a count
     * not kept), kept since migration 0013 so that a start under another calendar or another rule
     * for a last day off (the trigger set's `lastDayOff`, 民法典 art. 203) counts the date again.
     * Rows raised before were given the count their dates show (the days from the first clue).
     */
    verifyDays: int('verify_days'),
    decideDays: int('decide_days'),
    /**
     * Opened with every count kept: a NULL count is a day in calendar days, so the provisional flag
     * can be counted again from the counts alone. False for an alert raised before migration 0011:
     * its flag is only ever set, never cleared, by a recount.
     */
    deadlineCountsKept: boolean('deadline_counts_kept').notNull().default(false),
    /**
     * Its counts are as this release keeps them, calendar days included (migration 0014): set by this
     * release on each alert it raises with its counts, or gives them (keepInferredCounts), and by a
     * start on each alert it checked (keepOlderReleaseCalendarDays). Never true without
     * `deadline_counts_kept`. The release before 0013 never sets it: an alert it raises, and one it
     * gives its counts, is left false, so the next start reads it (through its index) and gives it
     * its calendar days, whatever its id.
     */
    calendarDaysChecked: boolean('calendar_days_checked').notNull().default(false),
    /** A day counted lies in a year whose holiday notice is not yet published. */
    provisional: boolean('provisional').notNull(),
    /**
     * Its provisional flag was cleared by a recount (a published notice gave its dates alike), while
     * its periods ran or after one ended, so a date it keeps once the period ends may have been
     * counted under a provisional calendar:
     * a later correction of the notice that gives it another day flags it again (recountedDeadlines),
     * so the recount reads it as it reads an alert flagged provisional. Never cleared.
     */
    provisionalCleared: boolean('provisional_cleared').notNull().default(false),
    outcome: mysqlEnum('outcome', ['NEEDS_AID', 'NO_NEED']),
    reason: text('reason'),
    caseId: id('case_id'),
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [
    unique('monitoring_alert_identity').on(t.identity),
    index('monitoring_alert_region').on(t.regionCode, t.id),
    index('monitoring_alert_state_verify').on(t.state, t.verifyBy),
    // The open alerts under division prefixes (openAlertsUnder, a create with deliverOpen): one range
    // per open state and prefix, touching open alerts only (docs/performance.md).
    index('monitoring_alert_state_region').on(t.state, t.regionCode),
    index('monitoring_alert_subject').on(t.subjectIdNumber),
    index('monitoring_alert_case').on(t.caseId),
    index('monitoring_alert_decision').on(t.decidedOn, t.decideBy),
    index('monitoring_alert_decide_backfilled').on(t.decideByBackfilled),
    index('monitoring_alert_calendar_days_checked').on(t.calendarDaysChecked, t.deadlineCountsKept, t.id),
  ],
);

/** Every move of an alert: who, when, why. */
export const monitoringAlertEvent = mysqlTable(
  'monitoring_alert_event',
  {
    id: id('id').autoincrement().primaryKey(),
    alertId: id('alert_id').notNull(),
    seq: int('seq').notNull(),
    /**
     * DECIDE_BY_CORRECTED: the start-up count moved the decision day 0008 gave it (resolvers/monitoring/decide-by-backfill.ts).
     * DEADLINE_RECOUNTED: a start under another holiday calendar moved a date (resolvers/monitoring/deadline-recount.ts).
     * DEADLINE_KEPT: a date of an ended period, counted under a provisional calendar, kept although the calendar in force gives another day (the same).
     */
    action: mysqlEnum('action', ['OPENED', 'RAISED', 'DELIVERED', 'ACKNOWLEDGED', 'VERIFIED', 'DISMISSED', 'MOVED', 'TAKEN_OVER', 'DECIDE_BY_CORRECTED', 'DEADLINE_RECOUNTED', 'DEADLINE_KEPT']).notNull(),
    fromState: mysqlEnum('from_state', ALERT_STATES),
    toState: mysqlEnum('to_state', ALERT_STATES).notNull(),
    grade: mysqlEnum('grade', ALERT_GRADES).notNull(),
    at: instant('at').notNull(),
    /** An officer's staff identifier, or `hub` for detection. */
    actor: varchar('actor', { length: 64 }).notNull(),
    /** The actor's office key (domain/cases/offices.ts), or `HUB` for detection. */
    actorOffice: varchar('actor_office', { length: 24 }).notNull(),
    /** Prose for people (a move's names household ids and divisions); no reader takes facts from it. */
    reason: text('reason'),
    /**
     * MOVED: the division the alert left (its region code then); NULL for every other action. Read to
     * name each earlier event's office where it acted (Alert.history). Migration 0012 filled it for
     * the moves recorded before, from their reasons.
     */
    formerRegionCode: varchar('former_region_code', { length: 12 }),
    /**
     * MOVED with its case's hand-over (db/monitoring/store.ts followCaseHandOver): the case handed
     * over and its successor. Both NULL for a move after the person's home, and for every other action.
     * A move with them keeps a takeover standing (movedWithHandOver); one without ends it.
     */
    handedOverCaseId: id('handed_over_case_id'),
    successorCaseId: id('successor_case_id'),
  },
  (t) => [unique('monitoring_alert_event_seq').on(t.alertId, t.seq)],
);

/** How far the hub has read each department table's change feed. */
export const monitoringWatermark = mysqlTable('monitoring_watermark', {
  /** `<DEPARTMENT>:<table>` */
  sourceTable: varchar('source_table', { length: 96 }).primaryKey(),
  /**
   * Everything up to and including this was read: a growing key's last key, an update time's last
   * second read whole (epoch seconds), or a month (yyyymm). Every hub release reads it so; none
   * stores more than that, whatever it keeps in `last_row_key`.
   */
  lastSequence: bigint('last_sequence', { mode: 'number', unsigned: true }).notNull(),
  /**
   * An update-time feed read partway through a second: JSON `{"second": s, "key": {...}}`, the row
   * key of the last row read in second `s` (federation/change-feed.ts), stored with `last_sequence`
   * at s − 1 so that a hub of a release before this column, which reads `last_sequence` alone,
   * reads all of `s` again rather than skip its rest (db/monitoring/store.ts feedWatermarks). It
   * counts while `s` is at least `last_sequence` (equal: as the release that added the column wrote
   * it); NULL or an earlier second (an older hub moved `last_sequence` alone) means the whole of
   * `last_sequence` was read.
   * A key may hold an ID number (民政's 低保 members are keyed by family, ID number and date), so
   * the column is never logged or answered, like the rest of this table.
   */
  lastRowKey: text('last_row_key'),
  rowsSeen: bigint('rows_seen', { mode: 'number', unsigned: true }).notNull(),
  /**
   * The last successful poll that read this feed, whether or not it found anything, in the
   * database's clock (db/monitoring/store.ts advanceWatermark, markPolled): aidhub_monitoring_poll_age_seconds.
   */
  polledAt: instant('polled_at').notNull(),
});

/**
 * The village notice (村内公示) of an alert verified as needing aid, as posted: one live notice per
 * alert (a repeat of the posting is answered with it); a withdrawn one stays, no longer live, and a
 * corrected notice (更正) may be posted after it for a new period. Its public fields are kept as they were posted, so
 * the notice reads the same after the household changes; they hold no ID number, phone, bank
 * account or health data (domain/monitoring/notice.ts). The case it precedes is decided only after
 * `ends_on` (db/cases/store.ts applyTransition).
 */
export const monitoringVillageNotice = mysqlTable(
  'monitoring_village_notice',
  {
    id: id('id').autoincrement().primaryKey(),
    alertId: id('alert_id').notNull(),
    caseId: id('case_id').notNull(),
    householdId: id('household_id').notNull(),
    /** The household's division when posted, or the one its alert moved to with its case's hand-over (followCaseHandOver): the notice's reach, as an alert's. */
    regionCode: varchar('region_code', { length: 12 }).notNull(),
    villageName: varchar('village_name', { length: 64 }).notNull(),
    headName: varchar('head_name', { length: 64 }).notNull(),
    householdSize: int('household_size').notNull(),
    /** JSON array of NoticeMeasure, in the order given. */
    measures: varchar('measures', { length: 400 }).notNull(),
    objectionContact: varchar('objection_contact', { length: 200 }).notNull(),
    objectionPhone: varchar('objection_phone', { length: 16 }),
    postedOn: date('posted_on', { mode: 'string' }).notNull(),
    /** The period as the locality's rules gave it when posted: `5天` or `5个工作日`. */
    periodText: varchar('period_text', { length: 16 }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }).notNull(),
    provisional: boolean('provisional').notNull(),
    text: text('text').notNull(),
    postedBy: varchar('posted_by', { length: 64 }).notNull(),
    postedOffice: varchar('posted_office', { length: 24 }).notNull(),
    recordedAt: instant('recorded_at').notNull(),
    /** The alert's id while the notice is live, NULL once withdrawn: the unique key keeps one live notice per alert under any number of writers. */
    liveAlertId: id('live_alert_id'),
    /** Posted after a withdrawn notice of the alert: its text says 更正. */
    correction: boolean('correction').notNull().default(false),
    withdrawnAt: instant('withdrawn_at'),
    withdrawnBy: varchar('withdrawn_by', { length: 64 }),
    withdrawnOffice: varchar('withdrawn_office', { length: 24 }),
    withdrawReason: text('withdraw_reason'),
  },
  (t) => [unique('monitoring_village_notice_live').on(t.liveAlertId), index('monitoring_village_notice_alert_id').on(t.alertId, t.id), index('monitoring_village_notice_case').on(t.caseId)],
);

/**
 * An objection to a village notice received during its period (异议): when and of what kind, never
 * who objected or what they said (the objector's and the household's details stay on paper).
 */
export const monitoringNoticeObjection = mysqlTable(
  'monitoring_notice_objection',
  {
    id: id('id').autoincrement().primaryKey(),
    noticeId: id('notice_id').notNull(),
    receivedOn: date('received_on', { mode: 'string' }).notNull(),
    kind: mysqlEnum('kind', ['ELIGIBILITY_DOUBTED', 'FACTS_WRONG', 'MEASURE_DOUBTED', 'OTHER']).notNull(),
    recordedBy: varchar('recorded_by', { length: 64 }).notNull(),
    recordedOffice: varchar('recorded_office', { length: 24 }).notNull(),
    /** The client's key for the request: a retry records nothing twice. */
    idempotencyKey: varchar('idempotency_key', { length: 96 }).notNull(),
    /** keyDigest of `idempotency_key` (db/idempotency-key.ts): keys differing in case or trailing spaces are two keys. */
    keySha256: keyDigestColumn('key_sha256').notNull(),
    recordedAt: instant('recorded_at').notNull(),
    /** How the township resolved it (NULL while unresolved): an upheld one holds the decision back. */
    resolution: mysqlEnum('resolution', ['UPHELD', 'DISMISSED']),
    resolutionReason: text('resolution_reason'),
    resolvedBy: varchar('resolved_by', { length: 64 }),
    resolvedOffice: varchar('resolved_office', { length: 24 }),
    resolvedAt: instant('resolved_at'),
  },
  (t) => [unique('monitoring_notice_objection_key_sha256').on(t.keySha256), index('monitoring_notice_objection_notice').on(t.noticeId)],
);
