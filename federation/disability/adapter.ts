/**
 * 残联 adapter: the two subsidies (两项补贴) as RECURRING records and rehabilitation aid as ONE_OFF
 * grants, both keyed by certificate and reached from the ID number through cl_certificate; and the
 * certificates themselves, which the missed-aid rules M1 and M2 read. Subsidy periods are months
 * in the source and become first-day / last-day dates here.
 */
import path from 'node:path';
import { and, eq, getTableColumns, type SQL } from 'drizzle-orm';
import { inPlaceholder, preparedPer, preparedUnionAll, switch01, switchedOn } from '../../db/prepared';
import { monthEnd, monthStart } from '../../domain/dates';
import type { ProgrammeCode } from '../../domain/programmes';
import { checkAnswer, needed, readsApart, type AidRecord, type CheckAnswer, type CheckAsk, type DepartmentAdapter, type DisabilityCertificate, type SourceDb } from '../contract';
import { oneOffAid, recurringAid, sourceRefOf } from '../../domain/aid';
import { DISABILITY_IMPORT } from './import-spec';
import { codedColumn, codedValue, documented, oneOffStatusOf, programmeColumn, programmeOf, statusColumn, unrecognised, type RecordStatus } from '../status-codes';
import { clCertificate, clRehabAid, clSubsidy } from './tables';
import { DISABILITY_DEMO } from './demo';

/**
 * The kinds of record this department's aid records and facts come from (`sourceRef`'s first
 * part). Frozen: stored findings' fingerprints are built from them, and they stay as they are if
 * a table is renamed (they are spelled like the first release's table names, not derived from
 * them).
 */
const RECORD_KINDS = {
  clSubsidy: 'cl_subsidy',
  clRehabAid: 'cl_rehab_aid',
} as const;

const SUBSIDY_PROGRAMMES: Record<string, ProgrammeCode> = { SH: 'DISABILITY_LIVING', HL: 'DISABILITY_NURSING' };

/** cl_subsidy.sub_type as the import declaration documents it; any other type is the catch-all, UNRECOGNISED (it was skipped). */
const SUBSIDY_TYPE = programmeColumn(DISABILITY_IMPORT.cl_subsidy, 'sub_type', 'DISABILITY', SUBSIDY_PROGRAMMES);

/** 3 注销: a cancelled certificate stops every subsidy paid under it, whatever the subsidy row says. */
const CERT_CANCELLED = 3;

/**
 * cl_certificate.cert_status as the import declaration documents it. Any other code is UNRECOGNISED
 * with the code: it read as EXPIRED, which hid the certificate from the missed-aid rules and
 * monitoring, and from the brief, with nobody told why.
 */
const CERT_STATUS = codedColumn<'VALID' | 'EXPIRED' | 'REVOKED'>(DISABILITY_IMPORT.cl_certificate, 'cert_status', { 1: 'VALID', 2: 'EXPIRED', 3: 'REVOKED' });

/**
 * cl_certificate.dis_level as the import declaration documents it (1 一级, most severe, to 4). Any
 * other code reads as no level (null, the code kept): passed through as a number, a 0 was more severe
 * than 一级 to the severe-disability trigger, which raised an alert on it.
 */
const CERT_LEVEL = codedColumn<number>(DISABILITY_IMPORT.cl_certificate, 'dis_level', { 1: 1, 2: 2, 3: 3, 4: 4 });

/**
 * cl_certificate.dis_type (1 视力 … 7 多重) as the import declaration documents it. No rule reads it;
 * the brief and a missed-aid finding's conditions show it. Any other code reads as no category (null,
 * the code kept), which they show as a code the federation does not document: passed through as a
 * number it was shown as a category the hub's own list of names happened to hold or not.
 */
const CERT_CATEGORY = codedColumn<number>(DISABILITY_IMPORT.cl_certificate, 'dis_type', { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7 });

/** The status codes as the import declaration documents them. */
const STATUS = {
  subsidy: statusColumn(DISABILITY_IMPORT.cl_subsidy, 'sub_status'),
  rehab: statusColumn(DISABILITY_IMPORT.cl_rehab_aid, 'aid_status'),
};

/**
 * cl_subsidy.sub_status: 1 发放中, 2 暂停, 3 停发, 4 撤销追回 (never counted). Any other code is
 * UNRECOGNISED, not aid in force (it read as ACTIVE). The certificate's own status only ends a
 * subsidy (3 注销); an undocumented one is the certificate's, UNRECOGNISED (below), and leaves the
 * subsidy as its own code says.
 */
