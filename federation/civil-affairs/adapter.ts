/**
 * 民政 adapter: 低保 member spells, 特困 support, temporary aid grants and child allowances, each
 * mapped to the common AidRecord. One statement per batch, whatever the batch size: the four tables'
 * UNION ALL, those holding none of the programmes asked for switched off in it.
 */
import path from 'node:path';
import { and, eq, getTableColumns } from 'drizzle-orm';
import { inPlaceholder, preparedPer, preparedUnionAll, switch01, switchedOn } from '../../db/prepared';
import type { ProgrammeCode } from '../../domain/programmes';
import { needed, type AidCause, type AidRecord, type DepartmentAdapter, type SourceDb } from '../contract';
import type { TempAidApprovalLevel } from '../../domain/aid';
import { oneOffAid, recurringAid, sourceRefOf } from '../../domain/aid';
import { CIVIL_AFFAIRS_IMPORT } from './import-spec';
import { codedColumn, codedValue, documented, oneOffStatusOf, programmeColumn, programmeOf, statusColumn, unrecognised, type RecordStatus, type StatusColumn } from '../status-codes';
import { childAllowance, dcMonitorRoll, dibaoFamily, dibaoMember, tekunPerson, tempAidGrant } from './tables';
import { CIVIL_AFFAIRS_DEMO } from './demo';
import type { MonitorCategory, MonitoredSpell } from '../../domain/aid';

/**
 * The kinds of record this department's aid records and facts come from (`sourceRef`'s first
 * part). Frozen: stored findings' fingerprints are built from them, and they stay as they are if
 * a table is renamed (they are spelled like the first release's table names, not derived from
 * them).
 */
const RECORD_KINDS = {
  dibaoMember: 'dibao_member',
  tekunPerson: 'tekun_person',
  tempAidGrant: 'temp_aid_grant',
  childAllowance: 'child_allowance',
  monitorRoll: 'dc_monitor_roll',
} as const;

/**
 * temp_aid_grant.cause_code as the import declaration documents it. Any other code is UNRECOGNISED
 * with the code (sourceCauseCode): it read as OTHER, so two grants under two different undocumented
 * codes were one cause to X5 and a decision's OTHER matched either.
 */
const CAUSE = codedColumn<AidCause>(CIVIL_AFFAIRS_IMPORT.temp_aid_grant, 'cause_code', { '01': 'ILLNESS', '02': 'ACCIDENT', '03': 'DISASTER', '04': 'JOB_LOSS', '05': 'EDUCATION', '99': 'OTHER' });

/**
 * temp_aid_grant.approval_level as the import declaration documents it (1 乡镇审批, 2 县级审批): X5
 * exempts a grant flagged as a second aid only when the township did not approve it (二次临时救助 is
 * the city's or the county's: seed 000 三(四)1). Any other code is UNRECOGNISED: who approved it
 * cannot be told, and the flag stands.
 */
const APPROVAL_LEVEL = codedColumn<TempAidApprovalLevel>(CIVIL_AFFAIRS_IMPORT.temp_aid_grant, 'approval_level', { '1': 'TOWNSHIP', '2': 'COUNTY' });

/** A grant's cause, and its code when that is undocumented. */
function causeOf(code: string): Pick<AidRecord, 'cause' | 'sourceCauseCode'> {
  const { value, sourceCode } = codedValue(CAUSE, code);
  return sourceCode === null ? { cause: value } : { cause: value, sourceCauseCode: sourceCode };
}

/** The state flags, as the import declaration documents them (0 在保 or 发放中, 1 停保 or 停发, 2 暂停). */
const STATUS = {
  dibaoFamily: statusColumn(CIVIL_AFFAIRS_IMPORT.dibao_family, 'state_flag'),
  tekunPerson: statusColumn(CIVIL_AFFAIRS_IMPORT.tekun_person, 'state_flag'),
  childAllowance: statusColumn(CIVIL_AFFAIRS_IMPORT.child_allowance, 'state_flag'),
  tempAidRevoked: statusColumn(CIVIL_AFFAIRS_IMPORT.temp_aid_grant, 'revoked'),
  childAllowanceRevoked: statusColumn(CIVIL_AFFAIRS_IMPORT.child_allowance, 'revoked'),
};

/**
 * Coded columns no rule reads and the API does not show: a 低保 family's urban or rural kind
 * (area_type), a 特困 person's mode of support (care_mode). Only counted at start-up, where an
 * undocumented code tells the office its data needs correcting.
 */
const DISPLAY = [statusColumn(CIVIL_AFFAIRS_IMPORT.dibao_family, 'area_type'), statusColumn(CIVIL_AFFAIRS_IMPORT.tekun_person, 'care_mode')];

/** child_allowance.category: GE 孤儿, SW 事实无人抚养; any other is the catch-all, UNRECOGNISED (it read as 事实无人抚养 in force). */
const CHILD_CATEGORY = programmeColumn(CIVIL_AFFAIRS_IMPORT.child_allowance, 'category', 'CIVIL_AFFAIRS', { GE: 'ORPHAN', SW: 'UNSUPPORTED_CHILD' });

