/**
 * The hub's tables for charity linkage (慈善衔接): a household's consent to pass its need to
 * charities, the needs published from cases, charities' claims, pledges and deliveries, and charity
 * projects. Organisations (统一社会信用代码 per charity client) are the reported-aid ledger's
 * `charity_organisation` (db/reported-aid/schema.ts); a delivery is also recorded in that ledger.
 *
 * Amounts are whole fen; instants DATETIME(3) in UTC as strings; calendar dates DATE.
 * A need's running totals (pledged, delivered) live on its row: every pledge and delivery locks
 * that row first (SELECT … FOR UPDATE), so concurrent pledges queue and none can over-fund it.
 */
import { bigint, boolean, char, date, datetime, index, mysqlEnum, mysqlTable, smallint, unique, varchar } from 'drizzle-orm/mysql-core';
import { keyDigestColumn } from '../idempotency-key';

const instant = (name: string) => datetime(name, { mode: 'string', fsp: 3 });
const id = (name: string) => bigint(name, { mode: 'number', unsigned: true });
const fen = (name: string) => bigint(name, { mode: 'number' });
const PURPOSE = ['MEDICAL', 'EDUCATION', 'HOUSING', 'LIVING', 'DISASTER', 'REHABILITATION', 'OTHER'] as const;

/**
 * A household's recorded consent (民发〔2023〕46号; PIPL art. 29): who recorded it, when, what it
 * covers (comma-separated scopes: NEED_PUBLICATION, HEALTH_DATA, MINOR_DATA), until when; revocable.
 */
export const charityConsent = mysqlTable(
  'charity_consent',
  {
    id: id('id').autoincrement().primaryKey(),
    householdId: id('household_id').notNull(),
    scopes: varchar('scopes', { length: 64 }).notNull(),
    /** Who gave it for the household (role, not a name): 户主, 监护人 … */
    givenBy: varchar('given_by', { length: 32 }).notNull(),
    /** The client and the officer (staff identifier) who recorded it. */
    recordedByClient: varchar('recorded_by_client', { length: 64 }).notNull(),
    recordedByOfficer: varchar('recorded_by_officer', { length: 64 }).notNull(),
    recordedAt: instant('recorded_at').notNull(),
    expiresOn: date('expires_on', { mode: 'string' }).notNull(),
    revokedAt: instant('revoked_at'),
    revokedByClient: varchar('revoked_by_client', { length: 64 }),
    /** The officer the revoking client named (X-Officer, screened as the header is); null when the client named none, and before officers were recorded. */
    revokedByOfficer: varchar('revoked_by_officer', { length: 64 }),
    /** The recording client's idempotency key, when given: a retried recording records once. */
    recordKey: varchar('record_key', { length: 64 }),
    /** keyDigest of `<recorded_by_client>:<record_key>` (db/idempotency-key.ts): keys differing in case or trailing spaces are two keys. */
    recordKeySha256: keyDigestColumn('record_key_sha256'),
  },
  (t) => [index('charity_consent_household').on(t.householdId), unique('charity_consent_record_key_sha256').on(t.recordKeySha256)],
);

