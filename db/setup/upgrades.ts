/**
 * Data upgrades: rows an earlier release wrote, brought to what this release would have written,
 * once, as part of the migration step (provisionHub, which `npm start` runs before it serves).
 *
 * The first masks the ID numbers typed into prose before prose was masked as it comes
 * in (resolvers/text-inputs.ts applyProseMasking): a case's summary, a transition's reason, a
 * slip's ask or feedback, an alert's reason … stored in clear and answered in clear by the API to
 * every reader of the case, slip or alert. Each table of such prose has a row in data_upgrade
 * (db/jobs/schema.ts), added unfinished by jobs migration 0001; a table whose prose begins to be
 * stored later is masked as it comes in and needs none.
 *
 * How: a table is read in primary-key order, 500 rows a transaction (50 of stored dossiers). Each transaction locks the
 * upgrade's row (one row by key: a point lock on every engine), reads the next rows after the one
 * it records (READ COMMITTED: the latest commit, also what a process it waited for did), masks in
 * TypeScript (domain/privacy.ts maskIdNumbersInText), locks by key only the rows whose text would
 * change, masks them again as they are now (a request may have written one meanwhile), updates
 * those columns of those rows, and moves the upgrade's row past the batch; the batch that reads
 * fewer rows than a batch marks it finished. So: a large table is never one transaction or one
 * lock; two hub processes starting at once take turns (the second finds the first's progress); a
 * start stopped halfway resumes after the last batch committed; masking is idempotent, so nothing
 * is changed twice; text without an ID number is never written. Nothing of a text is logged: the
 * caller hears how many rows each table had changed.
 *
 * The second (`dossier-minimised:case_meeting`, jobs migration 0002) takes out of meetings' stored
 * dossiers what none of their readers may read since dossier version 3: every member's birth date and
 * the household's address (domain/cases/dossier.ts storedDossier), each member's age kept. It runs
 * the same way, over the same batches.
 *
 * The third (`need-description-screened:charity_need`, jobs migration 0002) reads again every open
 * charity need published before descriptions were screened (a long number, a member's name, the
 * village, health words without HEALTH_DATA consent, a child under 14 without MINOR_DATA): one that fails is withdrawn from the charities'
 * listing, its closeReason (DESCRIPTION_IDENTIFIES, HEALTH_CONSENT_MISSING or MINOR_CONSENT_MISSING) telling the office on
 * the case's needs; one telling of health under a consent that covers it is marked as resting on
 * health data (db/charity/store.ts rescreenedNeed). Its row is keyed by a fingerprint of the health
 * words and the young-child screen it reads with (domain/text-screen.ts HEALTH_WORDS, tellsOfYoungChild), `need-description-screened:charity_need@<fp>`:
 * when a release widens them (脑梗死, 肺炎, HIV …), the first start after it finds no row of the new
 * words, adds it unfinished and reads every open need again, in the same batches; the rows of earlier
 * words still unfinished (the migration's own, on a fresh database) are marked finished, since this
 * read covers them. A start with the same words adds nothing.
 *
 * The fourth (`settlement-read:<table>`, jobs migration 0003) writes every stored settlement reference
 * (the reported-aid ledger's, a decision slip's, a charity delivery's) in the form it has been read
 * in since (domain/aid.ts settlementReferenceOf: full-width digits as ASCII, trimmed): stored as
 * typed, `３７０８…` named no stay, so the aid counted in no stay's sum (X7) and a decision naming
 * the stay in ASCII did not meet it. Only that column: a ledger entry's content hash stays the one
 * of the record as sent, so the record sent again is still the retry it is (validate.ts
 * validateReport tries the raw settlement number too). A read form too long for its column (the
 * NFKC reading of an earlier release could lengthen a compatibility character) names no stay either,
 * and is left as it was.
 *
 * The fifth (`delivery-linked:reported_aid`, jobs migration 0004) links each ledger row a charity
 * delivery wrote before reported_aid.delivery_id was kept to its delivery entry: the entry of the
 * row's organisation under its reference and need, when that row alone of the unlinked ones holds the
 * entry's person, amount, day and kind (db/charity/store.ts unlinkedLedgerRowsOf). A row another row
 * matches as well (a report of another client under the same reference and need, same aid) is left
 * unlinked, and that delivery's correction is refused until an operator links it (ledgerEntryOfDelivery).
 *
 * The sixth (`settlement-keyed:<table>`, jobs migration 0005) writes every stored settlement
 * reference again as the hub keys stays since (domain/aid.ts settlementKey: letters upper-case
 * besides): a hub that ran the fourth kept `x1` as typed, and a decision or ledger entry it stores
 * now names the stay `X1`; compared as exact strings (a slip carrying a decision sent again, two
 * decisions on one stay, X7's pending decisions) the two did not meet. Same column, same batches,
 * content hashes kept (validate.ts validateReport tries the forms an earlier release hashed). With
 * it, `settlement-keyed:monitoring_alert` gives an alert raised on a stay health holds in lower case
 * or padded (`HEALTH:settlement:x1 `) the identity this release builds from the stay's key
 * (domain/monitoring/evaluate.ts settlementKeyedAlert), and its evidence references keyed: without
 * it the stay, seen again, opened a second alert, or one closed was raised again. An alert whose new
 * identity another alert holds already (a NO PAD column held `X` and `X `: two alerts) is left as it
 * was; the log counts them (`alertsLeftBesideAnother`).
 *
 * The seventh (`settlement-keyed:finding`, jobs migration 0006) gives a stored finding whose fingerprint
 * names a stay (X7's, a missed-aid rule's over the out-of-pocket line) health held in lower case or
 * padded the fingerprint this release builds on the stay's key (domain/findings/identity.ts
 * settlementKeyedFingerprint, from the finding's stored detail, only where that detail gives back the
 * stored fingerprint): without it the stay, seen again, was a new OPEN finding beside the one an
 * officer had dismissed or resolved. Where another finding holds that fingerprint (a scan of this
 * release opened it again, or two findings named `zy001` and `ZY001 `), the one whose officer's
 * decision stands, the later of two, takes it; the other keeps its row and history under the
 * fingerprint the first held, or its own (`findingsLeftBesideAnother`). Nothing is deleted. The detail
 * is left as written: the next scan reads the stays' spelling there to hold a dismissal made on the
 * same content (db/findings/store.ts settledAsHeld); content hashes of events are not rewritten.
 *
 * The eighth (`owner-change-offices:case_event`, jobs migration 0007) gives each OWNER_CHANGED event
 * recorded before cases migration 0018 its two offices in columns (from_office, to_office), read from
 * its reason as the hub wrote it (domain/cases/offices.ts ownerChangeOf: `370811001 → CIVIL_AFFAIRS`):
 * supervision files its lists by them (the office that owned the case then) and reads no words. A
 * reason of other words (reworded by hand), or a key longer than an office key, is left NULL, the
 * event then read as no change of owner. It reads only OWNER_CHANGED events; each filled is sealed
 * again as filled, in its batch's transaction, so audit:verify finds the row as sealed.
 *
 * The ninth (`deadlines-kept:aid_case`, jobs migration 0008) keeps the working-day deadlines of a case
 * that stopped running before case_deadline_kept (cases migration 0021): met, or ended unmet with the
 * case, they had no row and were counted at every read under the calendar in force, so a holiday
 * notice loaded later turned an opinion formed late into one formed on time. Each gets its due date
 * counted under the calendar in force at the upgrade, by the rule a step's write keeps by
 * (db/cases/deadlines-kept.ts deadlinesToKeep: every step of the case taken here, the step's own
 * events there), stored and sealed as keepStoppedDeadlines stores and seals it; one kept already keeps
 * its row. It reads only cases of an urgency with a working-day limit, a batch's events and kept
 * deadlines in one statement each (DataUpgrade.read), and counts cases in its rows.
 *
 * Not rewritten: the audit trail (access_log), whose rows are hash-chained (access/audit.ts); it
 * holds no prose (a purpose code, a case reference, an operation name scrubbed as it is written).
 * A need's description is screened and refused when it identifies anyone (domain/text-screen.ts),
 * never masked, so it is not here either.
 */
