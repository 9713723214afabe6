/**
 * Writes and reads of the reported-aid ledger (db/reported-aid/schema.ts). `recordReportedAid` is
 * the one way records enter it — aidReport, the CSV import and charity deliveries all call it,
 * inside a transaction of the caller's — so idempotency and supersession are enforced in one place.
 */
import { and, asc, between, eq, isNull, sql } from 'drizzle-orm';
import type { HubDb } from '../connect';
import type { LockingTx } from '../locking';
import { inList } from '../in-list';
import { toDbInstant } from '../instants';
import type { OfficeCode } from '../../domain/departments';
import { isCreditCode } from '../../domain/credit-code';
import { contentHash, REFERENCE_IDENTIFIES_MESSAGE, referenceIdentifies, referenceKey, sameAsRecorded, type RecordedEntry, type ReportError, type ValidReportedAid } from '../../domain/reported-aid/validate';
import { charityOrganisation, charityOrganisationName, reportedAid, type ReportedAidRow } from './schema';
import { isBlank, longerThan } from '../../domain/text-length';

/** Who reports: the API client, its office, a charity's 统一社会信用代码, and the officer the request named. */
export interface Reporter {
  clientName: string;
  office: OfficeCode;
  creditCode: string | null;
  /**
   * The officer at the client the request is made for (X-Officer, validated and screened for ID
   * numbers by access/http.ts), or null. Kept on the entries it writes, not part of their content:
   * a retry under another officer is the same record, and the entry keeps its first officer.
   */
  officer: string | null;
}

/** What a transaction (or the hub database itself) offers the ledger. */

export interface RecordOutcome {
  /** Per record of the batch, in order: the ledger row now holding it. */
  rows: ReportedAidRow[];
  /** Per record: true when this call wrote it, false when the same record was already there. */
  written: boolean[];
}

export interface RecordOptions {
  /**
   * Entries of other clients of the reporter's organisation that a record of the batch may
   * supersede, by their reference: a charity's delivery corrected by another of its clients than the
   * one that reported it. The new entry is the correcting client's (the ledger names who acted),
   * the entry it supersedes stays its writer's. Each must carry the reporter's credit code: one
   * organisation's entries are never superseded by another's.
   */
  organisationEntries?: readonly ReportedAidRow[];
  /** The charity delivery entry the batch (its one record) is the ledger's record of: kept as its delivery_id. */
  deliveryId?: number;
}

/**
 * Records validated aid for one reporter. Idempotent by (reporter, reference): a record already in
 * the ledger with the same content is left as it is; the same reference with other content is
 * refused (REFERENCE_CONFLICT). A CORRECTION or REVERSAL supersedes the reporter's entry under its
 * `supersedesReference` (already in the ledger or earlier in the batch), or one of
 * `options.organisationEntries`, which must still stand.
 * Any problem returns every error and writes nothing; the caller's transaction keeps the batch whole.
 */
