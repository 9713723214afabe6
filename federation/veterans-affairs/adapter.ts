/**
 * 退役军人事务 adapter: 优抚对象定期抚恤补助 spells as RECURRING records (a monthly amount) and
 * 困难退役军人帮扶援助 payments as ONE_OFF records. One statement per aid batch (the two tables'
 * UNION ALL, a table holding none of the programmes asked for switched off in it). It provides no
 * facts beside aid.
 */
import path from 'node:path';
import { and, getTableColumns } from 'drizzle-orm';
import { inPlaceholder, preparedPer, preparedUnionAll, switch01, switchedOn } from '../../db/prepared';
import { oneOffAid, oneOffStatus, recurringAid, sourceRefOf } from '../../domain/aid';
import { departmentYuanToFen } from '../../domain/money';
import type { ProgrammeCode } from '../../domain/programmes';
import { needed, type AidRecord, type DepartmentAdapter, type SourceDb } from '../contract';
import { documented, statusColumn, unrecognised, type RecordStatus } from '../status-codes';
import { VETERANS_AFFAIRS_DEMO } from './demo';
import { VETERANS_AFFAIRS_IMPORT } from './import-spec';
import { knjrBf, yfFxbz } from './tables';

/**
 * The kinds of record this department's aid records come from (`sourceRef`'s first part). Frozen:
 * stored findings' fingerprints are built from them, and they stay as they are if a table is renamed.
 */
const RECORD_KINDS = {
  yfFxbz: 'yf_fxbz',
  knjrBf: 'knjr_bf',
} as const;

/** yf_fxbz.ffzt as the import declaration documents it: 1 正常发放, 2 暂停, 3 停发. */
const FFZT = statusColumn(VETERANS_AFFAIRS_IMPORT.yf_fxbz, 'ffzt');

/** 2 暂停 suspended, 3 停发 stopped; a spell whose last day has passed has ended whatever the flag; any other code UNRECOGNISED. */
function pensionStatus(ffzt: number, end: string | null, today: string): RecordStatus {
  if (!documented(FFZT, ffzt)) return unrecognised(ffzt);
  if (ffzt === 2) return { status: 'SUSPENDED' };
  if (ffzt === 3 || (end !== null && end < today)) return { status: 'ENDED' };
  return { status: 'ACTIVE' };
}

/** The statements, prepared once per source (db/prepared.ts). */
const statements = preparedPer((db: SourceDb) => ({
  aid: preparedUnionAll(db, {
    pensions: { fields: getTableColumns(yfFxbz), select: (f) => db.select(f).from(yfFxbz).where(and(inPlaceholder(yfFxbz.gmsfhm, 'ids'), switchedOn('pensions'))) },
    hardship: { fields: getTableColumns(knjrBf), select: (f) => db.select(f).from(knjrBf).where(and(inPlaceholder(knjrBf.gmsfhm, 'ids'), switchedOn('hardship'))) },
  }),
}));

export const veteransAffairs: DepartmentAdapter = {
  code: 'VETERANS_AFFAIRS',
  migrationsFolder: path.join(__dirname, 'migrations'),
  tables: [yfFxbz, knjrBf],
  personKeys: [yfFxbz.gmsfhm, knjrBf.gmsfhm],
  // Both keys are auto-increment numbers; a spell also changes in place (an end, a state), which only a snapshot comparison sees.
  changeFeed: [
    { table: yfFxbz, sequence: yfFxbz.fxId, updatedAt: null },
    { table: knjrBf, sequence: knjrBf.bfId, updatedAt: null },
  ],
  importTables: VETERANS_AFFAIRS_IMPORT,
  demo: VETERANS_AFFAIRS_DEMO,
  recordKinds: RECORD_KINDS,
  statusColumns: [FFZT],
  // The entitled group: no rule reads it and the API does not show it; only counted at start-up.
  displayColumns: [statusColumn(VETERANS_AFFAIRS_IMPORT.yf_fxbz, 'yfdxlb')],

  async aidByIdNumbers(db: SourceDb, idNumbers: readonly string[], today: string, programmes?: ReadonlySet<ProgrammeCode>): Promise<AidRecord[]> {
    if (idNumbers.length === 0) return [];
    const parts = { pensions: switch01(needed(programmes, ['VETERAN_PENSION'])), hardship: switch01(needed(programmes, ['VETERAN_HARDSHIP_AID'])) };
    if (!Object.values(parts).includes(1)) return [];
    const { pensions, hardship } = await statements(db).aid.execute({ ids: idNumbers, ...parts });
    return [
      ...pensions.map((r) => recurringAid({ department: 'VETERANS_AFFAIRS', programme: 'VETERAN_PENSION', beneficiaryIdNumber: r.gmsfhm, start: r.ksrq, end: r.zzrq, monthlyFen: departmentYuanToFen(r.ybz), ...pensionStatus(r.ffzt, r.zzrq, today), sourceRef: sourceRefOf(RECORD_KINDS.yfFxbz, r.fxId) })),
      ...hardship.map((r) => oneOffAid({ department: 'VETERANS_AFFAIRS', programme: 'VETERAN_HARDSHIP_AID', beneficiaryIdNumber: r.gmsfhm, grantDate: r.bfrq, amountFen: departmentYuanToFen(r.bfje), status: oneOffStatus(false, r.bfrq, today), sourceRef: sourceRefOf(RECORD_KINDS.knjrBf, r.bfId) })),
    ];
  },
};
