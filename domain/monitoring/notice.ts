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
import { addCalendarDays, addWorkingDays, type LastDayOff } from '../cases/working-days';
import { carriesLongNumber, HEALTH_WORDS, screeningForm } from '../text-screen';

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

/**
 * The shortest period a notice runs, in days or in working days: DOMAIN (监测预警) "village notice at
 * least 5 days". A locality sets its own period above it, never under it. Five working days never
 * run fewer than five days; four posted on a Monday end that Friday.
 */
export const NOTICE_MIN_DAYS = 5;

/** DOMAIN: "village notice at least 5 days"; the seeds say days, not working days. */
export const DEFAULT_NOTICE_RULES: NoticeRules = { periodDays: NOTICE_MIN_DAYS, headName: 'SURNAME_MOU' };

/**
 * The compound surnames (复姓) of the 百家姓, in its order, and 独孤 (not in it, but in use). The
 * 百家姓 also sets single surnames in pairs among its compound ones (仉 督, 晋 楚, 闫 法, 汝 鄢, 涂 钦,
 * 岳 帅, 缑 亢, 况 后, 佘 佴, 墨 哈, 谯 笪, 年 爱, 阳 佟, 言 福): those are not compounds, and reading
 * one as such would show the first character of a given name (岳帅军 as 岳帅某).
 */
export const COMPOUND_SURNAMES: readonly string[] = [
  '万俟', '司马', '上官', '欧阳', '夏侯', '诸葛', '闻人', '东方', '赫连', '皇甫', '尉迟', '公羊', '澹台', '公冶', '宗政', '濮阳',
  '淳于', '单于', '太叔', '申屠', '公孙', '仲孙', '轩辕', '令狐', '钟离', '宇文', '长孙', '慕容', '鲜于', '闾丘', '司徒', '司空',
  '亓官', '司寇', '子车', '颛孙', '端木', '巫马', '公西', '漆雕', '乐正', '壤驷', '公良', '拓跋', '夹谷', '宰父', '谷梁', '段干',
  '百里', '东郭', '南门', '呼延', '归海', '羊舌', '微生', '有琴', '梁丘', '左丘', '东门', '西门', '商牟', '伯赏', '南宫', '第五',
  '独孤',
];

/** The surname of a Han name: a compound one (复姓) when the name starts with one and has a given name after it. */
export function surnameOf(name: string): string {
  const chars = [...name.trim()];
  return chars.slice(0, chars.length > 2 && COMPOUND_SURNAMES.includes(chars.slice(0, 2).join('')) ? 2 : 1).join('');
}

export function maskHeadName(name: string, style: HeadNameStyle): string {
  const chars = [...name.trim()];
  const surnameLength = [...surnameOf(name)].length;
  const surname = chars.slice(0, surnameLength).join('');
  if (style === 'SURNAME_MOU') return `${surname}某`;
  return surname + '×'.repeat(Math.max(1, chars.length - surnameLength));
}

/**
 * The last day of the notice. The day it is posted is not counted (民法典 art. 201: 开始的当日不计入),
 * so a 5-day notice posted on 1 December runs through 6 December, and the decision may be recorded
 * from the 7th. A period in calendar days whose last day is off runs to the next working day unless
 * the trigger set says KEEP (art. 203; addCalendarDays): posted on 2026-11-23, through Monday 11-30,
 * not Saturday 11-28. Working days count as every other limit of the hub does (addWorkingDays). A
 * notice keeps the last day it was posted with: the board says it, and no later recount moves it.
 */
export function noticeEndsOn(postedOn: IsoDate, rules: NoticeRules, lastDayOff: LastDayOff): { endsOn: IsoDate; provisional: boolean } {
  const counted = rules.periodWorkingDays !== undefined ? addWorkingDays(postedOn, rules.periodWorkingDays) : addCalendarDays(postedOn, rules.periodDays ?? DEFAULT_NOTICE_RULES.periodDays!, lastDayOff);
  return { endsOn: counted.date, provisional: counted.provisional };
}

export interface NoticeWarning {
  code: 'DECISION_LIMIT_AT_RISK';
  message: string;
}

/**
 * The warning a notice is posted with when it runs through or past the alert's decision day: the
 * case is decided the day after `endsOn` at the earliest, later than `decideBy`. Posted all the same
 * (the notice is the law's; the limit is supervision's), the township told now, not on the report.
 */
