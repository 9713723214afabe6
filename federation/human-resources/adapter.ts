/**
 * 人社 adapter: 失业保险金 spells and 公益性岗位 placements as RECURRING records (a monthly amount),
 * 就业补助资金 grants (training, job-seeking, employment aid) as ONE_OFF records, and each
 * unemployment registration as a job loss, the department-neutral fact monitoring triggers read.
 * One statement per aid batch (the three tables' UNION ALL, a table holding none of the programmes
 * asked for switched off in it), one per job-loss batch. Recognitions of hard-to-employ people (就业困难人员认定) are a status, not aid: they key a
 * person for the scan and feed nothing else yet.
 */
import path from 'node:path';
import { and, getTableColumns } from 'drizzle-orm';
import { inPlaceholder, preparedPer, preparedUnionAll, switch01, switchedOn } from '../../db/prepared';
import { oneOffAid, oneOffStatus, recurringAid, sourceRefOf } from '../../domain/aid';
import { departmentYuanToFen } from '../../domain/money';
import type { ProgrammeCode } from '../../domain/programmes';
import { needed, type AidRecord, type AidStatus, type DepartmentAdapter, type JobLoss, type SourceDb } from '../contract';
import { HUMAN_RESOURCES_DEMO } from './demo';
import { HUMAN_RESOURCES_IMPORT } from './import-spec';
import { documented, programmeColumn, programmeOf, statusColumn, unrecognised, type RecordStatus } from '../status-codes';
import { gyxgwAp, jyBzFf, jyKnryRd, syBxjFf, syDjxx } from './tables';

/**
 * The kinds of record this department's aid records and facts come from (`sourceRef`'s first
 * part). Frozen: stored findings' fingerprints are built from them, and they stay as they are if
 * a table is renamed (they are spelled like the first release's table names, not derived from
 * them).
 */
const RECORD_KINDS = {
  syDjxx: 'sy_djxx',
  syBxjFf: 'sy_bxj_ff',
  gyxgwAp: 'gyxgw_ap',
  jyBzFf: 'jy_bz_ff',
} as const;

const GRANT_PROGRAMMES: Record<string, ProgrammeCode> = { PX: 'TRAINING_SUBSIDY', QZ: 'JOB_SEEKING_SUBSIDY', YZ: 'EMPLOYMENT_AID' };

/** jy_bz_ff.btlx as the import declaration documents it; any other type is the catch-all, UNRECOGNISED (it was skipped). */
const GRANT_TYPE = programmeColumn(HUMAN_RESOURCES_IMPORT.jy_bz_ff, 'btlx', 'HUMAN_RESOURCES', GRANT_PROGRAMMES);

/** sy_bxj_ff.ffzt as the import declaration documents it: 1 正常发放, 2 暂停, 3 终止. */
const FFZT = statusColumn(HUMAN_RESOURCES_IMPORT.sy_bxj_ff, 'ffzt');

/**
 * 2 暂停 suspended, 3 终止 stopped; a spell whose last day has passed has ended whatever the flag.
 * Any code but 1–3 is UNRECOGNISED (it read as ACTIVE, benefit paid now).
 */
function benefitStatus(ffzt: number, end: string | null, today: string): RecordStatus {
  if (!documented(FFZT, ffzt)) return unrecognised(ffzt);
  if (ffzt === 2) return { status: 'SUSPENDED' };
  if (ffzt === 3 || (end !== null && end < today)) return { status: 'ENDED' };
  return { status: 'ACTIVE' };
}

/** The statements, prepared once per source (db/prepared.ts). */
const statements = preparedPer((db: SourceDb) => ({
  /** The three aid tables in one statement (their UNION ALL). */
  aid: preparedUnionAll(db, {
    benefits: { fields: getTableColumns(syBxjFf), select: (f) => db.select(f).from(syBxjFf).where(and(inPlaceholder(syBxjFf.sfzhm, 'ids'), switchedOn('benefits'))) },
    placements: { fields: getTableColumns(gyxgwAp), select: (f) => db.select(f).from(gyxgwAp).where(and(inPlaceholder(gyxgwAp.sfzhm, 'ids'), switchedOn('placements'))) },
    grants: { fields: getTableColumns(jyBzFf), select: (f) => db.select(f).from(jyBzFf).where(and(inPlaceholder(jyBzFf.sfzhm, 'ids'), switchedOn('grants'))) },
  }),
  registrations: db.select({ djId: syDjxx.djId, sfzhm: syDjxx.sfzhm, syrq: syDjxx.syrq }).from(syDjxx).where(inPlaceholder(syDjxx.sfzhm, 'ids')).prepare(),
}));

