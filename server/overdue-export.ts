/**
 * 督查通报: supervision's report as a spreadsheet, `GET /exports/overdue.csv?asOf=…&regionCode=…&shortfallsSince=…`,
 * with overdueReport's arguments under their own names (each optional, with the same defaults): the
 * tally (按时办结) per office, per township and per county, then every overdue slip and case deadline
 * with its case, the office that owes it, its due date and how many working days it is overdue (the
 * holiday calendar's), then the cases forwarded to a county office for approval (转交县级审批), which no
 * limit binds, with the office that holds each and since when; then the API's other lists a supervisor
 * must see that read no department: the declined decisions still open (declinesOpen), under the office
 * that owns the case at asOf with the one it was declined under, the decisions waived (decisionsWaived)
 * the slips a correction superseded (corrected) and those the case's owner withdrew (withdrawn) in the
 * period, each with its reasons (the office that withdrew, never its officer: an officer may be named by name). Built by the
 * same use case as the API's answer (resolvers/cases/supervision-report.ts), so its figures are the API's.
 *
 * The file keeps the findings export's habits (server/exports.ts): UTF-8 with a byte-order mark,
 * every cell through csvCell (formulas defused), instants in China time, Chinese headers. It names no
 * household and no person: a case by its reference (AH-…), an office, a township. Each case and slip
 * listed is still about a household (a decision's slip about its beneficiary too), which GraphQL
 * records when it lists them: they are put on record before the file is sent.
 *
 * The route sits behind the access middleware with Query.overdueReport's rule (ROUTE_RULES). Here a
 * `regionCode` outside the caller's region scope is refused as the root field refuses it (FORBIDDEN,
 * OUT_OF_SCOPE), and the export takes the client's cost in flight as the findings export does.
 */
import type express from 'express';
import { stringify } from 'csv-stringify/sync';
import { GraphQLError, type GraphQLScalarType } from 'graphql';
import type { AuditStore } from '../access/audit';
import { inScope, outOfScope } from '../access/decide';
import { requireDivisionCode } from '../access/errors';
import { requestAccess, sendError } from '../access/http';
import type { Subject } from '../access/policy';
import { requestLogger } from '../access/request-id';
import type { CaseRecord } from '../db/cases/records';
import { chinaDateOf, formatChinaInstant } from '../domain/cases/china-time';
import type { CaseDeadlineTally, OverdueCase, OverdueSlip, OverdueTally, ReferralTally } from '../domain/cases/supervision';
import { storedOfficeIn } from '../domain/cases/offices';
import { caseReference } from '../domain/cases/reference';
import { maskIdNumbersInText } from '../domain/privacy';
import { PROGRAMME_BY_CODE } from '../domain/programmes';
import type { IsoDate } from '../domain/dates';
import { createContext, type HubContext, type HubDeps } from '../resolvers/context';
import { officeNameOf } from '../resolvers/cases/office-name';
import { reportPeriodStart, supervisionReport, type ReportSlip, type SupervisionReport, type SupervisionReportArgs } from '../resolvers/cases/supervision-report';
import { requireInRange } from '../resolvers/date-ranges';
import { scalarResolvers } from '../resolvers/scalars';
import { DEADLINE_KIND, limitText } from './case-pages';
import { csvCell, listParam, parameterProblem, recordShown } from './exports';
import { abandonRouteWhenClientGoes } from './client-gone';
import { takeRouteCost, type RouteBudget } from './query-cost';

/** overdueReport's arguments, by the same names. */
const PARAMETERS: readonly string[] = ['asOf', 'regionCode', 'shortfallsSince'];

/** Why a parameter is refused (400 BAD_USER_INPUT): the scalars' and overdueReport's own reasons, and the findings export's for the query string. */
export type OverdueExportRefusalReason = 'MALFORMED_FILTER' | 'MALFORMED_DATETIME' | 'MALFORMED_DATE' | 'OUT_OF_RANGE' | 'MALFORMED_DIVISION_CODE' | 'EMPTY_WINDOW' | 'REGION_UNKNOWN';
const REFUSAL_REASONS: readonly OverdueExportRefusalReason[] = ['MALFORMED_FILTER', 'MALFORMED_DATETIME', 'MALFORMED_DATE', 'OUT_OF_RANGE', 'MALFORMED_DIVISION_CODE', 'EMPTY_WINDOW', 'REGION_UNKNOWN'];