export async function recordReportedAid(tx: LockingTx, records: readonly ValidReportedAid[], reporter: Reporter, now: Date = new Date(), options: RecordOptions = {}): Promise<{ ok: true; outcome: RecordOutcome } | { ok: false; errors: ReportError[] }> {
  // Another client's entries of the organisation, by reference: a record superseding one of these
  // supersedes it, not an entry of the reporter's own under the same reference.
  const others = new Map<string, ReportedAidRow>();
  for (const row of options.organisationEntries ?? []) {
    if (reporter.creditCode === null || row.reporterCreditCode !== reporter.creditCode) throw new Error('a ledger entry is superseded only by a client of the organisation that wrote it');
    if (row.reporterClient !== reporter.clientName) others.set(referenceKey(row.reference), row);
  }
  const references = [...new Set(records.flatMap((r) => [r.reference, ...(r.supersedesReference ? [r.supersedesReference] : [])]))];
  const ownEntries = () => tx.select().from(reportedAid).where(entriesUnder(reporter.clientName, references));
  let existing = await ownEntries();
  // Keyed as the unique key compares (referenceKey): a reference sent in another case is the same one.
  const byRef = new Map(existing.map((r) => [referenceKey(r.reference), r]));
  const supersedable = (reference: string) => others.get(referenceKey(reference)) ?? byRef.get(referenceKey(reference));
  // The entries this batch would supersede, locked by primary key and read again: a locking read
  // sees the latest committed state, so of two corrections of one entry sent at once the second
  // waits for the first and finds the entry superseded (the plain read above may predate it, and
  // both would stand, the aid counted twice).
  const targetIds = [...new Set(records.flatMap((r) => (r.supersedesReference && !byRef.has(referenceKey(r.reference)) ? [supersedable(r.supersedesReference)?.id] : [])))].filter((id): id is number => id !== undefined);
  if (targetIds.length > 0) {
    const locked = await tx.select().from(reportedAid).where(inList(reportedAid.id, targetIds)).for('update');
    for (const row of locked) (row.reporterClient === reporter.clientName ? byRef : others).set(referenceKey(row.reference), row);
    // The reporter's entries read again once the lock is held: the same correction sent twice at
    // once waited here for its first sending, which wrote the entry under its reference and
    // superseded the target. Found now, it is the retry it is (already recorded), not refused
    // SUPERSEDES_ALREADY_SUPERSEDED by what its own first sending wrote.
    existing = await ownEntries();
    for (const row of existing) byRef.set(referenceKey(row.reference), row);
  }
  const errors: ReportError[] = [];
  const hashes = records.map(contentHash);
  const fresh: number[] = [];
  const supersededInBatch = new Map<string, number>();
  const batchRefs = new Map<string, number>();
  records.forEach((r, index) => {
    const already = byRef.get(referenceKey(r.reference));
    if (already) {
      // Compared as recorded: the references in the case the ledger holds them.
      if (!sameAsRecorded(r, already)) errors.push({ index, code: 'REFERENCE_CONFLICT', field: 'reference', message: 'this reference already holds a different record; send a CORRECTION under a new reference' });
      return;
    }
    fresh.push(index);
    if (r.supersedesReference) {
      const target = supersedable(r.supersedesReference);
      const earlier = batchRefs.get(referenceKey(r.supersedesReference));
      // Named as recorded, a reference the ledger holds shows nothing new (one recorded before
      // references were screened can still be corrected or reversed); naming none, it is screened
      // as a reference is (validate.ts referenceIdentifies).
      if (!target && earlier === undefined) {
        errors.push(
          referenceIdentifies(r.supersedesReference)
            ? { index, code: 'REFERENCE_IDENTIFIES', field: 'supersedesReference', message: REFERENCE_IDENTIFIES_MESSAGE }
            : { index, code: 'SUPERSEDES_UNKNOWN', field: 'supersedesReference', message: laterInBatch(records, index, r.supersedesReference) },
        );
      }
      else if ((target && target.supersededBy !== null) || supersededInBatch.has(referenceKey(r.supersedesReference))) {
        errors.push({ index, code: 'SUPERSEDES_ALREADY_SUPERSEDED', field: 'supersedesReference', message: 'that record was already corrected or reversed; supersede the latest entry' });
      } else {
        // A reversal cancels the aid its entry recorded: the same person and programme. Named
        // otherwise, it would cancel one person's aid and show a cancelled grant no one received.
        const reversed = target ?? records[earlier!];
        // A reversal of a reversal cancels nothing (the aid stays CANCELLED, 0 fen), though its
        // sender meant the aid to stand again: that is a CORRECTION of the reversal, carrying the
        // amount. Taken, it was recorded without a word and the aid still read cancelled.
        if (r.entryKind === 'REVERSAL' && reversed.entryKind === 'REVERSAL') {
          errors.push({ index, code: 'REVERSAL_OF_REVERSAL', field: 'entryKind', message: 'that entry is a reversal already: nothing stands to reverse; to make the aid stand again, send a CORRECTION of it with the amount' });
        } else if (r.entryKind === 'REVERSAL' && reversed.beneficiaryIdNumber !== r.beneficiaryIdNumber) {
          errors.push({ index, code: 'REVERSAL_MISMATCH', field: 'beneficiaryIdNumber', message: 'a reversal names the beneficiary of the entry it reverses; send a CORRECTION to change the person' });
        } else if (r.entryKind === 'REVERSAL' && reversed.programme !== r.programme) {
          errors.push({ index, code: 'REVERSAL_MISMATCH', field: 'programme', message: 'a reversal names the programme of the entry it reverses; send a CORRECTION to change the programme' });
        } else if (r.entryKind === 'REVERSAL' && reversalDateMismatch(reversed, r) !== null) {
          // As the person and programme: a reversal dated otherwise was taken, and the household read
          // the aid CANCELLED on a day it was never given (aid of 2026-12-02 cancelled in 2020).
          errors.push({ index, code: 'REVERSAL_MISMATCH', field: reversalDateMismatch(reversed, r), message: 'a reversal carries the grant date or period of the entry it reverses; send a CORRECTION to change the dates' });
        } else supersededInBatch.set(referenceKey(r.supersedesReference), index);
      }
    }
    batchRefs.set(referenceKey(r.reference), index);
  });
  if (errors.length > 0) return { ok: false, errors };

  if (fresh.length > 0) {
    const receivedAt = toDbInstant(now);
    await tx.insert(reportedAid).values(
      fresh.map((i) => {
        const r = records[i];
        return {
          reporterClient: reporter.clientName,
          reporterOfficer: reporter.officer,
          reporterOffice: reporter.office,
          reporterCreditCode: reporter.creditCode,
          reference: r.reference,
          entryKind: r.entryKind,
          supersedesReference: r.supersedesReference,
          beneficiaryIdNumber: r.beneficiaryIdNumber,
          programme: r.programme,
          grantDate: r.grantDate,
          periodStart: r.periodStart,
          periodEnd: r.periodEnd,
          amountFen: r.amountFen,
          settlementRef: r.settlementRef,
          caseReference: r.caseReference,
          needId: r.needId,
          deliveryId: options.deliveryId ?? null,
          contentHash: hashes[i],
          receivedAt,
        };
      }),
    );
  }
  const rows = fresh.length === 0 ? existing : await ownEntries();
  const now2 = new Map(rows.map((r) => [referenceKey(r.reference), r]));
  // Point each superseded entry at its successor; its content stays as it was.
  for (const [target, index] of supersededInBatch) {
    const successor = now2.get(referenceKey(records[index].reference))!;
    const other = others.get(target);
    if (other) {
      await tx.update(reportedAid).set({ supersededBy: successor.id }).where(and(eq(reportedAid.id, other.id), isNull(reportedAid.supersededBy)));
      other.supersededBy = successor.id;
      continue;
    }
    await tx.update(reportedAid).set({ supersededBy: successor.id }).where(and(eq(reportedAid.reporterClient, reporter.clientName), eq(reportedAid.reference, target), isNull(reportedAid.supersededBy)));
    now2.get(target)!.supersededBy = successor.id;
  }
  const freshSet = new Set(fresh);
  return { ok: true, outcome: { rows: records.map((r) => now2.get(referenceKey(r.reference))!), written: records.map((_, i) => freshSet.has(i)) } };
}