import { isSealedTable, sealedTransaction, sealLater } from '../cases/seals';
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, getTableColumns, getTableName, gt, inArray, isNull, like, or, sql, type SQL } from 'drizzle-orm';
import type { MySqlColumn, MySqlTable } from 'drizzle-orm/mysql-core';
import { dossierWithProseMasked, holdsMoreThanStored, storedDossier, type Dossier } from '../../domain/cases/dossier';
import { maskIdNumbersInText } from '../../domain/privacy';
import { OFFICE_KEY_MAX_LENGTH, ownerChangeOf } from '../../domain/cases/offices';
import type { HubDb } from '../connect';
import { retryLockConflicts } from '../connect';
import { dataUpgrade } from '../jobs/schema';
import { aidCase, caseEvent, caseMeeting, referralSlip } from '../cases/schema';
import { caseEventsOf, deadlinesToKeep, keepDeadlines, keptDeadlinesOf, type DeadlineToKeep } from '../cases/deadlines-kept';
import { DEADLINE_RULES, type DeadlineKind } from '../../domain/cases/deadlines';
import { caseFirstAid, decisionCheck, declinedDecision, referralFulfilment } from '../case-loop/schema';
import { finding, findingEvent } from '../findings/schema';
import type { FindingDetail } from '../findings/store';
import { settlementKeyedFingerprint } from '../../domain/findings/identity';
import { monitoringAlert, monitoringAlertEvent, monitoringNoticeObjection, monitoringVillageNotice } from '../monitoring/schema';
import { charityDelivery, charityNeed, charityPledgeReduction } from '../charity/schema';
import { reportedAid } from '../reported-aid/schema';
import { settlementReferenceOf } from '../../domain/aid';
import { settlementKeyedAlert } from '../../domain/monitoring/evaluate';
import { HEALTH_WORDS, YOUNG_CHILD_SCREEN_SOURCE } from '../../domain/text-screen';
import { correctionsBesideTheirDelivery, deliveriesAmbiguousInLedger, deliveriesOfUnlinkedRows, rescreenedNeed, type LedgerRowKey } from '../charity/store';
import type { CaseEventRecord, HubQuery } from '../cases/records';

