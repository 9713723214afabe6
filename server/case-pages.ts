/**
 * The printable meeting brief (一事一议会议材料): `GET /cases/:id/brief`, optionally
 * `?meeting=<id>`. One self-contained HTML page in Chinese with print CSS: no script, font, image
 * or style from anywhere else (the Content-Security-Policy forbids it), so it prints the same on an
 * offline government network.
 *
 * With a meeting (the one asked, else the case's latest) it prints that meeting's stored dossier
 * and decisions, as they stood; before any meeting, the dossier as it stands now. ID numbers are
 * printed masked whoever asks: paper leaves the room.
 *
 * The route sits behind the access middleware (token, purpose, ROUTE_RULES). Here it also keeps to
 * the caller's region scope and records the household and its members in the audit trail.
 */
import type express from 'express';
import { AuditUnavailable, type AccessRecord, type AuditStore } from '../access/audit';
import { regionInScope, seesHealthDetail, type RequestAccess } from '../access/decide';
import { caseRegions } from '../access/policy';
import { requestLogger } from '../access/request-id';
import type { ErrorCode } from '../access/errors';
import { requestAccess, sendError } from '../access/http';
import { buildDossier, dossierReadBy, openFindingsFrom } from '../resolvers/cases/dossier';
import { createCaseLoaders } from '../db/cases/loaders';
import { caseTimelinesOf } from '../db/monitoring/loaders';
import type { FirstAidRecord } from '../db/cases/first-aid';
import type { CountyApprovalRecord } from '../db/cases/county-approval';
import { type CaseRecord, type MeetingRecord, type ReferralRecord } from '../db/cases/records';
import type { FulfilmentRecord } from '../db/case-loop/store';
import { aidDateOf, standingShortfall, type RecordStanding } from '../domain/cases/fulfilment';
import { paidRecordInWords, type DecisionCheck } from '../domain/cases/decision-checks';
import { firstAidStanding, fulfilmentStanding } from '../resolvers/cases/aid-standing';
import { paidAtSource } from '../resolvers/cases/paid-at-source';
import { chinaDateOf, formatChinaInstant } from '../domain/cases/china-time';
import { caseDeadlines, type CaseDeadline, type DeadlineStatus, type Limit } from '../domain/cases/deadlines';
import { programmeAndAmount } from '../domain/cases/meetings';
import { departmentsNotTakingPart, dossierChanges, DOSSIER_MONTHS, memberAge, type Dossier, type DossierCase, type DossierCaseLate, type DossierDisability, type DossierEvent, type DossierFinding, type DossierMember, type DossierReferral, type DossierSettlement } from '../domain/cases/dossier';
import { AID_CAUSE_NAMES, DISABILITY_CATEGORY_NAMES, type AidCause, type AidRecord, type AidStatus } from '../domain/aid';
import { countyOf, departmentOfficeName, ownerChangeOf, parseOffice, storedOffice } from '../domain/cases/offices';
import { COUNTY_APPROVAL_BASIS } from '../domain/cases/county-approval';
import { caseReference } from '../domain/cases/reference';
import { isWaitingReferral, type ReferralState } from '../domain/cases/referrals';
import { recordedSlipStanding, referralDue } from '../domain/cases/supervision';
import { DEPARTMENT_CODES, DEPARTMENT_NAMES, HUB_LEDGER_SOURCES, type DepartmentCode, type OfficeCode } from '../domain/departments';
import { maskIdNumber } from '../domain/id-number';
import { HUB_ID } from '../domain/hub-id';
import { fenToYuan } from '../domain/money';
import { needsHealthConsent, type NeedPurpose, type NeedState } from '../domain/charity/needs';
import { pendingForNeed } from '../domain/charity/government-pending';
import { deliveryStands } from '../db/charity/store';
import { AID_PROGRAMME_BY_CODE, isServiceProgramme } from '../domain/programmes';
import { openedFromAlertReason } from '../domain/monitoring/alerts';
import { loggableError, maskIdNumbersInText } from '../domain/privacy';
import type { SourceOutcome } from '../federation/loaders';
import { createLoaders, hubNow, hubToday, type HubDeps } from '../resolvers/context';
import { costInFlightMessageZh, takeRouteCost, type RouteBudget } from './query-cost';
import { abandonRouteWhenClientGoes } from './client-gone';

// ---- Words ----

const STATE = { REPORTED: '已报告', ACCEPTED: '已受理', INVESTIGATING: '调查核实中', FIRST_AID_GIVEN: '已先行救助', IN_DELIBERATION: '一事一议中', DECIDED: '已决定', CLOSED: '已办结', REJECTED: '不予救助', WITHDRAWN: '已撤回', HANDED_OVER: '已移交' } as const;
const URGENCY = { EMERGENCY: '紧急（2小时内先行救助）', URGENT: '急难（24小时内先行救助）', NORMAL: '一般' } as const;
const ORIGIN = { APPLICATION: '主动申请', ACTIVE_DISCOVERY: '主动发现', ALERT: '监测预警', REFERRAL: '转介' } as const;
const RELATION: Record<string, string> = { HEAD: '户主', SPOUSE: '配偶', CHILD: '子女', PARENT: '父母', GRANDCHILD: '孙子女', GRANDPARENT: '祖父母', SIBLING: '兄弟姐妹', OTHER: '其他' };
// SUPERSEDED is never among a household's aid; named so that every status has its words.
const AID_STATUS: Record<AidStatus, string> = { ACTIVE: '发放中', ENDED: '已停发', SUSPENDED: '暂停', PAID: '已发放', SCHEDULED: '待发放', PENDING: '审核中', UNRECOGNISED: '状态代码未识别', CANCELLED: '已撤销', SUPERSEDED: '已更正' };
/** 慈善衔接: what a need is for, and where it stands. MEDICAL and REHABILITATION are health detail. */
const NEED_PURPOSE: Record<NeedPurpose, string> = { MEDICAL: '医疗', EDUCATION: '就学', HOUSING: '住房', LIVING: '基本生活', DISASTER: '灾害', REHABILITATION: '康复', OTHER: '其他' };
const NEED_STATE: Record<NeedState, string> = { OPEN: '征集中', COVERED: '已足额认捐', WITHDRAWN: '已撤回' };
const SLIP_STATE: Record<ReferralState, string> = { ISSUED: '待接收', ACCEPTED: '已接收', COMPLETED: '已反馈', DECLINED: '已退回', SUPERSEDED: '已被更正取代', WITHDRAWN: '已撤回' };
/** A case deadline's name (the brief's, the overdue export's). */
export const DEADLINE_KIND = { FIRST_AID: '先行救助', MATERIALS: '补充完善材料', INVESTIGATION_OPINION: '调查初审意见', APPROVAL: '审核审批' } as const;
const SEVERITY: Record<string, string> = { CONFLICT: '重复救助', WARNING: '需核查', MISSED_AID: '疑似漏保' };
/** A slip's lateness beside its state in the brief's decisions and 转办单 list, by its deadline's status (recordedSlipStanding). */
const SLIP_LATENESS: Record<DeadlineStatus, string> = { PENDING: '', MET: '', VOID: '', NOT_STARTED: '（未开始计时）', OVERDUE: '（已超期）', MET_LATE: '（超期办理）', MISSED: '（超期未办）' };

/** A slip's state with its lateness, marked overdue where it ran late (the decisions and the 转办单 list). */
function slipStateText(state: ReferralState, status: DeadlineStatus): string {
  return `<span class="${status === 'OVERDUE' || status === 'MET_LATE' || status === 'MISSED' ? 'overdue' : ''}">${esc(SLIP_STATE[state])}${SLIP_LATENESS[status]}</span>`;
}

const DEADLINE_STATUS: Record<DeadlineStatus, string> = { PENDING: '未到期', OVERDUE: '已超期', MET: '按时完成', MET_LATE: '超期完成', MISSED: '未完成（已超期）', VOID: '不再适用', NOT_STARTED: '未开始计时' };
/** A first aid's cause in the brief, as a decision's: ILLNESS only to a caller who may read health detail. */
function firstAidCause(cause: string | null, health: boolean): string {
  if (!cause) return '';
  return cause === 'ILLNESS' && !health ? '（事由：健康信息，不予显示）' : `（事由：${AID_CAUSE_NAMES[cause as AidCause] ?? cause}）`;
}

const LEVEL = ['', '一', '二', '三', '四'];
const ACTION: Record<string, string> = {
  OPENED: '报告立案',
  REFERRAL_ISSUED: '发出转办单',
  REFERRAL_ACCEPTED: '接收转办单',
  REFERRAL_COMPLETED: '反馈转办单',
  REFERRAL_DECLINED: '退回转办单',
  OWNER_CHANGED: '移交承办',
  MEETING_RECORDED: '记录一事一议会议',
  SECOND_AID_APPROVED: '批准二次临时救助',
  DECISION_CORRECTED: '更正会议决定',
  REFERRAL_SUPERSEDED: '转办单被更正取代',
  REFERRAL_WITHDRAWN: '撤回转办单',
  MATERIALS_COMPLETED: '补充完善救助材料',
  DECISION_WAIVED: '免除会议决定',
  APPROVAL_FORWARDED: '审核完成，转交县级审批',
};

/**
 * The words the hub itself wrote into a history line, in Chinese as the page is: a case opened by
 * verifying an alert (stored `opened from alert 279` before it was written in Chinese), and a change
 * of owner, from the two offices it records (case_event.from_office, to_office), named as the page
 * names offices. A meeting's snapshot stored before those were kept has the keys in the reason alone
 * (`CIVIL_AFFAIRS → HEALTH`, as the hub wrote it): read from there, for that snapshot only.
 */