/**
 * The first date field in which a reversal differs from the entry it reverses (its grant date, or
 * its period's start and end), or null when it carries that entry's dates: a reversal cancels the
 * aid as it was recorded, so its dates are the reversed entry's, as its person and programme are.
 */
function reversalDateMismatch(reversed: Pick<ValidReportedAid, 'grantDate' | 'periodStart' | 'periodEnd'>, reversal: ValidReportedAid): 'grantDate' | 'periodStart' | 'periodEnd' | null {
  for (const field of ['grantDate', 'periodStart', 'periodEnd'] as const) if ((reversed[field] ?? null) !== (reversal[field] ?? null)) return field;
  return null;
}

/**
 * A reporter's entries under these references, by referenceKey: what a batch's retries are told by
 * before it is checked (validateReport's `recorded`), and whether each still stands (supersededBy). Read outside the batch's transaction: a retry
 * whose first sending is still being written is found by recordReportedAid, under its lock.
 */
export async function recordedUnder(db: Pick<HubDb, 'select'>, clientName: string, references: readonly string[]): Promise<Map<string, RecordedEntry & { supersededBy: number | null }>> {
  const keys = [...new Set(references)];
  if (keys.length === 0) return new Map();
  const rows = await db
    .select({ reference: reportedAid.reference, supersedesReference: reportedAid.supersedesReference, contentHash: reportedAid.contentHash, supersededBy: reportedAid.supersededBy })
    .from(reportedAid)
    .where(entriesUnder(clientName, keys));
  return new Map(rows.map((r) => [referenceKey(r.reference), r]));
}