/** Every unemployment registration of these people, as the day each lost a job. One statement. */
export async function jobLossesByIdNumbers(db: SourceDb, idNumbers: readonly string[]): Promise<JobLoss[]> {
  if (idNumbers.length === 0) return [];
  const rows = await statements(db).registrations.execute({ ids: idNumbers });
  return rows.map((r) => ({ idNumber: r.sfzhm, department: 'HUMAN_RESOURCES', lostOn: r.syrq, sourceRef: sourceRefOf(RECORD_KINDS.syDjxx, r.djId) }));
}

export const humanResources: DepartmentAdapter = {
  code: 'HUMAN_RESOURCES',
  migrationsFolder: path.join(__dirname, 'migrations'),
  tables: [jyKnryRd, syDjxx, syBxjFf, gyxgwAp, jyBzFf],
  personKeys: [jyKnryRd.sfzhm, syDjxx.sfzhm, syBxjFf.sfzhm, gyxgwAp.sfzhm, jyBzFf.sfzhm],
  facts: { jobLosses: { byIdNumbers: jobLossesByIdNumbers, keyColumn: syDjxx.sfzhm } },
  // Every table's key is an auto-increment number; spells and recognitions also change in place
  // (an end date, a status), which only a snapshot comparison sees.
  changeFeed: [
    { table: jyKnryRd, sequence: jyKnryRd.rdId, updatedAt: null },
    { table: syDjxx, sequence: syDjxx.djId, updatedAt: null },
    { table: syBxjFf, sequence: syBxjFf.ffId, updatedAt: null },
    { table: gyxgwAp, sequence: gyxgwAp.apId, updatedAt: null },
    { table: jyBzFf, sequence: jyBzFf.ffId, updatedAt: null },
  ],
  importTables: HUMAN_RESOURCES_IMPORT,
  demo: HUMAN_RESOURCES_DEMO,
  recordKinds: RECORD_KINDS,
  statusColumns: [FFZT],
  programmeColumns: [GRANT_TYPE],
  // A recognition's category and state, why a registered job ended: no rule reads them and the API does not show them; only counted at start-up.
  displayColumns: [statusColumn(HUMAN_RESOURCES_IMPORT.jy_knry_rd, 'rdlb'), statusColumn(HUMAN_RESOURCES_IMPORT.jy_knry_rd, 'rdzt'), statusColumn(HUMAN_RESOURCES_IMPORT.sy_djxx, 'syyy')],

  async aidByIdNumbers(db: SourceDb, idNumbers: readonly string[], today: string, programmes?: ReadonlySet<ProgrammeCode>): Promise<AidRecord[]> {
    if (idNumbers.length === 0) return [];
    const parts = {
      benefits: switch01(needed(programmes, ['UNEMPLOYMENT_BENEFIT'])),
      placements: switch01(needed(programmes, ['PUBLIC_WELFARE_JOB'])),
      grants: switch01(needed(programmes, Object.values(GRANT_PROGRAMMES))),
    };
    if (!Object.values(parts).includes(1)) return [];
    const { benefits, placements, grants } = await statements(db).aid.execute({ ids: idNumbers, ...parts });

    const records: AidRecord[] = [];
    for (const r of benefits) {
      records.push(recurringAid({ department: 'HUMAN_RESOURCES', programme: 'UNEMPLOYMENT_BENEFIT', beneficiaryIdNumber: r.sfzhm, start: r.ksrq, end: r.zzrq, monthlyFen: departmentYuanToFen(r.yffbz), ...benefitStatus(r.ffzt, r.zzrq, today), sourceRef: sourceRefOf(RECORD_KINDS.syBxjFf, r.ffId) }));
    }
    for (const r of placements) {
      const status: AidStatus = r.jsrq !== null && r.jsrq < today ? 'ENDED' : 'ACTIVE';
      records.push(recurringAid({ department: 'HUMAN_RESOURCES', programme: 'PUBLIC_WELFARE_JOB', beneficiaryIdNumber: r.sfzhm, start: r.ksrq, end: r.jsrq, monthlyFen: departmentYuanToFen(r.gwbt), status, sourceRef: sourceRefOf(RECORD_KINDS.gyxgwAp, r.apId) }));
    }
    for (const r of grants) {
      records.push(oneOffAid({ department: 'HUMAN_RESOURCES', ...programmeOf(GRANT_TYPE, r.btlx, { status: oneOffStatus(false, r.ffrq, today) }), beneficiaryIdNumber: r.sfzhm, grantDate: r.ffrq, amountFen: departmentYuanToFen(r.ffje), sourceRef: sourceRefOf(RECORD_KINDS.jyBzFf, r.ffId) }));
    }
    return records;
  },
};