/** Rows read per transaction. */
export const UPGRADE_BATCH = 500;

/** A table whose prose columns (drizzle property names) are masked; `dossier`, a column holding a stored dossier (JSON). */
interface ProseTable {
  table: MySqlTable;
  key: string;
  prose: string[];
  dossier?: string;
  /** Rows read per transaction where fewer than UPGRADE_BATCH: a stored dossier runs to hundreds of kilobytes. */
  batch?: number;
}

/** Every table of stored prose the API answers with, and where each column's text comes from. */
export const PROSE_TABLES: readonly ProseTable[] = [
  // caseOpen summary; a rejection's explanation (caseTransition reason)
  { table: aidCase, key: 'id', prose: ['summary', 'explanation'] },
  // every write's reason: transitions, asks, feedback, notes, first aid, materials, waivers
  { table: caseEvent, key: 'id', prose: ['reason'] },
  // meetingRecord notes; the dossier as it stood, with the slips' and earlier cases' prose
  { table: caseMeeting, key: 'id', prose: ['notes'], dossier: 'dossierJson', batch: 50 },
  // the decision's or referral's ask, the department's feedback, its reason for declining
  { table: referralSlip, key: 'id', prose: ['ask', 'feedback', 'declineReason'] },
  { table: referralFulfilment, key: 'referralId', prose: ['differenceReason'] },
  { table: decisionCheck, key: 'referralId', prose: ['overrideReason'] },
  { table: declinedDecision, key: 'referralId', prose: ['reason'] },
  { table: caseFirstAid, key: 'caseId', prose: ['reason'] },
  // findingConfirm / findingResolve note, findingDismiss reason
  { table: findingEvent, key: 'id', prose: ['reason'] },
  // alertVerify / alertDismiss reason; every move's reason or note in its history
  { table: monitoringAlert, key: 'id', prose: ['reason'] },
  { table: monitoringAlertEvent, key: 'id', prose: ['reason'] },
  { table: monitoringVillageNotice, key: 'id', prose: ['withdrawReason'] },
  { table: monitoringNoticeObjection, key: 'id', prose: ['resolutionReason'] },
  // charityDeliveryCorrect / charityDeliveryCancel and charityPledgeReduce reasons
  { table: charityDelivery, key: 'id', prose: ['reason'] },
  { table: charityPledgeReduction, key: 'id', prose: ['reason'] },
];

/** The data_upgrade row of a table's prose masking. */
export const proseUpgradeName = (t: ProseTable) => `prose-masked:${getTableName(t.table)}`;

type Row = Record<string, unknown>;

/**
 * A rewrite of a table's rows, run once: `change` gives the columns (drizzle property names) that
 * change in a row, none when it stays; it may read other tables in the batch's transaction.
 */
interface DataUpgrade {
  name: string;
  table: MySqlTable;
  key: string;
  columns: string[];
  batch?: number;
  change(row: Row, tx: HubQuery, read?: unknown): Row | Promise<Row>;
  /**
   * Reads what `change` needs of a batch's rows at once (its third argument), before the batch is
   * read through and again once the rows to change are locked: a statement a batch, not one a row.
   */
  read?: (tx: HubQuery, rows: readonly Row[]) => Promise<unknown>;
  /**
   * Set when the upgrade is run again whenever what it reads with changes: `name` is then
   * `<family>@<fingerprint>`, its row added at start when absent (addKeyedUpgrades).
   */
  family?: string;
  /** Counts told with the rows changed once the upgrade has finished (what is left for an operator), by name. */
  tally?: (db: HubDb) => Promise<Record<string, number>>;
  /**
   * Writes `set` to the locked `row` where more than that row changes with it (the key below is the
   * row's), sealing what it writes of a case record (db/cases/seals.ts); otherwise one update of the
   * row, sealed as rewritten when the table is a case record.
   */
  write?: (tx: HubQuery, row: Row, set: Row) => Promise<void>;
  /** Reads only the rows of the table this selects (the others never change): fewer rows read per batch. */
  only?: SQL;
}

