/**
 * Reads and writes of the charity-linkage tables. Each pledge and delivery is one transaction whose
 * first read locks the need's row (SELECT … FOR UPDATE, by primary key): concurrent pledges to one
 * need queue on that row, each sees the totals the one before left, and the one that would go
 * beyond what is uncovered is refused. The outcome does not depend on timing: pledges are served
 * in lock order and the sum accepted never exceeds the need.
 */
import { and, asc, desc, eq, getTableColumns, getTableName, gte, inArray, isNotNull, isNull, like, lt, ne, not, or, sql, type SQL } from 'drizzle-orm';
import type { IsoDate } from '../../domain/dates';
import { deliveryDateProblem, earliestDeliveryOn, revokedConsentProblem, isMinorOn, minorBornAfter, needTextsTellMinor, pledgeProblem, pledgeStanding, projectMatches, publishedConsentProblem, screenPublishedNeed, type ConsentScope, type NeedPurpose, type NeedState } from '../../domain/charity/needs';
import { ok, refuse, type CharityOutcome, type CharityUserError } from '../../domain/charity/errors';
import type { HubDb } from '../connect';
import type { HubQuery, HubTx } from '../cases/records';
import { ensureLockRow, lockingTransaction, lockMadeRow, type LockingTx } from '../locking';
import { household, householdMember, person, region } from '../household/schema';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../instants';
import { keyDigest } from '../idempotency-key';
import { chinaDateOf } from '../../domain/cases/china-time';
import { addWorkingDays } from '../../domain/cases/working-days';
import { birthDateOf } from '../../domain/id-number';
import { charityClaim, charityClaimRelease, charityConsent, charityDelivery, charityNeed, charityOrganisationLock, charityPledge, charityPledgeReduction, charityProject } from './schema';
import { charityOrganisation, charityOrganisationName, reportedAid } from '../reported-aid/schema';
import { apiClient } from '../access/schema';
import { alias } from 'drizzle-orm/mysql-core';
import { bindCharity, charityOf, nameOfCreditCode } from '../reported-aid/store';
import { decisionTurnMoved, isDuplicateKey, lockCase } from '../cases/write';
import { referenceKey } from '../../domain/reported-aid/validate';
import { HUB_ID } from '../../domain/hub-id';

/** A charity organisation as the linkage shows it: its code (the ledger's `charity_organisation`, per client) and its one name. */
export interface OrganisationRecord {
  creditCode: string;
  name: string;
}
export type ProjectRecord = typeof charityProject.$inferSelect;
export type ClaimRecord = typeof charityClaim.$inferSelect;

export interface ConsentRecord {
  id: number;
  householdId: number;
  scopes: ConsentScope[];
  givenBy: string;
  recordedByClient: string;
  recordedByOfficer: string;
  recordedAt: Date;
  expiresOn: IsoDate;
  revokedAt: Date | null;
  revokedByClient: string | null;
  /** The officer the revoking request named (X-Officer), or null. */
  revokedByOfficer: string | null;
  /** The recording client's idempotency key, when it gave one. */
  recordKey: string | null;
}

export interface NeedRecord {
  id: number;
  caseId: number;
  householdId: number;
  consentId: number;
  countyCode: string;
  purpose: NeedPurpose;
  urgency: 'EMERGENCY' | 'URGENT' | 'NORMAL';
  uncoveredFen: number;
  pledgedFen: number;
  deliveredFen: number;
  description: string;
  involvesHealth: boolean;
  involvesMinor: boolean;
  beneficiaryIdNumber: string | null;
  state: NeedState;
  closeReason: string | null;
  publishedByClient: string;
  /** The officer the publishing request named (X-Officer), or null. */
  publishedByOfficer: string | null;
  publishedAt: Date;
  closedAt: Date | null;
  /** Who withdrew it (for CONSENT_REVOKED, who revoked the consent), or null: schema.ts withdrawnByClient. */
  withdrawnByClient: string | null;
  withdrawnByOfficer: string | null;
  /** The publishing client's idempotency key, when it gave one. */
  publishKey: string | null;
  /** Why it was published while government aid for it was decided and not yet given (schema.ts), or null. */
  governmentAidPendingReason: string | null;
}

export interface PledgeRecord {
  id: number;
  needId: number;
  creditCode: string;
  projectId: number | null;
  amountFen: number;
  deliveredFen: number;
  pledgedAt: Date;
  reference: string | null;
  /** The client that pledged and the officer its request named (X-Officer); null for pledges made before they were kept. */
  pledgedByClient: string | null;
  pledgedByOfficer: string | null;
}

export interface DeliveryRecord {
  id: number;
  pledgeId: number;
  needId: number;
  caseId: number;
  householdId: number;
  beneficiaryIdNumber: string;
  creditCode: string;
  amountFen: number;
  deliveredOn: IsoDate;
  reference: string;
  settlementReference: string | null;
  reportedAt: Date;
  /** DELIVERY as reported, or a CORRECTION or REVERSAL of the entry `supersedesId`. */
  entryKind: 'DELIVERY' | 'CORRECTION' | 'REVERSAL';
  supersedesId: number | null;
  /** The entry that superseded this one; null while it stands. */
  supersededBy: number | null;
  reason: string | null;
  recordedByClient: string | null;
  /** The officer the request writing the entry named (X-Officer), or null. */
  recordedByOfficer: string | null;
}

/** Whether a delivery entry is aid the household holds now: not superseded, and not a cancellation. */
export function deliveryStands(d: Pick<DeliveryRecord, 'entryKind' | 'supersededBy'>): boolean {
  return d.supersededBy === null && d.entryKind !== 'REVERSAL';
}

export type PledgeReductionRecord = Omit<typeof charityPledgeReduction.$inferSelect, 'recordedAt'> & { recordedAt: Date };

const consentRecord = (r: typeof charityConsent.$inferSelect): ConsentRecord => ({
  ...r,
  scopes: r.scopes.split(',').filter(Boolean) as ConsentScope[],
  recordedAt: fromDbInstant(r.recordedAt),
  revokedAt: fromDbInstantOrNull(r.revokedAt),
});
/**
 * A need as read: involvesMinor is also true where its texts tell of a child under 14
 * (needTextsTellMinor), which publication asked MINOR_DATA for: read from members' birth dates
 * alone (concernsMinorToday), a need for the mother telling of a 3-year-old read false to the
 * charities and offices judging what consent it rests on.
 */
const needRecord = (r: typeof charityNeed.$inferSelect): NeedRecord => ({ ...r, involvesMinor: r.involvesMinor || needTextsTellMinor(r), publishedAt: fromDbInstant(r.publishedAt), closedAt: fromDbInstantOrNull(r.closedAt) });
const pledgeRecord = (r: typeof charityPledge.$inferSelect): PledgeRecord => ({ ...r, pledgedAt: fromDbInstant(r.pledgedAt) });
const deliveryRecord = (r: typeof charityDelivery.$inferSelect): DeliveryRecord => ({ ...r, reportedAt: fromDbInstant(r.reportedAt) });

// ----- Organisations and projects ---------------------------------------------------------------

export async function organisationByClient(db: HubQuery, clientName: string): Promise<OrganisationRecord | null> {
  return charityOf(db, clientName);
}

export async function organisationsByCodes(db: HubQuery, codes: readonly string[]): Promise<OrganisationRecord[]> {
  if (codes.length === 0) return [];
  // One row per code, its one name (charity_organisation_name): not one per client of the organisation.
  return db.select({ creditCode: charityOrganisationName.creditCode, name: charityOrganisationName.name }).from(charityOrganisationName).where(inArray(charityOrganisationName.creditCode, [...codes]));
}

/**
 * A write that a sending at the same moment may have made first: `write`'s outcome, or, when it
 * fails on the unique key `key`, the row that won (read again) answered by `answer`, as a
 * sequential retry is answered.
 */
async function orFirstAtKey<R, T>(write: () => Promise<CharityOutcome<T>>, key: string, first: () => Promise<R | null>, answer: (row: R) => CharityOutcome<T>): Promise<CharityOutcome<T>> {
  try {
    return await write();
  } catch (error) {
    const won = isDuplicateKey(error, key) ? await first() : null;
    if (won) return answer(won);
    throw error;
  }
}

/**
 * Binds a checked credit code to a charity client, once: re-registering the same code answers as
 * before, another code is refused (ORGANISATION_ALREADY_REGISTERED). An organisation may have
 * several clients (its offices; corrections under the correcting client, reportedAidHistory across
 * them), but one name: a client giving a code another client registered under another name is
 * refused (ORGANISATION_NAME_CONFLICT), so a look-up by code finds one organisation. Both rows are
 * keys (the client's in charity_organisation, the code's in charity_organisation_name): of two
 * registrations sent at once, one insert wins and the other fails on the key, keeps nothing, and is
 * answered as if it came second, never overwriting the first.
 */
export async function registerOrganisation(db: HubDb, v: { creditCode: string; name: string; clientName: string }): Promise<CharityOutcome<OrganisationRecord>> {
  const attempt = async (): Promise<CharityOutcome<OrganisationRecord>> => {
    const existing = await charityOf(db, v.clientName);
    if (existing) return registeredAlready(existing, v);
    const named = await nameOfCreditCode(db, v.creditCode);
    if (named !== null && named !== v.name) return nameConflict();
    await bindCharity(db, v.clientName, v.creditCode, v.name, named === null);
    return ok({ creditCode: v.creditCode, name: v.name });
  };
  try {
    return await attempt();
  } catch (error) {
    // Both keys are primary keys: MariaDB names the key PRIMARY, MySQL <table>.PRIMARY.
    if (!isDuplicateKey(error, 'PRIMARY')) throw error;
    // Met a registration sent at the same moment: answered from what it left (the client bound, or
    // the code named, under the same name or another).
    return attempt();
  }
}

function registeredAlready(existing: OrganisationRecord, v: { creditCode: string }): CharityOutcome<OrganisationRecord> {
  if (existing.creditCode === v.creditCode) return ok(existing, true);
  return refuse('ORGANISATION_ALREADY_REGISTERED', 'this client is bound to another organisation already', ['input', 'creditCode']);
}

function nameConflict(): CharityOutcome<OrganisationRecord> {
  return refuse('ORGANISATION_NAME_CONFLICT', 'another client registered this credit code under another name: give the organisation’s registered name', ['input', 'name']);
}

/** A project as its organisation asks for it: the budget it starts with, and its own reference when given. */
export type NewProject = Omit<ProjectRecord, 'id' | 'budgetLeftFen' | 'budgetFen' | 'reference'> & { budgetFen: number; reference?: string | null };

export async function createProject(db: HubQuery, v: NewProject): Promise<ProjectRecord> {
  const values = { ...v, reference: v.reference ?? null, budgetLeftFen: v.budgetFen };
  const [res] = await db.insert(charityProject).values(values);
  return { id: res.insertId, ...values };
}

/** The project an organisation created under its reference, if any (compared as the unique key compares). */
export async function projectByReference(db: HubQuery, creditCode: string, reference: string): Promise<ProjectRecord | null> {
  const [row] = await db.select().from(charityProject).where(and(eq(charityProject.creditCode, creditCode), eq(charityProject.reference, reference)));
  return row ?? null;
}

