/**
 * The hub's tables for duplicate-aid and missed-aid findings: region scans, the findings they
 * store (one row per finding, its identity kept across scans by fingerprint), which scan saw which
 * finding, and every settlement (confirm, dismiss, resolve) or reopening with who and why.
 *
 * Instants are DATETIME(3) in UTC, read and written as strings (the pool uses dateStrings);
 * calendar dates are DATE. A finding's detail (records, measure, explanation) is kept as JSON text,
 * written and read only by db/findings/store.ts.
 */
import { bigint, boolean, char, date, datetime, index, int, longtext, mysqlEnum, mysqlTable, primaryKey, text, tinyint, unique, varchar } from 'drizzle-orm/mysql-core';

const instant = (name: string) => datetime(name, { mode: 'string', fsp: 3 });
const id = (name: string) => bigint(name, { mode: 'number', unsigned: true });

const SEVERITY = ['CONFLICT', 'WARNING', 'MISSED_AID'] as const;
const STATUS = ['OPEN', 'CONFIRMED', 'DISMISSED', 'RESOLVED'] as const;

/** One run of the rules over a division (a county, the city, a township). */
export const findingScan = mysqlTable(
  'finding_scan',
  {
    id: id('id').autoincrement().primaryKey(),
    /** The division scanned (6, 9 or 12 digits). */
    regionCode: varchar('region_code', { length: 12 }).notNull(),
    state: mysqlEnum('state', ['RUNNING', 'SUCCEEDED', 'FAILED']).notNull(),
    /** The day the rules were judged on ("today" for windows and open periods). */
    asOf: date('as_of', { mode: 'string' }).notNull(),
    ruleSetName: varchar('rule_set_name', { length: 200 }).notNull(),
    ruleSetDigest: char('rule_set_digest', { length: 16 }).notNull(),
    /** Who started it: an API client or the CLI, and their department if any. */
    startedBy: varchar('started_by', { length: 64 }).notNull(),
    startedByDepartment: varchar('started_by_department', { length: 24 }),
    householdsTotal: int('households_total').notNull().default(0),
    householdsDone: int('households_done').notNull().default(0),
    findingsCount: int('findings_count').notNull().default(0),
    newCount: int('new_count').notNull().default(0),
    reopenedCount: int('reopened_count').notNull().default(0),
    /** Seen again but still dismissed or resolved: not shown as open. */
    stillSettledCount: int('still_settled_count').notNull().default(0),
    /** A short machine-readable reason, e.g. DEPARTMENT_UNAVAILABLE:HEALTH. Never personal data. */
    failure: varchar('failure', { length: 200 }),
    startedAt: instant('started_at').notNull(),
    /** Written with every chunk; a RUNNING scan whose heartbeat stopped long ago died with its process. */
    heartbeatAt: instant('heartbeat_at').notNull(),
    finishedAt: instant('finished_at'),
  },
  (t) => [index('finding_scan_region').on(t.regionCode, t.id), index('finding_scan_state').on(t.state)],
);

/** A finding, identified across scans by its fingerprint (the rule and the records involved). */
export const finding = mysqlTable(
  'finding',
  {
    id: id('id').autoincrement().primaryKey(),
    fingerprint: char('fingerprint', { length: 32 }).notNull(),
    ruleId: varchar('rule_id', { length: 32 }).notNull(),
    kind: varchar('kind', { length: 32 }).notNull(),
    severity: mysqlEnum('severity', SEVERITY).notNull(),
    scope: mysqlEnum('scope', ['PERSON', 'HOUSEHOLD', 'SETTLEMENT']).notNull(),
    status: mysqlEnum('status', STATUS).notNull(),
    householdId: id('household_id'),
    /** The household's division when last seen (village or township), for region filters. */
    regionCode: varchar('region_code', { length: 12 }),
    townshipCode: char('township_code', { length: 9 }),
    /** Departments concerned, one bit each: 1 << the department's stable number (domain/departments.ts). */
    departmentMask: int('department_mask', { unsigned: true }).notNull(),
    ongoing: boolean('ongoing').notNull(),
    contentHash: char('content_hash', { length: 32 }).notNull(),
    /** The content when last confirmed, dismissed or resolved. */
    settledContentHash: char('settled_content_hash', { length: 32 }),
    firstScanId: id('first_scan_id').notNull(),
    lastScanId: id('last_scan_id').notNull(),
    firstSeenAt: instant('first_seen_at').notNull(),
    lastSeenAt: instant('last_seen_at').notNull(),
    /** JSON: people, records, measure, explanation, as last seen. */
    detail: longtext('detail').notNull(),
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [
    unique('finding_fingerprint').on(t.fingerprint),
    index('finding_household').on(t.householdId),
    index('finding_region').on(t.regionCode, t.id),
    index('finding_rule').on(t.ruleId, t.status),
  ],
);

/**
 * Which scan saw which finding, with the columns the scan's browse filters on copied in, so a page
 * of one scan's findings is read off one index.
 */
export const findingOccurrence = mysqlTable(
  'finding_occurrence',
  {
    scanId: id('scan_id').notNull(),
    findingId: id('finding_id').notNull(),
    ruleId: varchar('rule_id', { length: 32 }).notNull(),
    severity: mysqlEnum('severity', SEVERITY).notNull(),
    townshipCode: char('township_code', { length: 9 }),
    departmentMask: int('department_mask', { unsigned: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.scanId, t.findingId] }),
    index('finding_occurrence_rule').on(t.scanId, t.ruleId, t.findingId),
    index('finding_occurrence_township').on(t.scanId, t.townshipCode, t.findingId),
  ],
);

/** Every change of a finding's status: settled by a department, or reopened by a scan. */
export const findingEvent = mysqlTable(
  'finding_event',
  {
    id: id('id').autoincrement().primaryKey(),
    findingId: id('finding_id').notNull(),
    action: mysqlEnum('action', ['CONFIRMED', 'DISMISSED', 'RESOLVED', 'REOPENED']).notNull(),
    fromStatus: mysqlEnum('from_status', STATUS).notNull(),
    toStatus: mysqlEnum('to_status', STATUS).notNull(),
    /** The API client (or 'scan') that made the change. */
    actor: varchar('actor', { length: 64 }).notNull(),
    actorDepartment: varchar('actor_department', { length: 24 }),
    /** The officer at the department's system, as that system names them. */
    officer: varchar('officer', { length: 64 }),
    /** Why: a dismissal's reason, a resolution's note, or a reopening's cause. */
    reason: text('reason'),
    scanId: id('scan_id'),
    contentHash: char('content_hash', { length: 32 }).notNull(),
    at: instant('at').notNull(),
  },
  (t) => [index('finding_event_finding').on(t.findingId, t.id)],
);

/** Schema-level limits the store checks before writing. */
export const FINDING_LIMITS = { reason: 2000, officer: 64, actor: 64 } as const;