export const charityNeed = mysqlTable(
  'charity_need',
  {
    id: id('id').autoincrement().primaryKey(),
    caseId: id('case_id').notNull(),
    householdId: id('household_id').notNull(),
    consentId: id('consent_id').notNull(),
    /** The household's county: what charities see and filter by. */
    countyCode: char('county_code', { length: 6 }).notNull(),
    purpose: mysqlEnum('purpose', PURPOSE).notNull(),
    urgency: mysqlEnum('urgency', ['EMERGENCY', 'URGENT', 'NORMAL']).notNull(),
    /** Still uncovered after government aid, in fen. */
    uncoveredFen: fen('uncovered_fen').notNull(),
    pledgedFen: fen('pledged_fen').notNull(),
    deliveredFen: fen('delivered_fen').notNull(),
    /** Short and anonymised; shown only to a charity holding a claim. */
    description: varchar('description', { length: 200 }).notNull(),
    involvesHealth: boolean('involves_health').notNull(),
    /**
     * Whether it concerned a child under 14 on the day it was published (what publication checked).
     * Not read for access: whether it concerns one now is read with the need (store.ts concernsMinorToday).
     */
    involvesMinor: boolean('involves_minor').notNull(),
    /** The member the need is for, when it is one person (deliveries are recorded to them). */
    beneficiaryIdNumber: char('beneficiary_id_number', { length: 18 }),
    state: mysqlEnum('state', ['OPEN', 'COVERED', 'WITHDRAWN']).notNull(),
    /** Why it was withdrawn: WITHDRAWN_BY_OFFICE, CONSENT_REVOKED, or DESCRIPTION_IDENTIFIES / HEALTH_CONSENT_MISSING (screened after publication: db/setup/upgrades.ts). */
    closeReason: varchar('close_reason', { length: 24 }),
    publishedByClient: varchar('published_by_client', { length: 64 }).notNull(),
    /** The officer the publishing client named (X-Officer, screened as the header is); null when the client named none, and before officers were recorded. */
    publishedByOfficer: varchar('published_by_officer', { length: 64 }),
    publishedAt: instant('published_at').notNull(),
    closedAt: instant('closed_at'),
    /**
     * Who withdrew it: the client of charityNeedWithdraw and the officer it named (X-Officer), or, for
     * CONSENT_REVOKED, the consent's revoking client and officer. Null while it is not withdrawn, for
     * one withdrawn by the description screen (db/setup/upgrades.ts), for an officer not named, and
     * for withdrawals before they were recorded. The first withdrawal's: a need withdrawn stays so.
     */
    withdrawnByClient: varchar('withdrawn_by_client', { length: 64 }),
    withdrawnByOfficer: varchar('withdrawn_by_officer', { length: 64 }),
    /** The publishing client's idempotency key, when given: a retried publication publishes once. */
    publishKey: varchar('publish_key', { length: 64 }),
    /** keyDigest of `<published_by_client>:<publish_key>` (db/idempotency-key.ts): keys differing in case or trailing spaces are two keys. */
    publishKeySha256: keyDigestColumn('publish_key_sha256'),
    /**
     * Why the office published it while government aid for the same kind of need was decided and not
     * yet given (GOVERNMENT_AID_PENDING overridden, domain/charity/government-pending.ts): shown to
     * the claiming charity. Null when nothing was pending at publication, and for needs published before.
     */
    governmentAidPendingReason: varchar('government_aid_pending_reason', { length: 500 }),
  },
  (t) => [
    index('charity_need_county_state').on(t.countyCode, t.state),
    index('charity_need_household').on(t.householdId),
    index('charity_need_consent').on(t.consentId),
    unique('charity_need_publish_key_sha256').on(t.publishKeySha256),
  ],
);

/** A charity's claim on a need: it alone (with other claimants) may read the sealed detail until it lapses. */
export const charityClaim = mysqlTable(
  'charity_claim',
  {
    id: id('id').autoincrement().primaryKey(),
    needId: id('need_id').notNull(),
    creditCode: char('credit_code', { length: 18 }).notNull(),
    claimedAt: instant('claimed_at').notNull(),
    /** The last day the claim holds: N working days after the claim (CHARITY_CLAIM_WORKING_DAYS). */
    lapsesOn: date('lapses_on', { mode: 'string' }).notNull(),
    /**
     * The day and the working days lapsesOn was counted from and by (CHARITY_CLAIM_WORKING_DAYS
     * then), so that a start under another holiday calendar counts it again
     * (db/charity/claim-recount.ts). NULL: a claim made before these columns, whose count is not
     * known; its day is kept.
     */
    countedFrom: date('counted_from', { mode: 'string' }),
    workingDays: smallint('working_days'),
    /** When the organisation released it (charityClaimRelease); null while it holds. A claim made again renews the row and clears it. */
    releasedAt: instant('released_at'),
  },
  (t) => [unique('charity_claim_need_org').on(t.needId, t.creditCode)],
);