/**
 * The project created first under a reference, replayed, when it is the one asked for (the same
 * title, purpose, area and starting budget, whatever was pledged from it since);
 * PROJECT_REFERENCE_REUSED otherwise.
 */
function replayOfProject(first: ProjectRecord, v: NewProject): CharityOutcome<ProjectRecord> {
  const same = first.title === v.title && first.purpose === v.purpose && first.regionCode === v.regionCode && first.budgetFen === v.budgetFen;
  return same ? ok(first, true) : refuse('PROJECT_REFERENCE_REUSED', 'this reference was used for a different project of the organisation', ['input', 'reference']);
}

/**
 * Creates a project under the organisation's reference, once: a retry after a lost answer finds the
 * first; the same request sent twice at once meets the first at the unique key
 * (charity_project_reference) and is answered with it, replayed.
 */
export async function createProjectOnce(db: HubDb, v: NewProject & { reference: string }): Promise<CharityOutcome<ProjectRecord>> {
  const earlier = await projectByReference(db, v.creditCode, v.reference);
  if (earlier) return replayOfProject(earlier, v);
  return orFirstAtKey(async () => ok(await createProject(db, v)), 'charity_project_reference', () => projectByReference(db, v.creditCode, v.reference), (first) => replayOfProject(first, v));
}

/** Projects with budget left, optionally within a division (a project for a whole city matches its counties) and of a purpose. */
/** Projects with budget left, optionally of one purpose, oldest first (which divisions they serve: domain/charity/needs.ts projectServesDivision). */
export async function listProjects(db: HubQuery, f: { purpose?: NeedPurpose | null }): Promise<ProjectRecord[]> {
  const conds = [sql`${charityProject.budgetLeftFen} > 0`];
  if (f.purpose) conds.push(eq(charityProject.purpose, f.purpose));
  return db.select().from(charityProject).where(and(...conds)).orderBy(asc(charityProject.id));
}

export async function projectsByPurposes(db: HubQuery, purposes: readonly NeedPurpose[]): Promise<ProjectRecord[]> {
  if (purposes.length === 0) return [];
  return db.select().from(charityProject).where(and(inArray(charityProject.purpose, [...purposes]), sql`${charityProject.budgetLeftFen} > 0`)).orderBy(asc(charityProject.id));
}

// ----- Consent ---------------------------------------------------------------------------------

export type NewConsent = Omit<ConsentRecord, 'id' | 'revokedAt' | 'revokedByClient' | 'revokedByOfficer' | 'recordKey'> & { recordKey?: string | null };

export async function recordConsent(db: HubQuery, v: NewConsent): Promise<ConsentRecord> {
  const recordKey = v.recordKey ?? null;
  const [res] = await db.insert(charityConsent).values({ ...v, recordKey, recordKeySha256: recordKey === null ? null : clientKeyDigest(v.recordedByClient, recordKey), scopes: [...new Set(v.scopes)].join(','), recordedAt: toDbInstant(v.recordedAt) });
  return (await consentById(db, res.insertId))!;
}

/** A client's idempotency key as a consent or a need is found by: `<client>:<key>` hashed (db/idempotency-key.ts), so keys are one only byte for byte. */
const clientKeyDigest = (client: string, key: string) => keyDigest(`${client}:${key}`);

/** The consent a client recorded under an idempotency key, if any. */
export async function consentByRecordKey(db: HubQuery, client: string, key: string): Promise<ConsentRecord | null> {
  const [row] = await db.select().from(charityConsent).where(eq(charityConsent.recordKeySha256, clientKeyDigest(client, key)));
  return row ? consentRecord(row) : null;
}

/**
 * Whether a consent, recorded or given again, is the one asked for: the same household, scopes (in
 * any order), giver, last day and officer.
 */
export function sameConsent(recorded: ConsentRecord, v: NewConsent): boolean {
  const scopes = (list: readonly string[]) => [...new Set(list)].sort().join(',');
  return recorded.householdId === v.householdId && scopes(recorded.scopes) === scopes(v.scopes) && recorded.givenBy === v.givenBy && recorded.expiresOn === v.expiresOn && recorded.recordedByOfficer === v.recordedByOfficer;
}

/**
 * Records a consent under a client's idempotency key not yet used (the caller looked): the same
 * request sent twice at once meets the first at the unique key and is answered with it, replayed;
 * the key with another consent is IDEMPOTENCY_KEY_REUSED.
 */
export async function recordConsentOnce(db: HubDb, v: NewConsent & { recordKey: string }): Promise<CharityOutcome<ConsentRecord>> {
  return orFirstAtKey(async () => ok(await recordConsent(db, v)), 'charity_consent_record_key_sha256', () => consentByRecordKey(db, v.recordedByClient, v.recordKey), (first) => replayOfConsent(first, v));
}

/** The consent recorded first under a key, replayed, when it is the one asked for; IDEMPOTENCY_KEY_REUSED otherwise. */
export function replayOfConsent(first: ConsentRecord, v: NewConsent): CharityOutcome<ConsentRecord> {
  return sameConsent(first, v) ? ok(first, true) : refuse('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different consent', ['input', 'idempotencyKey']);
}

export async function consentById(db: HubQuery, id: number): Promise<ConsentRecord | null> {
  const [row] = await db.select().from(charityConsent).where(eq(charityConsent.id, id));
  return row ? consentRecord(row) : null;
}

export async function consentsByIds(db: HubQuery, ids: readonly number[]): Promise<ConsentRecord[]> {
  if (ids.length === 0) return [];
  return (await db.select().from(charityConsent).where(inArray(charityConsent.id, [...ids]))).map(consentRecord);
}

/** Who writes: the client and the officer its request named (X-Officer), or null. */
export interface Writer {
  client: string;
  officer: string | null;
}

/**
 * A need's columns when its consent's revocation withdraws it: its withdrawers are the consent's
 * revokers (the first revocation's, a retry changing nothing).
 */
function withdrawnByRevocation(consent: Pick<ConsentRecord, 'revokedByClient' | 'revokedByOfficer'>, at: string) {
  return { state: 'WITHDRAWN' as const, closeReason: 'CONSENT_REVOKED', closedAt: at, withdrawnByClient: consent.revokedByClient, withdrawnByOfficer: consent.revokedByOfficer };
}

/**
 * Revokes a consent and, in the same transaction, withdraws every open need published under it:
 * from that moment no charity lists or opens them. Pledges and deliveries already made stay on record.
 * A consent revoked already keeps its first revocation's time, client and officer.
 */
export async function revokeConsent(db: HubDb, consentId: number, by: Writer, now: Date): Promise<{ consent: ConsentRecord; withdrawnNeeds: number } | null> {
  return db.transaction(async (tx) => {
    const at = toDbInstant(now);
    await tx.update(charityConsent).set({ revokedAt: at, revokedByClient: by.client, revokedByOfficer: by.officer }).where(and(eq(charityConsent.id, consentId), isNull(charityConsent.revokedAt)));
    const consent = await consentById(tx, consentId);
    if (!consent) return null;
    const [res] = await tx
      .update(charityNeed)
      .set(withdrawnByRevocation(consent, at))
      .where(and(eq(charityNeed.consentId, consentId), eq(charityNeed.state, 'OPEN')));
    return { consent, withdrawnNeeds: res.affectedRows };
  });
}

// ----- Needs -----------------------------------------------------------------------------------

export type NewNeed = Omit<NeedRecord, 'id' | 'pledgedFen' | 'deliveredFen' | 'state' | 'closeReason' | 'closedAt' | 'withdrawnByClient' | 'withdrawnByOfficer' | 'publishKey'> & { publishKey?: string | null };

export async function insertNeed(db: HubQuery, v: NewNeed): Promise<NeedRecord> {
  const publishKey = v.publishKey ?? null;
  const [res] = await db.insert(charityNeed).values({ ...v, publishKey, publishKeySha256: publishKey === null ? null : clientKeyDigest(v.publishedByClient, publishKey), pledgedFen: 0, deliveredFen: 0, state: 'OPEN', publishedAt: toDbInstant(v.publishedAt) });
  return (await needById(db, res.insertId))!;
}

/** The need a client published under an idempotency key, if any, as it stands today (involvesMinor as of `today`, concernsMinorToday). */
export async function needByPublishKey(db: HubQuery, client: string, key: string, today: IsoDate): Promise<NeedRecord | null> {
  const [row] = await db.select(needColumnsToday(today)).from(charityNeed).where(eq(charityNeed.publishKeySha256, clientKeyDigest(client, key)));
  return row ? needRecord(row) : null;
}

/**
 * Whether a need published under a key answers this request: the same case, consent, purpose,
 * urgency, amount, description and beneficiary. Replayed when it does, IDEMPOTENCY_KEY_REUSED otherwise.
 */
export function replayOfPublication(existing: NeedRecord, v: NewNeed): CharityOutcome<NeedRecord> {
  const same =
    existing.caseId === v.caseId &&
    existing.consentId === v.consentId &&
    existing.purpose === v.purpose &&
    existing.urgency === v.urgency &&
    existing.uncoveredFen === v.uncoveredFen &&
    existing.description === v.description &&
    existing.beneficiaryIdNumber === v.beneficiaryIdNumber;
  return same ? ok(existing, true) : refuse('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different need', ['input', 'idempotencyKey']);
}

/**
 * Publishes a need under an existing consent, in one transaction that locks its case's row
 * (lockCaseOfNeed), then the consent's (by primary key): a revocation landing meanwhile either commits first, and the need is refused
 * CONSENT_REVOKED, or waits for the need and withdraws it with the others. Checked outside, a consent
 * revoked between the check and the insert left an OPEN need under a revoked consent.
 */
export async function insertNeedUnderConsent(db: HubDb, v: NewNeed, today: IsoDate, decisionsSeen: number, caseField: string[] = ['input', 'caseId']): Promise<CharityOutcome<NeedRecord>> {
  try {
    return await insertNeedUnderConsentOnce(db, v, today, decisionsSeen, caseField);
  } catch (error) {
    // The same key sent at once under two consents: the unique key keeps one; the other is answered as a retry.
    if (v.publishKey && isDuplicateKey(error, 'charity_need_publish_key_sha256')) return insertNeedUnderConsentOnce(db, v, today, decisionsSeen, caseField);
    throw error;
  }
}

async function insertNeedUnderConsentOnce(db: HubDb, v: NewNeed, today: IsoDate, decisionsSeen: number, caseField: string[]): Promise<CharityOutcome<NeedRecord>> {
  return lockingTransaction(db, async (tx) => {
    const ended = await lockCaseOfNeed(tx, v.caseId, caseField);
    const moved = await decisionsMovedSince(tx, v.householdId, decisionsSeen);
    const [consent] = await tx.select({ revokedAt: charityConsent.revokedAt }).from(charityConsent).where(eq(charityConsent.id, v.consentId)).for('update');
    // A retry sent at once with the first waited on the consent's row: it finds the first's need.
    const existing = v.publishKey ? await needByPublishKey(tx, v.publishedByClient, v.publishKey, today) : null;
    if (existing) return replayOfPublication(existing, v);
    if (ended) return ended;
    if (moved) return moved;
    if (!consent || consent.revokedAt !== null) return refuse('CONSENT_REVOKED', 'the household has revoked its consent', ['input', 'consentId']);
    return ok(await insertNeed(tx, v));
  });
}

