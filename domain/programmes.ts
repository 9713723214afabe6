/**
 * The programme catalogue: every kind of aid the hub knows, which department runs it, whether it
 * is paid monthly over a period (RECURRING) or granted once (ONE_OFF), and its purpose (seed 000,
 * 二(二)). Adapters map their own codes to these; the hub table `programme` is loaded from here.
 */
import type { OfficeCode } from './departments';

export type ProgrammeKind = 'RECURRING' | 'ONE_OFF';
export type AidPurpose = 'BASIC_LIVING' | 'TEMPORARY' | 'MEDICAL' | 'EDUCATION' | 'HOUSING' | 'EMPLOYMENT' | 'DISABILITY' | 'SERVICE';

export interface Programme {
  code: string;
  department: OfficeCode;
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
  // Reported directly to the hub (schema/reported-aid.graphql). The catalogue has no disaster or
  // legal purpose: disaster relief counts as TEMPORARY (one-off relief of basic living), legal aid
  // as SERVICE (seed 000, 二(二) lists services beside money).
  // 受灾人员过渡期生活救助: paid monthly while a home is rebuilt (《自然灾害救助条例》第十九条).
  { code: 'DISASTER_TRANSITION', department: 'EMERGENCY_MANAGEMENT', name: '受灾人员过渡期生活救助', kind: 'RECURRING', purpose: 'TEMPORARY' },
  // 冬春救助: December to May, money within 15 working days of allocation.
  { code: 'WINTER_SPRING_RELIEF', department: 'EMERGENCY_MANAGEMENT', name: '冬春救助', kind: 'ONE_OFF', purpose: 'TEMPORARY' },
  // 法律援助: a service; recipients of social assistance skip the means check (法律援助法 第四十二条).
  { code: 'LEGAL_AID', department: 'JUSTICE', name: '法律援助', kind: 'ONE_OFF', purpose: 'SERVICE' },
  { code: 'HOPE_PROJECT', department: 'YOUTH_LEAGUE', name: '希望工程助学', kind: 'ONE_OFF', purpose: 'EDUCATION' },
  { code: 'SPRING_BUD', department: 'WOMENS_FEDERATION', name: '春蕾计划', kind: 'ONE_OFF', purpose: 'EDUCATION' },
  { code: 'TWO_CANCERS_AID', department: 'WOMENS_FEDERATION', name: '"两癌"救助', kind: 'ONE_OFF', purpose: 'MEDICAL' },
  { code: 'RED_CROSS_RELIEF', department: 'RED_CROSS', name: '红十字人道救助', kind: 'ONE_OFF', purpose: 'TEMPORARY' },
  { code: 'RED_CROSS_ILLNESS', department: 'RED_CROSS', name: '红十字大病救助', kind: 'ONE_OFF', purpose: 'MEDICAL' },
  { code: 'CHARITY_MEDICAL', department: 'CHARITY', name: '慈善医疗救助', kind: 'ONE_OFF', purpose: 'MEDICAL' },
  { code: 'CHARITY_EDUCATION', department: 'CHARITY', name: '慈善助学', kind: 'ONE_OFF', purpose: 'EDUCATION' },
  { code: 'CHARITY_JISHIJIU_99', department: 'CHARITY', name: '济时救 99 公益日项目', kind: 'ONE_OFF', purpose: 'TEMPORARY' },
] as const satisfies readonly Programme[];

export type ProgrammeCode = (typeof PROGRAMMES)[number]['code'];

export const PROGRAMME_BY_CODE: ReadonlyMap<string, Programme> = new Map(PROGRAMMES.map((p) => [p.code, p]));

/**
 * Whether a programme is a service (法律援助): given to the beneficiary, not paid. Its aid, reported
 * or decided, carries 0 fen: money recorded for it would count in the household's aid totals, the
 * dossier and a decision's pre-grant check as cash the household never received. The one definition
 * aidReport (domain/reported-aid/validate.ts) and a meeting's decisions (domain/cases/meetings.ts) hold
 * an amount to.
 */
export function isServiceProgramme(programme: Pick<Programme, 'purpose'>): boolean {
  return programme.purpose === 'SERVICE';
}

/**
 * Why an amount is refused for a service (isServiceProgramme), said alike wherever it is refused.
 * The programme by its code, not in Chinese: a GraphQL error's Chinese text is withheld as a value
 * the caller may have sent (access/redact.ts), which left preGrantCheck's message "e.g. …".
 */
export const SERVICE_AMOUNT_MESSAGE = 'a service (e.g. LEGAL_AID) carries amount 0: it is given, not paid to the beneficiary';

/**
 * Why 0 fen is refused for aid in money (not isServiceProgramme), said alike wherever it is refused:
 * aidReport's record, a meeting's, a correction's or a reassignment's decision, a first aid. A
 * decision of 0 fen was completed by any payment of its programme and never read as short.
 */
export const MONEY_AMOUNT_MESSAGE = 'aid in money is more than 0 fen';

/**
 * What an aid record is shown under when its department's programme (type, kind) code is one the
 * department does not document (a typo, or a programme its system added since): one per federated
 * department whose records carry such a code. Not programmes of the catalogue: nothing can decide,
 * report or check aid under them, and the hub's programme table does not hold them. A record under
 * one is UNRECOGNISED (counted in no total, by no rule, fulfilling nothing) and carries the raw code
 * in `sourceProgrammeCode`, so the aid is seen rather than dropped (federation/status-codes.ts).
 * Each has the kind of the table its code comes from, and its department's purpose.
 */
export const UNRECOGNISED_PROGRAMMES = [
  { code: 'CIVIL_AFFAIRS_UNRECOGNISED', department: 'CIVIL_AFFAIRS', name: '民政未识别项目', kind: 'RECURRING', purpose: 'BASIC_LIVING' },
  { code: 'DISABILITY_UNRECOGNISED', department: 'DISABILITY', name: '残联未识别补贴', kind: 'RECURRING', purpose: 'DISABILITY' },
  { code: 'EDUCATION_UNRECOGNISED', department: 'EDUCATION', name: '教育未识别资助项目', kind: 'ONE_OFF', purpose: 'EDUCATION' },
  { code: 'HEALTH_UNRECOGNISED', department: 'HEALTH', name: '医保未识别救助类型', kind: 'ONE_OFF', purpose: 'MEDICAL' },
  { code: 'HOUSING_UNRECOGNISED', department: 'HOUSING', name: '住建未识别保障方式', kind: 'RECURRING', purpose: 'HOUSING' },
  { code: 'HUMAN_RESOURCES_UNRECOGNISED', department: 'HUMAN_RESOURCES', name: '人社未识别补贴类型', kind: 'ONE_OFF', purpose: 'EMPLOYMENT' },
  { code: 'UNION_UNRECOGNISED', department: 'UNION', name: '工会未识别帮扶类型', kind: 'ONE_OFF', purpose: 'TEMPORARY' },
] as const satisfies readonly Programme[];

export type UnrecognisedProgrammeCode = (typeof UNRECOGNISED_PROGRAMMES)[number]['code'];

/** The programme of an aid record: one of the catalogue, or its department's UNRECOGNISED_PROGRAMMES entry. */
export type AidProgrammeCode = ProgrammeCode | UnrecognisedProgrammeCode;

/** Every programme an aid record can be shown under (PROGRAMME_BY_CODE: only those aid can be decided, reported or checked under). */
export const AID_PROGRAMME_BY_CODE: ReadonlyMap<string, Programme> = new Map([...PROGRAMMES, ...UNRECOGNISED_PROGRAMMES].map((p) => [p.code, p]));