/** A reporter's entries under these references (as the unique key compares them): recordReportedAid's and recordedUnder's one condition. */
function entriesUnder(clientName: string, references: readonly string[]) {
  return and(eq(reportedAid.reporterClient, clientName), inList(reportedAid.reference, references));
}

/** Standing entries (not superseded) whose beneficiary is one of these people: one statement. */
export function standingByIdNumbers(db: Pick<HubDb, 'select'>, idNumbers: readonly string[]): Promise<ReportedAidRow[]> {
  return db
    .select()
    .from(reportedAid)
    .where(and(inList(reportedAid.beneficiaryIdNumber, idNumbers), isNull(reportedAid.supersededBy)));
}

/**
 * The chain of supersession holding the entry under a reference: every entry before and after it.
 * A charity's chain runs across the clients of its organisation (a delivery reported by its
 * linkage client, corrected by another: each entry names its writer), and it is found from any of
 * their references: the caller's own entry under the reference first, else another client's of the
 * organisation (a reporting client asking after a delivery its linkage client reported). Each
 * client numbers its own references, so two other clients may hold one reference in two chains:
 * `ambiguous` then names them, and no chain is guessed. Another organisation's entries are never read.
 */
export async function historyOf(db: HubDb, clientName: string, reference: string): Promise<{ chain: ReportedAidRow[] } | { ambiguous: string[] }> {
  const org = await charityOf(db, clientName);
  const clients = [...new Set([clientName, ...(org ? (await db.select({ clientName: charityOrganisation.clientName }).from(charityOrganisation).where(eq(charityOrganisation.creditCode, org.creditCode))).map((c) => c.clientName) : [])])];
  // The entries under the reference (the unique key: one per client), then their chains alone. It
  // read every entry of the caller (or its organisation) and walked the chain in memory: a statement
  // growing with years of entries, on every call.
  const under = await db.select().from(reportedAid).where(and(inList(reportedAid.reporterClient, clients), eq(reportedAid.reference, reference))).orderBy(asc(reportedAid.id));
  const own = under.filter((r) => r.reporterClient === clientName);
  const starts = own.length > 0 ? own : under;
  if (starts.length === 0) return { chain: [] };
  const all = await chainsThrough(db, starts.map((s) => s.id), clients);
  const bySuccessor = new Map(all.flatMap((r) => (r.supersededBy === null ? [] : [[r.supersededBy, r] as const])));
  const byId = new Map(all.map((r) => [r.id, r]));
  const chainOf = (start: ReportedAidRow) => {
    // Back to the first entry (the one superseded by each), then forward along superseded_by.
    let first = start;
    while (bySuccessor.has(first.id)) first = bySuccessor.get(first.id)!;
    const chain = [first];
    for (let next = first.supersededBy; next !== null && byId.has(next); next = byId.get(next)!.supersededBy) chain.push(byId.get(next)!);
    return chain;
  };
  const chains = new Map(starts.map((s) => { const c = chainOf(s); return [c[0].id, c] as const; }));
  if (chains.size > 1) return { ambiguous: [...new Set(starts.map((s) => s.reporterClient))].sort() };
  return { chain: [...chains.values()][0] };
}

/**
 * The entries of the chains of supersession through these entries, of these clients, by id: two
 * statements whatever the ledger holds. A recursive walk back (the entry each one superseded, by
 * `superseded_by`'s index) and forward (its successor, by primary key) gives the chains' ids; the
 * rows are then read by id. UNION, not UNION ALL: a cycle (no write makes one) ends the walk.
 */