/**
 * Locks the row of the case a need is published from, the first lock of the publication's
 * transaction (a decision write takes its case row before the household's decision turn too), and
 * tells whether the case ended so that no need stands on it: WITHDRAWN (opened by mistake) or
 * HANDED_OVER (its successor, in the county the household moved to, goes on with it). Those moves
 * are refused while a need of the case is open (CHARITY_NEEDS_OPEN, db/cases/store.ts, under the
 * same row lock), but a need could be published after them: before charities, with its case's
 * reference, for a household whose case was the wrong one, or another county's matter now. Under the
 * lock a withdrawal and a publication at the same moment take turns: one of them is refused.
 * Rejected and closed cases keep publishing: charity is for those government aid did not take, or
 * left in difficulty (民发〔2023〕46号).
 */
export async function lockCaseOfNeed(tx: LockingTx, caseId: number, field: string[]): Promise<CharityOutcome<never> | null> {
  const c = await lockCase(tx, caseId);
  if (c?.state === 'WITHDRAWN') return refuse('CASE_WITHDRAWN', 'the case was withdrawn (opened by mistake): no need is published from it', field);
  if (c?.state === 'HANDED_OVER') return refuse('CASE_HANDED_OVER', 'the case was handed over to the county the household moved to: publish the need from its successor there', field);
  return null;
}

/**
 * Takes the household's decision turn (household_decision_lock, as meetingRecord, decisionCorrect
 * and referralReassign take it to issue slips) for the rest of a need's publication, and tells
 * whether a decision was issued to the household since `decisionsSeen` was read (before its
 * decisions not yet given were read for GOVERNMENT_AID_PENDING): HOUSEHOLD_DECISIONS_CHANGED, which
 * the resolver answers by checking again. Without it a slip issued between the check and the insert
 * left the need published with no reason. Taken after the case's row, as a decision write takes it
 * (lockCaseOfNeed), and before the consent's.
 */
export async function decisionsMovedSince(tx: LockingTx, householdId: number, decisionsSeen: number): Promise<CharityOutcome<never> | null> {
  return (await decisionTurnMoved(tx, householdId, decisionsSeen)) ? refuse('HOUSEHOLD_DECISIONS_CHANGED', 'a decision was issued to the household while the need was checked: check it again (send it again)', null) : null;
}

export async function needById(db: HubQuery, id: number): Promise<NeedRecord | null> {
  const [row] = await db.select().from(charityNeed).where(eq(charityNeed.id, id));
  return row ? needRecord(row) : null;
}

/**
 * Whether a need concerns a child under 14 today, as one SQL expression (so a list reads it in its
 * own statement, however many needs): for a need of the whole household, a current member under 14
 * today (a child who joined since, or a need published before household needs counted the
 * household's children); for one member's, that member. Read, not stored: a stored flag would go
 * stale as children join and every day as they age, with nothing to tell it. Not the flag stored at
 * publication either: a child who has turned 14 is no longer one whose data need the separate
 * consent (PIPL art. 28, 31: the age is the person's, as the data are processed), and a need
 * published today for that household would not ask for MINOR_DATA (domain concernsMinor), so one
 * published earlier does not keep asking for it. The birth date is the ID number's (GB 11643 digits 7-14).
 */
function concernsMinorToday(today: IsoDate) {
  const bornAfter = minorBornAfter(today);
  // Qualified by hand: drizzle leaves a one-table query's columns unqualified, and inside the
  // subquery an unqualified household_id would be the member's own.
  const need = (column: string) => sql`${sql.identifier(getTableName(charityNeed))}.${sql.identifier(column)}`;
  const member = (column: string) => sql`${sql.identifier('m')}.${sql.identifier(column)}`;
  return sql`(CASE WHEN ${need(charityNeed.beneficiaryIdNumber.name)} IS NULL
    THEN EXISTS (SELECT 1 FROM ${householdMember} ${sql.identifier('m')} WHERE ${member(householdMember.householdId.name)} = ${need(charityNeed.householdId.name)} AND ${member(householdMember.leftOn.name)} IS NULL AND SUBSTRING(${member(householdMember.idNumber.name)}, 7, 8) > ${bornAfter})
    ELSE SUBSTRING(${need(charityNeed.beneficiaryIdNumber.name)}, 7, 8) > ${bornAfter} END)`.mapWith((v) => Number(v) === 1);
}

/** A need's columns, involvesMinor as it stands today (concernsMinorToday). */
function needColumnsToday(today: IsoDate) {
  return { ...getTableColumns(charityNeed), involvesMinor: concernsMinorToday(today) };
}

/** A need as it stands today: involvesMinor counts the household's children of today (concernsMinorToday). */
export async function needToday(db: HubQuery, id: number, today: IsoDate): Promise<NeedRecord | null> {
  const [row] = await db.select(needColumnsToday(today)).from(charityNeed).where(eq(charityNeed.id, id));
  return row ? needRecord(row) : null;
}

export async function needsByIds(db: HubQuery, ids: readonly number[]): Promise<NeedRecord[]> {
  if (ids.length === 0) return [];
  return (await db.select().from(charityNeed).where(inArray(charityNeed.id, [...ids]))).map(needRecord);
}

/** The needs of households, newest first, involvesMinor as it stands today (concernsMinorToday). */
export async function needsByHouseholds(db: HubQuery, householdIds: readonly number[], today: IsoDate): Promise<NeedRecord[]> {
  if (householdIds.length === 0) return [];
  return (await db.select(needColumnsToday(today)).from(charityNeed).where(inArray(charityNeed.householdId, [...householdIds])).orderBy(desc(charityNeed.id))).map(needRecord);
}

/**
 * Open needs whose consent still holds today and still covers what they rest on (health data as
 * published; a child under 14 as the household stands today, concernsMinorToday:
 * publishedConsentProblem's rule), in counties under `prefix`, newest first, older than the need
 * `beforeId` when given (the page after it: ids only grow, so a need published meanwhile is not
 * slipped into a later page, nor one repeated). One statement.
 */
export async function openNeedsWithin(db: HubQuery, prefix: string, today: IsoDate, limit: number, beforeId: number | null = null): Promise<NeedRecord[]> {
  const covers = (scope: ConsentScope) => like(charityConsent.scopes, `%${scope}%`);
  const minor = concernsMinorToday(today);
  const rows = await db
    .select({ need: needColumnsToday(today) })
    .from(charityNeed)
    .innerJoin(charityConsent, eq(charityConsent.id, charityNeed.consentId))
    .where(
      and(
        eq(charityNeed.state, 'OPEN'),
        like(charityNeed.countyCode, `${prefix}%`),
        isNull(charityConsent.revokedAt),
        gte(charityConsent.expiresOn, today),
        covers('NEED_PUBLICATION'),
        or(eq(charityNeed.involvesHealth, false), covers('HEALTH_DATA')),
        or(not(minor), covers('MINOR_DATA')),
        beforeId === null ? undefined : lt(charityNeed.id, beforeId),
      ),
    )
    .orderBy(desc(charityNeed.id))
    .limit(limit);
  return rows.map((r) => needRecord(r.need));
}

/**
 * Withdraws an open need, naming who withdrew it; the need as it then stands (involvesMinor as of
 * `today`). One no longer open is left as it is, with whoever withdrew it first.
 */
export async function withdrawNeed(db: HubDb, needId: number, by: Writer, now: Date, today: IsoDate): Promise<NeedRecord | null> {
  await db
    .update(charityNeed)
    .set({ state: 'WITHDRAWN', closeReason: 'WITHDRAWN_BY_OFFICE', closedAt: toDbInstant(now), withdrawnByClient: by.client, withdrawnByOfficer: by.officer })
    .where(and(eq(charityNeed.id, needId), eq(charityNeed.state, 'OPEN')));
  return needToday(db, needId, today);
}

/** The death the hub records for a person (its person register), or null. */
export async function deathDateOf(db: HubQuery, idNumber: string): Promise<IsoDate | null> {
  const [row] = await db.select({ deathDate: person.deathDate }).from(person).where(eq(person.idNumber, idNumber));
  return row?.deathDate ?? null;
}

/**
 * A published need's description screened again against its household as it stands and its consent
 * (domain/charity/needs.ts screenPublishedNeed): the columns to change, none when it passes. Only an
 * open need is listed to charities; a covered or withdrawn one is left as it is.
 */
export async function rescreenedNeed(db: HubQuery, need: { state: string; description: string; involvesHealth: boolean; householdId: number; consentId: number }, closedAt: Date): Promise<Record<string, unknown>> {
  if (need.state !== 'OPEN') return {};
  const members = await currentMembers(db, need.householdId);
  const [place] = await db.select({ name: region.name, level: region.level }).from(household).innerJoin(region, eq(region.code, household.regionCode)).where(eq(household.id, need.householdId));
  const [consent] = await db.select({ scopes: charityConsent.scopes }).from(charityConsent).where(eq(charityConsent.id, need.consentId));
  const screen = screenPublishedNeed(need, { memberNames: members.map((m) => m.name), villageName: place?.level === 'VILLAGE' ? place.name : null }, consent?.scopes.split(',') ?? []);
  if (screen === null) return {};
  if ('restsOnHealth' in screen) return { involvesHealth: true };
  return { state: 'WITHDRAWN', closeReason: screen.withdraw, closedAt: toDbInstant(closedAt) };
}

/** The household's current members (none who left), each once, with the name a description must not carry. */
export async function currentMembers(db: HubQuery, householdId: number): Promise<{ idNumber: string; name: string }[]> {
  return db
    .selectDistinct({ idNumber: householdMember.idNumber, name: person.name })
    .from(householdMember)
    .innerJoin(person, eq(person.idNumber, householdMember.idNumber))
    .where(and(eq(householdMember.householdId, householdId), isNull(householdMember.leftOn)));
}

export async function isCurrentMember(db: HubQuery, householdId: number, idNumber: string): Promise<boolean> {
  const rows = await db
    .select({ id: householdMember.idNumber })
    .from(householdMember)
    .where(and(eq(householdMember.householdId, householdId), eq(householdMember.idNumber, idNumber), isNull(householdMember.leftOn)));
  return rows.length > 0;
}

// ----- Claims ----------------------------------------------------------------------------------

export async function claimOf(db: HubQuery, needId: number, creditCode: string): Promise<ClaimRecord | null> {
  const [row] = await db.select().from(charityClaim).where(and(eq(charityClaim.needId, needId), eq(charityClaim.creditCode, creditCode)));
  return row ?? null;
}

export async function claimsOf(db: HubQuery, needIds: readonly number[], creditCode: string): Promise<ClaimRecord[]> {
  if (needIds.length === 0) return [];
  return db.select().from(charityClaim).where(and(inArray(charityClaim.needId, [...needIds]), eq(charityClaim.creditCode, creditCode)));
}