export function noticeDecisionWarning(endsOn: IsoDate, decideBy: IsoDate): NoticeWarning | null {
  const earliest = addDays(endsOn, 1);
  if (earliest <= decideBy) return null;
  return { code: 'DECISION_LIMIT_AT_RISK', message: `the notice runs through ${endsOn}: the case can be decided from ${earliest} at the earliest, after the alert's decision day ${decideBy}` };
}

/** Whether a decision on `day` would come while the notice still runs (through `endsOn`). */
export function noticeStillRunning(endsOn: IsoDate, day: IsoDate): boolean {
  return day <= endsOn;
}

/** A notice as the decision gate reads it: live or withdrawn, its last day, its objections. */
export interface GateNotice {
  endsOn: IsoDate;
  withdrawn: boolean;
  objections: readonly { resolution: 'UPHELD' | 'DISMISSED' | null }[];
}

export type NoticeGateCode = 'NOTICE_REQUIRED' | 'NOTICE_PERIOD_RUNNING' | 'NOTICE_OBJECTION_UPHELD' | 'NOTICE_OBJECTION_UNRESOLVED';

/**
 * Whether the case a notice precedes may be decided on `day`, or why not: the one gate, for a
 * transition to DECIDED and a meeting's decisions alike (db/cases/store.ts). It needs a live notice
 * (none posted, or the last withdrawn: NOTICE_REQUIRED), whose period has run (NOTICE_PERIOD_RUNNING)
 * and whose objections are all resolved (NOTICE_OBJECTION_UNRESOLVED: weighing them is the
 * township's, and the decision waits for it) and none upheld (NOTICE_OBJECTION_UPHELD: the notice
 * was wrong; the township withdraws it and posts a corrected one, which runs a new period).
 * Objections to a withdrawn notice no longer count: its correction is what the village reads.
 */
export function noticeGate(notices: readonly GateNotice[], day: IsoDate): { code: NoticeGateCode; message: string } | null {
  const live = notices.find((n) => !n.withdrawn);
  if (!live) {
    return notices.length === 0
      ? { code: 'NOTICE_REQUIRED', message: 'post its village notice (alertNoticePost) and let it run before the decision' }
      : { code: 'NOTICE_REQUIRED', message: 'its village notice was withdrawn: post the corrected notice (alertNoticePost) and let it run before the decision' };
  }
  if (noticeStillRunning(live.endsOn, day)) return { code: 'NOTICE_PERIOD_RUNNING', message: `the village notice runs through ${live.endsOn}: the decision may be recorded from ${addDays(live.endsOn, 1)}` };
  const upheld = live.objections.filter((o) => o.resolution === 'UPHELD').length;
  if (upheld > 0) return { code: 'NOTICE_OBJECTION_UPHELD', message: `${upheld} objection(s) to the village notice upheld: withdraw it (alertNoticeWithdraw) and post a corrected one` };
  const open = live.objections.filter((o) => o.resolution === null).length;
  if (open > 0) return { code: 'NOTICE_OBJECTION_UNRESOLVED', message: `${open} objection(s) to the village notice not yet resolved (alertNoticeObjectionResolve)` };
  return null;
}

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
  /** The office that posts it and signs it: the township, or the county office that verifies the alert. */
  issuerName: string;
  headName: string;
  householdSize: number;
  measures: readonly NoticeMeasure[];
  postedOn: IsoDate;
  endsOn: IsoDate;
  periodText: string;
  objectionContact: string;
  objectionPhone: string | null;
  /** Posted after a withdrawn notice: headed 更正公示. */
  correction?: boolean;
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
    `${f.villageName}${f.correction ? '更正' : ''}公示：${f.correction ? '前次公示已撤回，现更正如下。' : ''}经入户核实，${f.headName}户（共${f.householdSize}人）拟${measures}。` +
    `公示期${f.periodText}，自${addDays(f.postedOn, 1)}至${f.endsOn}。如有异议，请于公示期内向${f.objectionContact}${phone}反映。${f.issuerName} ${f.postedOn}`
  );
}

export function periodText(rules: NoticeRules): string {
  return rules.periodWorkingDays !== undefined ? `${rules.periodWorkingDays}个工作日` : `${rules.periodDays ?? DEFAULT_NOTICE_RULES.periodDays}天`;
}
