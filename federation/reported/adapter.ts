/**
 * REPORTED: aid reported directly to the hub by offices without a front-end database (应急, 司法,
 * 共青团, 妇联, 红十字) and by charities, read from the hub's own ledger (db/reported-aid/) behind
 * the same contract as a department's front-end database. Each record keeps the office that gave it
 * as its department and says who reported it, under which reference. Superseded entries (corrected
 * or reversed) are history, not aid (read only as what a slip or a first aid named: SUPERSEDED, or
 * CANCELLED once reversed, with the entry standing in its place); a reversal reads as the aid it
 * cancelled, CANCELLED, amount 0.
 * One statement per batch; charity and Red Cross money for a hospital stay is also read by the
 * stay's settlement reference, whoever received it (X7 adds up everything paid for one stay).
 */
import path from 'node:path';
import { and, getTableColumns, isNull, sql } from 'drizzle-orm';
import { inPlaceholder, preparedPer, preparedUnionAll } from '../../db/prepared';
import { reportedAid, charityOrganisation, charityOrganisationName, type ReportedAidRow } from '../../db/reported-aid/schema';
import { oneOffAid, oneOffStatus, recurringAid, sourceKeyOf, sourceRefOf } from '../../domain/aid';
import type { IsoDate } from '../../domain/dates';
import { HUB_ID } from '../../domain/hub-id';
import { PROGRAMME_BY_CODE, type ProgrammeCode } from '../../domain/programmes';
import { checkAnswer, readsApart, type AidRecord, type CheckAsk, type DepartmentAdapter, type SourceDb } from '../contract';
import { REPORTED_DEMO } from './demo';
import { entryBeyondTerm } from '../../domain/reported-aid/beyond-term';

/** The kind of record reported aid comes from (`sourceRef`'s first part). Frozen: stored findings' fingerprints are built from it. */
const RECORD_KINDS = {
  reportedAid: 'reported_aid',
} as const;

/** Standing entries whose beneficiary is among `ids`. */
const standingOfWhere = () => and(inPlaceholder(reportedAid.beneficiaryIdNumber, 'ids'), isNull(reportedAid.supersededBy));
/** Standing entries tied to the settlements in `refs`, whoever the beneficiary (X7): through `reported_aid_settlement`. */
const standingForSettlementsWhere = () => and(inPlaceholder(reportedAid.settlementRef, 'refs'), isNull(reportedAid.supersededBy));

const standingOf = preparedPer((db: SourceDb) => db.select().from(reportedAid).where(standingOfWhere()).prepare());
// Through `reported_aid_settlement` whatever the optimiser estimates: most entries name no stay, and
// for a region scan's slice of references MariaDB read the whole ledger instead.
const BY_SETTLEMENT = { forceIndex: 'reported_aid_settlement' };
const standingForSettlements = preparedPer((db: SourceDb) => db.select().from(reportedAid, BY_SETTLEMENT).where(standingForSettlementsWhere()).prepare());

/** `standingOf` and `standingForSettlements` in one statement: `aidAndFacts` asked for the aid tied to stays. */
const standingOfAndForSettlements = preparedPer((db: SourceDb) =>
  preparedUnionAll(db, {
    ofPeople: { fields: getTableColumns(reportedAid), select: (f) => db.select(f).from(reportedAid).where(standingOfWhere()) },
    tied: { fields: getTableColumns(reportedAid), select: (f) => db.select(f).from(reportedAid, BY_SETTLEMENT).where(standingForSettlementsWhere()) },
  }),
);

/**
 * The common aid record of one standing ledger entry. Without `today` only one-off entries map
 * (a recurring entry's status depends on the day): what pays for a hospital stay is one-off.
 */
export function ledgerRecord(r: ReportedAidRow, today: IsoDate | null): AidRecord | null {
  const programme = PROGRAMME_BY_CODE.get(r.programme);
  if (!programme) return null;
  const common = {
    department: r.reporterOffice,
    programme: r.programme as ProgrammeCode,
    beneficiaryIdNumber: r.beneficiaryIdNumber,
    sourceRef: sourceRefOf(RECORD_KINDS.reportedAid, r.id),
    settlementRef: r.settlementRef,
    caseReference: r.caseReference,
    needId: r.needId,
    reportedBy: { clientName: r.reporterClient, officer: r.reporterOfficer, office: r.reporterOffice, creditCode: r.reporterCreditCode, reference: r.reference },
  };
  const cancelled = r.entryKind === 'REVERSAL';
  if (programme.kind === 'RECURRING' && r.periodStart) {
    if (today === null) return null;
    const status = cancelled ? 'CANCELLED' : r.periodEnd && r.periodEnd < today ? 'ENDED' : 'ACTIVE';
    // An entry aidReport would refuse today (PERIOD_TOO_LONG, recorded before the rule) is shown as
    // recorded and marked; totals and rules read it up to its term's last day (knownEnd).
    return recurringAid({ ...common, start: r.periodStart, end: r.periodEnd, monthlyFen: r.amountFen, status, periodBeyondTerm: entryBeyondTerm(r, today) });
  }
  if (!r.grantDate) return null;
  // aidReport takes no grant date after today (only a recurring period's end may be), so an entry is SCHEDULED only if the hub's day went back (or the row was written directly).
  return oneOffAid({ ...common, grantDate: r.grantDate, amountFen: r.amountFen, status: today === null ? (cancelled ? 'CANCELLED' : 'PAID') : oneOffStatus(cancelled, r.grantDate, today) });
}

/**
 * The entries named (by id) that no longer stand, each with the last entry of its chain of
 * supersession: a recursive walk along `superseded_by` in one statement, which returns the named
 * row (id = startId) beside its chain's last, so a slip reads the record it named as well as what
 * stands in its place. An entry never superseded is its own last entry (and returned once).
 */