/** The claims on these needs, every organisation's (running or not: claimActive tells), oldest first. */
export async function claimsByNeeds(db: HubQuery, needIds: readonly number[]): Promise<ClaimRecord[]> {
  if (needIds.length === 0) return [];
  return db.select().from(charityClaim).where(inArray(charityClaim.needId, [...needIds])).orderBy(asc(charityClaim.claimedAt), asc(charityClaim.id));
}

/** A claim runs until its last day, unless its organisation released it (charityClaimRelease). */
export function claimActive(claim: ClaimRecord | null, today: IsoDate): boolean {
  return claim !== null && claim.releasedAt === null && claim.lapsesOn >= today;
}

/**
 * Claims a need for an organisation. A claim still running is kept as it is (claiming again does
 * not extend it); a lapsed or released one is renewed from today.
 */
export async function claimNeed(db: HubDb, v: { needId: number; creditCode: string; workingDays: number; now: Date; today: IsoDate }): Promise<ClaimRecord> {
  // Its last day, `workingDays` working days from today; kept with what it was counted from and by, so a later calendar counts it again (claim-recount.ts).
  const lapsesOn = addWorkingDays(v.today, v.workingDays).date;
  const existing = await claimOf(db, v.needId, v.creditCode);
  if (claimActive(existing, v.today)) return existing!;
  if (existing) {
    await db.update(charityClaim).set({ claimedAt: toDbInstant(v.now), lapsesOn, countedFrom: v.today, workingDays: v.workingDays, releasedAt: null }).where(eq(charityClaim.id, existing.id));
  } else {
    // Two simultaneous first claims by one organisation: the unique key keeps one row, the other reads it.
    await db
      .insert(charityClaim)
      .values({ needId: v.needId, creditCode: v.creditCode, claimedAt: toDbInstant(v.now), lapsesOn, countedFrom: v.today, workingDays: v.workingDays })
      .onDuplicateKeyUpdate({ set: { needId: sql`need_id` } });
  }
  return (await claimOf(db, v.needId, v.creditCode))!;
}

// ----- Pledges and deliveries ------------------------------------------------------------------

/** Locks the need's row for the rest of the transaction. Must be the transaction's first read. */
async function lockNeed(tx: LockingTx, needId: number): Promise<NeedRecord | null> {
  const [row] = await tx.select().from(charityNeed).where(eq(charityNeed.id, needId)).for('update');
  return row ? needRecord(row) : null;
}

export interface PledgeInput {
  needId: number;
  creditCode: string;
  clientName: string;
  /** The officer the request named (X-Officer), kept on the row it writes; not compared on a retry, which keeps the first's. */
  officer: string | null;
  projectId: number | null;
  amountFen: number;
  /** The charity's own reference: the same pledge sent again answers the first (required: nothing else tells a retry from a second pledge). */
  reference: string;
  now: Date;
  today: IsoDate;
}

/**
 * Records a pledge under the need's lock. Idempotent by the charity's reference:
 * a retry (after a lost answer, or sent twice at once: the second waits on the need's row and then
 * finds the first) answers the first pledge, whatever became of the need since; another pledge
 * under the reference is refused. Two first requests under one reference for two needs do not
 * queue on one row: the unique key keeps one, and the other is answered as a retry.
 */
export async function pledge(db: HubDb, v: PledgeInput): Promise<CharityOutcome<{ pledge: PledgeRecord; need: NeedRecord }>> {
  try {
    return await pledgeOnce(db, v);
  } catch (error) {
    if (isDuplicateKey(error, 'charity_pledge_reference')) return pledgeOnce(db, v);
    throw error;
  }
}

async function pledgeOnce(db: HubDb, v: PledgeInput): Promise<CharityOutcome<{ pledge: PledgeRecord; need: NeedRecord }>> {
  return lockingTransaction(db, async (tx) => {
    const need = await lockNeed(tx, v.needId);
    if (!need) return refuse('NEED_NOT_FOUND', 'no such need', ['input', 'needId']);
    const [used] = await tx.select().from(charityPledge).where(and(eq(charityPledge.creditCode, v.creditCode), eq(charityPledge.reference, v.reference)));
    if (used) {
      const same = used.needId === v.needId && used.amountFen === v.amountFen && used.projectId === v.projectId;
      return same ? ok({ pledge: pledgeRecord(used), need }, true) : refuse('PLEDGE_REFERENCE_REUSED', 'this reference was used for a different pledge', ['input', 'reference']);
    }
    if (!claimActive(await claimOf(tx, need.id, v.creditCode), v.today)) return refuse('CLAIM_REQUIRED', 'claim the need first (or again: the claim has lapsed)', ['input', 'needId']);
    const consent = await consentById(tx, need.consentId);
    if (!consent || consent.revokedAt !== null) return refuse('CONSENT_REVOKED', 'the household has revoked its consent', ['input', 'needId']);
    if (consent.expiresOn < v.today) return refuse('CONSENT_EXPIRED', 'the household’s consent has expired', ['input', 'needId']);
    // As a claim judges it (resolvers/charity/linkage.ts claimNeed): the consent must still cover what
    // the need rests on today, a child under 14 who joined the household since the claim (or a need
    // published before household needs counted children) included; NEED_NOT_OPEN, as the claim
    // answers, since MINOR_CONSENT_MISSING would tell the charity a child now lives there (PIPL art.
    // 29). A plain read after the lock (READ COMMITTED: the household as last committed), not a
    // subquery inside the locking read.
    const standing = (await needToday(tx, need.id, v.today))!;
    if (publishedConsentProblem(consent, standing, v.today)) return refuse('NEED_NOT_OPEN', 'the need is not open', ['input', 'needId']);
    const problem = pledgeProblem(need, v.amountFen);
    if (problem === 'OVER_FUNDED') return refuse(problem, `at most ${need.uncoveredFen - need.pledgedFen} fen is still uncovered`, ['input', 'amountFen']);
    if (problem) return refuse(problem, problem === 'NEED_NOT_OPEN' ? 'the need is closed' : 'the amount must be a positive whole number of fen', ['input', problem === 'NEED_NOT_OPEN' ? 'needId' : 'amountFen']);
    if (v.projectId !== null) {
      // A project's budget is money given for its purpose and area (慈善法: a charity uses donated
      // property as its fundraising plan or donation agreement says): it pays only a need it matches, as matchingProjects lists them.
      // Purpose and area never change once created, so a plain read; the budget is taken by the conditional update below.
      const [project] = await tx.select().from(charityProject).where(and(eq(charityProject.id, v.projectId), eq(charityProject.creditCode, v.creditCode)));
      if (project && !projectMatches({ ...project, budgetLeftFen: 1 }, { purpose: need.purpose, regionCode: need.countyCode })) {
        return refuse('PROJECT_NOT_MATCHING', `the project is for ${project.purpose} in ${project.regionCode}; the need is ${need.purpose} in ${need.countyCode}`, ['input', 'projectId']);
      }
      const [res] = await tx
        .update(charityProject)
        .set({ budgetLeftFen: sql`${charityProject.budgetLeftFen} - ${v.amountFen}` })
        .where(and(eq(charityProject.id, v.projectId), eq(charityProject.creditCode, v.creditCode), gte(charityProject.budgetLeftFen, v.amountFen)));
      if (res.affectedRows !== 1) return refuse('PROJECT_NOT_FOUND', 'no project of this organisation with that much budget left', ['input', 'projectId']);
    }
    const at = toDbInstant(v.now);
    const [res] = await tx.insert(charityPledge).values({ needId: need.id, creditCode: v.creditCode, projectId: v.projectId, amountFen: v.amountFen, deliveredFen: 0, pledgedAt: at, reference: v.reference, pledgedByClient: v.clientName, pledgedByOfficer: v.officer });
    const pledgedFen = need.pledgedFen + v.amountFen;
    // Covered: the need closes; no further pledges, deliveries against its pledges still come in.
    const covered = pledgedFen === need.uncoveredFen;
    await tx
      .update(charityNeed)
      .set({ pledgedFen, ...(covered ? { state: 'COVERED' as const, closedAt: at } : {}) })
      .where(eq(charityNeed.id, need.id));
    const [row] = await tx.select().from(charityPledge).where(eq(charityPledge.id, res.insertId));
    return ok({ pledge: pledgeRecord(row), need: (await needById(tx, need.id))! });
  });
}

export async function pledgeById(db: HubQuery, id: number): Promise<PledgeRecord | null> {
  const [row] = await db.select().from(charityPledge).where(eq(charityPledge.id, id));
  return row ? pledgeRecord(row) : null;
}

/**
 * What the organisation's pledges against the need leave it answering for (domain pledgeStanding):
 * a live pledge (more than 0: one reduced to 0 was taken back), and one with something undelivered.
 * One statement.
 */
export async function organisationPledges(db: HubQuery, needId: number, creditCode: string): Promise<{ live: boolean; undelivered: boolean }> {
  const rows = await db.select({ amountFen: charityPledge.amountFen, deliveredFen: charityPledge.deliveredFen }).from(charityPledge).where(and(eq(charityPledge.needId, needId), eq(charityPledge.creditCode, creditCode)));
  return pledgeStanding(rows);
}

export async function pledgesByNeeds(db: HubQuery, needIds: readonly number[]): Promise<PledgeRecord[]> {
  if (needIds.length === 0) return [];
  return (await db.select().from(charityPledge).where(inArray(charityPledge.needId, [...needIds])).orderBy(asc(charityPledge.id))).map(pledgeRecord);
}

export async function deliveriesByNeeds(db: HubQuery, needIds: readonly number[]): Promise<DeliveryRecord[]> {
  if (needIds.length === 0) return [];
  return (await db.select().from(charityDelivery).where(inArray(charityDelivery.needId, [...needIds])).orderBy(asc(charityDelivery.id))).map(deliveryRecord);
}

export async function deliveriesByHouseholds(db: HubQuery, householdIds: readonly number[]): Promise<DeliveryRecord[]> {
  if (householdIds.length === 0) return [];
  return (await db.select().from(charityDelivery).where(inArray(charityDelivery.householdId, [...householdIds])).orderBy(asc(charityDelivery.id))).map(deliveryRecord);
}

export interface DeliveryInput {
  pledgeId: number;
  creditCode: string;
  /** The officer the request named (X-Officer), kept on the row it writes; not compared on a retry, which keeps the first's. */
  officer: string | null;
  amountFen: number;
  deliveredOn: IsoDate;
  beneficiaryIdNumber: string | null;
  reference: string;
  settlementReference: string | null;
  now: Date;
  /** The hub's today: a delivery is dated no later. */
  today: IsoDate;
}

/** Thrown inside a delivery's transaction to roll it back with a refusal. */
class DeliveryRefused extends Error {
  constructor(readonly outcome: CharityOutcome<never>) {
    super('delivery refused');
  }
}

/**
 * Records a delivery against a pledge, under the need's lock. Idempotent by the charity's own
 * reference: the same report again answers with the first; another report under a used reference
 * is refused. `alsoRecord` runs in the same transaction (the reported-aid ledger, when present),
 * and a refusal from it rolls the delivery back and is the answer.
 */