/** The data_upgrade row of the stored dossiers' minimisation. */
export const DOSSIER_MINIMISED = 'dossier-minimised:case_meeting';

/** The data_upgrade row of the first screen of needs published before their descriptions were screened (jobs migration 0002). */
export const NEEDS_SCREENED_FIRST = 'need-description-screened:charity_need';

/**
 * What the health words and the young-child screen read as (12 hex digits of SHA-256): any change to
 * either gives another. The words alone until session 49, when the young-child screen came
 * (tellsOfYoungChild): needs published before it are read for it once.
 */
export const HEALTH_WORDS_FINGERPRINT = createHash('sha256').update(`${HEALTH_WORDS.source}/${HEALTH_WORDS.flags}/${YOUNG_CHILD_SCREEN_SOURCE}`).digest('hex').slice(0, 12);

/** The data_upgrade row of the screen of open needs with this release's health words. */
export const NEEDS_SCREENED = `${NEEDS_SCREENED_FIRST}@${HEALTH_WORDS_FINGERPRINT}`;

/** A meeting's stored dossier without the birth dates and address written before version 3. */
function minimisedDossier(row: Row): Row {
  const stored = row.dossierJson;
  if (typeof stored !== 'string') return {};
  const dossier = JSON.parse(stored) as Dossier;
  return holdsMoreThanStored(dossier) ? { dossierJson: JSON.stringify(storedDossier(dossier)) } : {};
}

/** A table holding a settlement reference: `column`, the drizzle property name. */
interface SettlementTable {
  table: MySqlTable;
  key: string;
  column: string;
}

/** Every stored settlement reference column (what X7 adds up by stay, and decisions name). */
export const SETTLEMENT_TABLES: readonly SettlementTable[] = [
  // aidReport's records, and the ledger entry of every charity delivery
  { table: reportedAid, key: 'id', column: 'settlementRef' },
  // meetings' decisions and their corrections (DECISION slips: db/cases/decision-slips.ts)
  { table: referralSlip, key: 'id', column: 'settlementRef' },
  { table: charityDelivery, key: 'id', column: 'settlementReference' },
];

/** The data_upgrade row of a table's settlement references read as typed. */
export const settlementUpgradeName = (t: SettlementTable) => `settlement-read:${getTableName(t.table)}`;

/** The data_upgrade rows of the settlement references read as typed. */
export const SETTLEMENT_UPGRADES: ReadonlySet<string> = new Set(SETTLEMENT_TABLES.map(settlementUpgradeName));

/** The data_upgrade row of a table's settlement references written as the hub keys stays (upper-case besides). */
export const settlementKeyedName = (t: SettlementTable) => `settlement-keyed:${getTableName(t.table)}`;

/** The data_upgrade row of alerts' identities built on a stay's key (settlementKeyedAlert). */
export const ALERTS_SETTLEMENT_KEYED = 'settlement-keyed:monitoring_alert';

/** The data_upgrade row of findings' fingerprints built on a stay's key (jobs migration 0006). */
export const FINDINGS_SETTLEMENT_KEYED = 'settlement-keyed:finding';

/** The data_upgrade rows of the settlement references keyed as stays are. */
export const SETTLEMENT_KEYED_UPGRADES: ReadonlySet<string> = new Set([...SETTLEMENT_TABLES.map(settlementKeyedName), ALERTS_SETTLEMENT_KEYED, FINDINGS_SETTLEMENT_KEYED]);

/** settlementKeyedFingerprint of a stored finding row; null for a detail that is no finding's (the hub writes none such: left, never a start refused for it). */
function settlementKeyedFindingOf(row: Row): string | null {
  // Only these kinds name a stay in their identity (domain/findings/kinds.ts): the others' detail is not read.
  if (row.kind !== 'SETTLEMENT_EXCESS' && row.kind !== 'MISSED_AID') return null;
  let detail: FindingDetail;
  try {
    detail = JSON.parse(row.detail as string) as FindingDetail;
  } catch {
    return null;
  }
  if (!detail || !Array.isArray(detail.records) || !Array.isArray(detail.idNumbers) || typeof detail.measure !== 'object' || detail.measure === null) return null;
  return settlementKeyedFingerprint({ ruleId: row.ruleId as string, fingerprint: row.fingerprint as string, householdId: row.householdId as number | null, idNumbers: detail.idNumbers, records: detail.records, measure: detail.measure });
}

