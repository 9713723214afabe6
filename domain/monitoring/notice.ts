/**
 * The village notice (村内公示) of a household an alert was verified as needing aid: what it may
 * show, how long it runs, and when the decision it precedes may be recorded. Pure.
 *
 * Basis: published 防返贫 monitoring procedure (农户申请/部门预警 → 入户核实 → 村内公示 → 乡镇审核 →
 * 县级审定), "village notice at least 5 days, which shows no ID number, phone, bank account or
 * health data" (DOMAIN, monitoring); seed 000 三(二)2 (村（居）务公开栏公示). A notice shows the
 * village, the household head's name masked, the household's size, the measures proposed, the
 * period and where to object: nothing the hub could take from the alert (its trigger, evidence and
 * the case's summary name illnesses and hospital stays), and no free text an officer types except
 * where to object, which is checked.
 */
import { addDays, type IsoDate } from '../dates';
import { addWorkingDays } from '../cases/working-days';
import { carriesLongNumber, screeningForm } from '../text-screen';

/**
 * What the township proposes, from a closed list: a measure read off a 公示栏 says what kind of
 * help, never why. Medical aid, rehabilitation and disability subsidies are left out on purpose:
 * each names the household's health (因病, 因残) as surely as a cause would.
 */
export const NOTICE_MEASURES = ['MONITORING_ENROLMENT', 'MINIMUM_LIVING_ALLOWANCE', 'EXTREME_POVERTY_SUPPORT', 'TEMPORARY_AID', 'EMPLOYMENT_SUPPORT', 'EDUCATION_AID', 'HOUSING_AID', 'OTHER_ASSISTANCE'] as const;
export type NoticeMeasure = (typeof NOTICE_MEASURES)[number];

export const MEASURE_TEXT: Record<NoticeMeasure, string> = {
  MONITORING_ENROLMENT: '纳入防止返贫监测对象',
  MINIMUM_LIVING_ALLOWANCE: '纳入最低生活保障',
  EXTREME_POVERTY_SUPPORT: '纳入特困人员救助供养',
  TEMPORARY_AID: '给予临时救助',
  EMPLOYMENT_SUPPORT: '落实就业帮扶',
  EDUCATION_AID: '落实教育资助',
  HOUSING_AID: '落实住房保障',
  OTHER_ASSISTANCE: '落实其他帮扶措施',
};

/** How the head's name shows: surname + 某 (张某), or the surname and one × per other character (张××). */
export const HEAD_NAME_STYLES = ['SURNAME_MOU', 'SURNAME_CROSSES'] as const;
export type HeadNameStyle = (typeof HEAD_NAME_STYLES)[number];

/** A locality's notice rules (rules/triggers.json `notice`, the locality's file on top). */
export interface NoticeRules {
  /** The period, in calendar days or in working days (exactly one). */
  periodDays?: number;
  periodWorkingDays?: number;
  headName: HeadNameStyle;
}

/** DOMAIN: "village notice at least 5 days"; the seeds say days, not working days. */
export const DEFAULT_NOTICE_RULES: NoticeRules = { periodDays: 5, headName: 'SURNAME_MOU' };

const COMPOUND_SURNAMES = ['欧阳', '司马', '诸葛', '上官', '东方', '皇甫', '尉迟', '公孙', '慕容', '令狐', '夏侯', '长孙', '宇文', '司徒', '端木', '西门', '南宫', '独孤', '万俟', '轩辕'];

export function maskHeadName(name: string, style: HeadNameStyle): string {
  const chars = [...name.trim()];
  const surnameLength = chars.length > 2 && COMPOUND_SURNAMES.includes(chars.slice(0, 2).join('')) ? 2 : 1;
  const surname = chars.slice(0, surnameLength).join('');
  if (style === 'SURNAME_MOU') return `${surname}某`;
  return surname + '×'.repeat(Math.max(1, chars.length - surnameLength));
}