function subsidyStatus(subStatus: number, certStatus: number, end: string | null, today: string): RecordStatus {
  if (!documented(STATUS.subsidy, subStatus)) return unrecognised(subStatus);
  if (subStatus === 4) return { status: 'CANCELLED' };
  if (subStatus === 3 || certStatus === CERT_CANCELLED || (end !== null && end < today)) return { status: 'ENDED' };
  if (subStatus === 2) return { status: 'SUSPENDED' };
  return { status: 'ACTIVE' };
}

/** cl_rehab_aid.aid_status 1 paid; 2 recovered (已追回), it no longer counts; any other UNRECOGNISED (it read as paid). */
const REHAB_RECOVERED = 2;

/** A subsidy with its certificate's holder and status. */
const SUBSIDY_FIELDS = {
  subId: clSubsidy.subId,
  subType: clSubsidy.subType,
  startYm: clSubsidy.startYm,
  endYm: clSubsidy.endYm,
  monthlyFen: clSubsidy.monthlyFen,
  subStatus: clSubsidy.subStatus,
  idCard: clCertificate.idCard,
  certStatus: clCertificate.certStatus,
};

/** Rehabilitation aid with its certificate's holder. */
const REHAB_FIELDS = { id: clRehabAid.id, grantDate: clRehabAid.grantDate, amountFen: clRehabAid.amountFen, aidStatus: clRehabAid.aidStatus, idCard: clCertificate.idCard };

/** The aid parts of a statement (`aidByIdNumbers`): subsidies and rehabilitation aid, each with its certificate's holder, each switched. */
function aidParts(db: SourceDb) {
  return {
    subsidies: {
      fields: SUBSIDY_FIELDS,
      select: (f: Record<string, SQL.Aliased>) =>
        db
          .select(f)
          .from(clSubsidy)
          .innerJoin(clCertificate, eq(clCertificate.certNo, clSubsidy.certNo))
          .where(and(inPlaceholder(clCertificate.idCard, 'ids'), switchedOn('subsidies'))),
    },
    rehab: {
      fields: REHAB_FIELDS,
      select: (f: Record<string, SQL.Aliased>) =>
        db
          .select(f)
          .from(clRehabAid)
          .innerJoin(clCertificate, eq(clCertificate.certNo, clRehabAid.certNo))
          .where(and(inPlaceholder(clCertificate.idCard, 'ids'), switchedOn('rehab'))),
    },
  };
}

/** The statements, prepared once per source (db/prepared.ts). */
const statements = preparedPer((db: SourceDb) => ({
  /** Subsidies and rehabilitation aid in one statement (their UNION ALL), each with its certificate's holder. */
  aid: preparedUnionAll(db, aidParts(db)),
  /** `aid` and the certificates in one statement: `aidAndFacts` asked for certificates. */
  aidAndCertificates: preparedUnionAll(db, {
    ...aidParts(db),
    certificates: { fields: getTableColumns(clCertificate), select: (f) => db.select(f).from(clCertificate).where(inPlaceholder(clCertificate.idCard, 'ids')) },
  }),
  certificates: db.select().from(clCertificate).where(inPlaceholder(clCertificate.idCard, 'ids')).prepare(),
}));

/** Which of the aid tables hold one of `programmes` (all without). */
function partsFor(programmes: ReadonlySet<ProgrammeCode> | undefined) {
  return { subsidies: switch01(needed(programmes, Object.values(SUBSIDY_PROGRAMMES))), rehab: switch01(needed(programmes, ['REHAB_AID'])) };
}