export async function deliver(
  db: HubDb,
  v: DeliveryInput,
  alsoRecord?: (tx: LockingTx, delivery: DeliveryRecord, need: NeedRecord) => Promise<CharityOutcome<unknown> | null>,
): Promise<CharityOutcome<{ delivery: DeliveryRecord; need: NeedRecord }>> {
  try {
    return await deliverOnce(db, v, alsoRecord);
  } catch (error) {
    if (error instanceof DeliveryRefused) return error.outcome;
    throw error;
  }
}

async function deliverOnce(
  db: HubDb,
  v: DeliveryInput,
  alsoRecord?: (tx: LockingTx, delivery: DeliveryRecord, need: NeedRecord) => Promise<CharityOutcome<unknown> | null>,
): Promise<CharityOutcome<{ delivery: DeliveryRecord; need: NeedRecord }>> {
  const first = await pledgeById(db, v.pledgeId);
  if (!first || first.creditCode !== v.creditCode) return refuse('PLEDGE_NOT_FOUND', 'no pledge of this organisation with that id', ['input', 'pledgeId']);
  if (alsoRecord) await ensureOrganisationLock(db, v.creditCode);
  return lockingTransaction(db, async (tx) => {
    const need = await lockNeed(tx, first.needId);
    if (!need) return refuse('NEED_NOT_FOUND', 'no such need', ['input', 'pledgeId']);
    const [used] = await tx.select().from(charityDelivery).where(and(eq(charityDelivery.creditCode, v.creditCode), eq(charityDelivery.reference, v.reference)));
    if (used) {
      const same = used.entryKind === 'DELIVERY' && used.pledgeId === v.pledgeId && used.amountFen === v.amountFen && used.deliveredOn === v.deliveredOn && (v.beneficiaryIdNumber === null || used.beneficiaryIdNumber === v.beneficiaryIdNumber);
      return same ? ok({ delivery: deliveryRecord(used), need }, true) : refuse('DELIVERY_REFERENCE_REUSED', 'this reference was used for a different delivery', ['input', 'reference']);
    }
    const p = (await pledgeById(tx, v.pledgeId))!;
    const answers = { publishedOn: chinaDateOf(need.publishedAt), pledgedOn: chinaDateOf(p.pledgedAt) };
    const dateProblem = deliveryDateProblem(v.deliveredOn, answers, v.today);
    if (dateProblem === 'DELIVERY_IN_FUTURE') return refuse(dateProblem, 'deliveredOn is after today', ['input', 'deliveredOn']);
    if (dateProblem) return refuse(dateProblem, `deliveredOn is before the pledge it answers: ${earliestDeliveryOn(answers)} at the earliest`, ['input', 'deliveredOn']);
    // The household's revocation ends what the charity may do with its need (PIPL art. 15: what was
    // done before stands). Aid handed over up to the day it revoked (China time; the hour of a
    // delivery is not reported) is aid it received and is recorded; a delivery dated after it is
    // refused, as a pledge is, instead of entering the ledger as if the consent held.
    const consent = await consentById(tx, need.consentId);
    const revoked = revokedConsentProblem(consent, v.deliveredOn);
    if (!consent || revoked) return refuse('CONSENT_REVOKED', revoked ?? '', ['input', 'deliveredOn']);
    if (!Number.isSafeInteger(v.amountFen) || v.amountFen <= 0) return refuse('AMOUNT_NOT_POSITIVE', 'the amount must be a positive whole number of fen', ['input', 'amountFen']);
    if (p.deliveredFen + v.amountFen > p.amountFen) return refuse('OVER_DELIVERED', `at most ${p.amountFen - p.deliveredFen} fen of this pledge is undelivered`, ['input', 'amountFen']);
    // A need for one member is delivered to that member: the ledger would otherwise record the aid
    // (and the household's data the charity gave) to whomever the charity named, a child under 14
    // among them, under a consent given for another person's need.
    if (v.beneficiaryIdNumber && need.beneficiaryIdNumber && v.beneficiaryIdNumber !== need.beneficiaryIdNumber) {
      return refuse('BENEFICIARY_NOT_OF_NEED', 'the need is for one member of the household; its deliveries are recorded to that member', ['input', 'beneficiaryIdNumber']);
    }
    const beneficiary = v.beneficiaryIdNumber ?? need.beneficiaryIdNumber;
    if (!beneficiary || !(await isCurrentMember(tx, need.householdId, beneficiary))) return refuse('BENEFICIARY_NOT_IN_HOUSEHOLD', 'name the member of the household who received the aid', ['input', 'beneficiaryIdNumber']);
    // Aid reaches the living: a delivery dated after the member's death (a household not yet updated
    // still lists them) would enter the ledger as the dead person's aid, as aidReport refuses it.
    const died = await deathDateOf(tx, beneficiary);
    if (died !== null && v.deliveredOn > died) {
      return refuse('BENEFICIARY_DECEASED', 'the hub records the member named as deceased before deliveredOn: name the living member who received the aid', ['input', need.beneficiaryIdNumber && !v.beneficiaryIdNumber ? 'deliveredOn' : 'beneficiaryIdNumber']);
    }
    // A household need's delivery to a child under 14 records the child's data: the separate consent
    // publication asks for a need of such a child (PIPL art. 28-29) is asked here too.
    if (!need.beneficiaryIdNumber && isMinorOn(birthDateOf(beneficiary), v.today) && !consent.scopes.includes('MINOR_DATA')) {
      return refuse('MINOR_CONSENT_MISSING', 'the member named is under 14: the household’s consent does not cover a child’s data (MINOR_DATA)', ['input', 'beneficiaryIdNumber']);
    }
    const values = {
      pledgeId: p.id,
      needId: need.id,
      caseId: need.caseId,
      householdId: need.householdId,
      beneficiaryIdNumber: beneficiary,
      creditCode: v.creditCode,
      amountFen: v.amountFen,
      deliveredOn: v.deliveredOn,
      reference: v.reference,
      settlementReference: v.settlementReference,
      reportedAt: toDbInstant(v.now),
      entryKind: 'DELIVERY' as const,
      supersedesId: null,
      supersededBy: null,
      reason: null,
      recordedByClient: null,
      recordedByOfficer: v.officer,
    };
    const [res] = await tx.insert(charityDelivery).values(values);
    await tx.update(charityPledge).set({ deliveredFen: p.deliveredFen + v.amountFen }).where(eq(charityPledge.id, p.id));
    await tx.update(charityNeed).set({ deliveredFen: need.deliveredFen + v.amountFen }).where(eq(charityNeed.id, need.id));
    const delivery = deliveryRecord({ id: res.insertId, ...values });
    const after = (await needById(tx, need.id))!;
    if (alsoRecord) {
      const refused = await alsoRecord(tx, delivery, after);
      if (refused && !refused.ok) throw new DeliveryRefused(refused as CharityOutcome<never>);
    }
    return ok({ delivery, need: after });
  });
}

/**
 * Of these references, those under which this client's ledger holds a charity delivery (written by
 * charityDeliveryReport, or a correction or cancellation of one: a ledger row linked to its delivery
 * entry, reported_aid.delivery_id, or one an earlier release wrote that is its delivery's all the
 * same, deliveriesOfUnlinkedRows), as referenceKey keys them. For a charity (`creditCode`), also
 * those naming, where the client holds no entry of its own under them, a delivery entry another
 * client of its organisation wrote: its reporting client reads that entry (reportedAidHistory), and
 * naming it in aidReport was answered SUPERSEDES_UNKNOWN, "no record of this reporter", sending the
 * clerk to look for an entry it had just read instead of to charityDeliveryCorrect.
 */
export async function deliveryReferencesInLedger(db: HubQuery, clientName: string, creditCode: string | null, references: readonly string[]): Promise<Set<string>> {
  if (references.length === 0) return new Set();
  const clients = creditCode === null ? [clientName] : [...new Set([clientName, ...(await db.select({ clientName: charityOrganisation.clientName }).from(charityOrganisation).where(eq(charityOrganisation.creditCode, creditCode))).map((c) => c.clientName)])];
  const rows = await db
    .select()
    .from(reportedAid)
    .where(and(inArray(reportedAid.reporterClient, clients), inArray(reportedAid.reference, [...references])));
  // The client's own entry under a reference is the one aidReport supersedes (references are unique per client).
  const own = new Set(rows.filter((r) => r.reporterClient === clientName).map((r) => referenceKey(r.reference)));
  const named = rows.filter((r) => r.reporterClient === clientName || (r.reporterCreditCode === creditCode && !own.has(referenceKey(r.reference))));
  const unlinked = await deliveriesOfUnlinkedRows(db, named, { standing: true });
  // Keyed as references compare (referenceKey): the SQL matched them without regard to case, so must the caller.
  return new Set(named.filter((r) => r.deliveryId !== null || unlinked.has(r.id)).map((r) => referenceKey(r.reference)));
}

/**
 * Makes the organisation's charity_organisation_lock row if missing, committed on its own, before
 * the transaction that locks it (organisationStandingAid): ensureLockRow says why. Made in that
 * transaction, a dry run (aidReport's, rolled back) took the new row away under two transactions
 * waiting on its key, and InnoDB had one of them deadlock (test/charity/organisation-lock.test.ts).
 */
export async function ensureOrganisationLock(db: HubDb, creditCode: string): Promise<void> {
  await ensureLockRow(db, charityOrganisationLock, { creditCode });
}

/**
 * Takes the organisation's lock (its charity_organisation_lock row, by key) for the rest of the
 * transaction. Every request that writes the organisation's ledger takes it before it locks or writes
 * any ledger row (organisationStandingAid, which aidReport and a delivery read under it; a delivery's
 * correction or cancellation before it links or supersedes its ledger entry), so no two of them wait
 * on each other in opposite orders. The data upgrade linking ledger rows to their delivery entries
 * (db/setup/upgrades.ts DELIVERY_LINKED) and an operator's repairs (docs/operations.md) do not: they
 * record no aid, so there is no comparison to order, and they never wait for this lock, so none
 * holds a ledger row while it waits for it (the upgrade locks a batch's rows in one statement, by
 * key, and runs a batch rolled back for a lock conflict again). The row is made before the
 * transaction (ensureOrganisationLock), and only locked here (a caller that did not make it first,
 * none of the hub's, has it made here: lockMadeRow). Taken again in the same transaction, it is held already and returns at once.
 */
export async function lockOrganisation(tx: LockingTx, creditCode: string): Promise<void> {
  await lockMadeRow(tx, charityOrganisationLock, { creditCode }, () => tx.select({ creditCode: charityOrganisationLock.creditCode }).from(charityOrganisationLock).where(eq(charityOrganisationLock.creditCode, creditCode)).for('update'));
}

/**
 * The organisation's standing ledger entries (not superseded) for these people, whichever of its
 * clients wrote them, each marked whether a charity delivery wrote it (linked to its delivery entry,
 * reported_aid.delivery_id) or aidReport did: what the one path is compared with when the other
 * records aid (domain/reported-aid/same-aid.ts). Told by the delivery's reference and need before,
 * an aidReport entry under them (the reporting client's file numbered as the delivery) read as the
 * delivery's own and was left out of the comparison, and the same aid was taken twice. A row an
 * earlier release wrote and left unlinked is a delivery's where deliveriesOfUnlinkedRows says so;
 * `writing` is the delivery entry being recorded, which wrote no row yet and so owns none (an
 * aidReport row of its content under its reference would otherwise read as its own).
 *
 * Read under the organisation's lock (its charity_organisation_lock row, by code, made before the
 * transaction by ensureOrganisationLock), which both paths take in the transaction that writes: a delivery and an aidReport of the
 * same aid sent at once each compared with a ledger the other had not yet written, and both were
 * recorded. The one that waits reads (READ COMMITTED) what the other committed. Taken after the
 * need's lock on the delivery path, before any ledger row's on both. The lock was the organisation's
 * charity_organisation_name row, which an organisation loaded or repaired by hand may lack: then it
 * locked nothing (test/charity/organisation-lock.test.ts).
 */
