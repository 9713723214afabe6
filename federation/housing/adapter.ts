/**
 * 住房城乡建设 adapter: public rental allocations (实物配租, 租赁补贴) as RECURRING records under
 * their application, and completed rural renovation projects (农村危房改造) as ONE_OFF grants.
 * One statement per batch, whatever the batch size: both tables' UNION ALL (a table holding none of
 * the programmes asked for switched off in it).
 */
import path from 'node:path';
import { and, eq, getTableColumns, isNotNull } from 'drizzle-orm';
import { inPlaceholder, preparedPer, preparedUnionAll, switch01, switchedOn } from '../../db/prepared';
import type { ProgrammeCode } from '../../domain/programmes';
import { needed, type AidRecord, type DepartmentAdapter, type SourceDb } from '../contract';
import { oneOffAid, oneOffStatus, recurringAid, sourceRefOf } from '../../domain/aid';
import { HOUSING_IMPORT } from './import-spec';
import { documented, programmeColumn, programmeOf, statusColumn, unrecognised, type RecordStatus } from '../status-codes';
import { gzfAllocation, gzfApplication, wfgzProject } from './tables';
import { HOUSING_DEMO } from './demo';

/**
 * The kinds of record this department's aid records and facts come from (`sourceRef`'s first
 * part). Frozen: stored findings' fingerprints are built from them, and they stay as they are if
 * a table is renamed (they are spelled like the first release's table names, not derived from
 * them).
 */
const RECORD_KINDS = {
  gzfAllocation: 'gzf_allocation',
  wfgzProject: 'wfgz_project',
} as const;

const ALLOCATION_PROGRAMMES: Record<string, ProgrammeCode> = { SW: 'PUBLIC_RENTAL', BT: 'RENT_SUBSIDY' };

/** gzf_allocation.alloc_type as the import declaration documents it; any other type is the catch-all, UNRECOGNISED (it was skipped). */
const ALLOC_TYPE = programmeColumn(HOUSING_IMPORT.gzf_allocation, 'alloc_type', 'HOUSING', ALLOCATION_PROGRAMMES);

/**
 * The application's status (gzf_application.app_status): 10 受理, 20 审核通过, 30 已保障, 40 退出,
 * 90 不予保障. Only 30 and 40 say the allocation came into force. 10 and 20 are an application
 * accepted or approved whose housing has not begun (an allocation row is entered ahead, during the
 * review): PENDING, not aid received, which the household's aid totals, the rules and a decision's
 * fulfilment would otherwise count from the row's start date. A code the table does not document
 * is UNRECOGNISED (it read as PENDING, a review housing never said was under way): the hub counts
 * housing aid as given only when housing says it is. 40: the
 * household has left the scheme even when the allocation row still has no end date. 90: the application was refused, so an allocation row under it never came into
 * force: CANCELLED, as another department's revoked record.
 */
const APP_IN_FORCE = 30;
const APP_EXITED = 40;
const APP_REFUSED = 90;
const APP_STATUS = statusColumn(HOUSING_IMPORT.gzf_application, 'app_status');

function allocationStatus(appStatus: number, end: string | null, today: string): RecordStatus {
  if (!documented(APP_STATUS, appStatus)) return unrecognised(appStatus);
  if (appStatus === APP_REFUSED) return { status: 'CANCELLED' };
  if (appStatus !== APP_IN_FORCE && appStatus !== APP_EXITED) return { status: 'PENDING' };
  if (appStatus === APP_EXITED || (end !== null && end < today)) return { status: 'ENDED' };
  return { status: 'ACTIVE' };
}

/** Both tables in one statement (their UNION ALL), prepared once per source (db/prepared.ts). */
const aidOf = preparedPer((db: SourceDb) =>
  preparedUnionAll(db, {
    /** Allocations (实物配租, 租赁补贴) with their application's applicant and status. */
    allocations: {
      fields: {
        allocId: gzfAllocation.allocId,
        appNo: gzfAllocation.appNo,
        allocType: gzfAllocation.allocType,
        monthlyFen: gzfAllocation.monthlyFen,
        startDate: gzfAllocation.startDate,
        endDate: gzfAllocation.endDate,
        applicantIdCard: gzfApplication.applicantIdCard,
        appStatus: gzfApplication.appStatus,
      },
      select: (f) =>
        db
          .select(f)
          .from(gzfAllocation)
          .innerJoin(gzfApplication, eq(gzfApplication.appNo, gzfAllocation.appNo))
          .where(and(inPlaceholder(gzfApplication.applicantIdCard, 'ids'), switchedOn('allocations'))),
    },
    // A project with no completion date has not been paid yet (the grant is paid on acceptance).
    renovations: {
      fields: getTableColumns(wfgzProject),
      select: (f) => db.select(f).from(wfgzProject).where(and(inPlaceholder(wfgzProject.ownerIdCard, 'ids'), isNotNull(wfgzProject.completedDate), switchedOn('renovations'))),
    },
  }),
);

export const housing: DepartmentAdapter = {
  code: 'HOUSING',
  migrationsFolder: path.join(__dirname, 'migrations'),
  importTables: HOUSING_IMPORT,
  demo: HOUSING_DEMO,
  recordKinds: RECORD_KINDS,
  statusColumns: [APP_STATUS],
  programmeColumns: [ALLOC_TYPE],
  // A renovated house's danger grade (A–D): no rule reads it and the API does not show it; only counted at start-up.
  displayColumns: [statusColumn(HOUSING_IMPORT.wfgz_project, 'danger_grade')],
  tables: [gzfApplication, gzfAllocation, wfgzProject],
  personKeys: [gzfApplication.applicantIdCard, wfgzProject.ownerIdCard],
  changeFeed: [
    { table: gzfApplication, sequence: null, updatedAt: null },
    { table: gzfAllocation, sequence: gzfAllocation.allocId, updatedAt: null },
    { table: wfgzProject, sequence: null, updatedAt: null },
  ],

  async aidByIdNumbers(db: SourceDb, idNumbers: readonly string[], today: string, programmes?: ReadonlySet<ProgrammeCode>): Promise<AidRecord[]> {
    if (idNumbers.length === 0) return [];
    const parts = { allocations: switch01(needed(programmes, Object.values(ALLOCATION_PROGRAMMES))), renovations: switch01(needed(programmes, ['RURAL_RENOVATION'])) };
    if (!Object.values(parts).includes(1)) return [];
    const { allocations, renovations } = await aidOf(db).execute({ ids: idNumbers, ...parts });

    const records: AidRecord[] = [];
    for (const r of allocations) {
      records.push(recurringAid({ department: 'HOUSING', ...programmeOf(ALLOC_TYPE, r.allocType, allocationStatus(r.appStatus, r.endDate, today)), beneficiaryIdNumber: r.applicantIdCard, sourceHouseholdRef: r.appNo, start: r.startDate, end: r.endDate, monthlyFen: r.monthlyFen, sourceRef: sourceRefOf(RECORD_KINDS.gzfAllocation, r.allocId) }));
    }
    for (const r of renovations) {
      records.push(oneOffAid({ department: 'HOUSING', programme: 'RURAL_RENOVATION', beneficiaryIdNumber: r.ownerIdCard, grantDate: r.completedDate!, amountFen: r.grantFen, status: oneOffStatus(false, r.completedDate!, today), sourceRef: sourceRefOf(RECORD_KINDS.wfgzProject, r.projectId) }));
    }
    return records;
  },
};