/**
 * The settling that stands on a finding: the id of its last CONFIRMED, DISMISSED or RESOLVED event
 * when that is still its status (an officer's decision); 0 for an open finding, or one reopened since.
 */
async function standingDecision(tx: HubQuery, id: number, status: string): Promise<number> {
  if (status === 'OPEN') return 0;
  const [last] = await tx.select({ id: findingEvent.id, toStatus: findingEvent.toStatus }).from(findingEvent).where(eq(findingEvent.findingId, id)).orderBy(desc(findingEvent.id)).limit(1);
  return last && last.toStatus === status && last.toStatus !== 'OPEN' ? last.id : 0;
}

/**
 * The fingerprint this release gives the finding (none: the row stays). Where another finding holds
 * it already (a scan of this release found the stay again as a new finding, or two findings of an
 * earlier release named it `zy001` and `ZY001 `), the one whose decision stands and was made last
 * takes it (findingFingerprintTaken); one with none yields to one with; between two with none the
 * one holding it keeps it, this one is left as it was.
 */
async function findingSettlementKeyed(row: Row, tx: HubQuery): Promise<Row> {
  const keyed = settlementKeyedFindingOf(row);
  if (keyed === null || keyed === row.fingerprint) return {};
  const [holder] = await tx.select({ id: finding.id, status: finding.status }).from(finding).where(eq(finding.fingerprint, keyed)).limit(1);
  if (holder && (await standingDecision(tx, row.id as number, row.status as string)) <= (await standingDecision(tx, holder.id, holder.status))) return {};
  return { fingerprint: keyed };
}

/**
 * Gives the finding its keyed fingerprint; a finding holding it already takes in exchange the one this
 * finding held (which no scan builds again: stays are keyed), its row, status and history kept.
 * Swapped through a value no fingerprint is (they are hex), the column being unique; each update
 * finds its row by the unique key, so locks that row alone.
 */
async function findingFingerprintTaken(tx: HubQuery, row: Row, set: Row): Promise<void> {
  const keyed = set.fingerprint as string;
  const aside = `upgrade:${row.id as number}`;
  await tx.update(finding).set({ fingerprint: aside }).where(eq(finding.fingerprint, keyed));
  await tx.update(finding).set({ fingerprint: keyed }).where(eq(finding.id, row.id as number));
  await tx.update(finding).set({ fingerprint: row.fingerprint as string }).where(eq(finding.fingerprint, aside));
}

/** Findings still under the fingerprint an earlier release built on a stay not keyed once the upgrade has run: left beside another finding holding the one they would take, whose decision stands and is later. */
async function findingsLeftBesideAnother(db: HubDb): Promise<number> {
  const rows = await db
    .select({ fingerprint: finding.fingerprint, ruleId: finding.ruleId, kind: finding.kind, householdId: finding.householdId, detail: finding.detail })
    .from(finding)
    .where(and(inArray(finding.kind, ['SETTLEMENT_EXCESS', 'MISSED_AID']), or(like(finding.detail, '%"SETTLEMENT_EXCESS"%'), like(finding.detail, '%"OUT_OF_POCKET"%'))));
  return rows.filter((r) => settlementKeyedFindingOf(r) !== null).length;
}

/** The alert's identity and evidence as this release raises them (none: the row stays); left as it is where another alert holds that identity. */
async function alertSettlementKeyed(row: Row, tx: HubQuery): Promise<Row> {
  const keyed = settlementKeyedAlertOf(row);
  if (keyed === null) return {};
  if (keyed.identity !== row.identity && (await tx.select({ id: monitoringAlert.id }).from(monitoringAlert).where(eq(monitoringAlert.identity, keyed.identity)).limit(1)).length > 0) return {};
  return { identity: keyed.identity, evidenceRefs: JSON.stringify(keyed.evidenceRefs) };
}

/** settlementKeyedAlert of a stored alert; null for evidence that is no list of references (the hub writes none such: left, never a start refused for it). */
function settlementKeyedAlertOf(row: Row): ReturnType<typeof settlementKeyedAlert> {
  let refs: unknown;
  try {
    refs = JSON.parse(row.evidenceRefs as string);
  } catch {
    return null;
  }
  if (!Array.isArray(refs) || !refs.every((r) => typeof r === 'string')) return null;
  return settlementKeyedAlert({ identity: row.identity as string, triggerId: row.triggerId as string, subjectIdNumber: row.subjectIdNumber as string, evidenceRefs: refs as string[] });
}