/**
 * revoked (temp_aid_grant, child_allowance): 0 no, 1 yes (撤销). Read as a number: as a boolean, any
 * value but 1 (a 2 its system wrote) read as not revoked, aid paid. Any other value is UNRECOGNISED.
 */
const REVOKED = 1;

/**
 * 0 在保, 1 停保, 2 暂停; a spell with an end date in the past has ended whatever the flag says. Any
 * other flag is UNRECOGNISED, not aid in force (it read as ACTIVE): nothing says it is paid.
 */
function recurringStatus(column: StatusColumn, stateFlag: number, end: string | null, today: string): RecordStatus {
  if (!documented(column, stateFlag)) return unrecognised(stateFlag);
  if (stateFlag === 2) return { status: 'SUSPENDED' };
  if (stateFlag === 1 || (end !== null && end < today)) return { status: 'ENDED' };
  return { status: 'ACTIVE' };
}

/** A child allowance revoked (1) never counted, whatever its state flag; an undocumented revoked value is UNRECOGNISED with that value. */
function childStatus(revoked: number, stateFlag: number, end: string | null, today: string): RecordStatus {
  if (!documented(STATUS.childAllowanceRevoked, revoked)) return unrecognised(revoked);
  return revoked === REVOKED ? { status: 'CANCELLED' } : recurringStatus(STATUS.childAllowance, stateFlag, end, today);
}

function laterOf(a: string, b: string): string {
  return a > b ? a : b;
}
function earlierOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/** The four aid tables in one statement, and the monitored roll; prepared once per source (db/prepared.ts). */
const statements = preparedPer((db: SourceDb) => ({
  aid: preparedUnionAll(db, {
    /** 低保 member spells with their family's approval, end and state. */
    dibao: {
      fields: {
        familyNo: dibaoMember.familyNo,
        idNo: dibaoMember.idNo,
        joinedOn: dibaoMember.joinedOn,
        leftOn: dibaoMember.leftOn,
        monthlyShareFen: dibaoMember.monthlyShareFen,
        approvedOn: dibaoFamily.approvedOn,
        endedOn: dibaoFamily.endedOn,
        stateFlag: dibaoFamily.stateFlag,
      },
      select: (f) => db.select(f).from(dibaoMember).innerJoin(dibaoFamily, eq(dibaoFamily.familyNo, dibaoMember.familyNo)).where(and(inPlaceholder(dibaoMember.idNo, 'ids'), switchedOn('dibao'))),
    },
    tekun: { fields: getTableColumns(tekunPerson), select: (f) => db.select(f).from(tekunPerson).where(and(inPlaceholder(tekunPerson.idNo, 'ids'), switchedOn('tekun'))) },
    temp: { fields: getTableColumns(tempAidGrant), select: (f) => db.select(f).from(tempAidGrant).where(and(inPlaceholder(tempAidGrant.idNo, 'ids'), switchedOn('temp'))) },
    child: { fields: getTableColumns(childAllowance), select: (f) => db.select(f).from(childAllowance).where(and(inPlaceholder(childAllowance.childIdNo, 'ids'), switchedOn('child'))) },
  }),
  monitored: db.select().from(dcMonitorRoll).where(inPlaceholder(dcMonitorRoll.idNo, 'ids')).prepare(),
}));

/**
 * dc_monitor_roll.jclb as the import declaration documents it. Any other code is UNRECOGNISED with
 * the code (sourceCategoryCode): it read as 其他低收入人口, a category the roll did not give. The
 * person is on the roll either way, so monitoring holds them against the monitored lines.
 */
const MONITOR_CATEGORY = codedColumn<MonitorCategory>(CIVIL_AFFAIRS_IMPORT.dc_monitor_roll, 'jclb', { '01': 'DIBAO_EDGE', '02': 'ESSENTIAL_SPENDING', '03': 'POVERTY_RISK', '09': 'OTHER_LOW_INCOME' });

/** Spells on the monitored low-income roll of these people. One statement. */
async function monitoredByIdNumbers(db: SourceDb, idNumbers: readonly string[]): Promise<MonitoredSpell[]> {
  if (idNumbers.length === 0) return [];
  return (await statements(db).monitored.execute({ ids: idNumbers })).map((r) => {
    const { value, sourceCode } = codedValue(MONITOR_CATEGORY, r.jclb);
    return { idNumber: r.idNo, category: value, ...(sourceCode === null ? {} : { sourceCategoryCode: sourceCode }), from: r.nrrq, to: r.tcrq, sourceRef: sourceRefOf(RECORD_KINDS.monitorRoll, r.jcId) };
  });
}