/**
 * A claim released by its organisation (charityClaimRelease): which claim (the day it was made),
 * why, under the organisation's own reference, who and when. The claim row holds whether it runs
 * now; these rows are the need's history of releases, shown to the office.
 */
export const charityClaimRelease = mysqlTable(
  'charity_claim_release',
  {
    id: id('id').autoincrement().primaryKey(),
    needId: id('need_id').notNull(),
    creditCode: char('credit_code', { length: 18 }).notNull(),
    /** When the released claim was made (a claim made again after a release is another). */
    claimedAt: instant('claimed_at').notNull(),
    /** The organisation's own reference, unique per organisation: a retry releases once. */
    reference: varchar('reference', { length: 64 }).notNull(),
    reason: varchar('reason', { length: 200 }).notNull(),
    recordedByClient: varchar('recorded_by_client', { length: 64 }).notNull(),
    /** The officer the releasing client named (X-Officer, screened as the header is); null when the client named none, and before officers were recorded. */
    recordedByOfficer: varchar('recorded_by_officer', { length: 64 }),
    releasedAt: instant('released_at').notNull(),
  },
  (t) => [unique('charity_claim_release_reference').on(t.creditCode, t.reference), index('charity_claim_release_need').on(t.needId)],
);

export const charityPledge = mysqlTable(
  'charity_pledge',
  {
    id: id('id').autoincrement().primaryKey(),
    needId: id('need_id').notNull(),
    creditCode: char('credit_code', { length: 18 }).notNull(),
    projectId: id('project_id'),
    amountFen: fen('amount_fen').notNull(),
    deliveredFen: fen('delivered_fen').notNull(),
    pledgedAt: instant('pledged_at').notNull(),
    /** The charity's own reference, unique per charity when given: a retried pledge is recorded once. */
    reference: varchar('reference', { length: 64 }),
    /** The client that pledged (the organisation's: creditCode), kept from when officers were recorded; null before. */
    pledgedByClient: varchar('pledged_by_client', { length: 64 }),
    /** The officer the pledging client named (X-Officer, screened as the header is); null when the client named none, and before officers were recorded. */
    pledgedByOfficer: varchar('pledged_by_officer', { length: 64 }),
  },
  (t) => [index('charity_pledge_need').on(t.needId), unique('charity_pledge_reference').on(t.creditCode, t.reference)],
);

/** Aid a charity reports as delivered against its pledge: aid in the household's chain. */
export const charityDelivery = mysqlTable(
  'charity_delivery',
  {
    id: id('id').autoincrement().primaryKey(),
    pledgeId: id('pledge_id').notNull(),
    needId: id('need_id').notNull(),
    caseId: id('case_id').notNull(),
    householdId: id('household_id').notNull(),
    beneficiaryIdNumber: char('beneficiary_id_number', { length: 18 }).notNull(),
    creditCode: char('credit_code', { length: 18 }).notNull(),
    amountFen: fen('amount_fen').notNull(),
    deliveredOn: date('delivered_on', { mode: 'string' }).notNull(),
    /** The charity's own reference, unique per charity: a repeated report is recorded once. */
    reference: varchar('reference', { length: 64 }).notNull(),
    /** The hospital settlement it pays towards, for a medical need (rule X7). */
    settlementReference: varchar('settlement_reference', { length: 64 }),
    reportedAt: instant('reported_at').notNull(),
    /**
     * DELIVERY (as reported), CORRECTION (a new amount or day for the entry it supersedes) or
     * REVERSAL (the entry it supersedes did not happen; amount 0). Entries are never rewritten: a
     * correction or cancellation is a new row, the earlier one gaining only `superseded_by`, as in
     * the reported-aid ledger, which records each in the same transaction.
     */
    entryKind: varchar('entry_kind', { length: 12 }).$type<'DELIVERY' | 'CORRECTION' | 'REVERSAL'>().notNull().default('DELIVERY'),
    /** The entry a CORRECTION or REVERSAL supersedes. */
    supersedesId: id('supersedes_id'),
    /** The entry that superseded this one; null while it stands. */
    supersededBy: id('superseded_by'),
    /** Why a CORRECTION or REVERSAL was made (the organisation's words, no person named). */
    reason: varchar('reason', { length: 200 }),
    /** The client that wrote a CORRECTION or REVERSAL. */
    recordedByClient: varchar('recorded_by_client', { length: 64 }),
    /** The officer the client writing the entry named (a delivery as reported, a correction or a cancellation) (X-Officer, screened as the header is); null when the client named none, and before officers were recorded. */
    recordedByOfficer: varchar('recorded_by_officer', { length: 64 }),
  },
  (t) => [unique('charity_delivery_reference').on(t.creditCode, t.reference), index('charity_delivery_household').on(t.householdId), index('charity_delivery_need').on(t.needId)],
);