async function chainsThrough(db: HubDb, ids: readonly number[], clients: readonly string[]): Promise<ReportedAidRow[]> {
  const idList = sql.join(ids.map((id) => sql`${id}`), sql`, `);
  const clientList = sql.join(clients.map((c) => sql`${c}`), sql`, `);
  const [found] = (await db.execute(sql`
    WITH RECURSIVE back (id) AS (
      SELECT id FROM reported_aid WHERE id IN (${idList})
      UNION
      SELECT r.id FROM back JOIN reported_aid r ON r.superseded_by = back.id WHERE r.reporter_client IN (${clientList})
    ),
    fwd (id, superseded_by) AS (
      SELECT id, superseded_by FROM reported_aid WHERE id IN (${idList})
      UNION
      SELECT r.id, r.superseded_by FROM fwd JOIN reported_aid r ON r.id = fwd.superseded_by WHERE r.reporter_client IN (${clientList})
    )
    SELECT id FROM back UNION SELECT id FROM fwd`)) as unknown as [{ id: number | string }[]];
  return db.select().from(reportedAid).where(inList(reportedAid.id, found.map((r) => Number(r.id)))).orderBy(asc(reportedAid.id));
}

/**
 * What the hub accepted from a reporter between two instants (monthly reconciliation, 定期反馈):
 * entries by kind, with their sum in fen.
 */
export async function acceptedBetween(db: HubDb, clientName: string, from: Date, toExclusive: Date): Promise<{ entryKind: string; count: number; amountFen: number }[]> {
  const rows = await db
    .select({ entryKind: reportedAid.entryKind, count: sql<number>`count(*)`, amountFen: sql<string>`coalesce(sum(${reportedAid.amountFen}), 0)` })
    .from(reportedAid)
    .where(and(eq(reportedAid.reporterClient, clientName), between(reportedAid.receivedAt, toDbInstant(from), toDbInstant(new Date(toExclusive.getTime() - 1)))))
    .groupBy(reportedAid.entryKind);
  return rows.map((r) => ({ entryKind: r.entryKind, count: Number(r.count), amountFen: Number(r.amountFen) }));
}

/**
 * A charity client's registered organisation, or null: its code, and the one name of the code
 * (charity_organisation_name), whichever of the organisation's clients asks.
 */
export async function charityOf(db: Pick<HubDb, 'select'>, clientName: string): Promise<{ creditCode: string; name: string } | null> {
  const [row] = await db
    .select({ creditCode: charityOrganisation.creditCode, name: charityOrganisationName.name })
    .from(charityOrganisation)
    .innerJoin(charityOrganisationName, eq(charityOrganisationName.creditCode, charityOrganisation.creditCode))
    .where(eq(charityOrganisation.clientName, clientName));
  return row ?? null;
}

/** The name an organisation is registered under, by its credit code, or null for a code no client holds. */
export async function nameOfCreditCode(db: Pick<HubDb, 'select'>, creditCode: string): Promise<string | null> {
  const [row] = await db.select({ name: charityOrganisationName.name }).from(charityOrganisationName).where(eq(charityOrganisationName.creditCode, creditCode));
  return row?.name ?? null;
}

/** Why a charity's organisation cannot be registered so (the operator's tool says it before making the client); null when it can. */
export function charityRegistrationProblem(creditCode: string, name: string): string | null {
  if (!isCreditCode(creditCode)) return 'not a valid 统一社会信用代码 (GB 32100: 18 characters, check character last)';
  if (isBlank(name) || longerThan(name, 64)) return 'the organisation name is 1–64 characters';
  return null;
}

function checkedCharity(creditCode: string, name: string): void {
  const problem = charityRegistrationProblem(creditCode, name);
  if (problem) throw new Error(problem);
}

/**
 * Registers (or updates) a charity client's organisation: the operator's tool and the demo, which may
 * rebind a client. The operator vouches for the organisation, so the name given is the code's name
 * from then on, for every client bound to it (a rename), where a client's own registration must
 * give the name the code has (registerOrganisation in db/charity/store.ts).
 */
