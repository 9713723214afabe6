/**
 * The hub's access tables: API clients and the audit trail of who saw whom, when and why.
 * Kept apart from db/household/schema.ts (its own migration set, db/access/migrations/) so access evolves
 * without renumbering the household tables' migrations.
 *
 * Times are DATETIME(3) in UTC written by the hub, not TIMESTAMP: a DATETIME comes back exactly as
 * written whatever the session time zone, and the audit hash is computed over that exact text.
 */
import { bigint, boolean, char, datetime, index, mysqlEnum, mysqlTable, tinyint, varchar } from 'drizzle-orm/mysql-core';
import type { OfficeCode } from '../../domain/departments';

/**
 * A program (a department's system, a township office's workstation, an auditor's tool) allowed to
 * call the hub. The token is shown once at creation or rotation; only its SHA-256 is kept.
 */
export const apiClient = mysqlTable('api_client', {
  id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
  /** A unique, human-chosen label such as `rencheng-civil-affairs`; never personal data. */
  name: varchar('name', { length: 64 }).notNull().unique(),
  // A code of domain/departments.ts, checked there: a new department needs no migration here.
  department: varchar('department', { length: 24 }).$type<OfficeCode>().notNull(),
  /** Division code the client may see in full: a city (370800), county (370811) or township (370811001). */
  regionScope: varchar('region_scope', { length: 12 }).notNull(),
  /** Comma-separated role names from access/policy.ts. */
  roles: varchar('roles', { length: 255 }).notNull(),
  /** SHA-256 (hex) of the bearer token. */
  tokenHash: char('token_hash', { length: 64 }).notNull().unique(),
  createdAt: datetime('created_at', { mode: 'string', fsp: 3 }).notNull(),
  /** Null: the token does not expire. */
  expiresAt: datetime('expires_at', { mode: 'string', fsp: 3 }),
  /** Set once; a revoked client never authenticates again. */
  revokedAt: datetime('revoked_at', { mode: 'string', fsp: 3 }),
  /** When the current token replaced the previous one. */
  rotatedAt: datetime('rotated_at', { mode: 'string', fsp: 3 }),
  /**
   * Every request must name the officer it is made for (X-Officer): a department system used by
   * staff. False for a machine-to-machine client, which may still send one.
   */
  requireOfficer: boolean('require_officer').notNull().default(false),
});

/** The index of access_log by time: a period's rows (exports); the audit reads ignore it (access/audit.ts entriesWhere). */
export const ACCESS_LOG_AT = 'access_log_at';
/** The indexes of access_log by client, and by client and officer, that a client's reads are forced onto (access/audit.ts entriesByClient). */
export const ACCESS_LOG_CLIENT = 'access_log_client';
export const ACCESS_LOG_CLIENT_OFFICER = 'access_log_client_officer';

/**
 * Append-only, hash-chained audit trail: one row per data subject per access. `seq` is assigned by
 * the hub (last seq + 1 under a lock on `access_log_head`), so a removed row leaves a visible gap,
 * and `row_hash` = SHA-256(prev_hash, the row's fields), so a changed row breaks the chain.
 * Subjects are never stored in clear: a person is an HMAC of the ID number (`subject_ref`) plus a
 * masked label (370811********123X).
 */
export const accessLog = mysqlTable(
  'access_log',
  {
    seq: bigint('seq', { mode: 'number', unsigned: true }).primaryKey(),
    at: datetime('at', { mode: 'string', fsp: 3 }).notNull(),
    /** Groups the rows one request wrote. */
    requestId: char('request_id', { length: 36 }).notNull(),
    clientId: bigint('client_id', { mode: 'number', unsigned: true }).notNull(),
    clientName: varchar('client_name', { length: 64 }).notNull(),
    department: varchar('department', { length: 24 }).notNull(),
    regionScope: varchar('region_scope', { length: 12 }).notNull(),
    purpose: varchar('purpose', { length: 24 }),
    caseReference: varchar('case_reference', { length: 64 }),
    /** GRAPHQL, HTTP (a non-GraphQL route such as a CSV export), PUSH (an alert pushed to a subscriber's receiver) or ADMIN (the command-line administration of the client: access/admin-audit.ts). */
    channel: varchar('channel', { length: 8 }).notNull(),
    /** GraphQL operation name, `GET /route/pattern`, or a push's event, subscription and attempt. */
    operation: varchar('operation', { length: 128 }),
    /** SHA-256 of the GraphQL document; null for HTTP routes. */
    operationHash: char('operation_hash', { length: 64 }),
    /** PERSON, HOUSEHOLD, CLIENT (an audit read of a client's trail), or NONE for an access that touched no subject. */
    subjectKind: varchar('subject_kind', { length: 12 }).notNull(),
    subjectRef: varchar('subject_ref', { length: 64 }),
    subjectLabel: varchar('subject_label', { length: 140 }),
    /** OK, PARTIAL, DENIED, FAILED (GraphQL); ALLOWED, DENIED (HTTP routes). */
    outcome: varchar('outcome', { length: 12 }).notNull(),
    /**
     * The officer the client asked for (X-Officer): the department's own staff identifier, as its
     * system asserts it; null when none was sent, and in every row written before the column.
     */
    officer: varchar('officer', { length: 64 }),
    /**
     * What a GraphQL request asked for: the root fields of its operation as schema coordinates
     * (`Query.person, Query.caller`), written for a refused request as for an answered one, never an
     * argument or an alias. Null for other channels, for a request refused before its query was read,
     * and in every row written before the column.
     */
    rootFields: varchar('root_fields', { length: 255 }),
    /**
     * What the answer told of this row's subject, where the field answering writes it down (today
     * only socialAssistanceStanding, a legal-aid office's yes or no: `recipient=true DIBAO`), so the
     * trail shows the person and an auditor what was given out, not only that they were looked up.
     * Null for every other row, for a refused one, and in every row written before the column.
     */
    disclosed: varchar('disclosed', { length: 255 }),
    prevHash: char('prev_hash', { length: 64 }).notNull(),
    rowHash: char('row_hash', { length: 64 }).notNull(),
  },
  // access_log_client serves clientAccessLog(client) and access_log_client_officer clientAccessLog(client, officer),
  // both newest first without a sort: one index entry more per appended row. access_log_at finds a
  // period's rows (tools/audit-export.ts: the first and last seq written in its days) reading that
  // period's index entries alone, not the whole log.
  (t) => [
    index('access_log_subject').on(t.subjectKind, t.subjectRef, t.seq),
    index(ACCESS_LOG_CLIENT).on(t.clientId, t.seq),
    index(ACCESS_LOG_CLIENT_OFFICER).on(t.clientId, t.officer, t.seq),
    index(ACCESS_LOG_AT).on(t.at, t.seq),
  ],
);

/** One row (id = 1): the end of the chain. Appends lock it (SELECT … FOR UPDATE), so they are serial. */
export const accessLogHead = mysqlTable('access_log_head', {
  id: tinyint('id', { unsigned: true }).primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number', unsigned: true }).notNull(),
  lastHash: char('last_hash', { length: 64 }).notNull(),
});

/** Server-side secrets the hub generates for itself (the key that pseudonymises audit subjects). */
export const accessSecret = mysqlTable('access_secret', {
  name: varchar('name', { length: 32 }).primaryKey(),
  value: varchar('value', { length: 128 }).notNull(),
});
