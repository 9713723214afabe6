/**
 * 工会 adapter: grants paid under hardship-worker files (困难帮扶, 金秋助学, 大病帮扶). A 金秋助学
 * grant funds the worker's child, so its beneficiary is the student, not the file holder; the
 * duplicate-funding rule X6 compares it with the student's 国家助学金. One statement per batch.
 */
import path from 'node:path';
import { and, eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import { inPlaceholder, preparedPer, preparedUnionAll } from '../../db/prepared';
import { checkAnswer, readsApart, type AidRecord, type CheckAsk, type DepartmentAdapter, type JobLoss, type SourceDb } from '../contract';
import { oneOffAid, recurringAid, sourceRefOf } from '../../domain/aid';
import { normaliseIdNumber } from '../../domain/id-number';
import { UNION_IMPORT } from './import-spec';
import { oneOffStatusOf, programmeColumn, programmeOf, statusColumn } from '../status-codes';
import { ghGrant, ghWorkerFile } from './tables';
import { UNION_DEMO } from './demo';

/**
 * The kinds of record this department's aid records and facts come from (`sourceRef`'s first
 * part). Frozen: stored findings' fingerprints are built from them, and they stay as they are if
 * a table is renamed (they are spelled like the first release's table names, not derived from
 * them).
 */
const RECORD_KINDS = {
  ghGrant: 'gh_grant',
  ghWorkerFile: 'gh_worker_file',
} as const;

/** gh_grant.grant_type as the import declaration documents it; any other type is the catch-all, UNRECOGNISED, paid to the worker and tied to no stay (it was left out by the statement). */
const GRANT_TYPE = programmeColumn(UNION_IMPORT.gh_grant, 'grant_type', 'UNION', { BF: 'UNION_HARDSHIP', JQ: 'UNION_AUTUMN_EDU', DB: 'UNION_ILLNESS' });

/** What every grant read returns: the grant and the worker whose file it was paid under. */
const GRANT_COLUMNS = {
  grantNo: ghGrant.grantNo,
  fileNo: ghGrant.fileNo,
  grantType: ghGrant.grantType,
  grantDate: ghGrant.grantDate,
  amountFen: ghGrant.amountFen,
  studentIdCard: ghGrant.studentIdCard,
  schoolYear: ghGrant.schoolYear,
  setlRef: ghGrant.setlRef,
  grantStatus: ghGrant.grantStatus,
  workerIdCard: ghWorkerFile.idCard,
};

/**
 * The beneficiary may be the worker or the student. Each is matched through its own index and
 * the two halves joined by UNION ALL, the second leaving out the grants the first found (the
 * worker's ID card is never NULL, so NOT IN is exactly the first half's complement): one statement,
 * each grant once. An OR across the two tables would read every grant instead; a UNION (DISTINCT)
 * would give the same rows, deduplicated in a temporary table the server makes for every read
 * (docs/performance.md, Session 27). Prepared once per source.
 */
const grantsOf = preparedPer((db: SourceDb) => {
  const matching = (who: SQL) =>
    db
      .select(GRANT_COLUMNS)
      .from(ghGrant)
      .innerJoin(ghWorkerFile, eq(ghWorkerFile.fileNo, ghGrant.fileNo))
      .where(who);
  // `not in` spelt out: drizzle's not(inPlaceholder(...)) renders `not col in (?)`, which a source
  // server in HIGH_NOT_PRECEDENCE mode reads as `(not col) in (?)`, leaving out every student's grant.
  return matching(inPlaceholder(ghWorkerFile.idCard, 'ids'))
    .unionAll(matching(and(inPlaceholder(ghGrant.studentIdCard, 'ids'), sql`${ghWorkerFile.idCard} not in (${sql.placeholder('ids')})`)!))
    .prepare();
});

/** Illness grants tied to these settlements, whoever's file they were paid under. One statement. */
/** Illness grants tied to the settlements in `refs`. */
const illnessGrantsWhere = () => and(inPlaceholder(ghGrant.setlRef, 'refs'), eq(ghGrant.grantType, 'DB'));

// Through the settlement's index, whatever the optimiser estimates: most grants name no stay, and for
// a region scan's slice of references MariaDB read every grant through the file index instead.
const illnessGrantsOf = preparedPer((db: SourceDb) => db.select(GRANT_COLUMNS).from(ghGrant, { forceIndex: 'gh_grant_setl' }).innerJoin(ghWorkerFile, eq(ghWorkerFile.fileNo, ghGrant.fileNo)).where(illnessGrantsWhere()).prepare());

/** `grantsOf` and `illnessGrantsOf` in one statement: `aidAndFacts` asked for the aid tied to stays. */
const grantsAndIllnessGrantsOf = preparedPer((db: SourceDb) => {
  const part = (where: () => SQL) => ({ fields: GRANT_COLUMNS, select: (f: Record<string, SQL.Aliased>) => db.select(f).from(ghGrant).innerJoin(ghWorkerFile, eq(ghWorkerFile.fileNo, ghGrant.fileNo)).where(where()) });
  return preparedUnionAll(db, {
    workers: part(() => inPlaceholder(ghWorkerFile.idCard, 'ids')),
    students: part(() => and(inPlaceholder(ghGrant.studentIdCard, 'ids'), sql`${ghWorkerFile.idCard} not in (${sql.placeholder('ids')})`)!),
    illness: { fields: GRANT_COLUMNS, select: (f: Record<string, SQL.Aliased>) => db.select(f).from(ghGrant, { forceIndex: 'gh_grant_setl' }).innerJoin(ghWorkerFile, eq(ghWorkerFile.fileNo, ghGrant.fileNo)).where(illnessGrantsWhere()) },
  });
});

/**
 * gh_grant.grant_status: 1 paid; 2 recovered (已追回) and 3 reversed (已冲销) no longer count; any
 * other is UNRECOGNISED (it read as CANCELLED, a revocation the union never recorded).
 */
const GRANT_PAID = 1;
const GRANT_STATUS = statusColumn(UNION_IMPORT.gh_grant, 'grant_status');

type GrantRow = Awaited<ReturnType<ReturnType<typeof grantsOf>['execute']>>[number];

function grantRecord(r: GrantRow, today: string): AidRecord {
  const { programme, ...status } = programmeOf(GRANT_TYPE, r.grantType, oneOffStatusOf(GRANT_STATUS, r.grantStatus, r.grantStatus !== GRANT_PAID, r.grantDate, today));
  const autumnEdu = programme === 'UNION_AUTUMN_EDU';
  // A 金秋助学 row without the student's ID card is a data gap; the money still reached the
  // worker's family, so it is shown under the worker rather than lost from the household view.
  const beneficiary = autumnEdu && r.studentIdCard ? r.studentIdCard : r.workerIdCard;
  return oneOffAid({ department: 'UNION', programme, beneficiaryIdNumber: beneficiary, sourceHouseholdRef: r.fileNo, grantDate: r.grantDate, amountFen: r.amountFen, ...status, sourceRef: sourceRefOf(RECORD_KINDS.ghGrant, r.grantNo), schoolYear: autumnEdu ? r.schoolYear : null, settlementRef: programme === 'UNION_ILLNESS' ? r.setlRef : null });
}

/**
 * The grants of these people: rows that matched only through the other person (a student's worker, a
 * worker's student) are dropped. Compared as the hub keys people (normaliseIdNumber), not as the
 * server returned them: a PAD SPACE column matched `…X  ` (two spaces) to `…X`, and the grant, in
 * none of the forms asked (federation/id-numbers.ts), was dropped here unseen.
 */
function grantsOfPeople(rows: readonly GrantRow[], idNumbers: readonly string[], today: string): AidRecord[] {
  // The forms asked are a household's every writing of its members' numbers (some forty, full-width
  // ones among them), and normalising all of them was about 2% of a household query's garbage
  // (docs/performance.md, Session 43). A grant whose person is asked in the form the hub keys
  // (lookupForms asks each number as it is) is kept without them; the rest are compared as before.
  let wanted: Set<string> | undefined;
  const out: AidRecord[] = [];
  for (const row of rows) {
    const r = grantRecord(row, today);
    const id = normaliseIdNumber(r.beneficiaryIdNumber);
    if (idNumbers.includes(id) || (wanted ??= new Set(idNumbers.map(normaliseIdNumber))).has(id)) out.push(r);
  }
  return out;
}

export const union: DepartmentAdapter = {
  code: 'UNION',
  migrationsFolder: path.join(__dirname, 'migrations'),
  importTables: UNION_IMPORT,
  demo: UNION_DEMO,
  recordKinds: RECORD_KINDS,
  statusColumns: [GRANT_STATUS],
  programmeColumns: [GRANT_TYPE],
  // A worker file's kind of hardship: no rule reads it and the API does not show it; only counted at start-up.
  displayColumns: [statusColumn(UNION_IMPORT.gh_worker_file, 'hardship_level')],
  tables: [ghWorkerFile, ghGrant],
  personKeys: [ghWorkerFile.idCard, ghGrant.studentIdCard],
  facts: { jobLosses: { byIdNumbers: jobLossesByIdNumbers, keyColumn: ghWorkerFile.idCard } },
  changeFeed: [
    { table: ghWorkerFile, sequence: null, updatedAt: ghWorkerFile.updateTime },
    // Recovered and reversed in place (grant_status): new grant numbers alone would miss those changes.
    { table: ghGrant, sequence: null, updatedAt: null },
  ],

  async aidByIdNumbers(db: SourceDb, idNumbers: readonly string[], today: string): Promise<AidRecord[]> {
    if (idNumbers.length === 0) return [];
    return grantsOfPeople(await grantsOf(db).execute({ ids: idNumbers }), idNumbers, today);
  },

  async aidBySettlementRefs(db: SourceDb, refs: readonly string[], today: string): Promise<AidRecord[]> {
    if (refs.length === 0) return [];
    return (await illnessGrantsOf(db).execute({ refs })).map((r) => grantRecord(r, today));
  },

  async aidAndFacts(db: SourceDb, ask: CheckAsk) {
    const { idNumbers, today, tiedTo = [] } = ask;
    if (idNumbers.length === 0 || tiedTo.length === 0) return readsApart(this, db, ask);
    const rows = await grantsAndIllnessGrantsOf(db).execute({ ids: idNumbers, refs: tiedTo });
    return checkAnswer({ aid: grantsOfPeople([...rows.workers, ...rows.students], idNumbers, today), tied: rows.illness.map((r) => grantRecord(r, today)) });
  },
};

const jobLossesOf = preparedPer((db: SourceDb) =>
  db
    .select({ fileNo: ghWorkerFile.fileNo, idCard: ghWorkerFile.idCard, jobLostDate: ghWorkerFile.jobLostDate })
    .from(ghWorkerFile)
    .where(and(inPlaceholder(ghWorkerFile.idCard, 'ids'), isNotNull(ghWorkerFile.jobLostDate)))
    .prepare(),
);

/** Job losses recorded on hardship-worker files (the date the worker lost the job). One statement. */
export async function jobLossesByIdNumbers(db: SourceDb, idNumbers: readonly string[]): Promise<JobLoss[]> {
  if (idNumbers.length === 0) return [];
  const rows = await jobLossesOf(db).execute({ ids: idNumbers });
  return rows.map((r) => ({ idNumber: r.idCard, department: 'UNION', lostOn: r.jobLostDate!, sourceRef: sourceRefOf(RECORD_KINDS.ghWorkerFile, r.fileNo) }));
}