/** A refusal; `range` the bounds an OUT_OF_RANGE date or instant is held to, sent as the API sends them (`min`, `max`). */
type Refusal = { reason: OverdueExportRefusalReason; message: string; argument?: string; range?: { min: string; max: string } };
type Read = { ok: true; args: SupervisionReportArgs } | ({ ok: false } & Refusal);

/** A BAD_USER_INPUT the scalars or the use case threw, as the route's refusal; null for any other error. */
function refusalOf(error: unknown, argument?: string): Refusal | null {
  if (!(error instanceof GraphQLError) || error.extensions.code !== 'BAD_USER_INPUT') return null;
  const reason = REFUSAL_REASONS.find((r) => r === error.extensions.reason);
  if (!reason) return null;
  const named = argument ?? (typeof error.extensions.argument === 'string' ? error.extensions.argument : undefined);
  const { min, max } = error.extensions;
  const range = typeof min === 'string' && typeof max === 'string' ? { range: { min, max } } : {};
  return { reason, message: error.message, ...(named ? { argument: named } : {}), ...range };
}

/**
 * An instant as typed into an address bar: `+08:00` unescaped arrives as ` 08:00` (a `+` in a query
 * string is a space), which is read back as the offset it was; anything else goes to the scalar as given.
 */
function typedInstant(value: string): string {
  return value.replace(/^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:\d{2})$/, '$1+$2');
}

/** The query string as overdueReport's arguments, read by the schema's own scalars, or why not. */
export function overdueExportArgs(query: Record<string, unknown>): Read {
  const problem = parameterProblem(query, PARAMETERS);
  if (problem) return { ok: false, reason: 'MALFORMED_FILTER', message: problem };
  const one = (name: string): string | null => {
    const values = listParam(query[name]);
    return values.length === 0 ? null : values.length === 1 ? values[0] : '';
  };
  for (const name of PARAMETERS) if (one(name) === '') return { ok: false, reason: 'MALFORMED_FILTER', message: `${name} is one value`, argument: name };
  const scalar = (name: string) => scalarResolvers[name as 'DateTime'] as GraphQLScalarType;
  try {
    const asOfParam = one('asOf');
    const sinceParam = one('shortfallsSince');
    const regionCode = one('regionCode');
    // Held to the ranges overdueReport's arguments are (resolvers/date-ranges.ts), as the scalar alone is not.
    const asOf = asOfParam === null ? null : (scalar('DateTime').parseValue(typedInstant(asOfParam)) as Date);
    if (asOf !== null) requireInRange('DateTime', asOf, 'asOf');
    const shortfallsSince = sinceParam === null ? null : (scalar('Date').parseValue(sinceParam) as IsoDate);
    if (shortfallsSince !== null) requireInRange('Date', shortfallsSince, 'shortfallsSince');
    return {
      ok: true,
      args: { asOf, shortfallsSince, regionCode: regionCode === null ? null : requireDivisionCode(regionCode, 'regionCode') },
    };
  } catch (error) {
    const which = error instanceof GraphQLError && error.extensions.reason === 'MALFORMED_DATE' ? 'shortfallsSince' : error instanceof GraphQLError && error.extensions.reason === 'MALFORMED_DATETIME' ? 'asOf' : undefined;
    const refused = refusalOf(error, which);
    if (refused) return { ok: false, ...refused };
    throw error;
  }
}