/** Alerts still naming a stay by a reference not keyed once the upgrade has run: another alert holds the identity it would take. */
async function alertsLeftBesideAnother(db: HubDb): Promise<number> {
  const rows = await db
    .select({ identity: monitoringAlert.identity, triggerId: monitoringAlert.triggerId, subjectIdNumber: monitoringAlert.subjectIdNumber, evidenceRefs: monitoringAlert.evidenceRefs })
    .from(monitoringAlert)
    .where(sql`${monitoringAlert.evidenceRefs} LIKE ${'%"HEALTH:settlement:%'}`);
  return rows.filter((r) => settlementKeyedAlertOf(r) !== null).length;
}

/** The settlement reference of `row` in its read form (settlementReferenceOf: as the hub keys a stay), when that differs and fits its column (none: the row stays). */
function settlementRead(t: SettlementTable): (row: Row) => Row {
  const width = (getTableColumns(t.table) as Record<string, MySqlColumn & { length?: number }>)[t.column].length;
  return (row) => {
    const stored = row[t.column];
    if (typeof stored !== 'string') return {};
    const read = settlementReferenceOf(stored);
    if (read === stored || (read !== null && width !== undefined && [...read].length > width)) return {};
    return { [t.column]: read };
  };
}

export const DELIVERY_LINKED = 'delivery-linked:reported_aid';

/** The delivery entry `row` (a ledger row) alone records, as its delivery_id (none: the row stays). */
async function deliveryLinked(row: Row, tx: HubQuery): Promise<Row> {
  const key = row as LedgerRowKey;
  const deliveryId = (await deliveriesOfUnlinkedRows(tx, [key], { standing: false })).get(key.id);
  return deliveryId === undefined ? {} : { deliveryId };
}

/** The data_upgrade row of the owner changes' offices, read once from their reasons (jobs migration 0007). */
export const OWNER_CHANGE_OFFICES = 'owner-change-offices:case_event';

/** The offices an OWNER_CHANGED event recorded before their columns names in its reason (none: the row stays). */
function ownerChangeOffices(row: Row): Row {
  if (row.action !== 'OWNER_CHANGED' || row.fromOffice !== null || row.toOffice !== null) return {};
  const owners = ownerChangeOf(typeof row.reason === 'string' ? row.reason : null);
  if (!owners || owners.from.length > OFFICE_KEY_MAX_LENGTH || owners.to.length > OFFICE_KEY_MAX_LENGTH) return {};
  return { fromOffice: owners.from, toOffice: owners.to };
}

/** The data_upgrade row of case deadlines an earlier release stopped, kept as counted at the upgrade (jobs migration 0008). */
export const DEADLINES_KEPT = 'deadlines-kept:aid_case';

/** The urgencies whose cases have a working-day deadline (domain/cases/deadlines.ts DEADLINE_RULES): an emergency's first aid is counted in hours, and nothing of it is kept. */
const URGENCIES_WITH_WORKING_DAYS = Object.entries(DEADLINE_RULES)
  .filter(([, rules]) => rules.some((r) => r.limit.unit === 'WORKING_DAYS'))
  .map(([urgency]) => urgency as keyof typeof DEADLINE_RULES);

/** The events and kept deadlines of a batch of cases, each read in one statement. */
interface CasesRead {
  events: Map<number, CaseEventRecord[]>;
  kept: Map<number, Set<DeadlineKind>>;
}

async function casesRead(tx: HubQuery, rows: readonly Row[]): Promise<CasesRead> {
  const ids = rows.map((r) => r.id as number);
  const events = await caseEventsOf(tx, ids);
  const kept = await keptDeadlinesOf(tx, ids);
  const keptByCase = new Map<number, Set<DeadlineKind>>();
  for (const k of kept) keptByCase.set(k.caseId, (keptByCase.get(k.caseId) ?? new Set()).add(k.kind));
  return { events, kept: keptByCase };
}

/** The working-day deadlines of the case (its row) that stopped running and have no kept row, as counted now (none: nothing to keep). */
function deadlinesStopped(row: Row, _tx: HubQuery, read?: unknown): Row {
  const { events, kept } = read as CasesRead;
  const id = row.id as number;
  const stopped = deadlinesToKeep(row as typeof aidCase.$inferSelect, events.get(id) ?? [], new Date(), () => true).filter((d) => !kept.get(id)?.has(d.kind));
  return stopped.length > 0 ? { kept: stopped } : {};
}