export const civilAffairs: DepartmentAdapter = {
  code: 'CIVIL_AFFAIRS',
  migrationsFolder: path.join(__dirname, 'migrations'),
  importTables: CIVIL_AFFAIRS_IMPORT,
  demo: CIVIL_AFFAIRS_DEMO,
  recordKinds: RECORD_KINDS,
  statusColumns: Object.values(STATUS),
  programmeColumns: [CHILD_CATEGORY],
  factColumns: [CAUSE, APPROVAL_LEVEL, MONITOR_CATEGORY],
  displayColumns: DISPLAY,
  tables: [dibaoFamily, dibaoMember, tekunPerson, tempAidGrant, childAllowance, dcMonitorRoll],
  personKeys: [dibaoMember.idNo, tekunPerson.idNo, tempAidGrant.idNo, childAllowance.childIdNo],
  otherIdColumns: [
    { column: dibaoFamily.headIdNo, why: 'the family head; each member, the head included, has a dibao_member row' },
    { column: dcMonitorRoll.idNo, why: 'the monitored low-income roll is not aid: monitoring reads it as a fact (facts.monitored)' },
  ],
  facts: { monitored: { byIdNumbers: monitoredByIdNumbers, keyColumn: dcMonitorRoll.idNo } },
  // Spells and families are updated in place with no change time: compared as snapshots.
  changeFeed: [
    { table: dibaoFamily, sequence: null, updatedAt: dibaoFamily.updatedAt },
    { table: dibaoMember, sequence: null, updatedAt: dibaoMember.updatedAt },
    { table: tekunPerson, sequence: tekunPerson.tkId, updatedAt: null },
    { table: tempAidGrant, sequence: tempAidGrant.grantId, updatedAt: null },
    // Stopped, suspended and revoked in place (state_flag, revoked): new ids alone would miss those changes.
    { table: childAllowance, sequence: null, updatedAt: null },
    { table: dcMonitorRoll, sequence: dcMonitorRoll.jcId, updatedAt: null },
  ],

  async aidByIdNumbers(db: SourceDb, idNumbers: readonly string[], today: string, programmes?: ReadonlySet<ProgrammeCode>): Promise<AidRecord[]> {
    if (idNumbers.length === 0) return [];
    // One statement; a table that holds none of the programmes asked for is switched off in it.
    const parts = {
      dibao: switch01(needed(programmes, ['DIBAO'])),
      tekun: switch01(needed(programmes, ['TEKUN'])),
      temp: switch01(needed(programmes, ['TEMP_AID'])),
      child: switch01(needed(programmes, ['ORPHAN', 'UNSUPPORTED_CHILD'])),
    };
    if (!Object.values(parts).includes(1)) return [];
    const { dibao, tekun, temp, child } = await statements(db).aid.execute({ ids: idNumbers, ...parts });

    const records: AidRecord[] = [];
    for (const r of dibao) {
      // A member is covered from the later of joining and family approval to the earlier of leaving and family exit.
      const periodEnd = earlierOf(r.leftOn, r.endedOn);
      records.push(recurringAid({ department: 'CIVIL_AFFAIRS', programme: 'DIBAO', beneficiaryIdNumber: r.idNo, sourceHouseholdRef: r.familyNo, start: laterOf(r.joinedOn, r.approvedOn), end: periodEnd, monthlyFen: r.monthlyShareFen, ...recurringStatus(STATUS.dibaoFamily, r.stateFlag, periodEnd, today), sourceRef: sourceRefOf(RECORD_KINDS.dibaoMember, `${r.familyNo}/${r.idNo}/${r.joinedOn}`) }));
    }
    for (const r of tekun) {
      records.push(recurringAid({ department: 'CIVIL_AFFAIRS', programme: 'TEKUN', beneficiaryIdNumber: r.idNo, start: r.startOn, end: r.endOn, monthlyFen: r.monthlyFen, ...recurringStatus(STATUS.tekunPerson, r.stateFlag, r.endOn, today), sourceRef: sourceRefOf(RECORD_KINDS.tekunPerson, r.tkId) }));
    }
    for (const r of temp) {
      records.push(oneOffAid({ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', beneficiaryIdNumber: r.idNo, sourceHouseholdRef: r.familyNo, grantDate: r.grantDate, amountFen: r.amountFen, ...oneOffStatusOf(STATUS.tempAidRevoked, r.revoked, r.revoked === REVOKED, r.grantDate, today), sourceRef: sourceRefOf(RECORD_KINDS.tempAidGrant, r.grantId), ...causeOf(r.causeCode), urgent: r.isUrgent, secondAid: r.isSecondAid, approvalLevel: codedValue(APPROVAL_LEVEL, r.approvalLevel).value }));
    }
    for (const r of child) {
      records.push(recurringAid({ department: 'CIVIL_AFFAIRS', ...programmeOf(CHILD_CATEGORY, r.category, childStatus(r.revoked, r.stateFlag, r.endOn, today)), beneficiaryIdNumber: r.childIdNo, start: r.startOn, end: r.endOn, monthlyFen: r.monthlyFen, sourceRef: sourceRefOf(RECORD_KINDS.childAllowance, r.id) }));
    }
    return records;
  },
};