export async function organisationStandingAid(tx: LockingTx, creditCode: string, idNumbers: readonly string[], writing: { deliveryId: number } | null = null): Promise<(typeof reportedAid.$inferSelect & { fromDelivery: boolean })[]> {
  // Taken also when nothing is compared (aid stated separate): the other path compares with it.
  await lockOrganisation(tx, creditCode);
  if (idNumbers.length === 0) return [];
  const rows = await tx
    .select()
    .from(reportedAid)
    .where(and(eq(reportedAid.reporterCreditCode, creditCode), inArray(reportedAid.beneficiaryIdNumber, [...new Set(idNumbers)]), isNull(reportedAid.supersededBy)));
  const unlinked = await deliveriesOfUnlinkedRows(tx, rows, { standing: true, exceptDelivery: writing?.deliveryId });
  return rows.map((r) => ({ ...r, fromDelivery: r.deliveryId !== null || unlinked.has(r.id) }));
}

export async function deliveryById(db: HubQuery, id: number): Promise<DeliveryRecord | null> {
  const [row] = await db.select().from(charityDelivery).where(eq(charityDelivery.id, id));
  return row ? deliveryRecord(row) : null;
}

/** The entry that stands at the end of a delivery's chain (each superseded entry names its successor; one of a need, read under its lock). */
async function standingEntryOf(db: HubQuery, entry: DeliveryRecord): Promise<DeliveryRecord> {
  let last = entry;
  while (last.supersededBy !== null) {
    const next = await deliveryById(db, last.supersededBy);
    if (!next) break;
    last = next;
  }
  return last;
}

/** A write carrying a reason that offices read (a correction's, a reduction's, a release's). */
export interface ReasonScreened {
  /**
   * The reason's refusal by the screen (IDENTIFYING_NUMBER, TEXT_INVISIBLE_CHARACTER), judged after
   * the reference's retry look: the same request made before the screen is still answered with what it wrote.
   */
  screened?: CharityUserError | null;
}

/** The write refused with `screened`, once the reference's retry look found no earlier request; null when the reason passed. */
function reasonRefused(v: ReasonScreened): { ok: false; errors: CharityUserError[] } | null {
  return v.screened ? { ok: false, errors: [v.screened] } : null;
}

export interface DeliveryCorrectionInput extends ReasonScreened {
  /** The entry corrected or cancelled: the one that stands (the latest of its chain). */
  deliveryId: number;
  creditCode: string;
  /** The client writing it (kept on the entry). */
  clientName: string;
  /** The officer the request named (X-Officer), kept on the row it writes; not compared on a retry, which keeps the first's. */
  officer: string | null;
  /** CORRECTION: a new amount or day (null: as it was); REVERSAL: the delivery did not happen. */
  kind: 'CORRECTION' | 'REVERSAL';
  amountFen: number | null;
  deliveredOn: IsoDate | null;
  reason: string;
  /** The organisation's own reference for this entry, in the namespace of its delivery references. */
  reference: string;
  now: Date;
  today: IsoDate;
}

export interface DeliveryCorrection {
  /** The new entry (the CORRECTION or REVERSAL). */
  delivery: DeliveryRecord;
  /** The entry it superseded, as it is now. */
  superseded: DeliveryRecord;
  pledge: PledgeRecord;
  need: NeedRecord;
}

/**
 * Corrects or cancels a delivery by writing a new entry that supersedes it, never by rewriting it,
 * under the need's lock (every delivery write of a need takes it, so the entry read stands until
 * commit). The pledge's and the need's delivered totals move by the difference. Idempotent by the
 * organisation's reference: the same request again answers the entry it wrote; the reference with
 * anything else (another delivery, kind, amount, day or reason, or a delivery report) is
 * DELIVERY_REFERENCE_REUSED. `alsoRecord` writes the ledger's entry in the same transaction.
 */
export async function correctDelivery(
  db: HubDb,
  v: DeliveryCorrectionInput,
  alsoRecord: (tx: LockingTx, entry: DeliveryRecord, superseded: DeliveryRecord) => Promise<CharityOutcome<unknown> | null>,
): Promise<CharityOutcome<DeliveryCorrection>> {
  const attempt = async () => {
    try {
      return await correctDeliveryOnce(db, v, alsoRecord);
    } catch (error) {
      if (error instanceof DeliveryRefused) return error.outcome;
      throw error;
    }
  };
  try {
    return await attempt();
  } catch (error) {
    // The same reference sent at once for deliveries of two needs (no shared lock): the unique key keeps one; the other reads it.
    if (isDuplicateKey(error, 'charity_delivery_reference')) return attempt();
    throw error;
  }
}

async function correctDeliveryOnce(
  db: HubDb,
  v: DeliveryCorrectionInput,
  alsoRecord: (tx: LockingTx, entry: DeliveryRecord, superseded: DeliveryRecord) => Promise<CharityOutcome<unknown> | null>,
): Promise<CharityOutcome<DeliveryCorrection>> {
  const first = await deliveryById(db, v.deliveryId);
  if (!first || first.creditCode !== v.creditCode) return refuse('DELIVERY_NOT_FOUND', 'no delivery of this organisation with that id', ['input', 'deliveryId']);
  await ensureOrganisationLock(db, v.creditCode);
  return lockingTransaction(db, async (tx) => {
    const need = await lockNeed(tx, first.needId);
    if (!need) return refuse('NEED_NOT_FOUND', 'no such need', ['input', 'deliveryId']);
    const target = (await deliveryById(tx, v.deliveryId))!;
    const asked = { amountFen: v.kind === 'REVERSAL' ? 0 : (v.amountFen ?? target.amountFen), deliveredOn: v.kind === 'REVERSAL' ? target.deliveredOn : (v.deliveredOn ?? target.deliveredOn) };
    const [usedRow] = await tx.select().from(charityDelivery).where(and(eq(charityDelivery.creditCode, v.creditCode), eq(charityDelivery.reference, v.reference)));
    if (usedRow) {
      const used = deliveryRecord(usedRow);
      // A retry: the entry it wrote, whose target is superseded by it now (so `asked` is measured from that target as it was).
      const same = used.entryKind === v.kind && used.supersedesId === target.id && used.reason === v.reason && used.amountFen === asked.amountFen && used.deliveredOn === asked.deliveredOn;
      if (!same) return refuse('DELIVERY_REFERENCE_REUSED', 'this reference was used for a different delivery or correction', ['input', 'reference']);
      return ok({ delivery: used, superseded: target, pledge: (await pledgeById(tx, used.pledgeId))!, need }, true);
    }
    const numbered = reasonRefused(v);
    if (numbered) return numbered;
    if (target.entryKind === 'REVERSAL') return refuse('DELIVERY_CANCELLED', 'this entry records a cancellation; report the delivery anew if it did happen', ['input', 'deliveryId']);
    if (target.supersededBy !== null) {
      // A delivery cancelled since is cancelled whichever entry of its chain is named: the entry that
      // stands is a cancellation, which nothing corrects (DELIVERY_CANCELLED), as a ledger entry
      // reversed is AID_RECORD_CANCELLED where a slip or a first aid names it.
      const standing = await standingEntryOf(tx, target);
      if (standing.entryKind === 'REVERSAL') return refuse('DELIVERY_CANCELLED', `the delivery was cancelled already by entry ${standing.id}; report the delivery anew if it did happen`, ['input', 'deliveryId']);
      return refuse('DELIVERY_SUPERSEDED', `the entry was corrected already; entry ${standing.id} stands: correct that one`, ['input', 'deliveryId']);
    }
    const p = (await pledgeById(tx, target.pledgeId))!;
    if (v.kind === 'CORRECTION') {
      if (asked.amountFen === target.amountFen && asked.deliveredOn === target.deliveredOn) return refuse('CORRECTION_CHANGES_NOTHING', 'give a new amountFen or deliveredOn', ['input']);
      if (!Number.isSafeInteger(asked.amountFen) || asked.amountFen <= 0) return refuse('AMOUNT_NOT_POSITIVE', 'the amount must be a positive whole number of fen; cancel a delivery that did not happen', ['input', 'amountFen']);
      if (p.deliveredFen - target.amountFen + asked.amountFen > p.amountFen) return refuse('OVER_DELIVERED', `at most ${p.amountFen - p.deliveredFen + target.amountFen} fen of this pledge can be delivered by this entry`, ['input', 'amountFen']);
      const answers = { publishedOn: chinaDateOf(need.publishedAt), pledgedOn: chinaDateOf(p.pledgedAt) };
      const dateProblem = deliveryDateProblem(asked.deliveredOn, answers, v.today);
      if (dateProblem === 'DELIVERY_IN_FUTURE') return refuse(dateProblem, 'deliveredOn is after today', ['input', 'deliveredOn']);
      if (dateProblem) return refuse(dateProblem, `deliveredOn is before the pledge it answers: ${earliestDeliveryOn(answers)} at the earliest`, ['input', 'deliveredOn']);
      // As a report: a day after the household revoked its consent is not recorded against its need.
      const consent = await consentById(tx, need.consentId);
      const revoked = consent && asked.deliveredOn === target.deliveredOn ? null : revokedConsentProblem(consent, asked.deliveredOn);
      if (revoked) return refuse('CONSENT_REVOKED', revoked, ['input', 'deliveredOn']);
    }
    const values = {
      pledgeId: target.pledgeId,
      needId: target.needId,
      caseId: target.caseId,
      householdId: target.householdId,
      beneficiaryIdNumber: target.beneficiaryIdNumber,
      creditCode: target.creditCode,
      amountFen: asked.amountFen,
      deliveredOn: asked.deliveredOn,
      reference: v.reference,
      settlementReference: target.settlementReference,
      reportedAt: toDbInstant(v.now),
      entryKind: v.kind,
      supersedesId: target.id,
      supersededBy: null,
      reason: v.reason,
      recordedByClient: v.clientName,
      recordedByOfficer: v.officer,
    };
    const [res] = await tx.insert(charityDelivery).values(values);
    // Conditional, and checked: an entry superseded meanwhile (it cannot be, under the need's lock, unless a write bypassed it) is never superseded twice.
    const [marked] = await tx.update(charityDelivery).set({ supersededBy: res.insertId }).where(and(eq(charityDelivery.id, target.id), isNull(charityDelivery.supersededBy)));
    if (marked.affectedRows !== 1) throw new DeliveryRefused(refuse('DELIVERY_SUPERSEDED', 'the entry was corrected or cancelled meanwhile; correct the entry that stands', ['input', 'deliveryId']));
    const difference = asked.amountFen - target.amountFen;
    await tx.update(charityPledge).set({ deliveredFen: p.deliveredFen + difference }).where(eq(charityPledge.id, p.id));
    await tx.update(charityNeed).set({ deliveredFen: need.deliveredFen + difference }).where(eq(charityNeed.id, need.id));
    const entry = deliveryRecord({ id: res.insertId, ...values });
    const superseded = { ...target, supersededBy: res.insertId };
    const refused = await alsoRecord(tx, entry, superseded);
    if (refused && !refused.ok) throw new DeliveryRefused(refused as CharityOutcome<never>);
    return ok({ delivery: entry, superseded, pledge: (await pledgeById(tx, p.id))!, need: (await needById(tx, need.id))! });
  });
}

