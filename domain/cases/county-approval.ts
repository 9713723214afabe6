/**
 * 转交县级审批 (seed 000, 二(三)): "乡镇（街道）有审批权限的，20 个工作日内完成审核审批；救助审批权限
 * 没有下放的，乡镇（街道）按规定审核完成后转交县级相关救助职能部门审批。" Which approvals a township
 * holds is the locality's choice, kept as data (the trigger set's `townshipApproval`, per county where
 * counties differ): the programmes whose approval was NOT delegated to the townships. A township that
 * reviewed a case seeking one of them forwards it to the county office that runs the programme, which
 * then owns it (首问负责 handed on) and approves or rejects it.
 *
 * Default (rules/triggers.json): 低保 (DIBAO) and 特困 (TEKUN) are approved by the county's civil
 * affairs (《社会救助暂行办法》 第十一条、第十五条: 县级人民政府民政部门审批), which the 2020 reform
 * (中办发〔2020〕18号《关于改革完善社会救助制度的意见》) lets a locality delegate where it can; every other
 * programme, temporary aid among them, is the township's to approve. A locality that delegated 低保
 * lists none (`notDelegated: []`), and one that did not delegate temporary aid adds TEMP_AID.
 *
 * Pure: the data layer asks, then records (db/cases/county-approval.ts).
 */
import type { CaseState } from './state-machine';
import { countyOf, isReceivingDepartment, parseOffice, type OfficeKey } from './offices';

/** A county's (or every county's) programmes whose approval stays with the county. */
export interface TownshipApprovalScope {
  notDelegated: readonly string[];
  /** The local document that says so, in words read out at a meeting. */
  basis: string;
}

/** The locality's rule: a default, and counties (6-digit codes) that differ from it. */
export interface TownshipApprovalRule extends TownshipApprovalScope {
  counties: Readonly<Record<string, TownshipApprovalScope>>;
}

export const DEFAULT_TOWNSHIP_APPROVAL: TownshipApprovalRule = {
  notDelegated: ['DIBAO', 'TEKUN'],
  basis: '《社会救助暂行办法》第十一条、第十五条：低保、特困由县级人民政府民政部门审批',
  counties: {},
};

/** The scope in force for a case of this township (its county's entry, else the default). */
export function approvalScopeOf(rule: TownshipApprovalRule, townshipCode: string): TownshipApprovalScope {
  return rule.counties[countyOf(townshipCode)] ?? rule;
}

/** Whether a township of this county may approve the programme itself (then the 20 working days bind it). */
export function townshipMayApprove(rule: TownshipApprovalRule, townshipCode: string, programmeCode: string): boolean {
  return !approvalScopeOf(rule, townshipCode).notDelegated.includes(programmeCode);
}

/**
 * What binds the county office once a case is forwarded: the seeds set it no time limit, so none is
 * counted (no APPROVAL deadline: domain/cases/deadlines.ts), and this basis says so where it is shown.
 */
export const COUNTY_APPROVAL_BASIS =
  '救助审批权限没有下放的，乡镇（街道）按规定审核完成后转交县级相关救助职能部门审批（济宁市“济时救”实施方案 二（三））：方案未规定县级审批时限，故不计审批时限';

/**
 * The states a case is forwarded from: accepted (受理) by the township and not yet decided. A case in
 * deliberation or decided has had its approval; one only reported has not been reviewed.
 */
export const FORWARDABLE_STATES: readonly CaseState[] = ['ACCEPTED', 'INVESTIGATING', 'FIRST_AID_GIVEN'];

export type ForwardTargetRefusal = 'NOT_COUNTY_OFFICE' | 'UNKNOWN_OFFICE';

/**
 * Why `to` cannot take a case for approval, or null: a township (or any key not a county office) is
 * NOT_COUNTY_OFFICE; a department code that answers nothing for a county (CHARITY, REPORTED) UNKNOWN_OFFICE.
 */
export function forwardTargetRefusal(to: OfficeKey): ForwardTargetRefusal | null {
  const office = parseOffice(to);
  if (!office || office.kind !== 'DEPARTMENT') return 'NOT_COUNTY_OFFICE';
  return isReceivingDepartment(office.department) ? null : 'UNKNOWN_OFFICE';
}