export async function registerCharity(db: Pick<HubDb, 'insert' | 'select'>, clientName: string, creditCode: string, name: string): Promise<CharityRegistration> {
  checkedCharity(creditCode, name);
  const earlierName = await nameOfCreditCode(db, creditCode);
  const otherClients = (await db.select({ clientName: charityOrganisation.clientName }).from(charityOrganisation).where(eq(charityOrganisation.creditCode, creditCode)))
    .map((c) => c.clientName)
    .filter((c) => c !== clientName)
    .sort();
  await db.insert(charityOrganisationName).values({ creditCode, name }).onDuplicateKeyUpdate({ set: { name } });
  await db.insert(charityOrganisation).values({ clientName, creditCode }).onDuplicateKeyUpdate({ set: { creditCode } });
  return { earlierName, otherClients };
}

/**
 * What a registration found: the name the code held before (null for a code no client held) and the
 * other clients bound to it. The operator's tool says both: a code typed for one charity that is
 * another's bound the new client into that organisation (its entries read and corrected by the new
 * client) and renamed it, without a word.
 */
export interface CharityRegistration {
  earlierName: string | null;
  otherClients: string[];
}

/**
 * Binds a charity client to its organisation only if it is bound to none, in one transaction: the
 * code's name row, when the caller found none (`codeIsNew`), and the client's row. A client bound
 * meanwhile, or the code named meanwhile (a registration sent at the same moment), makes an insert
 * fail on its key (ER_DUP_ENTRY), nothing of this one is kept, and the caller answers from the rows
 * that won; nothing is overwritten.
 */
export async function bindCharity(db: Pick<HubDb, 'transaction'>, clientName: string, creditCode: string, name: string, codeIsNew: boolean): Promise<void> {
  checkedCharity(creditCode, name);
  await db.transaction(async (tx) => {
    if (codeIsNew) await tx.insert(charityOrganisationName).values({ creditCode, name });
    await tx.insert(charityOrganisation).values({ clientName, creditCode });
  });
}

/**
 * Why a correction's or reversal's supersedesReference names nothing: the record it names may come
 * later in the same batch (a spreadsheet sorted by date puts a correction above its record), which
 * "no record under that reference" did not say, the clerk seeing the record in the file.
 */
function laterInBatch(records: readonly ValidReportedAid[], index: number, supersedes: string): string {
  const later = records.some((other, i) => i > index && referenceKey(other.reference) === referenceKey(supersedes));
  return later ? 'the record it supersedes comes later in this batch (in a file, on a later line): send it before the entries that correct or reverse it' : 'no record of this reporter under that reference';
}

/**
 * Standing entries (not superseded, no reversal) of a recurring period that may run beyond the
 * longest term a grant is approved for, after `afterId` in id order, at most `limit`: the
 * candidates of reportedAidBeyondTerm, of one reporting client or of every one (`clientName` null).
 * A coarse filter, never the rule: every entry beyond the term (domain/reported-aid/beyond-term.ts)
 * is among them (an open one started before `earliestStart`, the first start that still runs today
 * within the term; one ending after today at or past its start's `years`th anniversary, a day short
 * of the term's end for a start of 29 February), and entryBeyondTerm decides each. One statement.
 */
export function beyondTermCandidates(
  db: Pick<HubDb, 'select'>,
  ask: { clientName: string | null; today: string; earliestStart: string; years: number; afterId: number; limit: number },
): Promise<ReportedAidRow[]> {
  return db
    .select()
    .from(reportedAid)
    .where(
      and(
        isNull(reportedAid.supersededBy),
        sql`${reportedAid.entryKind} <> 'REVERSAL'`,
        sql`${reportedAid.periodStart} IS NOT NULL`,
        sql`${reportedAid.id} > ${ask.afterId}`,
        ask.clientName === null ? undefined : eq(reportedAid.reporterClient, ask.clientName),
        sql`((${reportedAid.periodEnd} IS NULL AND ${reportedAid.periodStart} < ${ask.earliestStart}) OR (${reportedAid.periodEnd} > ${ask.today} AND ${reportedAid.periodEnd} >= DATE_ADD(${reportedAid.periodStart}, INTERVAL ${ask.years} YEAR)))`,
      ),
    )
    .orderBy(asc(reportedAid.id))
    .limit(ask.limit);
}
