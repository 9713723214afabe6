/**
 * The programme catalogue: every kind of aid the hub knows, which department runs it, whether it
 * is paid monthly over a period (RECURRING) or granted once (ONE_OFF), and its purpose (seed 000,
 * 二(二)). Adapters map their own codes to these; the hub table `programme` is loaded from here.
 */
import type { DepartmentCode } from './departments';

export type ProgrammeKind = 'RECURRING' | 'ONE_OFF';
export type AidPurpose = 'BASIC_LIVING' | 'TEMPORARY' | 'MEDICAL' | 'EDUCATION' | 'HOUSING' | 'EMPLOYMENT' | 'DISABILITY' | 'SERVICE';

export interface Programme {
  code: string;
  department: DepartmentCode;
  name: string;
  kind: ProgrammeKind;
  purpose: AidPurpose;
}

export const PROGRAMMES = [
  { code: 'DIBAO', department: 'CIVIL_AFFAIRS', name: '最低生活保障', kind: 'RECURRING', purpose: 'BASIC_LIVING' },
  { code: 'TEKUN', department: 'CIVIL_AFFAIRS', name: '特困人员救助供养', kind: 'RECURRING', purpose: 'BASIC_LIVING' },
  { code: 'TEMP_AID', department: 'CIVIL_AFFAIRS', name: '临时救助', kind: 'ONE_OFF', purpose: 'TEMPORARY' },
  { code: 'ORPHAN', department: 'CIVIL_AFFAIRS', name: '孤儿基本生活费', kind: 'RECURRING', purpose: 'BASIC_LIVING' },
  { code: 'UNSUPPORTED_CHILD', department: 'CIVIL_AFFAIRS', name: '事实无人抚养儿童基本生活补贴', kind: 'RECURRING', purpose: 'BASIC_LIVING' },
  { code: 'NATIONAL_GRANT', department: 'EDUCATION', name: '国家助学金', kind: 'ONE_OFF', purpose: 'EDUCATION' },
  { code: 'TUITION_WAIVER', department: 'EDUCATION', name: '学费减免', kind: 'ONE_OFF', purpose: 'EDUCATION' },
  { code: 'BOARDING_SUBSIDY', department: 'EDUCATION', name: '寄宿生生活费补助', kind: 'ONE_OFF', purpose: 'EDUCATION' },
  { code: 'PUBLIC_RENTAL', department: 'HOUSING', name: '公租房实物配租', kind: 'RECURRING', purpose: 'HOUSING' },
  { code: 'RENT_SUBSIDY', department: 'HOUSING', name: '公租房租赁补贴', kind: 'RECURRING', purpose: 'HOUSING' },
  { code: 'RURAL_RENOVATION', department: 'HOUSING', name: '农村危房改造', kind: 'ONE_OFF', purpose: 'HOUSING' },
  { code: 'MEDICAL_AID', department: 'HEALTH', name: '医疗救助', kind: 'ONE_OFF', purpose: 'MEDICAL' },
  { code: 'PREMIUM_SUBSIDY', department: 'HEALTH', name: '参保资助', kind: 'ONE_OFF', purpose: 'MEDICAL' },
  { code: 'UNION_HARDSHIP', department: 'UNION', name: '困难职工帮扶', kind: 'ONE_OFF', purpose: 'TEMPORARY' },
  { code: 'UNION_AUTUMN_EDU', department: 'UNION', name: '金秋助学', kind: 'ONE_OFF', purpose: 'EDUCATION' },
  { code: 'UNION_ILLNESS', department: 'UNION', name: '大病帮扶', kind: 'ONE_OFF', purpose: 'MEDICAL' },
  { code: 'DISABILITY_LIVING', department: 'DISABILITY', name: '困难残疾人生活补贴', kind: 'RECURRING', purpose: 'DISABILITY' },
  { code: 'DISABILITY_NURSING', department: 'DISABILITY', name: '重度残疾人护理补贴', kind: 'RECURRING', purpose: 'DISABILITY' },
  { code: 'REHAB_AID', department: 'DISABILITY', name: '残疾人康复救助', kind: 'ONE_OFF', purpose: 'DISABILITY' },
  { code: 'UNEMPLOYMENT_BENEFIT', department: 'HUMAN_RESOURCES', name: '失业保险金', kind: 'RECURRING', purpose: 'EMPLOYMENT' },
  { code: 'PUBLIC_WELFARE_JOB', department: 'HUMAN_RESOURCES', name: '公益性岗位补贴', kind: 'RECURRING', purpose: 'EMPLOYMENT' },
  { code: 'TRAINING_SUBSIDY', department: 'HUMAN_RESOURCES', name: '职业培训补贴', kind: 'ONE_OFF', purpose: 'EMPLOYMENT' },
  { code: 'JOB_SEEKING_SUBSIDY', department: 'HUMAN_RESOURCES', name: '求职创业补贴', kind: 'ONE_OFF', purpose: 'EMPLOYMENT' },
  { code: 'EMPLOYMENT_AID', department: 'HUMAN_RESOURCES', name: '就业援助补贴', kind: 'ONE_OFF', purpose: 'EMPLOYMENT' },
] as const satisfies readonly Programme[];

export type ProgrammeCode = (typeof PROGRAMMES)[number]['code'];

export const PROGRAMME_BY_CODE: ReadonlyMap<string, Programme> = new Map(PROGRAMMES.map((p) => [p.code, p]));