function historyReason(e: DossierEvent, officeName: (key: string) => string): string {
  const reason = e.reason ?? '';
  const fromAlert = e.action === 'OPENED' ? /^opened from alert (\d+)$/.exec(reason) : null;
  if (fromAlert) return prose(openedFromAlertReason(Number(fromAlert[1])));
  const owners = e.action !== 'OWNER_CHANGED' ? null : e.fromOffice && e.toOffice ? { from: e.fromOffice, to: e.toOffice } : ownerChangeOf(reason);
  if (owners) return `${officeText(officeName(owners.from))} → ${officeText(officeName(owners.to))}`;
  return prose(reason);
}
/** The short names officers use (民政, 医保 …), for the signature lines; a department without one signs under its full name. */
const SHORT_NAME: Partial<Record<DepartmentCode, string>> = { CIVIL_AFFAIRS: '民政', EDUCATION: '教育', HOUSING: '住建', HEALTH: '医保', UNION: '工会', DISABILITY: '残联', HUMAN_RESOURCES: '人社' };
/**
 * Departments in the order the signature lines list them: every department but the hub's own
 * reported-aid ledger (REPORTED), which is a table, not an office, and sends nobody to a meeting.
 */
const SIGNING_DEPARTMENTS = DEPARTMENT_CODES.filter((code) => !HUB_LEDGER_SOURCES.includes(code));
/** Blank rows of the decision grid printed before a meeting. */
const BLANK_DECISION_ROWS = 5;

// ---- HTML ----

function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Dates (2025-10-09) and case references (AH-2025-000123) inside free text. */
const UNBREAKABLE = /\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?|AH-\d{4}-\d{6}/g;

/**
 * Free text (a summary, a reason, feedback): escaped, with its dates and references kept whole.
 * The brief is paper handed round a meeting and says its ID numbers are masked: one in a text
 * stored before prose was masked as it is written (resolvers/text-inputs.ts) is masked here. The
 * upgrade step masks such texts in the database too (db/setup/upgrades.ts); this stays for one an
 * earlier release's process, left running beside the new one, stored after it.
 */
function prose(value: unknown): string {
  return esc(maskIdNumbersInText(String(value ?? ''))).replace(UNBREAKABLE, (m) => `<span class="nw">${m}</span>`);
}

/** Text that must not break across lines: a date, a reference, an amount. */
function nw(value: unknown): string {
  return `<span class="nw">${esc(value)}</span>`;
}

/**
 * A code that may be long and has no spaces (a rule id such as SETTLEMENT_OTHER_PERSON or a
 * locality's own, a department's record key, its table and key joined by a colon): it may break after
 * its separators (_ and :, not before a digit, so 10:00 stays whole) and nowhere else: each piece
 * between them is kept whole (nowrap), so a reference such as GD-2026-01-C1 or a date in it never
 * breaks at a hyphen. Kept whole (nowrap) it set the narrowest width of its
 * column, and a decision row with a SCHOOL_STAGE warning pushed the decisions table past the A4 page.
 */
export function briefCode(value: unknown): string {
  return esc(value)
    .split(/(?<=[_:])(?=\D)/)
    .map((piece) => `<span class="nw">${piece}</span>`)
    .join('<wbr>');
}

/** An office's or department's name, kept whole: a narrow column broke 邹城市民政局 after 民. */
function officeText(name: string): string {
  return `<span class="office">${esc(name)}</span>`;
}

/**
 * What a slip's ask says beyond its programme and amount, which the brief prints in their own
 * columns: the default ask (domain/cases/meetings.ts defaultAsk) is the programme's name, the
 * amount and at most a note (（二次临时救助）). Null when the ask does not begin with the programme's
 * name (words of the meeting's own, printed whole); '' when it says nothing more.
 */
function askBeyondProgramme(s: { ask: string; programmeCode: string | null; amountFen: number | null }): string | null {
  const programme = s.programmeCode ? AID_PROGRAMME_BY_CODE.get(s.programmeCode) : undefined;
  if (!programme || !s.ask.startsWith(programme.name)) return null;
  // An amount other than the decided one (a slip's words kept after a correction) is information, not a repeat.
  const repeated = s.amountFen === null ? null : programmeAndAmount(programme.name, programme.kind, s.amountFen);
  const rest = s.ask.slice(repeated !== null && s.ask.startsWith(repeated) ? repeated.length : programme.name.length);
  return rest.replace(/^[\s，,、：:；;]+/, '').trim();
}

function yuan(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? '' : `${fenToYuan(fen)} 元`;
}

/** Said of a date or a count that reaches a year whose holiday notice is not published. */
const PROVISIONAL_NOTE = '当年放假安排未公布，暂按法定节日和周末计';

/** How late a deadline is, as the brief says it wherever it lists one: `（超 n 个工作日 / h 小时）`, the provisional note inside when `provisional`. */
function overdueText(overdue: { workingDays: number; hours: number }, provisional = false): string {
  return `（超 ${overdue.workingDays} 个工作日 / ${overdue.hours} 小时${provisional ? `，${PROVISIONAL_NOTE}` : ''}）`;
}

/**
 * An amount with its unit: 元/月 for recurring programmes, 元 for one-off; a service (法律援助), given
 * and not paid, carries 0 (isServiceProgramme): printed as a service, where 0.00 元 read as nothing decided.
 */
function amountOf(fen: number | null | undefined, programme: string | null | undefined): string {
  if (fen === null || fen === undefined) return '';
  const known = AID_PROGRAMME_BY_CODE.get(programme ?? '');
  if (fen === 0 && known && isServiceProgramme(known)) return nw('服务（不计金额）');
  return nw(known?.kind === 'RECURRING' ? `${fenToYuan(fen)} 元/月` : yuan(fen));
}

/**
 * What became of an aid record a decision was completed with, or a first aid named, since it was
 * checked: nothing to say while it stands (or its department did not answer); otherwise what the
 * department or the ledger holds now, marked as supervision must read it.
 */
function withdrawnNote(st: RecordStanding | null | undefined, programme: string | null | undefined, shortfallFen = 0): string | null {
  if (!st || st.standing === 'STANDS') return null;
  const by = st.supersededBy;
  const entry = (kind: string) => (by?.reportedBy?.reference ? `（${kind} ${nw(by.reportedBy.reference)}）` : '');
  if (st.standing === 'SUPERSEDED_AT_SOURCE' && by) {
    const day = aidDateOf(by);
    // A decision's shortfall follows the correction (standingShortfall); a first aid has none.
    const less = shortfallFen > 0 ? `，少于决定 ${amountOf(shortfallFen, programme)}` : '';
    return `<span class="overdue">该救助记录已更正为 ${amountOf(by.amountFen, programme)}${day ? ` ${nw(day)}` : ''}${entry('更正记录')}${less}，与核验时不符</span>`;
  }
  if (st.standing === 'CHANGED_AT_SOURCE' && by) {
    // The record changed in place: what the department holds now, in its own programme's unit.
    const day = aidDateOf(by);
    const name = by.programme !== programme ? `${esc(AID_PROGRAMME_BY_CODE.get(by.programme)?.name ?? by.programme)} ` : '';
    const unpaid = by.status === 'PENDING' || by.status === 'SCHEDULED' ? '，尚未发放' : '';
    return `<span class="overdue">该救助记录已被部门改为 ${name}${amountOf(by.amountFen, by.programme)}${day ? ` ${nw(day)}` : ''}${unpaid}，与核验时不符</span>`;
  }
  if (st.standing === 'CANCELLED_AT_SOURCE') return `<span class="overdue">${by ? `该救助记录已冲销${entry('冲销记录')}` : '该救助记录已被部门撤销'}，未实际落实</span>`;
  if (st.standing === 'STATUS_UNRECOGNISED_AT_SOURCE') return '<span class="overdue">该救助记录的部门状态代码未识别，是否仍有效待核实</span>';
  return '<span class="overdue">部门数据中已查不到该救助记录，待核实</span>';
}

/** 2025-10-09T14:30:00.000+08:00 → 2025-10-09 14:30 (China time). */
export function limitText(limit: Limit): string {
  return limit.unit === 'HOURS' ? `${limit.hours} 小时` : `${limit.workingDays} 个工作日`;
}

function shortTime(instant: Date | string): string {
  const text = instant instanceof Date ? formatChinaInstant(instant) : instant;
  return `${text.slice(0, 10)} ${text.slice(11, 16)}`;
}

/**
 * A printed column: its header and how a row fills it (HTML). A field is printed by adding one
 * line to a section's column list; a column whose `when` is false is left out (e.g. health detail).
 */
interface Column<T> {
  header: string;
  cell: (row: T) => string;
  /** Extra class of the column's cells: `num` right-aligns an amount. */
  cls?: string;
  when?: boolean;
}

/** A section: its heading and body; with nothing to show, one line (heading and the empty note). */
function section(title: string, body: string, empty = false): string {
  return empty ? `<p class="none"><strong>${title}：</strong>${body.replace(/^<p class="empty">|<\/p>$/g, '')}</p>` : `<h2>${title}</h2>\n${body}`;
}