/** Stores them as a step's write does (db/cases/deadlines-kept.ts keepDeadlines), sealed; the case's own row is not written. */
async function deadlinesKept(tx: HubQuery, row: Row, set: Row): Promise<void> {
  await keepDeadlines(tx, row.id as number, set.kept as DeadlineToKeep[], new Date());
}

/** Every upgrade, in the order they run. */
export const DATA_UPGRADES: readonly DataUpgrade[] = [
  ...PROSE_TABLES.map((t) => ({ name: proseUpgradeName(t), table: t.table, key: t.key, columns: [...t.prose, ...(t.dossier ? [t.dossier] : [])], batch: t.batch, change: (row: Row) => maskedColumns(t, row) })),
  { name: DOSSIER_MINIMISED, table: caseMeeting, key: 'id', columns: ['dossierJson'], batch: 50, change: minimisedDossier },
  {
    name: NEEDS_SCREENED,
    family: NEEDS_SCREENED_FIRST,
    table: charityNeed,
    key: 'id',
    columns: ['state', 'description', 'involvesHealth', 'householdId', 'consentId'],
    change: (row, tx) => rescreenedNeed(tx, row as Parameters<typeof rescreenedNeed>[1], new Date()),
  },
  ...SETTLEMENT_TABLES.map((t) => ({ name: settlementUpgradeName(t), table: t.table, key: t.key, columns: [t.column], change: settlementRead(t) })),
  ...SETTLEMENT_TABLES.map((t) => ({ name: settlementKeyedName(t), table: t.table, key: t.key, columns: [t.column], change: settlementRead(t) })),
  {
    name: ALERTS_SETTLEMENT_KEYED,
    table: monitoringAlert,
    key: 'id',
    columns: ['identity', 'triggerId', 'subjectIdNumber', 'evidenceRefs'],
    change: alertSettlementKeyed,
    tally: async (db) => ({ alertsLeftBesideAnother: await alertsLeftBesideAnother(db) }),
  },
  {
    name: FINDINGS_SETTLEMENT_KEYED,
    table: finding,
    key: 'id',
    columns: ['fingerprint', 'ruleId', 'kind', 'status', 'householdId', 'detail'],
    batch: 100,
    change: findingSettlementKeyed,
    write: findingFingerprintTaken,
    tally: async (db) => ({ findingsLeftBesideAnother: await findingsLeftBesideAnother(db) }),
  },
  {
    name: DELIVERY_LINKED,
    table: reportedAid,
    key: 'id',
    columns: ['deliveryId', 'reporterCreditCode', 'reference', 'needId'],
    change: deliveryLinked,
    tally: async (db) => ({ ambiguousDeliveries: (await deliveriesAmbiguousInLedger(db)).length, correctionsBesideDelivery: (await correctionsBesideTheirDelivery(db)).length }),
  },
  { name: OWNER_CHANGE_OFFICES, table: caseEvent, key: 'id', columns: ['action', 'reason', 'fromOffice', 'toOffice'], only: eq(caseEvent.action, 'OWNER_CHANGED'), change: ownerChangeOffices },
  {
    name: DEADLINES_KEPT,
    table: aidCase,
    key: 'id',
    // The whole case row: the deadline rules read it as every reader does (db/cases/records.ts caseRecord).
    columns: Object.keys(getTableColumns(aidCase)).filter((c) => c !== 'id'),
    only: inArray(aidCase.urgency, URGENCIES_WITH_WORKING_DAYS),
    read: casesRead,
    change: deadlinesStopped,
    write: deadlinesKept,
  },
];

/** The columns of `row` whose text masking changes, with their masked text (none: the row stays as it is). */
function maskedColumns(t: ProseTable, row: Row): Row {
  const out: Row = {};
  for (const p of t.prose) {
    const text = row[p];
    if (typeof text !== 'string') continue;
    const masked = maskIdNumbersInText(text);
    if (masked !== text) out[p] = masked;
  }
  if (t.dossier && typeof row[t.dossier] === 'string') {
    const stored = row[t.dossier] as string;
    const dossier = JSON.parse(stored) as Dossier;
    const masked = dossierWithProseMasked(dossier, maskIdNumbersInText);
    if (masked !== dossier) out[t.dossier] = JSON.stringify(masked);
  }
  return out;
}