/**
 * A pledge reduced by the organisation that made it (charityPledgeReduce): the amount before and
 * after, why, who, when. The pledge row holds the amount now; these rows are its history.
 */
export const charityPledgeReduction = mysqlTable(
  'charity_pledge_reduction',
  {
    id: id('id').autoincrement().primaryKey(),
    pledgeId: id('pledge_id').notNull(),
    needId: id('need_id').notNull(),
    creditCode: char('credit_code', { length: 18 }).notNull(),
    /** The charity's own reference for the reduction, unique per charity: a retry reduces once. */
    reference: varchar('reference', { length: 64 }).notNull(),
    amountBeforeFen: fen('amount_before_fen').notNull(),
    amountAfterFen: fen('amount_after_fen').notNull(),
    reason: varchar('reason', { length: 200 }).notNull(),
    recordedByClient: varchar('recorded_by_client', { length: 64 }).notNull(),
    /** The officer the reducing client named (X-Officer, screened as the header is); null when the client named none, and before officers were recorded. */
    recordedByOfficer: varchar('recorded_by_officer', { length: 64 }),
    recordedAt: instant('recorded_at').notNull(),
  },
  (t) => [unique('charity_pledge_reduction_reference').on(t.creditCode, t.reference), index('charity_pledge_reduction_pledge').on(t.pledgeId)],
);

export const charityProject = mysqlTable(
  'charity_project',
  {
    id: id('id').autoincrement().primaryKey(),
    creditCode: char('credit_code', { length: 18 }).notNull(),
    title: varchar('title', { length: 100 }).notNull(),
    purpose: mysqlEnum('purpose', PURPOSE).notNull(),
    /** The area it serves: a city, county or township code. */
    regionCode: varchar('region_code', { length: 12 }).notNull(),
    budgetLeftFen: fen('budget_left_fen').notNull(),
    /** The budget it was created with (a retried creation is compared with it); null for projects created before it was kept. */
    budgetFen: fen('budget_fen'),
    /** The organisation's own reference, unique per organisation: a retried creation creates once. Null for projects created before it was required. */
    reference: varchar('reference', { length: 64 }),
  },
  (t) => [index('charity_project_purpose').on(t.purpose, t.regionCode), unique('charity_project_reference').on(t.creditCode, t.reference)],
);

/**
 * One row per organisation (by 统一社会信用代码) that a charity's two paths of recording aid (a
 * delivery against a need, aidReport) lock before comparing with its ledger, in the transaction that
 * writes (db/charity/store.ts organisationStandingAid): the same aid sent through both at once is then
 * recorded once. Made in that transaction when missing (INSERT … ON DUPLICATE KEY UPDATE, then a
 * locking read by key, as household_decision_lock is), so every organisation has one to lock: the
 * lock was its charity_organisation_name row, and an organisation without one (loaded or repaired by
 * hand) locked nothing and took the same aid twice.
 */
export const charityOrganisationLock = mysqlTable('charity_organisation_lock', {
  creditCode: char('credit_code', { length: 18 }).primaryKey(),
});