export interface PledgeReduceInput extends ReasonScreened {
  pledgeId: number;
  creditCode: string;
  clientName: string;
  /** The officer the request named (X-Officer), kept on the row it writes; not compared on a retry, which keeps the first's. */
  officer: string | null;
  /** The pledge's new amount: below what it is, not below what is delivered. */
  amountFen: number;
  reason: string;
  reference: string;
  now: Date;
}

/**
 * Reduces a pledge, under the need's lock: the pledge holds the new amount, the need's pledged total
 * falls by the difference (a need COVERED by it opens again, or is withdrawn when its household has
 * revoked its consent meanwhile), a project it was paid from gets the difference back, and a
 * reduction row keeps the amounts before and after, the reason, who and when. Idempotent by the
 * organisation's reference (its own namespace of reductions): the same request again answers the
 * reduction it made; the reference with another is PLEDGE_REFERENCE_REUSED.
 */
export async function reducePledge(db: HubDb, v: PledgeReduceInput): Promise<CharityOutcome<{ pledge: PledgeRecord; need: NeedRecord; reduction: PledgeReductionRecord }>> {
  try {
    return await reducePledgeOnce(db, v);
  } catch (error) {
    if (isDuplicateKey(error, 'charity_pledge_reduction_reference')) return reducePledgeOnce(db, v);
    throw error;
  }
}

const reductionRecord = (r: typeof charityPledgeReduction.$inferSelect): PledgeReductionRecord => ({ ...r, recordedAt: fromDbInstant(r.recordedAt) });

async function reducePledgeOnce(db: HubDb, v: PledgeReduceInput): Promise<CharityOutcome<{ pledge: PledgeRecord; need: NeedRecord; reduction: PledgeReductionRecord }>> {
  const first = await pledgeById(db, v.pledgeId);
  if (!first || first.creditCode !== v.creditCode) return refuse('PLEDGE_NOT_FOUND', 'no pledge of this organisation with that id', ['input', 'pledgeId']);
  return lockingTransaction(db, async (tx) => {
    const need = await lockNeed(tx, first.needId);
    if (!need) return refuse('NEED_NOT_FOUND', 'no such need', ['input', 'pledgeId']);
    const [used] = await tx.select().from(charityPledgeReduction).where(and(eq(charityPledgeReduction.creditCode, v.creditCode), eq(charityPledgeReduction.reference, v.reference)));
    if (used) {
      const same = used.pledgeId === v.pledgeId && used.amountAfterFen === v.amountFen && used.reason === v.reason;
      if (!same) return refuse('PLEDGE_REFERENCE_REUSED', 'this reference was used for a different reduction', ['input', 'reference']);
      return ok({ pledge: (await pledgeById(tx, v.pledgeId))!, need, reduction: reductionRecord(used) }, true);
    }
    const numbered = reasonRefused(v);
    if (numbered) return numbered;
    const p = (await pledgeById(tx, v.pledgeId))!;
    if (!Number.isSafeInteger(v.amountFen) || v.amountFen < 0) return refuse('AMOUNT_NEGATIVE', 'the new amount is a whole number of fen, 0 or more', ['input', 'amountFen']);
    if (v.amountFen >= p.amountFen) return refuse('PLEDGE_NOT_REDUCED', `the pledge is ${p.amountFen} fen; a reduction names a smaller amount`, ['input', 'amountFen']);
    if (v.amountFen < p.deliveredFen) return refuse('PLEDGE_BELOW_DELIVERED', `${p.deliveredFen} fen of the pledge is delivered already; correct or cancel a delivery first`, ['input', 'amountFen']);
    const difference = p.amountFen - v.amountFen;
    const at = toDbInstant(v.now);
    await tx.update(charityPledge).set({ amountFen: v.amountFen }).where(eq(charityPledge.id, p.id));
    // The money not given stays the project's to give (its budget was taken at the pledge).
    if (p.projectId !== null) await tx.update(charityProject).set({ budgetLeftFen: sql`${charityProject.budgetLeftFen} + ${difference}` }).where(eq(charityProject.id, p.projectId));
    let reopened = {};
    if (need.state === 'COVERED') {
      const consent = await consentById(tx, need.consentId);
      // A covered need is not withdrawn by a revocation (only open ones are); reopened, it would be open under a revoked consent.
      // Withdrawn so, it names the consent's revokers (a consent not found names none).
      reopened = consent && consent.revokedAt === null ? { state: 'OPEN' as const, closedAt: null } : withdrawnByRevocation(consent ?? { revokedByClient: null, revokedByOfficer: null }, at);
    }
    await tx.update(charityNeed).set({ pledgedFen: need.pledgedFen - difference, ...reopened }).where(eq(charityNeed.id, need.id));
    const [res] = await tx.insert(charityPledgeReduction).values({
      pledgeId: p.id,
      needId: need.id,
      creditCode: v.creditCode,
      reference: v.reference,
      amountBeforeFen: p.amountFen,
      amountAfterFen: v.amountFen,
      reason: v.reason,
      recordedByClient: v.clientName,
      recordedByOfficer: v.officer,
      recordedAt: at,
    });
    const [row] = await tx.select().from(charityPledgeReduction).where(eq(charityPledgeReduction.id, res.insertId));
    return ok({ pledge: (await pledgeById(tx, p.id))!, need: (await needById(tx, need.id))!, reduction: reductionRecord(row) });
  });
}

export type ClaimReleaseRecord = Omit<typeof charityClaimRelease.$inferSelect, 'releasedAt'> & { releasedAt: Date };
const releaseRecord = (r: typeof charityClaimRelease.$inferSelect): ClaimReleaseRecord => ({ ...r, releasedAt: fromDbInstant(r.releasedAt) });

export interface ClaimReleaseInput extends ReasonScreened {
  needId: number;
  creditCode: string;
  clientName: string;
  /** The officer the request named (X-Officer), kept on the row it writes; not compared on a retry, which keeps the first's. */
  officer: string | null;
  reason: string;
  reference: string;
  now: Date;
  today: IsoDate;
}

/**
 * Releases the organisation's running claim on a need, under the need's lock (pledges check the
 * claim under it, so none is taken on a claim released meanwhile): the claim stops running (the
 * detail closes to it, it pledges nothing until it claims again), and a release row keeps which
 * claim, why, who and when, the need's history for the office. Refused while the organisation has
 * a pledge against the need with something undelivered (PLEDGE_UNDELIVERED): the household was
 * promised that money; the organisation delivers it or reduces the pledge to what it delivered
 * (charityPledgeReduce) first, so a release never leaves a promise nobody answers for. Idempotent by
 * the organisation's reference (its own namespace of releases): the same request again answers the
 * release it made, whatever became of the claim since; the reference with another need or reason is
 * CLAIM_REFERENCE_REUSED. A claim that does not run (never made, lapsed, released) is CLAIM_NOT_HELD.
 */
export async function releaseClaim(db: HubDb, v: ClaimReleaseInput): Promise<CharityOutcome<{ claim: ClaimRecord; release: ClaimReleaseRecord; need: NeedRecord }>> {
  try {
    return await releaseClaimOnce(db, v);
  } catch (error) {
    // The same reference sent at once for two needs (no shared lock): the unique key keeps one; the other reads it.
    if (isDuplicateKey(error, 'charity_claim_release_reference')) return releaseClaimOnce(db, v);
    throw error;
  }
}

async function releaseClaimOnce(db: HubDb, v: ClaimReleaseInput): Promise<CharityOutcome<{ claim: ClaimRecord; release: ClaimReleaseRecord; need: NeedRecord }>> {
  return lockingTransaction(db, async (tx) => {
    const need = await lockNeed(tx, v.needId);
    if (!need) return refuse('NEED_NOT_FOUND', 'no such need', ['input', 'needId']);
    const [used] = await tx.select().from(charityClaimRelease).where(and(eq(charityClaimRelease.creditCode, v.creditCode), eq(charityClaimRelease.reference, v.reference)));
    if (used) {
      if (used.needId !== v.needId || used.reason !== v.reason) return refuse('CLAIM_REFERENCE_REUSED', 'this reference was used for a different release', ['input', 'reference']);
      return ok({ claim: (await claimOf(tx, v.needId, v.creditCode))!, release: releaseRecord(used), need }, true);
    }
    const numbered = reasonRefused(v);
    if (numbered) return numbered;
    const claim = await claimOf(tx, v.needId, v.creditCode);
    if (!claim || !claimActive(claim, v.today)) return refuse('CLAIM_NOT_HELD', 'the organisation holds no running claim on this need (never claimed, lapsed, or released)', ['input', 'needId']);
    const pledges = await tx.select({ amountFen: charityPledge.amountFen, deliveredFen: charityPledge.deliveredFen }).from(charityPledge).where(and(eq(charityPledge.needId, v.needId), eq(charityPledge.creditCode, v.creditCode)));
    if (pledgeStanding(pledges).undelivered) {
      return refuse('PLEDGE_UNDELIVERED', 'the organisation has a pledge against this need not yet delivered: deliver it, or reduce it to what was delivered (charityPledgeReduce), first', ['input', 'needId']);
    }
    const at = toDbInstant(v.now);
    await tx.update(charityClaim).set({ releasedAt: at }).where(and(eq(charityClaim.id, claim.id), isNull(charityClaim.releasedAt)));
    const [res] = await tx.insert(charityClaimRelease).values({ needId: v.needId, creditCode: v.creditCode, claimedAt: claim.claimedAt, reference: v.reference, reason: v.reason, recordedByClient: v.clientName, recordedByOfficer: v.officer, releasedAt: at });
    const [row] = await tx.select().from(charityClaimRelease).where(eq(charityClaimRelease.id, res.insertId));
    return ok({ claim: (await claimOf(tx, v.needId, v.creditCode))!, release: releaseRecord(row), need });
  });
}

/** The claims released on needs, oldest first (the office's history of each need). */
export async function releasesByNeeds(db: HubQuery, needIds: readonly number[]): Promise<ClaimReleaseRecord[]> {
  if (needIds.length === 0) return [];
  return (await db.select().from(charityClaimRelease).where(inArray(charityClaimRelease.needId, [...needIds])).orderBy(asc(charityClaimRelease.id))).map(releaseRecord);
}

export async function reductionsByPledges(db: HubQuery, pledgeIds: readonly number[]): Promise<PledgeReductionRecord[]> {
  if (pledgeIds.length === 0) return [];
  return (await db.select().from(charityPledgeReduction).where(inArray(charityPledgeReduction.pledgeId, [...pledgeIds])).orderBy(asc(charityPledgeReduction.id))).map(reductionRecord);
}

