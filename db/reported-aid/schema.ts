/**
 * The hub's own ledger of aid reported directly (schema/reported-aid.graphql): offices of
 * departments without a front-end database and charities record aid here; the REPORTED source
 * (federation/reported/) reads it like any department's tables. Rows are never deleted or
 * rewritten: a correction or reversal is a new row that supersedes an earlier one, and the earlier
 * row keeps its content, gaining only the pointer to what superseded it. (One data upgrade wrote
 * `settlement_ref` as read of entries stored as typed, their content_hash kept: db/setup/upgrades.ts.)
 */
import { bigint, char, date, datetime, index, int, mysqlTable, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import type { OfficeCode } from '../../domain/departments';

export const reportedAid = mysqlTable(
  'reported_aid',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /** The reporter: the API client that sent it (its name is stable across token rotations). */
    reporterClient: varchar('reporter_client', { length: 64 }).notNull(),
    /**
     * The officer the client named for the request that wrote it (X-Officer: the office's own staff
     * identifier, screened for ID numbers as the header is); null when it named none, and for entries
     * written before officers were recorded.
     */
    reporterOfficer: varchar('reporter_officer', { length: 64 }),
    /** The reporter's office (a code of domain/departments.ts): EMERGENCY_MANAGEMENT … CHARITY. */
    reporterOffice: varchar('reporter_office', { length: 24 }).$type<OfficeCode>().notNull(),
    /** 统一社会信用代码 of a charity; null for a government office. */
    reporterCreditCode: char('reporter_credit_code', { length: 18 }),
    /** The reporter's own reference: unique per reporter, the key of idempotency. */
    reference: varchar('reference', { length: 64 }).notNull(),
    /** AID (a new record), CORRECTION or REVERSAL (each supersedes `supersedes_reference`). */
    entryKind: varchar('entry_kind', { length: 12 }).notNull(),
    supersedesReference: varchar('supersedes_reference', { length: 64 }),
    beneficiaryIdNumber: char('beneficiary_id_number', { length: 18 }).notNull(),
    programme: varchar('programme', { length: 32 }).notNull(),
    grantDate: date('grant_date', { mode: 'string' }),
    periodStart: date('period_start', { mode: 'string' }),
    periodEnd: date('period_end', { mode: 'string' }),
    /** Fen: in total for a one-off programme, per month for a recurring one; 0 for a reversal. */
    amountFen: int('amount_fen', { unsigned: true }).notNull(),
    /** The hospital settlement medical aid is tied to (the medical insurance settlement reference). */
    settlementRef: varchar('settlement_ref', { length: 64 }),
    caseReference: varchar('case_reference', { length: 64 }),
    /** A published need it answers (charity linkage), stored as given. */
    needId: varchar('need_id', { length: 64 }),
    /** SHA-256 of the record's content as sent: the same reference with other content is refused. */
    contentHash: char('content_hash', { length: 64 }).notNull(),
    receivedAt: datetime('received_at', { mode: 'string', fsp: 3 }).notNull(),
    /** The entry that superseded this one (a correction or reversal); null while it stands. */
    supersededBy: bigint('superseded_by', { mode: 'number', unsigned: true }),
    /**
     * The charity delivery entry (charity_delivery.id: a delivery, its correction or cancellation)
     * this row is the ledger's record of; null for aid reported directly (aidReport). A delivery's
     * row was told from a report by its reference and need, which a report of another client of the
     * organisation may share (references are unique per client): a correction of the delivery then
     * superseded the report. Rows written before it was kept are linked by a data upgrade where one
     * row alone matches the delivery (db/setup/upgrades.ts DELIVERY_LINKED).
     */
    deliveryId: bigint('delivery_id', { mode: 'number', unsigned: true }),
  },
  (t) => [
    uniqueIndex('reported_aid_reference').on(t.reporterClient, t.reference),
    index('reported_aid_beneficiary').on(t.beneficiaryIdNumber, t.supersededBy),
    index('reported_aid_received').on(t.reporterClient, t.receivedAt),
    index('reported_aid_settlement').on(t.settlementRef),
    uniqueIndex('reported_aid_delivery').on(t.deliveryId),
    // reportedAidHistory walks a chain back, from an entry to the one it superseded, by this key.
    index('reported_aid_superseded_by').on(t.supersededBy),
  ],
);

export type ReportedAidRow = typeof reportedAid.$inferSelect;

/**
 * A charity client's organisation: its 统一社会信用代码 (GB 32100). A client of office CHARITY
 * reports only once it has one (`npm run clients -- create … --credit-code`). An organisation may
 * have several clients (its offices, a rotated integration): each is a row here, under one code and,
 * by charity_organisation_name, one name. The row held the client's own copy of the name until
 * migration 0002 dropped it: nothing read it once the code's one name was kept (migration 0001).
 */
export const charityOrganisation = mysqlTable('charity_organisation', {
  clientName: varchar('client_name', { length: 64 }).primaryKey(),
  creditCode: char('credit_code', { length: 18 }).notNull(),
});

/**
 * The one name of an organisation, by its 统一社会信用代码: the name its first client registered it
 * under, which every client bound to the code must give (ORGANISATION_NAME_CONFLICT otherwise), so a
 * look-up by code finds one organisation, not whichever client's name comes first. Keyed by the
 * code: two registrations of one code under two names sent at once meet at this key and one wins.
 */
export const charityOrganisationName = mysqlTable('charity_organisation_name', {
  creditCode: char('credit_code', { length: 18 }).primaryKey(),
  name: varchar('name', { length: 64 }).notNull(),
});