/**
 * The last day of the notice. The day it is posted is not counted (民法典 art. 201: 开始的当日不计入),
 * so a 5-day notice posted on 1 December runs through 6 December, and the decision may be recorded
 * from the 7th. Working days count as every other limit of the hub does (addWorkingDays).
 */
export function noticeEndsOn(postedOn: IsoDate, rules: NoticeRules): { endsOn: IsoDate; provisional: boolean } {
  if (rules.periodWorkingDays !== undefined) return (({ date, provisional }) => ({ endsOn: date, provisional }))(addWorkingDays(postedOn, rules.periodWorkingDays));
  return { endsOn: addDays(postedOn, rules.periodDays ?? DEFAULT_NOTICE_RULES.periodDays!), provisional: false };
}

/** Whether a decision on `day` would come while the notice still runs (through `endsOn`). */
export function noticeStillRunning(endsOn: IsoDate, day: IsoDate): boolean {
  return day <= endsOn;
}

/**
 * Words a notice must not carry, as a cause or a place: illness, hospital, medicine, disability and
 * the like (PIPL art. 28; DOMAIN: no health data, "also not through a cause like 因病").
 */
const HEALTH_WORDS = /病|医|药|残|癌|瘤|疾|患|症|伤|诊|疗|住院|手术|透析|化疗|康复|护理|精神|瘫|盲|聋|哑|智障|孕/;

export type NoticeTextProblem = 'IDENTIFYING_NUMBER' | 'HEALTH_DATA' | 'NAMES_A_MEMBER';

/**
 * Why a text an officer gives for the notice (where to object) cannot be posted, or null: a run of
 * digits that could be an ID number, phone or bank account (as a charity need's description is
 * judged), a health word, or a member's name or ID number written out.
 */
export function noticeTextProblem(text: string, household: { names: readonly string[]; idNumbers: readonly string[] }): NoticeTextProblem | null {
  // Read as the board's reader reads it: full-width digits as digits, a Kangxi radical or a
  // compatibility ideograph as the character it looks like (domain/text-screen.ts).
  const seen = screeningForm(text);
  if (carriesLongNumber(seen) || household.idNumbers.some((id) => seen.toUpperCase().includes(id.toUpperCase()))) return 'IDENTIFYING_NUMBER';
  if (HEALTH_WORDS.test(seen)) return 'HEALTH_DATA';
  if (household.names.some((n) => n.trim().length >= 2 && seen.includes(screeningForm(n.trim())))) return 'NAMES_A_MEMBER';
  return null;
}

/** A township's objection line: a landline (区号-号码), an office's and not a person's mobile. */
export const OBJECTION_PHONE = /^0\d{2,3}-\d{7,8}$/;

export interface NoticeFacts {
  villageName: string;
  townshipName: string;
  headName: string;
  householdSize: number;
  measures: readonly NoticeMeasure[];
  postedOn: IsoDate;
  endsOn: IsoDate;
  periodText: string;
  objectionContact: string;
  objectionPhone: string | null;
}

/**
 * The text posted on the village board, built only from the fields a notice may show. The period it
 * names starts the day after posting, as it is counted (民法典 art. 201): posted on 15 March, a 5-day
 * notice is 自 16 March 至 20 March ("自15日至20日" read as six days).
 */
export function noticeText(f: NoticeFacts): string {
  const measures = f.measures.map((m) => MEASURE_TEXT[m]).join('，');
  const phone = f.objectionPhone ? `（电话 ${f.objectionPhone}）` : '';
  return (
    `${f.villageName}公示：经入户核实，${f.headName}户（共${f.householdSize}人）拟${measures}。` +
    `公示期${f.periodText}，自${addDays(f.postedOn, 1)}至${f.endsOn}。如有异议，请于公示期内向${f.objectionContact}${phone}反映。${f.townshipName} ${f.postedOn}`
  );
}

export function periodText(rules: NoticeRules): string {
  return rules.periodWorkingDays !== undefined ? `${rules.periodWorkingDays}个工作日` : `${rules.periodDays ?? DEFAULT_NOTICE_RULES.periodDays}天`;
}