/** One batch of one table: the rows it changed, and whether the table is done. */
async function upgradeBatch(db: HubDb, t: DataUpgrade, batch: number): Promise<{ changed: number; done: boolean }> {
  const name = t.name;
  const columns = getTableColumns(t.table) as Record<string, MySqlColumn>;
  const key = columns[t.key];
  const fields = Object.fromEntries([t.key, ...t.columns].map((p) => [p, columns[p]]));
  return retryLockConflicts(() =>
    sealedTransaction(db, async (tx) => {
      const [state] = await tx.select().from(dataUpgrade).where(eq(dataUpgrade.name, name)).for('update');
      if (!state || state.finishedAt !== null) return { changed: 0, done: true };
      const rows = (await tx.select(fields).from(t.table).where(and(gt(key, state.resumeAfter), t.only)).orderBy(asc(key)).limit(batch)) as Row[];
      const toChange: number[] = [];
      const read = t.read ? await t.read(tx, rows) : undefined;
      for (const r of rows) if (Object.keys(await t.change(r, tx, read)).length > 0) toChange.push(r[t.key] as number);
      let changed = 0;
      if (toChange.length > 0) {
        const locked = (await tx.select(fields).from(t.table).where(inArray(key, toChange)).for('update')) as Row[];
        // Read again under the locks: a request may have changed them meanwhile.
        const lockedRead = t.read ? await t.read(tx, locked) : undefined;
        for (const row of locked) {
          const set = await t.change(row, tx, lockedRead);
          if (Object.keys(set).length === 0) continue;
          if (t.write) await t.write(tx, row, set);
          else {
            await tx.update(t.table).set(set).where(eq(key, row[t.key] as number));
            // A case record an upgrade rewrites is sealed as rewritten, in the same transaction (db/cases/seals.ts); a `write` seals what it writes.
            if (isSealedTable(t.table)) sealLater(tx, t.table, eq(key, row[t.key] as number));
          }
          changed += 1;
        }
      }
      const done = rows.length < batch;
      await tx
        .update(dataUpgrade)
        .set({
          resumeAfter: rows.length > 0 ? (rows[rows.length - 1][t.key] as number) : state.resumeAfter,
          rowsChanged: sql`${dataUpgrade.rowsChanged} + ${changed}`,
          ...(done ? { finishedAt: sql`UTC_TIMESTAMP(3)` } : {}),
        })
        .where(eq(dataUpgrade.name, name));
      return { changed, done };
    }),
  );
}

/**
 * Adds, unfinished, the row of each keyed upgrade (`family`) not there yet, and marks finished the
 * unfinished rows of its family under another key: the new read goes over every row they would.
 * Two processes starting at once add it once (INSERT IGNORE on the primary key).
 */
async function addKeyedUpgrades(db: HubDb): Promise<void> {
  for (const t of DATA_UPGRADES) {
    const family = t.family;
    if (family === undefined) continue;
    await db.insert(dataUpgrade).ignore().values({ name: t.name });
    const superseded = (await db.select({ name: dataUpgrade.name }).from(dataUpgrade).where(isNull(dataUpgrade.finishedAt)))
      .map((r) => r.name)
      .filter((n) => n !== t.name && (n === family || n.startsWith(`${family}@`)));
    if (superseded.length > 0) await db.update(dataUpgrade).set({ finishedAt: sql`UTC_TIMESTAMP(3)` }).where(inArray(dataUpgrade.name, superseded));
  }
}

/** Rows a start's data upgrades changed, per table. */
export type DataUpgradeReport = { upgrade: string; table: string; rowsChanged: number; tally?: Record<string, number> }[];

/**
 * Runs every data upgrade not finished yet, to the end; returns the rows each table had changed by
 * this process (tables with none left out). A finished upgrade costs one read at every start.
 * `batch`: rows read per transaction. A `signal` aborted stops it before its next batch (throwing
 * the signal's reason): `npm start` stopped during start-up leaves the rest to its next start.
 */
export async function runDataUpgrades(db: HubDb, opts: { batch?: number; signal?: AbortSignal } = {}): Promise<DataUpgradeReport> {
  const batch = opts.batch ?? UPGRADE_BATCH;
  await addKeyedUpgrades(db);
  const pending = new Set((await db.select({ name: dataUpgrade.name }).from(dataUpgrade).where(isNull(dataUpgrade.finishedAt))).map((r) => r.name));
  const report: DataUpgradeReport = [];
  for (const t of DATA_UPGRADES) {
    if (!pending.has(t.name)) continue;
    let rowsChanged = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      const step = await upgradeBatch(db, t, Math.min(batch, t.batch ?? batch));
      rowsChanged += step.changed;
      if (step.done) break;
    }
    const tally = t.tally ? await t.tally(db) : null;
    if (rowsChanged > 0 || Object.values(tally ?? {}).some((n) => n > 0)) report.push({ upgrade: t.name, table: getTableName(t.table), rowsChanged, ...(tally ? { tally } : {}) });
  }
  return report;
}