function table<T>(columns: readonly Column<T>[], rows: readonly T[], empty: string, cls = ''): string {
  const shown = columns.filter((c) => c.when !== false);
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  return `<table class="${cls}"><thead><tr>${shown.map((c) => `<th>${esc(c.header)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${shown.map((c) => `<td${c.cls ? ` class="${c.cls}"` : ''}>${c.cell(r)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Label: value lines inside a cell, leaving out empty values. */
function lines(parts: readonly [string, string | null | undefined][]): string {
  return parts
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([label, v]) => (label ? `<div><span class="label">${esc(label)}：</span>${v}</div>` : `<div>${v}</div>`))
    .join('');
}

/** What became of a declined decision (db/cases/declines.ts), by the declined slip's id. */
export interface BriefDecline {
  resolution: 'REASSIGNED' | 'REDELIBERATED' | 'WAIVED';
  newReferralId: number | null;
  meetingId: number | null;
  reason: string;
}

export interface BriefMeeting extends MeetingRecord {
  departments: OfficeCode[];
  decisions: ReferralRecord[];
  /** What became of each declined decision (by slip id); a declined decision not in it is still open. */
  declines?: ReadonlyMap<number, BriefDecline>;
  /**
   * How each completed decision was fulfilled (by slip id), as checked in the department's data; with
   * whether its aid record still stands there now (null: the department did not answer).
   */
  fulfilments?: ReadonlyMap<number, Pick<FulfilmentRecord, 'amountFen' | 'decidedAmountFen' | 'shortfallFen' | 'differenceReason'> & { standing?: RecordStanding | null }>;
  /**
   * The aid record of each decision still waiting (by slip id) that its department has paid (or
   * scheduled) but not yet completed the slip with (resolvers/cases/paid-at-source.ts): printed as
   * looking paid, for the office to complete it with that record.
   */
  paidAtSource?: ReadonlyMap<number, AidRecord>;
  /**
   * The pre-grant check each decision ran when the meeting was recorded (db/case-loop decision_check,
   * by slip id): its findings (a warning such as X6 does not block the decision), the departments
   * that did not answer, the convener's reason for deciding despite a conflict. None for a decision
   * recorded before checks were kept.
   */
  checks?: ReadonlyMap<number, Pick<DecisionCheck, 'findings' | 'unavailable' | 'overrideReason'>>;
}

/** A need published from the case to charities (慈善衔接), with its pledges and deliveries, as printed. */
export interface BriefCharityNeed {
  purpose: NeedPurpose;
  /** Whether the need rests on health data (domain/charity/needs.ts needsHealthConsent): its purpose is then health detail. */
  involvesHealth: boolean;
  uncoveredFen: number;
  state: NeedState;
  pledges: { organisation: string; amountFen: number; pledgedOn: string }[];
  deliveries: { amountFen: number; deliveredOn: string }[];
  /**
   * The household's decisions not yet given for the same kind of need, as they stand now
   * (domain/charity/government-pending.ts): charity comes after them, so the meeting sees the overlap.
   * Optional for views made before it was printed.
   */
  governmentAidPending?: { slipId: number; programme: string; amountFen: number | null; dueOn: string }[];
  /** Why the office published it while such aid was pending, as kept with the need; null when none was. */
  governmentAidPendingReason?: string | null;
}

/** The case a successor continues (caseHandOver) and the name of the county it came from; null for a case opened here. */
async function handedOverFrom(loaders: ReturnType<typeof createLoaders>, c: CaseRecord): Promise<BriefView['handedOverFrom']> {
  const from = c.predecessorCaseId === null ? null : await loaders.cases.caseById.load(c.predecessorCaseId);
  if (!from) return null;
  const county = await loaders.hub.regionByCode.load(countyOf(from.townshipCode));
  return { reference: caseReference(from.id, from.reportedAt), countyName: county?.name ?? null };
}

export interface BriefView {
  c: CaseRecord;
  dossier: Dossier;
  /** Which dossier is printed: the one stored with the meeting (SNAPSHOT) or one put together now (CURRENT). */
  version: 'SNAPSHOT' | 'CURRENT';
  deadlines: CaseDeadline[];
  meeting: BriefMeeting | null;
  /** In the current view of a meeting: the dossier the meeting had, to print what changed since. */
  snapshot?: Dossier | null;
  /** Every meeting of the case, oldest first: the brief links each one's snapshot and the current dossier. */
  meetings: readonly Pick<MeetingRecord, 'id' | 'heldOn'>[];
  /**
   * An office's name: a department's office is the case's county's, or with `countyCode` that
   * county's (another case of the household, handed over from there); a township's by its name.
   */
  officeName: (key: string, countyCode?: string) => string;
  /** Whether the caller may read health detail (access/policy.ts HEALTH_DETAIL): settlements, diagnoses, illness as cause. */
  health: boolean;
  /** The needs published from the case to charities, as they stand now (whichever dossier is printed); none: no section. */
  charityNeeds?: readonly BriefCharityNeed[];
  /** 先行救助 as recorded (caseFirstAid): what was given; null before any. */
  firstAid?: (Pick<FirstAidRecord, 'programmeCode' | 'amountFen' | 'aidSourceRef' | 'cause'> & { standing?: RecordStanding | null }) | null;
  /**
   * For a case handed over from another county (caseHandOver): the case it continues and that
   * county's name, whose convener opened this one (its OPENED event is printed as that county's office).
   */
  handedOverFrom?: { reference: string; countyName: string | null } | null;
  /**
   * 转交县级审批 as recorded (caseForwardForApproval): the township's review and the county office the
   * case went to, whose approval no time limit binds; null for a case not forwarded. As the case stands
   * now, whichever dossier is printed (as its state and owner are).
   */
  countyApproval?: Pick<CountyApprovalRecord, 'programmeCode' | 'fromOffice' | 'toOffice' | 'review' | 'forwardedAt' | 'recordedAt' | 'actor'> | null;
  /**
   * The hospital stay (medical insurance's settlement number) each slip of the 转办单 list names, by
   * slip id (DecisionInput.settlementReference, referral_slip.settlement_ref): health detail, printed
   * only to a caller with it, as a meeting's decisions print their own. A slip keeps its stay (a
   * correction issues a new slip), so it is read from the slips as they stand, whichever dossier is printed.
   */
  stays?: ReadonlyMap<number, string>;
  /**
   * Each slip of the 转办单 list's deadline status, by slip id, read from the slip as recorded: at
   * `printedAt` in the current view, when the snapshot was taken in a meeting's (a slip answered
   * since was still waiting then). None: no lateness printed.
   */
  slipStatus?: ReadonlyMap<number, DeadlineStatus>;
  printedAt: Date;
}

const STYLE = `
  :root { color-scheme: light; }
  body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", "Noto Sans CJK SC", "Microsoft YaHei", serif; color: #111; margin: 24px auto; max-width: 980px; font-size: 14px; line-height: 1.45; }
  h1 { font-size: 20px; text-align: center; margin: 0 0 2px; letter-spacing: 2px; }
  .subtitle { text-align: center; margin: 0 0 6px; }
  nav.versions { text-align: center; margin: 0 0 8px; font-size: 12px; }
  nav.versions a, nav.versions strong { margin: 0 6px; }
  h2 { font-size: 15px; border-left: 4px solid #8b0000; padding-left: 6px; margin: 12px 0 4px; }
  table { width: 100%; border-collapse: collapse; margin: 2px 0 4px; }
  th, td { border: 1px solid #555; padding: 2px 4px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
  th { background: #eee; font-weight: 600; white-space: nowrap; }
  td.num { text-align: right; }
  .nw, .office { white-space: nowrap; }
  .label { color: #444; white-space: nowrap; }
  dl.facts { display: grid; grid-template-columns: 6em 1fr 6em 1fr; gap: 1px 8px; margin: 0; }
  dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
  p { margin: 2px 0; }
  .warn { border: 1px solid #8b0000; color: #8b0000; padding: 2px 6px; margin: 4px 0; }
  .overdue { color: #8b0000; font-weight: 600; }
  .empty { color: #555; margin: 2px 0; }
  table.grid td { height: 1.6em; }
  p.none { margin: 4px 0; }
  .sign { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2px 12px; margin-top: 6px; }
  .sign div { border-bottom: 1px solid #111; height: 2em; display: flex; align-items: flex-end; white-space: nowrap; }
  .sign.departments { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 2px 6px; }
  .sign.departments div { flex: 1 1 4.5em; }
  footer { margin-top: 8px; border-top: 1px solid #555; padding-top: 3px; font-size: 11px; color: #333; }
  @media print {
    body { margin: 0; max-width: none; font-size: 8pt; line-height: 1.25; }
    h1 { font-size: 13pt; } h2 { font-size: 9pt; margin: 4px 0 1px; }
    p.none { margin: 3px 0; }
    nav.versions { display: none; }
    footer { font-size: 7pt; }
    thead { display: table-header-group; }
    tr, dl.facts, .sign { break-inside: avoid; }
    h2 { break-after: avoid; }
    th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  }
`;

/**
 * The page box: A4, with the case reference and the page number in the margins of every page
 * (CSS paged media margin boxes, which Chromium prints since version 131, whether the officer
 * prints from the browser or the hub renders a PDF).
 */
function pageStyle(reference: string): string {
  const quoted = `"${reference.replace(/["\\]/g, '')}"`;
  return `
  @page {
    size: A4; margin: 12mm 10mm 11mm;
    @top-left { content: "社会救助一事一议会议材料"; font-size: 8pt; color: #333; }
    @top-right { content: "案件编号 " ${quoted}; font-size: 8pt; color: #333; }
    @bottom-center { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font-size: 8pt; color: #333; }
    @bottom-right { content: ${quoted}; font-size: 8pt; color: #333; }
  }`;
}

export function renderBrief(v: BriefView): string {
  const { c, dossier: d, meeting } = v;
  const ref = caseReference(c.id, c.reportedAt);
  const title = `一事一议会议材料 ${ref}`;
  const memberName = new Map(d.members.map((m) => [m.idNumber, m.name]));
  const who = (idNumber: string | null) => (idNumber === null ? '全户' : (memberName.get(idNumber) ?? maskIdNumber(idNumber)));
  const deptName = (code: string) => DEPARTMENT_NAMES[code as DepartmentCode] ?? code;
  const programmeName = (code: string | null) => (code ? (AID_PROGRAMME_BY_CODE.get(code)?.name ?? code) : '');
  // Ages at the dossier's date (the last day of its window), as the meeting reads them.
  const asOf = d.window.to;
  const history = d.history ?? [];
  const accepted = history.find((e) => e.toState === 'ACCEPTED') ?? null;
  const firstAid = history.find((e) => e.toState === 'FIRST_AID_GIVEN') ?? null;
  const firstAidNote = withdrawnNote(v.firstAid?.standing, v.firstAid?.programmeCode);
  // Lateness is measured by the time the hub recorded a step: a stated earlier time is printed with it.
  // A decision's hospital stay, as Referral.settlementReference: health detail (HEALTH_DETAIL).
  const stayOf = (stay: string | null | undefined): string | null => (stay ? (v.health ? nw(stay) : '（健康信息，不予显示）') : null);
  // A slip's ask with the programme's name and without the amount its 金额 column prints.
  const askText = (r: { ask: string; programmeCode: string | null; amountFen: number | null }) => {
    const rest = askBeyondProgramme(r);
    return rest === null ? prose(r.ask) : esc(programmeName(r.programmeCode)) + (rest ? ` ${prose(rest)}` : '');
  };
  const recordedLater = (e: { occurredAt: Date | string; recordedAt: Date | string }) =>
    new Date(e.recordedAt).getTime() > new Date(e.occurredAt).getTime() ? `（枢纽记录 ${nw(shortTime(e.recordedAt))}）` : '';

  // 转交县级审批: who reviewed and forwarded it, when, to whom, for which programme, the review, and
  // that the county's approval runs under no time limit (the deadlines below list no 审核审批 from then).
  const ca = v.countyApproval;
  const forwarded = ca
    ? `<p><strong>转交县级审批：</strong>${nw(shortTime(ca.forwardedAt))}${recordedLater({ occurredAt: ca.forwardedAt, recordedAt: ca.recordedAt })} ${officeText(v.officeName(ca.fromOffice))}（${esc(ca.actor)}）审核完成，转交${officeText(v.officeName(ca.toOffice))}审批${esc(programmeName(ca.programmeCode))}；审核意见：${prose(ca.review)}</p>
  <p><strong>县级审批时限：</strong>${prose(COUNTY_APPROVAL_BASIS)}</p>`
    : '';
  const facts = `<dl class="facts">
    <dt>案件编号</dt><dd>${nw(ref)}</dd><dt>当前状态</dt><dd>${esc(STATE[c.state])}</dd>
    <dt>来源</dt><dd>${esc(ORIGIN[c.origin])}</dd><dt>紧急程度</dt><dd>${esc(URGENCY[c.urgency])}</dd>
    <dt>首问单位</dt><dd>${officeText(v.officeName(c.firstOffice))}</dd><dt>承办单位</dt><dd>${officeText(v.officeName(c.ownerOffice))}</dd>
    ${v.handedOverFrom ? `<dt>承接自</dt><dd>${nw(v.handedOverFrom.reference)}（${esc(v.handedOverFrom.countyName ?? '')}移交）</dd><dt></dt><dd></dd>` : ''}
    <dt>报告时间</dt><dd>${nw(shortTime(c.reportedAt))}</dd><dt>受理</dt><dd>${
      accepted ? `${nw(shortTime(accepted.occurredAt))} ${officeText(v.officeName(accepted.actorOffice))}（${esc(accepted.actor)}）` : '尚未受理'
    }</dd>
    <dt>先行救助</dt><dd>${firstAid ? `${nw(shortTime(firstAid.occurredAt))}${recordedLater(firstAid)} ${officeText(v.officeName(firstAid.actorOffice))}${v.firstAid ? `，${esc(programmeName(v.firstAid.programmeCode))} ${yuan(v.firstAid.amountFen)}${v.firstAid.aidSourceRef ? '' : '（待发放）'}${firstAidCause(v.firstAid.cause, v.health)}${firstAidNote ? `（${firstAidNote}）` : ''}` : ''}${firstAid.reason ? `：${prose(firstAid.reason)}` : ''}` : '无'}</dd><dt>户号</dt><dd>${nw(d.household.registrationNumber)}</dd>
    <dt>所在村（居）</dt><dd>${esc(d.household.regionName)}</dd>
  </dl>
  <p><strong>基本情况：</strong>${prose(c.summary)}</p>${forwarded}${c.explanation ? `<p><strong>不予救助说明：</strong>${prose(c.explanation)}</p>` : ''}`;

  const deadlines = table<CaseDeadline>(
    [
      { header: '时限', cell: (dl) => esc(DEADLINE_KIND[dl.kind]) },
      { header: '要求', cell: (dl) => nw(limitText(dl.limit)) },
      { header: '到期', cell: (dl) => nw(dl.dueOn ?? shortTime(dl.dueAt)) + (dl.provisional ? `（${PROVISIONAL_NOTE}）` : '') },
      {
        header: '状态',
        cell: (dl) =>
          `<span class="${dl.status === 'OVERDUE' || dl.status === 'MISSED' || dl.status === 'MET_LATE' ? 'overdue' : ''}">${esc(DEADLINE_STATUS[dl.status])}${
            // Counted over a year without its notice, the figure may move (Overdue.provisional); said here
            // unless the due date beside it says so already.
            dl.overdue ? esc(overdueText(dl.overdue, dl.overdue.provisional && !dl.provisional)) : ''
          }</span>${dl.metAt ? ` ${nw(`枢纽记录 ${shortTime(dl.metAt)}`)}${dl.metStatedAt ? ` ${nw(`经办人称 ${shortTime(dl.metStatedAt)}`)}` : ''}` : ''}`,
      },
    ],
    v.deadlines,
    '无法定时限',
  );

  // A level 1–4 as the federation documents it; any other code is shown as it is (an undocumented one reads as no level, null, and a snapshot from before kept the number).
  const levelText = (x: DossierDisability) => (x.level !== null && LEVEL[x.level] ? `${LEVEL[x.level]}级` : `（残疾等级代码 ${x.sourceLevelCode ?? x.level ?? ''} 未列入残联文档，等级待核实）`);
  // A certificate no rule read, either way: the missed-aid comparison is not clear on it, whatever it found.
  const unjudged = (d.disabilities ?? []).some((x) => x.status === 'UNRECOGNISED' || (x.status === 'VALID' && (x.level === null || !LEVEL[x.level])));
  const disabilities = new Map<string, DossierDisability[]>();
  // A valid certificate, and one under a status code the federation does not document: that one is shown with its code, as neither valid nor expired (no rule read it either way).
  for (const x of d.disabilities ?? []) if (x.status === 'VALID' || x.status === 'UNRECOGNISED') disabilities.set(x.idNumber, [...(disabilities.get(x.idNumber) ?? []), x]);
  // PIPL art. 6 (minimum necessary): a meeting deciding aid needs each member's age, not the
  // birth date (which with the name identifies the person), and the village, not the house: the
  // stored address is free text whose house-number part cannot be cut off reliably, so only the
  // division's name is printed. A meeting's snapshot holds neither (domain/cases/dossier.ts storedDossier).
  const members = table<DossierMember>(
    [
      { header: '姓名', cell: (m) => esc(m.name) + (m.deathDate ? `（${nw(`${m.deathDate} 死亡`)}）` : '') },
      { header: '关系', cell: (m) => esc(RELATION[m.relation] ?? m.relation) },
      { header: '性别', cell: (m) => (m.gender === 'M' ? '男' : '女') },
      { header: '年龄', cell: (m) => nw(`${memberAge(m, asOf)} 岁`), cls: 'num' },
      {
        header: '残疾情况',
        cell: (m) =>
          d.disabilities === undefined
            ? ''
            : d.disabilities === null
              ? '残联未响应'
              : (disabilities.get(m.idNumber) ?? []).map((x) => nw(`${(x.category !== null && DISABILITY_CATEGORY_NAMES[x.category]) || `残疾类别代码 ${x.sourceCategoryCode ?? x.category}（未列入残联文档），`}${levelText(x)}${x.status === 'UNRECOGNISED' ? `（残疾证状态代码 ${x.sourceStatusCode ?? ''} 未列入残联文档，是否有效待核实）` : ''}`)).join('、') || '无',
      },
      { header: '公民身份号码', cell: (m) => nw(maskIdNumber(m.idNumber)) },
    ],
    d.members,
    '无在册成员',
  );

  const aid = table<AidRecord>(
    [
      { header: '部门', cell: (r) => officeText(deptName(r.department)) },
      { header: '项目', cell: (r) => esc(programmeName(r.programme)) },
      { header: '受助人', cell: (r) => esc(who(r.beneficiaryIdNumber)) },
      { header: '期间／日期', cell: (r) => (r.periodStart ? `${nw(r.periodStart)} 至 ${nw(r.periodEnd ?? '今')}` : nw(r.grantDate)) },
      { header: '金额', cell: (r) => amountOf(r.amountFen, r.programme), cls: 'num' },
      { header: '状态', cell: (r) => nw(AID_STATUS[r.status] ?? r.status) },
      {
        header: '说明',
        cell: (r) =>
          [
            r.cause && r.cause !== 'UNRECOGNISED' && (v.health || r.cause !== 'ILLNESS') ? `事由：${AID_CAUSE_NAMES[r.cause] ?? r.cause}` : null,
            // An undocumented cause code may name an illness: shown, like ILLNESS, only to a caller who may read health detail.
            r.cause === 'UNRECOGNISED' ? (v.health ? `事由代码 ${r.sourceCauseCode ?? ''} 未列入部门文档，不与其他救助视为同一事由` : '事由：（健康信息，不予显示）') : null,
            r.cause === 'ILLNESS' && !v.health ? '事由：（健康信息，不予显示）' : null,
            r.urgent ? '急难' : null,
            r.secondAid ? '二次临时救助' : null,
            r.schoolYear ? `${r.schoolYear} 学年` : null,
            // UNRECOGNISED: the code(s) the office is to correct; the record is counted in no total above.
            r.status === 'UNRECOGNISED' && r.sourceProgrammeCode ? `部门项目代码 ${r.sourceProgrammeCode} 未列入其文档，不计入合计` : null,
            r.status === 'UNRECOGNISED' && (r.sourceStatusCode || !r.sourceProgrammeCode) ? `部门状态代码 ${r.sourceStatusCode ?? ''} 未列入其文档，不计入合计` : null,
          ]
            .filter((x): x is string => x !== null)
            .map(nw)
            .join(' '),
      },
    ],
    d.aid,
    '近24个月各部门均无救助记录',
  );
  // Totals in one line: each department with aid, then the whole, then what is paid each month now.
  const totals = `<p class="totals"><strong>合计（按月发放的计 ${DOSSIER_MONTHS} 期）：</strong>${d.totals.byDepartment
    .filter((t) => t.recordCount > 0)
    .map((t) => `${officeText(deptName(t.department))} ${nw(`${t.recordCount} 笔 ${yuan(t.totalFen)}`)}`)
    .join('；')}${d.totals.byDepartment.some((t) => t.recordCount > 0) ? '；' : ''}<strong>共 ${nw(`${d.totals.byDepartment.reduce((n, t) => n + t.recordCount, 0)} 笔 ${yuan(d.totals.totalFen)}`)}</strong>　<strong>目前每月发放：</strong>${nw(`${fenToYuan(d.totals.monthlyRecurringFen)} 元/月`)}</p>`;
  const incomplete = d.complete
    ? ''
    : `<p class="warn">以下部门未响应，其救助记录缺失，合计偏少：${esc(
        d.sources
          .filter((s) => !s.available)
          .map((s) => deptName(s.department))
          .join('、'),
      )}</p>`;

  const settlementsPart = (() => {
    if (d.settlements === undefined) return '';
    if (!v.health) return '<h2>住院费用</h2><p class="empty">住院结算属健康信息，仅向医保、民政部门或一事一议用途显示，督查用途不予显示。</p>';
    if (d.settlements === null) return '<h2>住院费用</h2><p class="warn">医保部门未响应，住院结算信息缺失。</p>';
    const stays = d.settlements;
    const outOfPocket = stays.reduce((n, x) => n + x.outOfPocketFen, 0);
    return `<h2>住院费用（${nw(d.window.from)} 至 ${nw(d.window.to)}）</h2>${table<DossierSettlement>(
      [
        { header: '患者', cell: (x) => esc(who(x.idNumber)) },
        { header: '医院', cell: (x) => esc(x.hospitalName) },
        { header: '诊断', cell: (x) => esc(x.diagnosis ?? '') },
        { header: '住院', cell: (x) => `${nw(x.admittedOn)} 至 ${nw(x.dischargedOn ?? '')}` },
        { header: '总费用', cell: (x) => nw(yuan(x.totalCostFen)), cls: 'num' },
        { header: '基本医保', cell: (x) => nw(yuan(x.basicInsurancePaidFen)), cls: 'num' },
        { header: '大病保险', cell: (x) => nw(yuan(x.criticalIllnessInsurancePaidFen)), cls: 'num' },
        { header: '医疗救助', cell: (x) => nw(yuan(x.medicalAidPaidFen)), cls: 'num' },
        { header: '个人自付', cell: (x) => `<strong>${nw(yuan(x.outOfPocketFen))}</strong>`, cls: 'num' },
      ],
      stays,
      '窗口期内无住院结算记录',
    )}${stays.length > 1 ? `<p><strong>个人自付合计：</strong>${nw(yuan(outOfPocket))}</p>` : ''}`;
  })();

  const findings =
    d.findings === null
      ? '<p class="empty">数据比对结果未取得（比对模块未提供），请会前另行核查重复救助、漏保情况。</p>'
      : table<DossierFinding>(
          [
            { header: '规则', cell: (f) => briefCode(f.ruleId) },
            { header: '类别', cell: (f) => nw(SEVERITY[f.severity] ?? f.severity) },
            { header: '状态', cell: (f) => nw(f.status === 'CONFIRMED' ? '已确认' : '待核实') },
            // Prose follows the caller's view, as on Case.dossier (resolvers/cases/resolvers.ts).
            { header: '内容', cell: (f) => prose(v.health ? f.summary : (f.summaryWithoutHealth ?? f.ruleId)) },
            { header: '涉及部门', cell: (f) => (f.departments ?? []).map((code) => officeText(deptName(code))).join('、') },
          ],
          d.findings,
          '未发现重复救助或漏保问题',
        );

  // A successor's opening is the hand-over, by the convener of the county it came from.
  const actorOfficeName = (e: DossierEvent) => {
    const office = storedOffice(e.actorOffice);
    return e.action === 'OPENED' && v.handedOverFrom && office.kind === 'DEPARTMENT' ? departmentOfficeName(office, v.handedOverFrom.countyName)! : v.officeName(e.actorOffice);
  };
  const historyPart =
    d.history === undefined
      ? ''
      : `<h2>本案办理经过</h2>${table<DossierEvent>(
          [
            // When it happened, and when the hub recorded it if that was another minute.
            { header: '时间', cell: (e) => nw(shortTime(e.occurredAt)) + (e.occurredAt.slice(0, 16) !== e.recordedAt.slice(0, 16) ? ` <span class="label">${nw(`（录入 ${shortTime(e.recordedAt)}）`)}</span>` : '') },
            { header: '经办', cell: (e) => `${officeText(actorOfficeName(e))}（${esc(e.actor)}）` },
            { header: '事项', cell: (e) => esc(e.action === 'TRANSITIONED' && e.toState ? `${STATE[e.fromState ?? 'REPORTED']} → ${STATE[e.toState]}` : (ACTION[e.action] ?? e.action)) },
            { header: '说明', cell: (e) => historyReason(e, v.officeName) },
          ],
          history,
          '无办理记录',
        )}`;

  // Which step, how late, by whom: the office of that case's county (a predecessor's is not this county's).
  const lateText = (l: DossierCaseLate) =>
    `<span class="overdue">${esc(DEADLINE_KIND[l.kind])}（${nw(limitText(l.limit))}，${nw(`到期 ${l.dueOn ?? shortTime(l.dueAt)}`)}）${esc(DEADLINE_STATUS[l.status])}${esc(
      overdueText(l.overdue, l.overdue.provisional),
    )}</span>：${nw(shortTime(l.endedBy.occurredAt))} ${officeText(v.officeName(l.endedBy.actorOffice, l.countyCode))}（${esc(l.endedBy.actor)}）${esc(
      l.endedBy.action === 'TRANSITIONED' && l.endedBy.toState ? STATE[l.endedBy.toState] : (ACTION[l.endedBy.action] ?? l.endedBy.action),
    )}`;
  const earlier = table<DossierCase>(
    [
      { header: '案件编号', cell: (k) => nw(k.reference) },
      { header: '报告时间', cell: (k) => nw(shortTime(k.reportedAt)) },
      { header: '紧急程度', cell: (k) => esc(URGENCY[k.urgency]) },
      { header: '情况', cell: (k) => prose(k.summary) },
      // Open ones too: a case still in deliberation may be deciding the same aid (its slips are below).
      { header: '状态', cell: (k) => esc(STATE[k.state]) + (k.endedAt ? `<div>${nw(k.endedAt.slice(0, 10))}</div>` : '') },
      {
        header: '结果说明及各部门答复',
        cell: (k) =>
          lines([
            ['说明', k.explanation ? prose(k.explanation) : null],
            // Its time limits met late or missed (a snapshot taken before they were kept has none).
            ...(k.late ?? []).map((l): [string, string] => ['超期', lateText(l)]),
            ...d.referrals
              .filter((r) => r.caseId === k.id)
              .map((r): [string, string] => [
                v.officeName(r.to),
                `${esc(programmeName(r.programmeCode) || r.ask)} ${amountOf(r.amountFen, r.programmeCode)} ${esc(SLIP_STATE[r.state])}${r.feedback ? `：${prose(r.feedback)}` : ''}${r.declineReason ? `：${prose(r.declineReason)}` : ''}${r.withdrawReason ? `：${prose(r.withdrawReason)}` : ''}`,
              ]),
          ]) || '',
      },
    ],
    d.earlierCases,
    '无其他案件',
  );
  const referrals = table<DossierReferral>(
    [
      { header: '案件', cell: (r) => nw(r.caseReference) },
      { header: '转出', cell: (r) => officeText(v.officeName(r.from)) },
      { header: '转入', cell: (r) => officeText(v.officeName(r.to)) },
      // The amount is under 金额: the default ask's own (医疗救助 7000.00 元) is not printed again.
      { header: '事项', cell: (r) => askText(r) + lines([['住院结算', stayOf(v.stays?.get(r.id))]]) },
      { header: '金额', cell: (r) => amountOf(r.amountFen, r.programmeCode), cls: 'num' },
      // 暂定 as the meeting's decisions print it: a due date in a year without its notice may move (补假, 调休).
      { header: '办理期限', cell: (r) => nw(`${r.dueOn}${r.provisional ? '（暂定）' : ''}`) },
      // Late as the desk and supervision read it (a forwarded slip is in no meeting's decisions): in
      // the current view now, in a meeting's snapshot when it was taken.
      { header: '状态', cell: (r) => slipStateText(r.state, v.slipStatus?.get(r.id) ?? 'PENDING') },
      { header: '反馈／退回理由', cell: (r) => lines([['反馈', r.feedback ? prose(r.feedback) : null], ['退回理由', r.declineReason ? prose(r.declineReason) : null], ['撤回理由', r.withdrawReason ? prose(r.withdrawReason) : null]]) },
    ],
    d.referrals,
    '无转办单',
  );
  const changesPart = (() => {
    if (!v.snapshot || !meeting) return '';
    const { added, changed, removed } = dossierChanges(v.snapshot, d);
    const rows = [
      ...added.map((r) => ({ what: '新增', before: null, r })),
      ...changed.map((x) => ({ what: '变化', before: x.before, r: x.after })),
      ...removed.map((r) => ({ what: '不再列入', before: null, r })),
    ];
    const title = `会后变化（与 ${nw(meeting.heldOn)} 会议时材料相比）`;
    return section(
      title,
      table<(typeof rows)[number]>(
        [
          { header: '变化', cell: (x) => nw(x.what) },
          { header: '部门', cell: (x) => officeText(deptName(x.r.department)) },
          { header: '项目', cell: (x) => esc(programmeName(x.r.programme)) },
          { header: '受助人', cell: (x) => esc(who(x.r.beneficiaryIdNumber)) },
          { header: '期间／日期', cell: (x) => (x.r.periodStart ? `${nw(x.r.periodStart)} 至 ${nw(x.r.periodEnd ?? '今')}` : nw(x.r.grantDate)) },
          { header: '金额', cell: (x) => amountOf(x.r.amountFen, x.r.programme), cls: 'num' },
          { header: '状态', cell: (x) => (x.before ? `${nw(AID_STATUS[x.before.status] ?? x.before.status)} → ` : '') + nw(AID_STATUS[x.r.status] ?? x.r.status) },
        ],
        rows,
        '各部门救助记录无变化',
      ),
      rows.length === 0,
    );
  })();
  const charityNeeds = v.charityNeeds ?? [];
  const charityPart =
    charityNeeds.length === 0
      ? ''
      : section(
          '慈善衔接',
          table<BriefCharityNeed>(
            [
              { header: '用途', cell: (n) => (n.involvesHealth && !v.health ? '（健康信息，不予显示）' : esc(NEED_PURPOSE[n.purpose] ?? n.purpose)) },
              { header: '未覆盖金额', cell: (n) => nw(yuan(n.uncoveredFen)), cls: 'num' },
              { header: '状态', cell: (n) => nw(NEED_STATE[n.state] ?? n.state) },
              { header: '认捐', cell: (n) => lines(n.pledges.map((p): [string, string] => ['', `${esc(p.organisation)} ${nw(yuan(p.amountFen))} ${nw(p.pledgedOn)}`])) || '无' },
              { header: '捐赠到位', cell: (n) => lines(n.deliveries.map((x): [string, string] => ['', `${nw(yuan(x.amountFen))} ${nw(x.deliveredOn)}`])) || '无' },
              // The programme, or the reason, would tell the purpose the first column hides.
              {
                header: '政府救助已决定未发放',
                cell: (n) =>
                  n.involvesHealth && !v.health && ((n.governmentAidPending ?? []).length > 0 || n.governmentAidPendingReason)
                    ? '（健康信息，不予显示）'
                    : (lines((n.governmentAidPending ?? []).map((g): [string, string] => ['', `转办单 ${g.slipId} ${esc(programmeName(g.programme))} ${g.amountFen === null ? '' : nw(yuan(g.amountFen))} ${nw(g.dueOn)} 前`])) || '无') +
                      (n.governmentAidPendingReason ? `<br>先行发布理由：${esc(n.governmentAidPendingReason)}` : ''),
              },
            ],
            charityNeeds,
            '',
          ),
        );
  // 尚未参与: no aid in force in the window and no slip of this case standing (issued, accepted or
  // completed), the printed meeting's decisions as they stand now. Computed here, not read from the
  // dossier's departmentsNotContributed (no completed slip): a department at work on a slip is taking part.
  const slipsOfCase = new Map(d.referrals.filter((r) => r.caseId === c.id).map((r) => [r.id, { to: r.to, state: r.state }]));
  for (const s of meeting?.decisions ?? []) slipsOfCase.set(s.id, { to: s.toOffice, state: s.state });
  const notTakingPart = departmentsNotTakingPart(d.aid, [...slipsOfCase.values()]);
  // A department that did not answer may be giving aid the hub could not read.
  const unanswered = new Set<string>(d.sources.filter((x) => !x.available).map((x) => x.department));
  const notContributed = notTakingPart.length === 0 ? '无' : notTakingPart.map((code) => officeText(deptName(code)) + (unanswered.has(code) ? '（未响应，救助情况不明）' : '')).join('、');

  // A recorded meeting is signed by the departments present (an office that reports its aid, such
  // as 司法 or 应急, among them), not by every department: a line for an absent one read as a
  // signature missing. Before the meeting, a line for every department that may attend.
  const signatures = (departments: readonly OfficeCode[]) =>
    `<div class="sign"><div>主持人：</div><div>记录人：</div><div>会议日期：</div><div>召集单位：</div></div><div class="sign departments"><span class="nw">参会部门签字：</span>${departments
      .map((code) => `<div>${esc(SHORT_NAME[code as DepartmentCode] ?? deptName(code))}：</div>`)
      .join('')}</div>`;
  const signingOrder = (present: readonly OfficeCode[]) => [
    ...SIGNING_DEPARTMENTS.filter((code) => present.includes(code)),
    ...present.filter((code) => !(SIGNING_DEPARTMENTS as readonly OfficeCode[]).includes(code)),
  ];

  // What each decision's pre-grant check kept (BriefMeeting.checks): findings, departments unanswered, the override reason.
  const checkLines = (slipId: number): string => {
    const check = meeting?.checks?.get(slipId);
    if (!check) return '';
    return lines([
      ...check.findings.map((f): [string, string] => ['', `${briefCode(f.ruleId)} ${nw(SEVERITY[f.severity] ?? f.severity)}：${prose(f.summary)}`]),
      ['未响应', check.unavailable.length > 0 ? check.unavailable.map((code) => officeText(deptName(code))).join('、') : null],
      ['坚持决定理由', check.overrideReason ? prose(check.overrideReason) : null],
    ]);
  };
  // Each decision's, worded once: whether the column is printed at all depends on them.
  const checksInWords = new Map((meeting?.decisions ?? []).map((s) => [s.id, checkLines(s.id)]));

  const decisionColumns: Column<ReferralRecord>[] = [
    { header: '承办部门', cell: (s) => officeText(v.officeName(s.toOffice)) },
    // The ask in words, unless it only repeats the programme (the default ask is programme and amount).
    // The ask in words beyond the programme and amount printed beside it (a note such as 二次临时救助 stays).
    { header: '救助项目及事项', cell: (s) => lines([['', esc(programmeName(s.programmeCode))], ['', prose(askBeyondProgramme(s) ?? s.ask)], ['住院结算', stayOf(s.settlementRef)]]) },
    { header: '金额', cell: (s) => amountOf(s.amountFen, s.programmeCode), cls: 'num' },
    { header: '受助人', cell: (s) => esc(who(s.beneficiaryIdNumber)) },
    {
      header: '办理期限',
      cell: (s) => {
        const due = referralDue(s);
        return `${nw(`${s.deadlineWorkingDays} 个工作日`)}<div>${nw(`（${s.dueOn} 前${due.provisional ? '，暂定' : ''}）`)}</div>`;
      },
    },
    // The brief is the meeting's record afterwards too: what each decision's check found when it was
    // decided (a warning such as X6 decides nothing by itself), in the words kept without health detail.
    {
      header: '决定时比对',
      when: [...checksInWords.values()].some((text) => text !== ''),
      cell: (s) => checksInWords.get(s.id) ?? '',
    },
    {
      header: '转办单状态',
      cell: (s) => {
        // As Referral.deadlineStatus reads it: a slip a correction superseded was not answered, so one
        // superseded once late was missed (超期未办), not handled late (超期办理).
        return `${slipStateText(s.state, recordedSlipStanding(s, v.printedAt).status)}${
          s.answeredAt ? `<div>${nw(shortTime(s.answeredAt))}</div>` : ''
        }`;
      },
    },
    // What the department answered: feedback when completed, the reason when declined; a decision
    // met short prints what was given and the department's reason, as the slip keeps them.
    {
      header: '反馈／退回理由',
      cell: (s) => {
        const f = meeting?.fulfilments?.get(s.id);
        const short = f && f.shortfallFen > 0 ? f : null;
        return lines([
          ['反馈', s.feedback ? prose(s.feedback) : null],
          ['退回理由', s.declineReason ? prose(s.declineReason) : null],
          ['撤回理由', s.withdrawReason ? prose(s.withdrawReason) : null],
          ['退回后', s.kind === 'DECISION' && s.state === 'DECLINED' ? declineFate(s.id) : null],
          ['实际救助', short ? `${amountOf(short.amountFen, s.programmeCode)}（${nw(`少于决定 ${amountOf(short.shortfallFen, s.programmeCode).replace(/<[^>]+>/g, '')}`)}）` : null],
          ['差额理由', short?.differenceReason ? prose(short.differenceReason) : null],
          ['救助记录', s.aidSourceRef ? briefCode(maskIdNumbersInText(s.aidSourceRef)) : null],
          ['待办结', paidNote(meeting?.paidAtSource?.get(s.id))],
          ['记录现状', withdrawnNote(f?.standing, s.programmeCode, f ? standingShortfall(f, f.standing ?? null) : 0)],
        ]);
      },
    },
  ];

  // A decision waiting whose aid the department's data shows given: counted once, as paid, by the decision checks.
  const paidNote = (record: AidRecord | undefined): string | null => {
    if (!record) return null;
    const { given, paidNow } = paidRecordInWords(record, chinaDateOf(v.printedAt));
    return `${paidNow ? '看来已发放' : '已排定发放'}（部门数据中相符的记录：${esc(given)}），${paidNow ? '' : '发放后'}请以该记录办结本转办单`;
  };

  // A declined decision leads somewhere (件件有落实): reassigned, waived, decided again, or still open.
  const declineFate = (slipId: number): string => {
    const d = meeting?.declines?.get(slipId);
    if (!d) return '<span class="overdue">尚未处理（待改派、免除或重新议定）</span>';
    if (d.resolution === 'REASSIGNED') {
      const to = meeting?.decisions.find((x) => x.id === d.newReferralId);
      return `已改派${to ? officeText(v.officeName(to.toOffice)) : ''}（转办单 ${nw(d.newReferralId ?? '')}）：${prose(d.reason)}`;
    }
    if (d.resolution === 'WAIVED') return `已免除：${prose(d.reason)}`;
    const again = v.meetings.find((m) => m.id === d.meetingId);
    return `已由${again ? ` ${nw(again.heldOn)} ` : ''}会议重新议定`;
  };

  const blankDecisions = (title: string) => `<h2>${title}</h2>
  <p><strong>会议日期：</strong>　　　　年　　月　　日　<strong>参会部门：</strong></p>
  <table class="grid"><thead><tr><th>承办部门</th><th>救助项目及事项</th><th>金额（元／元/月）</th><th>受助人</th><th>办理时限（工作日）</th><th>备注</th></tr></thead><tbody>${'<tr><td></td><td></td><td></td><td></td><td></td><td></td></tr>'.repeat(
    BLANK_DECISION_ROWS,
  )}</tbody></table>
  ${signatures(SIGNING_DEPARTMENTS)}`;
  // A case still (or again) in deliberation after a meeting (one that decided nothing, or a decline
  // sent back to the meeting) goes to a next meeting: the current view is its material, with a
  // blank grid to fill in there, as before the first.
  const nextMeeting =
    meeting && v.version === 'CURRENT' && c.state === 'IN_DELIBERATION'
      ? `<p class="warn">本案仍在审议中，待下次一事一议会议研究：以下为下次会议填写。</p>
  ${blankDecisions('下次会议决定（会上填写）')}`
      : '';

  const meetingPart = meeting
    ? `<h2>会议决定（${nw(meeting.heldOn)}）</h2>
  <p><strong>参会部门：</strong>${meeting.departments.map((code) => officeText(deptName(code))).join('、')}　<strong>召集单位：</strong>${officeText(v.officeName(meeting.convenedBy))}</p>
  ${meeting.notes ? `<p><strong>会议纪要：</strong>${prose(meeting.notes)}</p>` : ''}
  ${table(decisionColumns, meeting.decisions, '本次会议未作出救助决定，继续研究')}
  ${signatures(signingOrder(meeting.departments))}
  ${nextMeeting}`
    : `<p class="warn">尚未召开一事一议会议：以下为当前材料，会议记录后以会议时的材料为准。</p>
  ${blankDecisions('会议决定（会上填写）')}`;

  const base = `/cases/${c.id}/brief`;
  const versions = [
    ...v.meetings.map((m) =>
      meeting && m.id === meeting.id && v.version === 'SNAPSHOT' ? `<strong>会议（${nw(m.heldOn)}）时材料</strong>` : `<a href="${esc(`${base}?meeting=${m.id}`)}">会议（${nw(m.heldOn)}）时材料</a>`,
    ),
    v.version === 'CURRENT' ? '<strong>当前材料</strong>' : `<a href="${esc(meeting ? `${base}?meeting=${meeting.id}&view=current` : `${base}?view=current`)}">当前材料</a>`,
  ].join(' | ');
  const versionLine =
    v.version === 'SNAPSHOT' ? `会议时材料，取于 ${nw(shortTime(d.takenAt))}` : `当前材料，截至 ${nw(shortTime(d.takenAt))}${meeting ? `（会议 ${nw(meeting.heldOn)} 的决定办理情况为当前情况）` : ''}`;

  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}${pageStyle(ref)}</style>
</head>
<body data-version="${v.version}">
<h1>社会救助“一事一议”会议材料</h1>
<p class="subtitle">${nw(ref)}　·　${versionLine}</p>
${v.meetings.length > 0 ? `<nav class="versions">${versions}</nav>` : ''}
<h2>案件概况</h2>
${facts}
<h2>办理时限</h2>
${deadlines}
<h2>家庭成员（年龄计至 ${nw(asOf)}）</h2>
${members}
<h2>近24个月各部门救助情况（${nw(d.window.from)} 至 ${nw(d.window.to)}）</h2>
${incomplete}
${aid}
${totals}
${changesPart}
${settlementsPart}
${section('数据比对发现的问题', findings + (unjudged && d.findings !== null ? '<p class="warn">有成员的残疾证等级或状态代码未列入残联文档（见家庭成员“残疾情况”）：按残疾证比对的漏保规则（重度残疾人护理补贴、困难残疾人生活补贴）未对其作出判断，核实前不能视为无漏保。</p>' : ''), d.findings !== null && d.findings.length === 0 && !unjudged)}
${historyPart}
${section('本户其他案件', earlier, d.earlierCases.length === 0)}
${section('转办单', referrals, d.referrals.length === 0)}
${charityPart}
${section(`尚未参与救助的部门（近${DOSSIER_MONTHS}个月无救助记录，本案也无其在办或已办结的转办单）`, notContributed, true)}
${meetingPart}
<footer>本材料由社会救助数据枢纽（AidHub）生成于 ${nw(shortTime(v.printedAt))}，含个人信息，仅供本次会议使用，会后收回，不得外传。身份证号已作遮蔽处理。</footer>
</body>
</html>
`;
}

/**
 * One error contract on every route: a client that asks for JSON gets the GraphQL error shape with
 * a code and reason (access/http.ts sendError); a browser gets a page carrying the same code.
 */
function errorPage(req: express.Request, res: express.Response, status: number, code: ErrorCode, reason: string, message: string, extra: { argument?: string } & Record<string, string | number> = {}): void {
  if (req.accepts(['html', 'json']) === 'json') return sendError(res, status, code, reason, message, extra);
  res
    .status(status)
    .type('html')
    .send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="error-code" content="${esc(code)}:${esc(reason)}"><title>${esc(message)}</title></head><body data-code="${esc(code)}" data-reason="${esc(reason)}"><p>${esc(message)}</p></body></html>`);
}

/**
 * The needs published from the case (not the household's other cases), with their pledges
 * (organisation's name, amount, date) and deliveries (amount, date), through the charity loaders.
 * Nothing about the beneficiary or the description: the brief prints no more than it did.
 */
async function charityNeedsOfCase(loaders: ReturnType<typeof createLoaders>, c: CaseRecord): Promise<BriefCharityNeed[]> {
  const charity = loaders.charity;
  const needs = (await charity.needsByHousehold.load(c.householdId)).filter((n) => n.caseId === c.id).sort((a, b) => a.id - b.id);
  const ungiven = needs.length === 0 ? [] : await loaders.cases.ungivenDecisionsByHousehold.load(c.householdId);
  return Promise.all(
    needs.map(async (n) => {
      const [pledges, deliveries] = await Promise.all([charity.pledgesByNeed.load(n.id), charity.deliveriesByNeed.load(n.id)]);
      const organisations = await Promise.all(pledges.map((p) => charity.organisationByCode.load(p.creditCode)));
      return {
        purpose: n.purpose,
        involvesHealth: needsHealthConsent(n),
        uncoveredFen: n.uncoveredFen,
        state: n.state,
        // As they stand: a pledge reduced to nothing (charityPledgeReduce) is no pledge.
        pledges: pledges.flatMap((p, i) => (p.amountFen === 0 ? [] : [{ organisation: organisations[i]?.name ?? p.creditCode, amountFen: p.amountFen, pledgedOn: chinaDateOf(p.pledgedAt) }])),
        // Standing deliveries only: a cancelled one is no aid, a corrected one its correction (the history is in charityNeedsOfCase).
        deliveries: deliveries.filter(deliveryStands).map((x) => ({ amountFen: x.amountFen, deliveredOn: x.deliveredOn })),
        governmentAidPending: n.state === 'WITHDRAWN' ? [] : pendingForNeed(n, ungiven).map((s) => ({ slipId: s.id, programme: s.programmeCode!, amountFen: s.amountFen, dueOn: s.dueOn })),
        governmentAidPendingReason: n.governmentAidPendingReason,
      };
    }),
  );
}

/** The stay each slip of these cases names (BriefView.stays), by slip id: one loader batch. */
async function slipStays(loaders: ReturnType<typeof createLoaders>, caseIds: readonly number[]): Promise<Map<number, string>> {
  const slips = await Promise.all([...new Set(caseIds)].map((id) => loaders.cases.referralsByCase.load(id)));
  return new Map(slips.flat().flatMap((s) => (s.settlementRef ? [[s.id, s.settlementRef] as const] : [])));
}

/** The case's first aid, with whether the record it names still stands. */
async function firstAidWithStanding(loaders: ReturnType<typeof createLoaders>, c: CaseRecord) {
  const f = await loaders.cases.firstAidByCase.load(c.id);
  return f ? { ...f, standing: await firstAidStanding(loaders, f, c.householdId) } : null;
}

/** The brief's audit entry: its subjects, each shown (ALLOWED) or refused (DENIED: the case out of reach). */
function briefAccess(access: RequestAccess, c: Pick<CaseRecord, 'id' | 'reportedAt'>, subjects: AccessRecord['subjects'], outcome: 'ALLOWED' | 'DENIED'): AccessRecord {
  return {
    requestId: access.requestId,
    caller: access.caller,
    purpose: access.purpose,
    caseReference: access.caseReference ?? caseReference(c.id, c.reportedAt),
    officer: access.officer,
    channel: 'HTTP',
    operation: `GET /cases/${c.id}/brief`,
    operationHash: null,
    subjects,
    outcome,
  };
}

/**
 * Registers the case pages. `audit` records who printed whose data, when the access layer is on.
 *
 * With a budget, each brief takes its cost of the client's cost in flight (MAX_QUERY_COST_IN_FLIGHT,
 * shared with its GraphQL operations and findings exports) once its parameters are read and before
 * any statement or audit row, and gives it back when its handler and its response have both ended:
 * the page sent, a refusal after it was taken (CASE_NOT_FOUND, MEETING_NOT_FOUND), or an error. A
 * client gone before its page is abandoned as a query is (server/client-gone.ts): its department
 * reads stopped, its cost given back at once, counted in aidhub_queries_abandoned_total. Until
 * session 47 the dossier being read was read to its end, and held the cost until then.
 * One that would pass the limit is refused 429 RATE_LIMITED, reason QUERY_COST_IN_FLIGHT,
 * Retry-After: 1 (server/query-cost.ts takeRouteCost). It had only the per-minute limit: a client
 * could have dozens of briefs read whole dossiers at once, each from the hub and every department.
 */
export function registerCasePages(app: express.Express, deps: HubDeps, audit?: AuditStore, budget?: RouteBudget | null): void {
  app.get('/cases/:id/brief', async (req, res, next) => {
    let release = () => {};
    try {
      res.set('Cache-Control', 'no-store');
      // Nothing but this page itself: no script, no remote font, image or style.
      res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      const id = String(req.params.id);
      // A parameter given twice (?meeting=1&meeting=2) arrives as a list: malformed, not absent.
      const meetingParam = req.query.meeting === undefined ? null : req.query.meeting;
      // view=current: the dossier as it stands now, beside (not instead of) each meeting's stored one.
      const viewParam = req.query.view === undefined ? null : req.query.view;
      // Each refusal names the parameter at fault, in its message and as `argument`.
      const malformedId = (value: unknown) => typeof value !== 'string' || !HUB_ID.test(value);
      if (malformedId(id)) return errorPage(req, res, 400, 'BAD_USER_INPUT', 'MALFORMED_ID', '案件编号格式不正确', { argument: 'id' });
      if (meetingParam !== null && malformedId(meetingParam)) return errorPage(req, res, 400, 'BAD_USER_INPUT', 'MALFORMED_ID', '会议编号格式不正确', { argument: 'meeting' });
      if (viewParam !== null && viewParam !== 'current' && viewParam !== 'meeting') return errorPage(req, res, 400, 'BAD_USER_INPUT', 'UNKNOWN_VIEW', '材料版本只能是 current 或 meeting', { argument: 'view' });
      const taken = takeRouteCost(budget, requestAccess(req)?.caller?.clientId, res, (_, extensions) =>
        // In Chinese, as the brief's other refusals are (its English message was the one line that was not).
        errorPage(req, res, 429, 'RATE_LIMITED', 'QUERY_COST_IN_FLIGHT', costInFlightMessageZh(extensions.inFlight, extensions.cost, extensions.maxCostInFlight), extensions),
      );
      if (!taken) return;
      release = taken.release;
      const now = hubNow(deps);
      const today = hubToday(deps);
      const unavailable = new Map<DepartmentCode, SourceOutcome>();
      const logger = requestLogger(req, deps.logger);
      // A client gone mid-dossier stops its department reads and gives its cost back at once, as a
      // query's (server/client-gone.ts); the dossier is put together of what was read, and put on
      // record, as an abandoned query's answer is.
      const loaders = createLoaders(deps, today, unavailable, logger);
      abandonRouteWhenClientGoes(res, loaders.reads, taken, deps.metrics, () =>
        logger.info({ caseId: Number(id) }, 'meeting brief abandoned: its client closed the connection before the page; its department reads were stopped and its cost in flight given back'),
      );
      const cases = loaders.cases;
      const c = await cases.caseById.load(Number(id));
      if (!c) return errorPage(req, res, 404, 'BAD_USER_INPUT', 'CASE_NOT_FOUND', '未找到该案件');
      const access = requestAccess(req);
      // Read as the Case rule reads: the case's county's, or its household's now (access/policy.ts
      // caseRegions). Out of reach reads as not found: a refusal would confirm the case exists.
      // The household goes on its trail as refused, as case(id) puts it (it was on no subject's trail,
      // so householdAccessLog did not show another county's attempt to print the brief).
      if (access && !regionInScope(access.caller.regionScope, await caseRegions(c, { loaders }))) {
        if (audit) await audit.append(briefAccess(access, c, [{ subject: { kind: 'HOUSEHOLD', householdId: c.householdId }, outcome: 'DENIED' }], 'DENIED'));
        return errorPage(req, res, 404, 'BAD_USER_INPUT', 'CASE_NOT_FOUND', '未找到该案件');
      }

      const meetings = await cases.meetingsByCase.load(c.id);
      const chosen = meetingParam === null ? (meetings.at(-1) ?? null) : (meetings.find((m) => m.id === Number(meetingParam)) ?? null);
      if (meetingParam !== null && !chosen) return errorPage(req, res, 404, 'BAD_USER_INPUT', 'MEETING_NOT_FOUND', '未找到该次会议');
      const version = chosen && viewParam !== 'current' ? 'SNAPSHOT' : 'CURRENT';
      // The dossier put together now reads the household's other cases' histories (their time limits
      // run late or not): in the same batch as this case's, not one statement more.
      const others = version === 'CURRENT' ? (await cases.casesByHousehold.load(c.householdId)).filter((k) => k.id !== c.id) : [];
      const [allEvents, slips, departments] = await Promise.all([
        cases.eventsByCase.loadMany([c.id, ...others.map((k) => k.id)]),
        cases.referralsByCase.load(c.id),
        chosen ? cases.departmentsByMeeting.load(chosen.id) : Promise.resolve([] as DepartmentCode[]),
      ]);
      const events = allEvents[0];
      if (events instanceof Error) throw events;
      const decisions = chosen ? slips.filter((s) => s.meetingId === chosen.id) : [];
      const fulfilled = await cases.fulfilmentByReferral.loadMany(decisions.filter((s) => s.state === 'COMPLETED').map((s) => s.id));
      // Each record as its department holds it now, whichever dossier is printed: a decision whose aid
      // was revoked or corrected since is not printed as met.
      const toOffice = new Map(decisions.map((s) => [s.id, s.toOffice]));
      const fulfilments = new Map(
        await Promise.all(fulfilled.flatMap((f) => (f && !(f instanceof Error) ? [(async () => [f.referralId, { ...f, standing: await fulfilmentStanding(loaders, toOffice.get(f.referralId)!, f) }] as const)()] : []))),
      );
      // A decision waiting whose aid is on record at its department already (paid, not yet completed).
      const waiting = decisions.filter((s) => s.kind === 'DECISION' && isWaitingReferral(s.state));
      const paidAtSourceOf =
        waiting.length === 0
          ? new Map<number, AidRecord>()
          : await paidAtSource(
              loaders,
              deps.hub,
              waiting.map((s) => ({ ...s, decidedOn: s.meetingId === chosen!.id ? chosen!.heldOn : chinaDateOf(s.issuedAt) })),
              (await loaders.hub.membersByHousehold.load(c.householdId)).map((m) => m.person.idNumber),
            );
      const checked = await cases.decisionCheckByReferral.loadMany(decisions.map((s) => s.id));
      const checks = new Map(checked.flatMap((k) => (k && !(k instanceof Error) ? [[k.referralId, k] as const] : [])));
      const resolved = await cases.declineByReferral.loadMany(decisions.filter((s) => s.state === 'DECLINED').map((s) => s.id));
      const declines = new Map(resolved.flatMap((d) => (d && !(d instanceof Error) ? [[d.referralId, { resolution: d.resolution, newReferralId: d.newReferralId, meetingId: d.meetingId, reason: d.reason }] as const] : [])));
      const live = { hub: deps.hub, sources: deps.sources, today, loaders, unavailable };
      // 本户其他案件 as this reader reads them now (a successor in another county is not the old county's), in either version.
      const readerScope = access ? access.caller.regionScope : null;
      const dossier = await dossierReadBy(
        version === 'SNAPSHOT' ? chosen!.dossier : await buildDossier({ hub: loaders.hub, departments: loaders.departments, cases, monitoring: loaders.monitoring, openFindings: openFindingsFrom(live), facts: loaders.findings }, c, today, now),
        readerScope,
        { loaders },
      );
      const snapshot = version === 'CURRENT' && chosen ? await dossierReadBy(chosen.dossier, readerScope, { loaders }) : null;

      const townships = [c.firstOffice, c.ownerOffice, ...slips.flatMap((s) => [s.fromOffice, s.toOffice]), ...dossier.referrals.flatMap((r) => [r.from, r.to]), ...(dossier.history ?? []).map((e) => e.actorOffice)].filter(
        (k) => parseOffice(k)?.kind === 'TOWNSHIP',
      );
      // And the counties of the other cases whose late steps are printed (one batch with the townships).
      const lateCounties = dossier.earlierCases.flatMap((k) => (k.late ?? []).map((l) => l.countyCode));
      const lateOffices = dossier.earlierCases.flatMap((k) => (k.late ?? []).map((l) => l.endedBy.actorOffice)).filter((k) => parseOffice(k)?.kind === 'TOWNSHIP');
      const [regions, county] = await Promise.all([
        Promise.all([...new Set([...townships, ...lateOffices, ...lateCounties])].map((k) => loaders.hub.regionByCode.load(k))),
        loaders.hub.regionByCode.load(countyOf(c.townshipCode)),
      ]);
      const charityNeeds = await charityNeedsOfCase(loaders, c);
      const stays = await slipStays(loaders, [c.id, ...dossier.referrals.map((r) => r.caseId)]);
      const listedAt = version === 'SNAPSHOT' ? new Date(dossier.takenAt) : now;
      const listed = await cases.referralById.loadMany(dossier.referrals.map((r) => r.id));
      const slipStatus = new Map(listed.flatMap((s) => (s && !(s instanceof Error) ? [[s.id, recordedSlipStanding(s, listedAt).status] as const] : [])));
      const regionName = new Map(regions.filter((r) => r !== null).map((r) => [r!.code, r!.name]));
      const officeName = (key: string, countyCode?: string) => {
        const office = storedOffice(key);
        // A department office is the case county's own (任城区医疗保障局, 任城区司法局, 共青团任城区委),
        // or the named county's; a key no office maps (an older hub's slip) prints as 未知单位.
        if (office.kind !== 'TOWNSHIP') return departmentOfficeName(office, countyCode === undefined ? (county?.name ?? null) : (regionName.get(countyCode) ?? null))!;
        const name = regionName.get(office.townshipCode) ?? office.townshipCode;
        // 街道 has an office (办事处); 镇 and 乡 have a government.
        return name.endsWith('街道') ? `${name}办事处` : `${name}人民政府`;
      };

      if (access && audit) {
        await audit.append(
          briefAccess(access, c, [{ subject: { kind: 'HOUSEHOLD', householdId: c.householdId }, outcome: 'ALLOWED' }, ...dossier.members.map((m) => ({ subject: { kind: 'PERSON' as const, idNumber: m.idNumber }, outcome: 'ALLOWED' as const }))], 'ALLOWED'),
        );
      }
      const html = renderBrief({
        c,
        dossier,
        deadlines: caseDeadlines((await caseTimelinesOf(loaders.monitoring, [c], () => events)).get(c.id)!, now),
        version,
        snapshot,
        meeting: chosen ? { ...chosen, departments, decisions, fulfilments, declines, paidAtSource: paidAtSourceOf, checks } : null,
        meetings,
        officeName,
        // Health detail (settlements, diagnoses, illness as cause) as the policy gives it to this caller.
        health: access ? seesHealthDetail(access.caller, access.purpose) : false,
        charityNeeds,
        firstAid: await firstAidWithStanding(loaders, c),
        countyApproval: await cases.countyApprovalByCase.load(c.id),
        handedOverFrom: await handedOverFrom(loaders, c),
        stays,
        slipStatus,
        printedAt: now,
      });
      res.status(200).type('html').send(html);
    } catch (error) {
      if (error instanceof AuditUnavailable) return errorPage(req, res, 503, 'INTERNAL_SERVER_ERROR', 'AUDIT_UNAVAILABLE', '访问记录无法写入，材料不予显示，请稍后再试');
      requestLogger(req, deps.logger).error({ err: loggableError(error) }, 'case brief failed');
      next(error);
    } finally {
      release();
    }
  });
}