const TALLY_HEADER = [
  '转办单按时办结',
  '转办单超期办结',
  '其中退回',
  '到期前被更正取代或撤回（不计入）',
  '超期后被更正取代或撤回',
  '超期未办结',
  '期内到期转办单（不论办理情况）',
  '转办单应办结数',
  '转办单按时办结率',
  '案件时限按时完成',
  '案件时限超期完成',
  '案件时限超期未完成即结案',
  '案件时限超期未完成',
  '期内到期案件时限（不论完成情况）',
  '案件时限应完成数',
  '案件时限按时完成率',
];

export const OFFICE_HEADER = ['县（市、区）', '办理单位', ...TALLY_HEADER];
export const TOWNSHIP_HEADER = ['县（市、区）', '乡镇（街道）', ...TALLY_HEADER];
export const COUNTY_HEADER = ['县（市、区）', ...TALLY_HEADER];
export const FORWARDED_HEADER = ['案件编号', '县（市、区）', '乡镇（街道）', '审批单位', '转交单位', '转交时间', '已转交工作日', '按法定节假日暂计'];
export const DECLINES_OPEN_HEADER = ['案件编号', '县（市、区）', '乡镇（街道）', '应处理单位', '原经办单位', '退回单位', '事项', '转办单编号', '退回日期', '退回原因'];
export const WAIVED_HEADER = ['案件编号', '县（市、区）', '乡镇（街道）', '免除单位', '退回单位', '事项', '转办单编号', '退回原因', '免除日期', '免除理由'];
/** The first columns of a slip that ended unanswered by the case's owner (corrected, withdrawn): the slip, the owner then and the office it was sent to, its due date, the day it ended and why. */
const ENDED_BY_OWNER_HEADER = (act: string) => ['案件编号', '县（市、区）', '乡镇（街道）', `${act}单位`, '原应办单位', '事项', '转办单编号', '原到期日', `${act}日期`, `${act}理由`];
export const CORRECTED_HEADER = [...ENDED_BY_OWNER_HEADER('更正'), '替代转办单编号', '新到期日'];
export const WITHDRAWN_HEADER = [...ENDED_BY_OWNER_HEADER('撤回'), '超期后撤回'];
export const OVERDUE_HEADER = ['类别', '案件编号', '县（市、区）', '乡镇（街道）', '应办单位', '事项', '转办单编号', '时限', '到期日', '超期工作日', '超期小时', '按法定节假日暂计', '统计时点后补记'];

