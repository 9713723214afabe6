/**
 * 退役军人事务 adapter: 定期抚恤补助 spells as RECURRING records (a monthly amount) and 帮扶援助
 * payments (living aid, a child's schooling) as ONE_OFF records. One statement per aid batch (the
 * two aid tables' UNION ALL, a table holding none of the programmes asked for switched off in it).
 * 优抚对象 registrations are a standing, not aid: they key a person for the scan and feed nothing else yet.
 */
import path from 'node:path';
import { and, getTableColumns } from 'drizzle-orm';
import { inPlaceholder, preparedPer, preparedUnionAll, switch01, switchedOn } from '../../db/prepared';
import { oneOffAid, recurringAid, sourceRefOf } from '../../domain/aid';
import { departmentYuanToFen } from '../../domain/money';
import type { ProgrammeCode } from '../../domain/programmes';
import { needed, type AidRecord, type DepartmentAdapter, type SourceDb } from '../contract';
import { documented, oneOffStatusOf, programmeColumn, programmeOf, statusColumn, unrecognised, type RecordStatus } from '../status-codes';
import { VETERANS_AFFAIRS_DEMO } from './demo';
import { VETERANS_AFFAIRS_IMPORT } from './import-spec';
import { bfyzJl, dqfxFf, yfdxXx } from './tables';

/**
 * The kinds of record this department's aid records come from (`sourceRef`'s first part). Frozen:
 * stored findings' fingerprints are built from them, and they stay as they are if a table is renamed.
 */
const RECORD_KINDS = {
  dqfxFf: 'dqfx_ff',
  bfyzJl: 'bfyz_jl',
} as const;

const AID_PROGRAMMES: Record<string, ProgrammeCode> = { SH: 'VETERAN_HARDSHIP_AID', JY: 'VETERAN_CHILD_EDUCATION_AID' };

/** bfyz_jl.yzlx as the import declaration documents it; any other kind is the catch-all, UNRECOGNISED. */
const AID_KIND = programmeColumn(VETERANS_AFFAIRS_IMPORT.bfyz_jl, 'yzlx', 'VETERANS_AFFAIRS', AID_PROGRAMMES);
/** dqfx_ff.ffzt: 1 正常发放, 2 暂停发放, 3 停发. */
const FFZT = statusColumn(VETERANS_AFFAIRS_IMPORT.dqfx_ff, 'ffzt');
/** bfyz_jl.jlzt: 1 已发放, 9 已撤销. */
const JLZT = statusColumn(VETERANS_AFFAIRS_IMPORT.bfyz_jl, 'jlzt');

/** A spell's status: 2 suspended, 3 stopped; one whose last day has passed has ended whatever the flag. */
function allowanceStatus(ffzt: number, end: string | null, today: string): RecordStatus {
  if (!documented(FFZT, ffzt)) return unrecognised(ffzt);
  if (ffzt === 2) return { status: 'SUSPENDED' };
  if (ffzt === 3 || (end !== null && end < today)) return { status: 'ENDED' };
  return { status: 'ACTIVE' };
}

/** The statements, prepared once per source (db/prepared.ts). */
const statements = preparedPer((db: SourceDb) => ({
  aid: preparedUnionAll(db, {
    allowances: { fields: getTableColumns(dqfxFf), select: (f) => db.select(f).from(dqfxFf).where(and(inPlaceholder(dqfxFf.sfzh, 'ids'), switchedOn('allowances'))) },
    payments: { fields: getTableColumns(bfyzJl), select: (f) => db.select(f).from(bfyzJl).where(and(inPlaceholder(bfyzJl.sfzh, 'ids'), switchedOn('payments'))) },
  }),
}));

export const veteransAffairs: DepartmentAdapter = {
  code: 'VETERANS_AFFAIRS',
  migrationsFolder: path.join(__dirname, 'migrations'),
  tables: [yfdxXx, dqfxFf, bfyzJl],
  personKeys: [yfdxXx.sfzh, dqfxFf.sfzh, bfyzJl.sfzh],
  // Every key is an auto-increment number; spells and registrations also change in place, which only a snapshot comparison sees.
  changeFeed: [
    { table: yfdxXx, sequence: yfdxXx.dxId, updatedAt: null },
    { table: dqfxFf, sequence: dqfxFf.ffId, updatedAt: null },
    { table: bfyzJl, sequence: bfyzJl.jlId, updatedAt: null },
  ],
  importTables: VETERANS_AFFAIRS_IMPORT,
  demo: VETERANS_AFFAIRS_DEMO,
  recordKinds: RECORD_KINDS,
  statusColumns: [FFZT, JLZT],
  programmeColumns: [AID_KIND],
  // A registration's category and state: no rule reads them and the API does not show them; only counted at start-up.
  displayColumns: [statusColumn(VETERANS_AFFAIRS_IMPORT.yfdx_xx, 'yflb'), statusColumn(VETERANS_AFFAIRS_IMPORT.yfdx_xx, 'dxzt')],

  async aidByIdNumbers(db: SourceDb, idNumbers: readonly string[], today: string, programmes?: ReadonlySet<ProgrammeCode>): Promise<AidRecord[]> {
    if (idNumbers.length === 0) return [];
    const parts = {
      allowances: switch01(needed(programmes, ['VETERAN_PERIODIC_ALLOWANCE'])),
      payments: switch01(needed(programmes, Object.values(AID_PROGRAMMES))),
    };
    if (!Object.values(parts).includes(1)) return [];
    const { allowances, payments } = await statements(db).aid.execute({ ids: idNumbers, ...parts });
    const records: AidRecord[] = [];
    for (const r of allowances) {
      records.push(recurringAid({ department: 'VETERANS_AFFAIRS', programme: 'VETERAN_PERIODIC_ALLOWANCE', beneficiaryIdNumber: r.sfzh, start: r.qsrq, end: r.jzrq, monthlyFen: departmentYuanToFen(r.ybz), ...allowanceStatus(r.ffzt, r.jzrq, today), sourceRef: sourceRefOf(RECORD_KINDS.dqfxFf, r.ffId) }));
    }
    for (const r of payments) {
      records.push(oneOffAid({ department: 'VETERANS_AFFAIRS', ...programmeOf(AID_KIND, r.yzlx, oneOffStatusOf(JLZT, r.jlzt, r.jlzt === 9, r.ffrq, today)), beneficiaryIdNumber: r.sfzh, grantDate: r.ffrq, amountFen: departmentYuanToFen(r.yzje), sourceRef: sourceRefOf(RECORD_KINDS.bfyzJl, r.jlId) }));
    }
    return records;
  },
};