async function namedWithChainEnds(db: SourceDb, ids: readonly number[]): Promise<(ReportedAidRow & { startId: number })[]> {
  const [rows] = (await db.execute(sql`
    WITH RECURSIVE chain (start_id, id, superseded_by) AS (
      SELECT id, id, superseded_by FROM reported_aid WHERE id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})
      UNION ALL
      SELECT chain.start_id, r.id, r.superseded_by FROM chain JOIN reported_aid r ON r.id = chain.superseded_by
    )
    SELECT chain.start_id AS startId, r.id AS id, r.reporter_client AS reporterClient, r.reporter_officer AS reporterOfficer, r.reporter_office AS reporterOffice,
      r.reporter_credit_code AS reporterCreditCode, r.reference AS reference, r.entry_kind AS entryKind,
      r.supersedes_reference AS supersedesReference, r.beneficiary_id_number AS beneficiaryIdNumber, r.programme AS programme,
      r.grant_date AS grantDate, r.period_start AS periodStart, r.period_end AS periodEnd, r.amount_fen AS amountFen,
      r.settlement_ref AS settlementRef, r.case_reference AS caseReference, r.need_id AS needId, r.content_hash AS contentHash,
      r.received_at AS receivedAt, r.superseded_by AS supersededBy
    FROM chain JOIN reported_aid r ON r.id = chain.id
    WHERE chain.superseded_by IS NULL OR chain.id = chain.start_id`)) as unknown as [(ReportedAidRow & { startId: number })[]];
  return rows.map((r) => ({ ...r, startId: Number(r.startId), id: Number(r.id), amountFen: Number(r.amountFen), supersededBy: r.supersededBy === null ? null : Number(r.supersededBy) }));
}

export const reported: DepartmentAdapter = {
  code: 'REPORTED',
  recordKinds: RECORD_KINDS,
  migrationsFolder: path.join(__dirname, '..', '..', 'db', 'reported-aid', 'migrations'),
  migrationsTable: '__drizzle_migrations_reported_aid',
  tables: [reportedAid, charityOrganisation, charityOrganisationName],
  personKeys: [reportedAid.beneficiaryIdNumber],
  demo: REPORTED_DEMO,
  otherIdColumns: [
    { column: reportedAid.reporterCreditCode, why: 'a charity’s 统一社会信用代码, an organisation, not a person' },
    { column: charityOrganisation.creditCode, why: 'a charity’s 统一社会信用代码, an organisation, not a person' },
    { column: charityOrganisationName.creditCode, why: 'a charity’s 统一社会信用代码, an organisation, not a person' },
  ],
  changeFeed: [
    { table: reportedAid, sequence: reportedAid.id, updatedAt: null },
    { table: charityOrganisation, sequence: null, updatedAt: null },
    { table: charityOrganisationName, sequence: null, updatedAt: null },
  ],

  async aidByIdNumbers(db: SourceDb, idNumbers: readonly string[], today: IsoDate): Promise<AidRecord[]> {
    if (idNumbers.length === 0) return [];
    const rows = await standingOf(db).execute({ ids: idNumbers });
    return rows.flatMap((r) => ledgerRecord(r, today) ?? []);
  },

  async recordsNoLongerStanding(db: SourceDb, sourceRefs: readonly string[], today: IsoDate): Promise<Map<string, AidRecord>> {
    // Another kind's reference, or a key no id can be, has no entry here.
    const keys = sourceRefs.map((ref) => sourceKeyOf(RECORD_KINDS.reportedAid, ref));
    const ids = [...new Set(keys.filter((k): k is string => k !== null && HUB_ID.test(k)).map(Number))];
    if (ids.length === 0) return new Map();
    const rows = await namedWithChainEnds(db, ids);
    const lastOf = new Map(rows.filter((r) => r.supersededBy === null).map((r) => [r.startId, r] as const));
    // An entry that still stands is left out: it is among the standing records already. One
    // superseded is answered as recorded, with the chain's last entry as what superseded it: SUPERSEDED
    // by a CORRECTION, CANCELLED by a REVERSAL (the aid taken back, as 医保's reversed settlement reads).
    return new Map(
      rows.flatMap((r) => {
        const last = lastOf.get(r.startId);
        // The named row is the chain's start (r.id === r.startId).
        if (r.id !== r.startId || r.supersededBy === null || !last) return [];
        const named = ledgerRecord(r, today);
        const standing = ledgerRecord(last, today);
        const status = last.entryKind === 'REVERSAL' ? ('CANCELLED' as const) : ('SUPERSEDED' as const);
        return named && standing ? [[sourceRefOf(RECORD_KINDS.reportedAid, r.startId), { ...named, status, supersededBy: standing }] as const] : [];
      }),
    );
  },

  async aidBySettlementRefs(db: SourceDb, refs: readonly string[]): Promise<AidRecord[]> {
    if (refs.length === 0) return [];
    // One-off entries only (what pays for a stay); an entry is never dated after the day it was reported.
    return (await standingForSettlements(db).execute({ refs })).flatMap((r) => ledgerRecord(r, null) ?? []);
  },

  async aidAndFacts(db: SourceDb, ask: CheckAsk) {
    const { idNumbers, today, tiedTo = [] } = ask;
    if (idNumbers.length === 0 || tiedTo.length === 0) return readsApart(this, db, ask);
    const rows = await standingOfAndForSettlements(db).execute({ ids: idNumbers, refs: tiedTo });
    // As the two reads map them: the people's entries on `today`, the stay's one-off entries only.
    return checkAnswer({ aid: rows.ofPeople.flatMap((r) => ledgerRecord(r, today) ?? []), tied: rows.tied.flatMap((r) => ledgerRecord(r, null) ?? []) });
  },
};