/** 按时办结率 as a percentage with two decimals (Excel reads `37.50%` as the number 0.375); a dash when nothing was counted. */
export function rateCell(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(2)}%`;
}

function tallyCells(t: OverdueTally): (string | number)[] {
  const r: ReferralTally = t.referrals;
  const c: CaseDeadlineTally = t.caseDeadlines;
  return [r.answeredOnTime, r.answeredLate, r.declined, r.supersededBeforeDue, r.supersededLate, r.openOverdue, r.fellDue, r.counted, rateCell(r.onTimeRate), c.metOnTime, c.metLate, c.missed, c.overdue, c.fellDue, c.counted, rateCell(c.onTimeRate)];
}

const yesNo = (b: boolean) => (b ? '是' : '否');

/** What a slip asks, as the overdue list names it: a meeting's decision with its programme, or a referral. */
function slipWhat(r: Pick<ReportSlip, 'kind' | 'programmeCode'>): string {
  return r.kind === 'DECISION' ? `会议决定${r.programmeCode ? `：${PROGRAMME_BY_CODE.get(r.programmeCode)?.name ?? r.programmeCode}` : ''}` : '转办';
}

/**
 * Free text a person wrote (a decline's, a waiver's, a correction's reason), as the meeting brief
 * prints it: an ID number in a text stored before prose was screened as it is written is masked.
 * csvCell then defuses it as every cell.
 */
const freeText = (text: string | null | undefined) => maskIdNumbersInText(text ?? '');

/** Rows under a header, each cell as csvCell writes it for its column. */
function table(title: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[][] {
  return [[title], [...header], ...rows.map((row) => row.map((cell, i) => csvCell(String(cell), header[i])))];
}

/** The report as the file's rows, and the households and people its lines name (for the audit trail). */
export async function overdueSheet(ctx: HubContext, report: SupervisionReport, scopeCode: string | null, since: IsoDate): Promise<{ rows: string[][]; subjects: Subject[] }> {
  // Every division and slip's case the file names, read at once (one statement each), not a line at a time.
  const slips = report.byOffice.flatMap((g) => [...g.referrals, ...g.declinesOpen, ...g.decisionsWaived, ...g.corrected, ...g.withdrawn].map((s) => s.referral));
  const codes = [...report.byTownship.flatMap((g) => [g.townshipCode, g.townshipCode.slice(0, 6)]), ...report.byCounty.map((g) => g.countyCode), ...(scopeCode === null ? [] : [scopeCode])];
  await Promise.all([ctx.loaders.hub.regionByCode.loadMany([...new Set(codes)]), ctx.loaders.cases.caseById.loadMany([...new Set(slips.map((r) => r.caseId))])]);
  const region = async (code: string) => (await ctx.loaders.hub.regionByCode.load(code))?.name ?? code;
  const subjects = new Map<string, Subject>();
  const heading = [
    ['督查通报：转办单与案件时限办理情况'],
    ['统计范围', scopeCode === null ? '全部' : `${await region(scopeCode)}（${scopeCode}）`],
    ['统计期间', `${since} 至 ${formatChinaInstant(report.asOf).slice(0, 19).replace('T', ' ')}（北京时间 UTC+8）`],
    ['统计时点后补记的超期事项', String(report.recordedAfterAsOf)],
  ].map((row) => row.map((cell) => csvCell(cell, '')));
  const offices = await Promise.all(
    report.byOffice.map(async (g) => [await region(g.countyCode), await officeNameOf(ctx, storedOfficeIn(g.office, g.countyCode)), ...tallyCells(g.tally)]),
  );
  const townships = await Promise.all(report.byTownship.map(async (g) => [await region(g.townshipCode.slice(0, 6)), await region(g.townshipCode), ...tallyCells(g.tally)]));
  const counties = await Promise.all(report.byCounty.map(async (g) => [await region(g.countyCode), ...tallyCells(g.tally)]));
  // Each overdue item once, under the office that owes it (byOffice files each item once).
  const cases = ctx.loaders.cases;
  const overdue: (string | number)[][] = [];
  /** A slip a line is about: its household and a decision's beneficiary on record, and its case's reference. */
  const slipLine = async (r: ReportSlip): Promise<string> => {
    subjects.set(`H:${r.householdId}`, { kind: 'HOUSEHOLD', householdId: r.householdId });
    if (r.beneficiaryIdNumber) subjects.set(`P:${r.beneficiaryIdNumber}`, { kind: 'PERSON', idNumber: r.beneficiaryIdNumber });
    const c = await cases.caseById.load(r.caseId);
    return c ? caseReference(c.id, c.reportedAt) : '';
  };
  const officeName = (key: string, townshipCode: string) => officeNameOf(ctx, storedOfficeIn(key, townshipCode));
  for (const g of report.byOffice) {
    const owes = await officeNameOf(ctx, storedOfficeIn(g.office, g.countyCode));
    for (const s of g.referrals as OverdueSlip<ReportSlip>[]) {
      const r = s.referral;
      overdue.push(['转办单', await slipLine(r), await region(g.countyCode), await region(r.townshipCode), owes, slipWhat(r), r.id, `${r.deadlineWorkingDays} 个工作日`, r.dueOn, s.overdue.workingDays, s.overdue.hours, yesNo(s.overdue.provisional), yesNo(s.recordedAfterAsOf)]);
    }
    for (const o of g.cases as OverdueCase<CaseRecord>[]) {
      const c = o.case;
      const late = o.deadline.overdue!;
      subjects.set(`H:${c.householdId}`, { kind: 'HOUSEHOLD', householdId: c.householdId });
      overdue.push(['案件时限', caseReference(c.id, c.reportedAt), await region(g.countyCode), await region(c.townshipCode), owes, DEADLINE_KIND[o.deadline.kind], '', limitText(o.deadline.limit), o.deadline.dueOn ?? chinaDateOf(o.deadline.dueAt), late.workingDays, late.hours, yesNo(late.provisional), yesNo(o.recordedAfterAsOf)]);
    }
  }
  // 转交县级审批: no limit runs for the county's approval, so each is shown held, never overdue: once, under the
  // office that holds it at asOf, with the township office that forwarded it (byOffice lists it under both).
  const forwarded: (string | number)[][] = [];
  for (const g of report.byOffice) {
    const holds = await officeNameOf(ctx, storedOfficeIn(g.office, g.countyCode));
    for (const f of g.forwardedForApproval) {
      if (f.heldBy !== g.office) continue;
      const c = f.case;
      subjects.set(`H:${c.householdId}`, { kind: 'HOUSEHOLD', householdId: c.householdId });
      const by = await officeNameOf(ctx, storedOfficeIn(f.forwardedBy, c.townshipCode));
      forwarded.push([caseReference(c.id, c.reportedAt), await region(g.countyCode), await region(c.townshipCode), holds, by, formatChinaInstant(f.since).slice(0, 19).replace('T', ' '), f.workingDaysHeld, yesNo(f.provisional)]);
    }
  }
  // 退回未处理: once, under the office that owns the case at asOf (it must resolve it), with the office
  // that owned the case when the department declined it (byOffice lists it under both when they differ).
  const declinesOpen: (string | number)[][] = [];
  // 已免除, 被更正取代 and 已撤回: under the office that owned the case when it waived, corrected or withdrew (each once).
  const waived: (string | number)[][] = [];
  const corrected: (string | number)[][] = [];
  const withdrawn: (string | number)[][] = [];
  for (const g of report.byOffice) {
    const office = await officeNameOf(ctx, storedOfficeIn(g.office, g.countyCode));
    for (const d of g.declinesOpen) {
      if (d.owner !== g.office) continue;
      const r = d.referral;
      declinesOpen.push([await slipLine(r), await region(g.countyCode), await region(r.townshipCode), office, await officeName(d.declinedUnder, r.townshipCode), await officeName(r.toOffice, r.townshipCode), slipWhat(r), r.id, chinaDateOf(d.declinedAt), freeText(r.declineReason)]);
    }
    for (const w of g.decisionsWaived) {
      const r = w.referral;
      waived.push([await slipLine(r), await region(g.countyCode), await region(r.townshipCode), office, await officeName(r.toOffice, r.townshipCode), slipWhat(r), r.id, freeText(r.declineReason), chinaDateOf(w.waivedAt), freeText(r.waiverReason)]);
    }
    /** ENDED_BY_OWNER_HEADER's cells of a slip the office corrected or withdrew. */
    const endedByOwner = async (r: ReportSlip, at: Date, reason: string | null | undefined) =>
      [await slipLine(r), await region(g.countyCode), await region(r.townshipCode), office, await officeName(r.toOffice, r.townshipCode), slipWhat(r), r.id, r.dueOn, chinaDateOf(at), freeText(reason)];
    for (const x of g.corrected) {
      const r = x.referral;
      corrected.push([...(await endedByOwner(r, x.supersededAt, r.correctionReason)), r.replacedBy ?? '', r.replacementDueOn ?? '']);
    }
    for (const w of g.withdrawn) {
      withdrawn.push([...(await endedByOwner(w.referral, w.withdrawnAt, w.referral.withdrawReason)), yesNo(w.afterDue)]);
    }
  }
  const rows = [
    ...heading,
    [],
    ...table('一、按办理单位统计', OFFICE_HEADER, offices),
    [],
    ...table('二、按乡镇（街道）统计', TOWNSHIP_HEADER, townships),
    [],
    ...table('三、按县（市、区）统计', COUNTY_HEADER, counties),
    [],
    ...table('四、超期未办结清单（按应办单位，超期最久者在前）', OVERDUE_HEADER, overdue),
    [],
    ...table('五、转交县级审批（方案未规定县级审批时限，不计超期；按审批单位，转交最早者在前）', FORWARDED_HEADER, forwarded),
    [],
    ...table('六、退回未处理的会议决定（未改派、未免除、未重新议定；按应处理单位，退回最早者在前）', DECLINES_OPEN_HEADER, declinesOpen),
    [],
    ...table('七、已免除的会议决定（统计期间内；按免除单位，免除最早者在前）', WAIVED_HEADER, waived),
    [],
    ...table('八、被更正取代的转办单（统计期间内；按更正单位，更正最早者在前）', CORRECTED_HEADER, corrected),
    [],
    ...table('九、已撤回的转办单（统计期间内；按撤回单位，撤回最早者在前）', WITHDRAWN_HEADER, withdrawn),
  ];
  return { rows, subjects: [...subjects.values()] };
}

/**
 * Registers the overdue export on an app, behind its access middleware. With a budget, it takes its
 * cost of the client's cost in flight once its parameters are read and before any statement or
 * audit row, and gives it back when it has ended (server/query-cost.ts takeRouteCost), or at once
 * when its client goes before the file (abandonRouteWhenClientGoes), as the findings export does.
 */
export function registerOverdueExport(app: express.Express, deps: HubDeps, audit?: AuditStore, budget?: RouteBudget | null): void {
  app.get('/exports/overdue.csv', async (req, res, next) => {
    let release = () => {};
    try {
      res.set('Cache-Control', 'no-store');
      const refuse = (r: Refusal) => sendError(res, 400, 'BAD_USER_INPUT', r.reason, r.message, { ...(r.argument ? { argument: r.argument } : {}), ...r.range });
      const read = overdueExportArgs(req.query as Record<string, unknown>);
      if (!read.ok) return refuse(read);
      const access = requestAccess(req);
      // As the root field refuses a regionCode outside the caller's scope (access/enforce.ts), before anything is read.
      const asked = read.args.regionCode ?? null;
      if (access && asked !== null && !inScope(access.caller.regionScope, asked)) {
        return sendError(res, 403, 'FORBIDDEN', 'OUT_OF_SCOPE', outOfScope('GET /exports/overdue.csv').message, { argument: 'regionCode' });
      }
      const held = takeRouteCost(budget, access?.caller?.clientId, res, (message, extensions) => sendError(res, 429, 'RATE_LIMITED', 'QUERY_COST_IN_FLIGHT', message, extensions));
      if (!held) return;
      release = held.release;

      const logger = requestLogger(req, deps.logger);
      const ctx = createContext(deps, access, audit ?? null, logger);
      // A client gone before the file gives its cost back at once, as a query's (server/client-gone.ts):
      // the statement in flight ends on its own, and nothing after it is read, put on record or sent.
      const gone = ctx.loaders.reads;
      abandonRouteWhenClientGoes(res, gone, held, deps.metrics, () =>
        logger.info({ regionCode: asked }, 'overdue export abandoned: its client closed the connection before the file; its cost in flight given back'),
      );
      let report: SupervisionReport;
      try {
        report = await supervisionReport(ctx, read.args, { aidStandings: false });
      } catch (error) {
        const refused = refusalOf(error);
        if (refused) return refuse(refused);
        throw error;
      }
      if (gone.abandoned) return;
      const since = reportPeriodStart(report.asOf, read.args.shortfallsSince);
      const scope = asked ?? access?.caller.regionScope ?? null;
      const { rows, subjects } = await overdueSheet(ctx, report, scope, since);
      if (gone.abandoned) return;
      // Every household and person a line names is on record before the file goes out.
      await recordShown(audit, access, 'GET /exports/overdue.csv', subjects);
      res.status(200);
      res.type('text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="overdue-${scope ?? 'all'}-${chinaDateOf(report.asOf)}.csv"`);
      res.end(`\uFEFF${stringify(rows)}`);
    } catch (err) {
      next(err);
    } finally {
      release();
    }
  });
}