export const disability: DepartmentAdapter = {
  code: 'DISABILITY',
  migrationsFolder: path.join(__dirname, 'migrations'),
  importTables: DISABILITY_IMPORT,
  demo: DISABILITY_DEMO,
  recordKinds: RECORD_KINDS,
  statusColumns: Object.values(STATUS),
  programmeColumns: [SUBSIDY_TYPE],
  factColumns: [CERT_STATUS, CERT_LEVEL],
  displayColumns: [CERT_CATEGORY],
  tables: [clCertificate, clSubsidy, clRehabAid],
  personKeys: [clCertificate.idCard],
  facts: { certificates: { byIdNumbers: certificatesByIdNumbers, keyColumn: clCertificate.idCard } },
  changeFeed: [
    { table: clCertificate, sequence: null, updatedAt: clCertificate.updateTime },
    // Suspended, stopped, revoked or recovered in place (sub_status, aid_status): compared as snapshots.
    { table: clSubsidy, sequence: null, updatedAt: null },
    { table: clRehabAid, sequence: null, updatedAt: null },
  ],

  async aidByIdNumbers(db: SourceDb, idNumbers: readonly string[], today: string, programmes?: ReadonlySet<ProgrammeCode>): Promise<AidRecord[]> {
    if (idNumbers.length === 0) return [];
    const parts = partsFor(programmes);
    if (!Object.values(parts).includes(1)) return [];
    const { subsidies, rehab } = await statements(db).aid.execute({ ids: idNumbers, ...parts });
    return aidRecords(subsidies, rehab, today);
  },

  aidAndFacts: aidAndCertificates,
};

/** Subsidies and rehabilitation aid as records. */
function aidRecords(
  subsidies: readonly { subId: number; subType: string; startYm: string; endYm: string | null; monthlyFen: number; subStatus: number; idCard: string; certStatus: number }[],
  rehab: readonly { id: number; grantDate: string; amountFen: number; aidStatus: number; idCard: string }[],
  today: string,
): AidRecord[] {
  const records: AidRecord[] = [];
  for (const r of subsidies) {
    const periodEnd = r.endYm ? monthEnd(r.endYm) : null;
    records.push(recurringAid({ department: 'DISABILITY', ...programmeOf(SUBSIDY_TYPE, r.subType, subsidyStatus(r.subStatus, r.certStatus, periodEnd, today)), beneficiaryIdNumber: r.idCard, start: monthStart(r.startYm), end: periodEnd, monthlyFen: r.monthlyFen, sourceRef: sourceRefOf(RECORD_KINDS.clSubsidy, r.subId) }));
  }
  for (const r of rehab) {
    records.push(oneOffAid({ department: 'DISABILITY', programme: 'REHAB_AID', beneficiaryIdNumber: r.idCard, grantDate: r.grantDate, amountFen: r.amountFen, ...oneOffStatusOf(STATUS.rehab, r.aidStatus, r.aidStatus === REHAB_RECOVERED, r.grantDate, today), sourceRef: sourceRefOf(RECORD_KINDS.clRehabAid, r.id) }));
  }
  return records;
}

/**
 * What `disability.aidByIdNumbers(db, idNumbers, today, programmes)` and, asked for them,
 * `certificatesByIdNumbers(db, idNumbers)` answer, in one statement (their UNION ALL; aid tables
 * `programmes` does not need are switched off in it): a pre-grant check reads both.
 */
async function aidAndCertificates(db: SourceDb, ask: CheckAsk): Promise<CheckAnswer> {
  const { idNumbers, today, programmes, certificates } = ask;
  if (!certificates || idNumbers.length === 0) return readsApart(disability, db, ask);
  const rows = await statements(db).aidAndCertificates.execute({ ids: idNumbers, ...partsFor(programmes) });
  return checkAnswer({ aid: aidRecords(rows.subsidies, rows.rehab, today), certificates: rows.certificates.map(certificate) });
}

/** Every disability certificate held by these people, whatever its status. One statement. */
export async function certificatesByIdNumbers(db: SourceDb, idNumbers: readonly string[]): Promise<DisabilityCertificate[]> {
  if (idNumbers.length === 0) return [];
  return (await statements(db).certificates.execute({ ids: idNumbers })).map(certificate);
}

/** A certificate row as the rules read it. */
function certificate(r: typeof clCertificate.$inferSelect): DisabilityCertificate {
  // An undocumented status code is not trusted as valid (the missed-aid rules would act on it), nor read as expired (they would be silent, and nobody told).
  const { value, sourceCode } = codedValue(CERT_STATUS, r.certStatus);
  const level = codedValue(CERT_LEVEL, r.disLevel);
  const category = codedValue(CERT_CATEGORY, r.disType);
  return {
    certificateNumber: r.certNo,
    idNumber: r.idCard,
    ...(category.sourceCode === null ? { category: category.value } : { category: null, sourceCategoryCode: category.sourceCode }),
    ...(level.sourceCode === null ? { level: level.value } : { level: null, sourceLevelCode: level.sourceCode }),
    issuedOn: r.issueDate,
    validUntil: r.validUntil,
    status: value,
    ...(sourceCode === null ? {} : { sourceStatusCode: sourceCode }),
  };
}