/**
 * Ledger rows linked to no delivery entry whose content is this entry's: the organisation's, under
 * its reference and need, for its person, amount, day and kind (a DELIVERY is the ledger's AID). How
 * a row written before reported_aid.delivery_id was kept is told as the entry's: the data upgrade
 * links it (db/setup/upgrades.ts DELIVERY_LINKED), and a delivery's correction reads it, where one
 * row alone matches.
 */
export function unlinkedLedgerRowsOf(d: Pick<DeliveryRecord, 'creditCode' | 'reference' | 'needId' | 'beneficiaryIdNumber' | 'amountFen' | 'deliveredOn' | 'entryKind'>) {
  return and(
    isNull(reportedAid.deliveryId),
    eq(reportedAid.reporterCreditCode, d.creditCode),
    eq(reportedAid.reference, d.reference),
    eq(reportedAid.needId, String(d.needId)),
    eq(reportedAid.beneficiaryIdNumber, d.beneficiaryIdNumber),
    eq(reportedAid.amountFen, d.amountFen),
    eq(reportedAid.grantDate, d.deliveredOn),
    eq(reportedAid.entryKind, d.entryKind === 'DELIVERY' ? 'AID' : d.entryKind),
  );
}

/**
 * The unlinked ledger rows of this delivery entry's content (unlinkedLedgerRowsOf) that may be its
 * own: standing ones only when `standing` (the row a correction or cancellation supersedes stands: a
 * report reversed since is not it, and left it ambiguous for good). Of several, those that stand as
 * the entry stands (when not `standing`), then those its writer wrote: the client of a correction or
 * cancellation (recorded_by_client), for a delivery a client holding CHARITY, which
 * charityDeliveryReport takes (an aidReport client holds DEPARTMENT_WRITER alone). Narrowing never
 * leaves none: several left, the hub cannot tell which one is the entry's.
 */
async function unlinkedRowsOfDelivery(db: HubQuery, d: Parameters<typeof unlinkedLedgerRowsOf>[0] & Pick<DeliveryRecord, 'supersededBy' | 'recordedByClient'>, standing: boolean): Promise<(typeof reportedAid.$inferSelect)[]> {
  let rows = await db.select().from(reportedAid).where(and(unlinkedLedgerRowsOf(d), standing ? isNull(reportedAid.supersededBy) : undefined)).limit(20);
  const narrow = (keep: (r: (typeof rows)[number]) => boolean) => {
    const kept = rows.filter(keep);
    if (kept.length > 0) rows = kept;
  };
  if (rows.length > 1 && !standing) narrow((r) => (r.supersededBy === null) === (d.supersededBy === null));
  if (rows.length > 1) {
    const writers = d.recordedByClient !== null ? new Set([d.recordedByClient]) : await linkageClients(db, rows.map((r) => r.reporterClient));
    narrow((r) => writers.has(r.reporterClient));
  }
  return rows;
}

/** Of these clients, those holding CHARITY (charityDeliveryReport's). */
async function linkageClients(db: HubQuery, names: readonly string[]): Promise<Set<string>> {
  const clients = await db.select({ name: apiClient.name, roles: apiClient.roles }).from(apiClient).where(inArray(apiClient.name, [...new Set(names)]));
  return new Set(clients.filter((c) => c.roles.split(',').map((r) => r.trim()).includes('CHARITY')).map((c) => c.name));
}

/**
 * The ledger's entry recording a charity delivery entry, by the entry's id (reported_aid.delivery_id);
 * for an entry written before that was kept and not linked by the data upgrade, the one unlinked
 * standing row of its content (unlinkedRowsOfDelivery). Null for an entry the ledger never held;
 * AMBIGUOUS where several match it (another client's report under the delivery's reference and need,
 * of the same amount and day): which one is the delivery's the hub cannot tell. A plain read.
 */
async function ledgerRowOfDelivery(db: HubQuery, d: Pick<DeliveryRecord, 'id'> & Parameters<typeof unlinkedRowsOfDelivery>[1]): Promise<typeof reportedAid.$inferSelect | null | 'AMBIGUOUS'> {
  const [linked] = await db.select().from(reportedAid).where(eq(reportedAid.deliveryId, d.id));
  if (linked) return linked;
  const rows = await unlinkedRowsOfDelivery(db, d, true);
  return rows.length > 1 ? 'AMBIGUOUS' : (rows[0] ?? null);
}

/**
 * Ledger entries of a delivery's correction or cancellation standing beside the entry of the
 * delivery entry it superseded (that entry standing, or superseded by another): before entries were
 * linked, a correction superseded the first row under the delivery's reference and need, which could
 * be another client's report, and the delivery's own entry was left standing; once the data upgrade
 * links both, the aid counts twice. Told by the upgrade's log (correctionsBesideDelivery) and found
 * by docs/operations.md's query, for an operator to repair: not repaired here.
 */
export async function correctionsBesideTheirDelivery(db: HubQuery): Promise<{ correctionEntry: number; deliveryEntry: number }[]> {
  const corrected = alias(reportedAid, 'corrected');
  return db
    .select({ correctionEntry: reportedAid.id, deliveryEntry: corrected.id })
    .from(charityDelivery)
    .innerJoin(reportedAid, eq(reportedAid.deliveryId, charityDelivery.id))
    .innerJoin(corrected, eq(corrected.deliveryId, charityDelivery.supersedesId))
    .where(or(isNull(corrected.supersededBy), ne(corrected.supersededBy, reportedAid.id)))
    .orderBy(asc(reportedAid.id));
}

/**
 * The delivery entries (ids) whose ledger entry is not linked and several unlinked rows match
 * (unlinkedRowsOfDelivery, standing or not): left so by the data upgrade, their correction or
 * cancellation refused DELIVERY_LEDGER_ENTRY_AMBIGUOUS until an operator links one
 * (docs/operations.md gives the query).
 */
export async function deliveriesAmbiguousInLedger(db: HubQuery): Promise<number[]> {
  const ambiguous: number[] = [];
  for (const d of await deliveriesLinkedToNoRow(db)) if ((await unlinkedRowsOfDelivery(db, d, false)).length > 1) ambiguous.push(d.id);
  return ambiguous;
}

/** The delivery entries no ledger row is linked to (an anti-join on reported_aid.delivery_id), of those `where` takes, by id. */
async function deliveriesLinkedToNoRow(db: HubQuery, where?: SQL): Promise<(typeof charityDelivery.$inferSelect)[]> {
  const rows = await db
    .select({ d: charityDelivery })
    .from(charityDelivery)
    .leftJoin(reportedAid, eq(reportedAid.deliveryId, charityDelivery.id))
    .where(and(isNull(reportedAid.id), where))
    .orderBy(asc(charityDelivery.id));
  return rows.map((r) => r.d);
}

/**
 * The ledger's entry of a delivery entry about to be corrected or cancelled (ledgerRowOfDelivery),
 * linked to it in the writing transaction when it was found by its content: left unlinked, it read
 * as a report, and a correction moving only the day (the same aid, same-aid.ts) was refused
 * SAME_AS_REPORTED_AID naming the delivery's own entry. By reference and need alone, a report of
 * another client of the organisation sharing them was taken for the delivery's row, and the
 * delivery's correction superseded the report. recordReportedAid locks the entry it supersedes by
 * primary key and reads it again.
 */
export async function ledgerEntryOfDelivery(tx: LockingTx, d: Parameters<typeof ledgerRowOfDelivery>[1]): Promise<typeof reportedAid.$inferSelect | null | 'AMBIGUOUS'> {
  const found = await ledgerRowOfDelivery(tx, d);
  if (found === null || found === 'AMBIGUOUS' || found.deliveryId !== null) return found;
  await tx.update(reportedAid).set({ deliveryId: d.id }).where(and(eq(reportedAid.id, found.id), isNull(reportedAid.deliveryId)));
  return { ...found, deliveryId: d.id };
}

/** What deliveriesOfUnlinkedRows reads of a ledger row (the data upgrade reads no more), with supersededBy where `standing`. */
export type LedgerRowKey = Pick<typeof reportedAid.$inferSelect, 'id' | 'deliveryId' | 'reporterCreditCode' | 'reference' | 'needId'>;
type StandingLedgerRowKey = LedgerRowKey & Pick<typeof reportedAid.$inferSelect, 'supersededBy'>;

/**
 * Of these ledger rows, the unlinked ones that are a delivery entry's all the same (written by an
 * earlier release, left unlinked by the data upgrade or written by a replica of that release after
 * it ran), each with that entry's id: the one unlinked row of the content of a delivery entry of the
 * row's organisation, reference and need that has no linked row (unlinkedRowsOfDelivery). A row
 * another matches as well stays a report until an operator links it.
 *
 * `standing`: rows and entries not superseded only, and the one standing row of the entry's content
 * (ledgerRowOfDelivery: what a request reads; taken for reports, such a row was reversed by aidReport,
 * no SUPERSEDES_CHARITY_DELIVERY, and compared as a report); else any, as the data upgrade links them
 * (delivery-linked:reported_aid); `standing` rows carry supersededBy, which the type requires (read
 * without it, no row would stand and none match). `exceptDelivery` is the entry being written, which
 * owns no row yet. A row's need_id names a need only as a hub id (text: it was free text before needs
 * were checked). The entries with no linked row are read in one statement (deliveriesLinkedToNoRow),
 * then the rows of each one's content.
 */
export async function deliveriesOfUnlinkedRows(db: HubQuery, rows: readonly StandingLedgerRowKey[], options: { standing: true; exceptDelivery?: number }): Promise<Map<number, number>>;
export async function deliveriesOfUnlinkedRows(db: HubQuery, rows: readonly LedgerRowKey[], options: { standing: false; exceptDelivery?: number }): Promise<Map<number, number>>;
export async function deliveriesOfUnlinkedRows(db: HubQuery, rows: readonly (LedgerRowKey & Partial<StandingLedgerRowKey>)[], options: { standing: boolean; exceptDelivery?: number }): Promise<Map<number, number>> {
  const { standing, exceptDelivery } = options;
  const candidates = rows.filter((r) => r.deliveryId === null && (!standing || r.supersededBy === null) && r.reporterCreditCode !== null && r.needId !== null && HUB_ID.test(r.needId));
  if (candidates.length === 0) return new Map();
  const ids = new Set(candidates.map((r) => r.id));
  const unlinked = await deliveriesLinkedToNoRow(
    db,
    and(
      standing ? isNull(charityDelivery.supersededBy) : undefined,
      or(...candidates.map((r) => and(eq(charityDelivery.creditCode, r.reporterCreditCode!), eq(charityDelivery.reference, r.reference), eq(charityDelivery.needId, Number(r.needId))))),
    ),
  );
  const owned = new Map<number, number>();
  for (const d of unlinked) {
    if (d.id === exceptDelivery) continue;
    const matching = await unlinkedRowsOfDelivery(db, deliveryRecord(d), standing);
    if (matching.length === 1 && ids.has(matching[0].id)) owned.set(matching[0].id, d.id);
  }
  return owned;
}
