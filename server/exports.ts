/**
 * CSV export of a scan's findings for the office that must act on them:
 * `GET /exports/scans/:id/findings.csv?rule=X1,X4&severity=CONFLICT&department=HEALTH&township=370811001&status=OPEN`.
 * The same filters as `Scan.findings` (status defaults to OPEN and CONFIRMED; values in any case,
 * as typed into an address bar), streamed a page at
 * a time in the scan's stable order, UTF-8 with a byte-order mark so Excel opens the Chinese
 * correctly (on Chinese Windows it would otherwise read the file as GBK), cells that a
 * spreadsheet would run as formulas defused, and identifiers made of digits (registration and ID
 * numbers) written as text Excel keeps whole (csvCell). Times are China time (the hub stores UTC), written
 * `YYYY-MM-DD HH:MM:SS` so Excel reads them as date-times, with the zone stated in the header.
 *
 * The route sits behind the access middleware (token, purpose, ROUTE_RULES). Here it keeps to the
 * caller's region scope, shows ID numbers in clear only to roles allowed them (access/policy.ts),
 * and records every household and person of a page in the audit trail before the page is sent,
 * also for a caller shown no household or person column (an administrator): each line is still a
 * finding about them (its fingerprint is the finding's id), which GraphQL records alike.
 */
import type express from 'express';
import { stringify } from 'csv-stringify/sync';
import type { AuditStore } from '../access/audit';
import { requestAccess, sendError } from '../access/http';
import { requestLogger } from '../access/request-id';
import { checkCall, seesHealthDetail, seesIdNumbers, type RequestAccess } from '../access/decide';
import { divisionInReach, townshipRefusal, type TownshipRefusal } from '../access/township';
import { TYPE_RULES, type PersonalTypeRule, type Subject } from '../access/policy';
import { scanFindingsPage, scansByIds, viewOfRow, type FindingFilter } from '../db/findings/store';
import { createHubLoaders } from '../db/household/loaders';
import { divisionHeld, UNKNOWN_DIVISION_MESSAGE } from '../db/household/region-pages';
import { DEPARTMENT_CODES, DEPARTMENT_NAMES, type DepartmentCode, type OfficeCode } from '../domain/departments';
import { formatChinaInstant } from '../domain/cases/china-time';
import { divisionPrefix, isDivisionCode } from '../domain/division-code';
import { maskIdNumber } from '../domain/id-number';
import { HUB_ID } from '../domain/hub-id';
import { scrub } from '../domain/privacy';
import { explain } from '../domain/findings/explain';
import { recordKey } from '../domain/findings/facts';
import { SEVERITIES, type Severity } from '../domain/findings/rule-set';
import { FINDING_STATUSES, type FindingStatus } from '../domain/findings/settlement';
import { activeRuleSet } from '../rules/load';
import type { HubDeps } from '../resolvers/context';
import { takeRouteCost, type RouteBudget } from './query-cost';
import { abandonRouteWhenClientGoes } from './client-gone';
import { RequestReads } from '../db/abandon';
import { unknownRuleIdsMessage } from '../resolvers/findings/rule-filter';

const SEVERITY_CN: Record<Severity, string> = { CONFLICT: '冲突', WARNING: '预警', MISSED_AID: '疑似漏保' };
const STATUS_CN: Record<FindingStatus, string> = { OPEN: '待处理', CONFIRMED: '已确认', DISMISSED: '已排除', RESOLVED: '已纠正' };

export const CSV_HEADER = ['发现编号', '规则', '规则名称', '严重程度', '状态', '持续中', '县（市、区）', '乡镇（街道）', '户籍登记号', '涉及人员', '涉及部门', '涉及记录', '说明', '依据', '首次发现（北京时间 UTC+8）', '最近发现（北京时间 UTC+8）'];

/** A stored UTC instant ('2026-03-15 01:30:00.000') as China time for a spreadsheet: '2026-03-15 09:30:00'. */
export function chinaTimeCell(utc: string): string {
  const at = new Date(`${utc.replace(' ', 'T')}Z`);
  if (Number.isNaN(at.getTime())) return utc;
  return formatChinaInstant(at).slice(0, 19).replace('T', ' ');
}

const PAGE = 500;

/**
 * Resolves once `res` has passed on what it holds to the connection, or once the connection is gone.
 * The next page is read only then: without the wait every page of a scan was read, put on record
 * and held in the hub's memory for a client that read nothing (twenty such requests for a scan of
 * 8,000 findings took 300 MB), or that had gone.
 */
function taken(res: express.Response): Promise<void> {
  if (!res.writableNeedDrain || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** A cell a spreadsheet would run as a formula starts with a quote instead. */
function defuse(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** What Excel reads as a number when it opens a CSV file: digits, a decimal point, an exponent (`2e5`). */
const NUMBER_LIKE = /^\d+(\.\d*)?(e\d+)?$/i;

/**
 * The columns that hold identifiers: the finding's fingerprint, the household's registration number
 * (16 digits), the people's ID numbers (18 digits, one alone in clear).
 */
const IDENTIFIER_COLUMNS: ReadonlySet<string> = new Set(['发现编号', '户籍登记号', '涉及人员']);

/**
 * A cell as Excel is to show it. An identifier Excel would read as a number is written as the
 * text formula `="…"` (digits only, so nothing runs): opened as a number, a registration number
 * 3708110000000271 showed as 3.70811E+15 and kept 15 digits (3708110000000270), and an ID number
 * 370811199211284179 became 370811199211284000, wrong once the file was saved. Every other cell is
 * defused.
 */
export function csvCell(cell: string, column: string): string {
  return IDENTIFIER_COLUMNS.has(column) && NUMBER_LIKE.test(cell) ? `="${cell}"` : defuse(cell);
}

export function listParam(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return raw.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * Puts the households and people an export is about to send on the audit trail, as shown (ALLOWED):
 * called before the rows go out, so a file whose readers cannot be recorded is not sent.
 */
export async function recordShown(audit: AuditStore | undefined, access: RequestAccess | null, operation: string, subjects: readonly Subject[]): Promise<void> {
  if (!access || !audit || subjects.length === 0) return;
  await audit.append({
    requestId: access.requestId,
    caller: access.caller,
    purpose: access.purpose,
    caseReference: access.caseReference,
    officer: access.officer,
    channel: 'HTTP',
    operation,
    operationHash: null,
    subjects: subjects.map((subject) => ({ subject, outcome: 'ALLOWED' as const })),
    outcome: 'ALLOWED',
  });
}

/** A refusal's message. */
type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * The filter's values in any case, as typed into an address bar (`severity=conflict`): the
 * enumerated ones read upper-cased, a rule id as the rule set spells it. `rule=x1` matched X1 only
 * by the MySQL collation's leniency (not on TiDB's binary default), while `severity=conflict` was
 * refused: one parameter forgiving the case and its neighbour not.
 */
function oneOf<T extends string>(values: string[], allowed: readonly T[], name: string): Parsed<T[]> {
  const read = values.map((v) => v.toUpperCase());
  const bad = read.find((v) => !(allowed as readonly string[]).includes(v));
  return bad === undefined ? { ok: true, value: read as T[] } : { ok: false, message: `${name} must be among ${allowed.join(', ')}` };
}

/** Rule ids as the active rule set spells them, in any case; an id of no rule is kept as given (refused unless the scan's findings carry it: resolvers/findings/rule-filter.ts). */
function ruleIdsOf(values: string[]): string[] {
  const ids = new Map(activeRuleSet().rules.map((r) => [r.id.toUpperCase(), r.id]));
  return values.map((v) => ids.get(v.toUpperCase()) ?? v);
}

/** The export's parameters: any other is refused, not read as no filter. */
const EXPORT_PARAMETERS: readonly string[] = ['rule', 'severity', 'department', 'status', 'township'];

/** A parameter's name as a refusal may quote it: a plain name (one holding a number is not quoted). */
const PLAIN_NAME = /^[A-Za-z_]{1,32}$/;

/**
 * What is wrong with the query string's names and values before they are read, or null: a parameter
 * the export does not take (`townhsip=`, `severity[]=`) and one given with no value (`township=`)
 * were read as no filter, so a misspelt or emptied township exported the whole scan in the caller's
 * scope, as GraphQL refuses such a filter (an unknown argument; EMPTY_VALUE). Each export names the
 * parameters it takes (the overdue report's, server/overdue-export.ts, too).
 */
export function parameterProblem(query: Record<string, unknown>, taken: readonly string[] = EXPORT_PARAMETERS): string | null {
  const wanted = `the export takes ${taken.join(', ')}`;
  for (const [name, value] of Object.entries(query)) {
    if (!taken.includes(name)) return PLAIN_NAME.test(name) ? `${wanted}, not ${name}` : `${wanted}, and no other parameter`;
    if (listParam(value).length === 0) return `${name} is given without a value: leave it out to filter by none`;
  }
  return null;
}

/** The query string as a findings filter, or what is wrong with it. */
export function exportFilter(query: Record<string, unknown>): Parsed<FindingFilter> {
  const problem = parameterProblem(query);
  if (problem) return { ok: false, message: problem };
  const severities = oneOf(listParam(query.severity), SEVERITIES, 'severity');
  if (!severities.ok) return severities;
  const departments = oneOf(listParam(query.department), DEPARTMENT_CODES, 'department');
  if (!departments.ok) return departments;
  const statuses = oneOf(listParam(query.status), FINDING_STATUSES, 'status');
  if (!statuses.ok) return statuses;
  // One township, as Scan.findings takes: a second was dropped unread, the file passed for both.
  const townships = listParam(query.township);
  if (townships.length > 1) return { ok: false, message: 'township is one 9-digit township code' };
  const township = townships[0] ?? null;
  const rules = ruleIdsOf(listParam(query.rule));
  return {
    ok: true,
    value: {
      ruleIds: rules,
      severities: severities.value,
      departments: departments.value,
      townshipCode: township,
      statuses: statuses.value.length ? statuses.value : ['OPEN', 'CONFIRMED'],
    },
  };
}

/**
 * Registers the findings export on an app, behind its access middleware. It loads the rule set
 * first, so a locality's invalid rule file (AIDHUB_RULES_FILE) stops the server at start-up.
 *
 * With a budget, each export takes its cost of the client's cost in flight (MAX_QUERY_COST_IN_FLIGHT,
 * shared with its GraphQL operations) once its parameters are read and before any statement or
 * audit row, and gives it back when its handler and its response have both ended: the file sent,
 * the export failed or refused. A client gone mid-file is abandoned as a query is
 * (server/client-gone.ts): its cost given back at once, counted in aidhub_queries_abandoned_total,
 * and the handler stops after the statement in flight, reading, recording and sending nothing more
 * (until session 47 it held the cost until then, and recorded the page it had read).
 * One that would pass the limit is refused 429 RATE_LIMITED, reason QUERY_COST_IN_FLIGHT,
 * Retry-After: 1 (server/query-cost.ts takeRouteCost).
 */
export function registerFindingExports(app: express.Express, deps: HubDeps, audit?: AuditStore, budget?: RouteBudget | null): void {
  activeRuleSet();
  app.get('/exports/scans/:id/findings.csv', async (req, res, next) => {
    let release = () => {};
    try {
      res.set('Cache-Control', 'no-store');
      const id = String(req.params.id);
      if (!HUB_ID.test(id)) return sendError(res, 400, 'BAD_USER_INPUT', 'MALFORMED_ID', 'the scan id is a positive whole number');
      const parsed = exportFilter(req.query as Record<string, unknown>);
      if (!parsed.ok) return sendError(res, 400, 'BAD_USER_INPUT', 'MALFORMED_FILTER', parsed.message);
      const access = requestAccess(req);
      // Refused as Scan.findings refuses it (access/township.ts): a code that is no township's at once,
      // one outside the caller's scope once the scan is known to be in its reach.
      const township = parsed.value.townshipCode;
      const refused = township ? townshipRefusal(access, township, 'township') : null;
      const refuse = (r: TownshipRefusal) => sendError(res, r.status, r.code, r.reason, r.message, { argument: r.argument });
      if (refused?.reason === 'MALFORMED_DIVISION_CODE') return refuse(refused);
      const held = takeRouteCost(budget, access?.caller?.clientId, res, (message, extensions) => sendError(res, 429, 'RATE_LIMITED', 'QUERY_COST_IN_FLIGHT', message, extensions));
      if (!held) return;
      release = held.release;
      // A client gone mid-file gives its cost back at once, as a query's (server/client-gone.ts): the
      // export reads only the hub's own database, so nothing is stopped on a source, but no page is
      // read, put on record or sent after the statement in flight.
      const request = new RequestReads();
      let pagesSent = 0;
      abandonRouteWhenClientGoes(res, request, held, deps.metrics, () =>
        requestLogger(req, deps.logger).info({ scanId: Number(id), pagesSent }, 'findings export ended early: the client stopped reading and closed the connection; its cost in flight given back'),
      );
      const [scan] = await scansByIds(deps.hub, [Number(id)]);
      // A scan of a division the caller's scope does not touch reads as not found, like a missing one.
      if (!scan || !divisionInReach(access, scan.regionCode)) return sendError(res, 404, 'BAD_USER_INPUT', 'SCAN_NOT_FOUND', 'no scan has this id');
      if (refused) return refuse(refused);
      const unknownRules = await unknownRuleIdsMessage(deps.hub, scan.id, parsed.value.ruleIds ?? []);
      if (unknownRules !== null) return sendError(res, 400, 'BAD_USER_INPUT', 'RULE_NOT_FOUND', unknownRules, { argument: 'rule' });

      const scope = access && isDivisionCode(access.caller.regionScope) ? divisionPrefix(access.caller.regionScope) : null;
      const clear = !access || seesIdNumbers(access.caller, access.purpose);
      // The columns follow the field rules of the types they come from (access/policy.ts): an
      // administrator, who reads findings but no household data, gets the findings without them;
      // prose is rebuilt without health detail for callers not given it.
      const reads = (type: string, field?: string) => {
        const rule = TYPE_RULES[type] as PersonalTypeRule;
        return !access || checkCall((field && rule.fieldReadBy?.[field]) || rule.readBy, type, access.caller, access.purpose) === null;
      };
      const show = { household: reads('Household'), people: reads('Person'), records: reads('AidRecord'), explanation: reads('Finding', 'explanation') };
      const health = !access || seesHealthDetail(access.caller, access.purpose);
      const filter: FindingFilter = { ...parsed.value, regionPrefix: scope };
      const rules = new Map(activeRuleSet().rules.map((r) => [r.id, r]));
      const hub = createHubLoaders(deps.hub);

      // The first page is read before the answer starts, so a township the hub holds nothing of (a
      // typo) is refused as Scan.findings refuses it, not sent as a file without lines.
      let page = await scanFindingsPage(deps.hub, scan.id, filter, PAGE, null);
      if (request.abandoned) return;
      if (page.rows.length === 0 && filter.townshipCode && !(await divisionHeld(deps.hub, filter.townshipCode))) {
        return sendError(res, 400, 'BAD_USER_INPUT', 'REGION_UNKNOWN', UNKNOWN_DIVISION_MESSAGE, { argument: 'township' });
      }

      res.status(200);
      res.type('text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="scan-${scan.id}-findings.csv"`);
      res.write('\uFEFF');
      res.write(stringify([CSV_HEADER]));
      for (;;) {
        // Gone while the page was read: nothing more is read of it.
        if (request.abandoned) return;
        const households = await hub.householdById.loadMany(page.rows.flatMap((r) => (r.householdId === null ? [] : [r.householdId])));
        const regions = await hub.regionByCode.loadMany([...new Set(page.rows.flatMap((r) => (r.regionCode ? [r.regionCode.slice(0, 6), r.townshipCode ?? r.regionCode] : [])))]);
        const household = new Map(households.flatMap((h) => (h && !(h instanceof Error) ? [[h.id, h] as const] : [])));
        const regionName = new Map(regions.flatMap((r) => (r && !(r instanceof Error) ? [[r.code, r.name] as const] : [])));
        const subjects = new Map<string, Subject>();
        const lines = page.rows.map((row) => {
          const f = viewOfRow(row);
          for (const idNumber of f.idNumbers) subjects.set(`P:${idNumber}`, { kind: 'PERSON', idNumber });
          if (f.householdId !== null) subjects.set(`H:${f.householdId}`, { kind: 'HOUSEHOLD', householdId: f.householdId });
          const people = f.idNumbers.map((n) => (clear ? n : maskIdNumber(n)));
          const records = f.records.map((r) => (clear ? recordKey(r) : scrub(recordKey(r))));
          return [
            f.fingerprint,
            f.ruleId,
            rules.get(f.ruleId)?.title ?? f.ruleId,
            SEVERITY_CN[f.severity],
            STATUS_CN[f.status],
            f.ongoing ? '是' : '否',
            row.regionCode ? (regionName.get(row.regionCode.slice(0, 6)) ?? row.regionCode.slice(0, 6)) : '',
            row.townshipCode ? (regionName.get(row.townshipCode) ?? row.townshipCode) : '',
            show.household && f.householdId !== null ? (household.get(f.householdId)?.registrationNo ?? '') : '',
            show.people ? people.join(' ') : '',
            f.departments.map((d: OfficeCode) => DEPARTMENT_NAMES[d]).join('、'),
            show.records ? records.join(' ') : '',
            !show.explanation ? '' : health ? f.explanation : rules.has(f.ruleId) ? explain(rules.get(f.ruleId)!, f.measure, f.records, { health }) : '',
            rules.get(f.ruleId)?.basis ?? '',
            chinaTimeCell(row.firstSeenAt),
            chinaTimeCell(row.lastSeenAt),
          ].map((cell, i) => csvCell(String(cell), CSV_HEADER[i]));
        });
        // Gone meanwhile: the page is neither sent nor put on record as read.
        if (request.abandoned) return;
        // Each page's people are on record before the page goes out.
        await recordShown(audit, access, `GET /exports/scans/${scan.id}/findings.csv`, [...subjects.values()]);
        // Counted as it is handed to the connection, before the wait for it to be taken: a client
        // that goes during that wait was sent it (the log line says so).
        pagesSent += 1;
        if (lines.length > 0 && !res.write(stringify(lines))) await taken(res);
        if (!page.hasNextPage) break;
        // A client that went away (or never read, and then went) is sent no more: the pages after are
        // neither read nor put on record as seen (the log line was written as it went).
        if (request.abandoned || res.destroyed) return;
        page = await scanFindingsPage(deps.hub, scan.id, filter, PAGE, page.rows[page.rows.length - 1].id);
      }
      res.end();
    } catch (err) {
      if (res.headersSent) {
        // Half a file must not pass for a whole one: break the connection rather than end it cleanly.
        res.destroy(err as Error);
        return;
      }
      next(err);
    } finally {
      release();
    }
  });
}
