/**
 * The monitoring API: the inbox of alerts (scoped to the caller's region), one alert, the triggers
 * in force, and the three moves an office makes. Thin: arguments and scope here, the life of an
 * alert in domain/monitoring/alerts.ts, storage in db/monitoring/store.ts.
 */
import { GraphQLError, getArgumentValues, type GraphQLResolveInfo } from 'graphql';
import { alertPage, countAlerts, formerRegionOfMove, HUB_ACTOR, takesOverOrEndsTakeover, lateDecisionAlerts, moveAlertRow, takeOverAlertRow, overdueAlerts, triggerIdsOfAlerts, unacknowledgedAlerts, type AlertEventRow, type AlertRow } from '../../db/monitoring/store';
import { fromDbInstant } from '../../db/instants';
import { chinaDateOf } from '../../domain/cases/china-time';
import { caseAndPredecessorIdsOf } from '../../domain/cases/chain';
import { addDays, type IsoDate } from '../../domain/dates';
import { officeInCounty, parseOffice, storedOfficeIn, townshipOf, type Office } from '../../domain/cases/offices';
import { decodeIdCursor, encodeIdCursor } from '../../domain/cursor';
import { divisionPrefix, isDivisionCode } from '../../domain/division-code';
import { ALERT_OWNER, SUPERVISOR_OFFICE, acknowledgementOverdue, alertAudienceOf, alertConcerns, alertCallerOf, alertOverdue, escalationCounty, isAlertSupervisor, isAlertVerifier, type AlertCaller, type AlertMove } from '../../domain/monitoring/alerts';
import { activeTriggerSet } from '../../rules/triggers-load';
import { TRIGGER_ID_SHAPE, TRIGGER_ID_SHAPE_MESSAGE, unknownTriggersMessage, type TriggerView } from '../../domain/monitoring/triggers';
import { badInput, requireDivisionCode, requireHubId } from '../../access/errors';
import { subjectsOf } from '../../access/policy';
import type { AlertErrorCode, Resolvers } from '../__generated__/types';
import { pageOf, pageSize, positionAfter, refuseUnknownDivision } from '../common';
import type { AlertEventView, AlertView } from './models';
import type { HubContext } from '../context';
import { firstChars, longerThan } from '../../domain/text-length';
import { identifyingNumberMessage, screenedProse } from '../../domain/text-screen';

const ALERTS = 'AL';

const MESSAGES: Record<AlertErrorCode, string> = {
  ALERT_NOT_FOUND: 'no alert with this id',
  ILLEGAL_ALERT_TRANSITION: 'this move is not allowed from the alert’s state',
  REASON_REQUIRED: 'a reason is required',
  NO_HOUSEHOLD: 'the person is in no household: no case can be opened',
  NOT_ALERT_VERIFIER: 'only the alert’s verifier acts on it (Alert.verifier, named there; Alert.takenOver once civil affairs took it over); county or city civil affairs may take it over first (alertTakeOver)',
  NOT_ALERT_SUPERVISOR: 'only a county’s or the city’s civil affairs office takes an alert over',
  ALREADY_VERIFIER: 'this office is the alert’s verifier already',
  IDENTIFYING_NUMBER: 'every office that reads the alert reads its reasons and notes: no mobile number and no bank card or account number, however written (dates, amounts and document numbers are fine; an ID number is kept masked)',
  TEXT_INVISIBLE_CHARACTER: 'the text holds an invisible or formatting character: what a reader sees would not be what was screened',
};

function refused(code: AlertErrorCode, field: string[], state: AlertRow['state'] | null = null) {
  // The README promises the state found with ILLEGAL_ALERT_TRANSITION: in \`state\` and in the message read by a person.
  const message = code === 'ILLEGAL_ALERT_TRANSITION' && state !== null ? `this move is not allowed from the alert’s state ${state}` : MESSAGES[code];
  return { alert: null, case: null, userErrors: [{ code, message, field, state }] };
}

/** The caller's scope as a division prefix; null for a caller with no region limit. */
function scopePrefix(ctx: HubContext): string | null {
  const scope = ctx.access?.caller?.regionScope;
  return scope && isDivisionCode(scope) ? divisionPrefix(scope) : null;
}

/** In the caller's scope, and one its department may read (domain/monitoring/alerts.ts alertConcerns). */
export function inReach(ctx: HubContext, a: AlertRow): boolean {
  const scope = scopePrefix(ctx);
  if (scope !== null && !a.regionCode.startsWith(scope)) return false;
  const caller = ctx.access?.caller;
  return !caller || alertConcerns(caller.department, alertAudienceOf(a));
}

/** The department whose alerts alone the caller lists (alertConcerns), or undefined for civil affairs, which lists them all. */
function concernedDepartment(ctx: HubContext): string | undefined {
  const department = ctx.access?.caller?.department;
  return department === undefined || department === ALERT_OWNER ? undefined : department;
}

function trigger(id: string): TriggerView {
  const t = activeTriggerSet().triggers.find((x) => x.id === id);
  // A trigger removed from the set since: its alerts keep their id and read as switched off.
  return t ?? { id, kind: 'REMOVED', name: id, basis: 'no longer in the trigger set', enabled: false };
}

/** Who acts: the client (and officer); the office is the client's township, or its department. */
export function actorOf(ctx: HubContext, officer: string | null | undefined): { actor: string; office: string } {
  const caller = ctx.access?.caller;
  if (!caller) throw new GraphQLError('This request carries no valid access token', { extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_MISSING' } });
  const o = ctx.access.officerOr(officer, 'input.officer');
  if (longerThan(o, 64)) throw badInput('input.officer', 'TOO_LONG', 'officer is at most 64 characters');
  return { actor: firstChars(o ? `${caller.name}/${o}` : caller.name, 64), office: alertCallerOf(caller).office };
}

/** The caller as the alert rules see it: the office it acts for, its scope and department. */
function alertCaller(ctx: HubContext): AlertCaller {
  const caller = ctx.access?.caller;
  if (!caller) throw new GraphQLError('This request carries no valid access token', { extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_MISSING' } });
  return alertCallerOf(caller);
}

/**
 * The office that verifies the alert, named where the alert is (its township, not where its household
 * may have moved since): the township, or a department as the county office of the alert's township
 * (任城区民政局 once civil affairs took it over). Alert.verifier, and the signature of its village notice.
 */
export function verifierOfficeOf(a: Pick<AlertRow, 'verifierOffice' | 'townshipCode'>): Office {
  return officeInCounty(parseOffice(a.verifierOffice) ?? { kind: 'TOWNSHIP', key: a.townshipCode, townshipCode: a.townshipCode }, a.townshipCode);
}

/** Whether the caller is the alert's verifier (domain/monitoring/alerts.ts isAlertVerifier). */
export function callerVerifies(ctx: HubContext, a: Pick<AlertRow, 'verifierOffice'>): boolean {
  return isAlertVerifier(a.verifierOffice, alertCaller(ctx));
}

/**
 * The alert a write names, or null when it is out of the caller's reach (read as not found). Its
 * person and household go on the audit trail, refused or reached, whatever the write's payload
 * selects: an alert signed for, verified, dismissed or noticed with only `userErrors` asked for left
 * the person's trail without it (subject NONE), as a case write's household (cases' inReach).
 */
async function loadInReach(ctx: HubContext, rawId: string): Promise<AlertRow | null> {
  const row = await ctx.loaders.monitoring.alertById.load(requireHubId(rawId, 'input.alertId', 'alert id'));
  return row && reachedAlert(ctx, row) ? row : null;
}

/**
 * Whether the alert a write acts on, or `alert(id)` reads, is in the caller's reach (inReach), its
 * person and household recorded on the audit trail either way, refused or reached (loadInReach; the
 * village notice's writes, resolvers/monitoring/notice.ts).
 */
export function reachedAlert(ctx: HubContext, a: AlertRow): boolean {
  const reached = inReach(ctx, a);
  ctx.access?.record(subjectsOf('Alert', a), !reached);
  return reached;
}

/**
 * A reason or note an office writes on an alert, kept in its history, which every office reading the
 * alert reads in scope: screened as prose (domain/text-screen.ts screenedProse) and refused, never
 * rewritten, for a mobile number, a bank card or account, an invisible character. Dates, amounts and
 * document numbers pass, and an ID number is masked as in all prose (resolvers/text-inputs.ts). What
 * it tells of health is not refused (已纳入医疗救助 is how a township explains a hospital-cost alert):
 * the reasons are withheld as the alert's health detail is (access/policy.ts, Alert.reason).
 * Every move and takeover hands its refusal to the store, judged after the retry check
 * (db/monitoring/store.ts ScreenedUnlessRepeated): a retry of a move made before the screen, whose
 * reason it would refuse, is still answered with the alert, as idempotent as any retry.
 */
function textRefusal(text: string | null): TextRefusal | null {
  if (text === null) return null;
  const shown = screenedProse(text);
  if (shown.ok) return null;
  return shown.problem === 'INVISIBLE_CHARACTER' ? { code: 'TEXT_INVISIBLE_CHARACTER', found: null } : { code: 'IDENTIFYING_NUMBER', found: shown.found ?? null };
}

interface TextRefusal {
  code: 'IDENTIFYING_NUMBER' | 'TEXT_INVISIBLE_CHARACTER';
  /** The number found, masked (138****5678, ****7890): named to the writer, never in clear. */
  found: string | null;
}

/** The user error of a move or takeover refused for its reason or note (`field`): the number found named, masked, in the message and in `found`. */
function refusedText(refusal: TextRefusal, field: string) {
  const message = refusal.found === null ? MESSAGES[refusal.code] : `${identifyingNumberMessage(field, refusal.found)}; ${MESSAGES.IDENTIFYING_NUMBER}`;
  return { code: refusal.code, message, field: ['input', field], state: null, found: refusal.found };
}

async function move(ctx: HubContext, rawId: string, m: AlertMove, officer: string | null | undefined, reason: string | null, extra: { outcome?: 'NEEDS_AID' | 'NO_NEED' } = {}) {
  const row = await loadInReach(ctx, rawId);
  if (!row) return refused('ALERT_NOT_FOUND', ['input', 'alertId']);
  if (!callerVerifies(ctx, row)) return refused('NOT_ALERT_VERIFIER', ['input', 'alertId'], row.state);
  const field = m === 'ACKNOWLEDGE' ? 'note' : 'reason';
  if (reason !== null && longerThan(reason, 2000)) throw badInput(`input.${field}`, 'TOO_LONG', `${field} is at most 2000 characters`);
  const screened = textRefusal(reason);
  const who = actorOf(ctx, officer);
  const needsAid = extra.outcome === 'NEEDS_AID';
  if (needsAid && row.householdId === null) return refused('NO_HOUSEHOLD', ['input', 'outcome']);
  const out = await moveAlertRow(ctx.hub, row.id, {
    move: m,
    actor: who.actor,
    office: who.office,
    reason,
    outcome: extra.outcome,
    verifierOffice: row.verifierOffice,
    now: ctx.now(),
    refusedUnlessRepeated: screened?.code ?? null,
    openCase: needsAid ? { summary: `监测预警核实需救助：${trigger(row.triggerId).name}（预警 ${row.id}）`, townshipCode: row.townshipCode, urgency: row.grade === 'RED' ? 'URGENT' : 'NORMAL' } : undefined,
  });
  ctx.loaders.monitoring.alertById.clear(row.id);
  ctx.loaders.monitoring.eventsByAlert.clear(row.id);
  if (!out.ok && screened && out.refusal.code === screened.code) return { alert: null, case: null, userErrors: [refusedText(screened, field)] };
  if (!out.ok) return refused(out.refusal.code, out.refusal.code === 'ILLEGAL_ALERT_TRANSITION' ? [] : ['input', 'alertId'], out.refusal.state);
  ctx.loaders.monitoring.alertById.prime(row.id, out.alert);
  const opened = out.alert.caseId !== null && needsAid ? await ctx.loaders.cases.caseById.load(out.alert.caseId) : null;
  return { alert: out.alert, case: opened, userErrors: [] };
}

/**
 * Each event with the township its alert was in when it was made: the alert's own now, and before
 * each move the township it left (as the move's event records it, from the latest one back).
 */
function eventsWithTownship(a: AlertRow, events: readonly AlertEventRow[]): AlertEventView[] {
  const out: AlertEventView[] = [];
  let township = a.townshipCode;
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const e = events[i];
    out.push({ ...e, townshipCode: township, alert: a });
    const left = formerRegionOfMove(e);
    if (left !== null) township = townshipOf(left);
  }
  return out.reverse();
}

/** The arguments of the enclosing overdueReport. */
type OverdueArgs = { asOf?: Date | null; regionCode?: string | null; shortfallsSince?: string | null };

/** The arguments of the enclosing overdueReport, as the schema coerced them. */
function overdueArgs(info: GraphQLResolveInfo | undefined): OverdueArgs {
  if (!info) return {};
  const key = info.path.prev?.key;
  const queryType = info.schema.getQueryType();
  const field = queryType?.getFields().overdueReport;
  const node = info.operation.selectionSet.selections.find((s) => s.kind === 'Field' && (s.alias?.value ?? s.name.value) === key);
  return field && node && node.kind === 'Field' ? (getArgumentValues(field, node, info.variableValues) as OverdueArgs) : {};
}

/**
 * The enclosing overdueReport's asOf when it lies in the past, else null: the report then shows the
 * alerts as they stood at it, those signed for or closed since included, as it shows slips and cases.
 */
function pastAsOf(ctx: HubContext, info: GraphQLResolveInfo | undefined): Date | null {
  const asOf = overdueArgs(info).asOf ?? null;
  // Past by the clock and not after the hub's day (a hub whose day is held, as in a drill, reads by it).
  return asOf !== null && asOf < ctx.now() && chinaDateOf(asOf) <= ctx.today ? asOf : null;
}

/**
 * The report's items with their standing measured at a future asOf's day (AlertView.standingOn): the
 * report lists what will be late by then if nothing changes, and each item says so, as a slip's
 * overdue says it at asOf. Today's or a past asOf's items are as they stand now (README: a past
 * asOf lists what was late then, each as it stands now).
 */
function standingAt(rows: readonly AlertRow[], asOfDay: IsoDate, ctx: HubContext): AlertView[] {
  for (const r of rows) ctx.loaders.monitoring.alertById.prime(r.id, r);
  return asOfDay > ctx.today ? rows.map((r) => ({ ...r, standingOn: asOfDay })) : [...rows];
}

/**
 * The division the enclosing overdueReport was asked about (its regionCode, else the caller's scope),
 * as a prefix of the alerts' village codes. A village is itself, not its township: alerts are kept by
 * village, and the policy holds a regionCode to the caller's scope, so a village's client (its scope
 * 12 digits) reads its village, and a township's asking about one of its villages reads that village.
 * (The case lists beside them read a village's households' cases: db/cases/records.ts caseInRegion.)
 */
function overdueRegion(ctx: HubContext, info: GraphQLResolveInfo | undefined): string | null {
  if (!info) return scopePrefix(ctx);
  const code = overdueArgs(info).regionCode || ctx.access?.caller?.regionScope || null;
  return code === null ? null : divisionPrefix(code);
}

export const monitoringResolvers: Resolvers = {
  Query: {
    triggers: () => [...activeTriggerSet().triggers],
    alert: async (_, args, ctx) => {
      const row = await ctx.loaders.monitoring.alertById.load(requireHubId(args.id, 'id', 'alert id'));
      // Out of reach reads as not found, and is on the person's and household's trail as refused, as
      // case(id), referral(id) and finding(id) are: it recorded NONE, so accessLog did not show the
      // attempt (reachedAlert records them either way).
      return row && reachedAlert(ctx, row) ? row : null;
    },
    alerts: async (_, args, ctx) => {
      const f = args.filter ?? {};
      const scope = scopePrefix(ctx);
      let prefix = scope ?? '';
      const region = f.regionCode ? requireDivisionCode(f.regionCode, 'filter.regionCode') : null;
      if (region) {
        const asked = divisionPrefix(region);
        // Narrower than the scope: use it; wider: the scope still bounds it (the policy refuses a region outside).
        if (asked.startsWith(prefix)) prefix = asked;
      }
      // A trigger id that is none of the set (a typo) is refused as a subscription refuses it, not listed
      // as no alerts; one removed from the set since is still found while alerts in reach carry it.
      if ((f.triggers ?? []).some((t) => !TRIGGER_ID_SHAPE.test(t))) throw badInput('filter.triggers', 'TRIGGER_INVALID', TRIGGER_ID_SHAPE_MESSAGE);
      const set = activeTriggerSet();
      const outsideSet = (f.triggers ?? []).filter((id) => !set.triggers.some((t) => t.id === id));
      const removed = outsideSet.length === 0 ? new Set<string>() : await triggerIdsOfAlerts(ctx.hub, prefix, outsideSet);
      const unknownTriggers = unknownTriggersMessage(set, f.triggers ?? [], removed);
      if (unknownTriggers !== null) throw badInput('filter.triggers', 'TRIGGER_NOT_FOUND', unknownTriggers);
      const first = pageSize(args.first, 50, ctx.config.maxListSize);
      const after = positionAfter(args.after, (c) => decodeIdCursor(ALERTS, c));
      const filter = { regionPrefix: prefix, grades: f.grades ?? undefined, states: f.states ?? undefined, triggers: f.triggers ?? undefined, overdue: f.overdue ?? undefined, acknowledgementOverdue: f.acknowledgementOverdue ?? undefined, concerning: concernedDepartment(ctx), today: ctx.today };
      const rows = await alertPage(ctx.hub, { ...filter, after, limit: first + 1 });
      await refuseUnknownDivision(ctx.hub, region, 'filter.regionCode', rows.length === 0 && !after);
      for (const r of rows) ctx.loaders.monitoring.alertById.prime(r.id, r);
      return {
        ...pageOf({ rows: rows.slice(0, first), hasNextPage: rows.length > first }, (r) => encodeIdCursor(ALERTS, r.id), (r) => r),
        totalCount: () => countAlerts(ctx.hub, filter),
      };
    },
  },
  Mutation: {
    alertAcknowledge: async (_, { input }, ctx) => {
      const { alert, userErrors } = await move(ctx, input.alertId, 'ACKNOWLEDGE', input.officer, input.note?.trim() || null);
      return { alert, userErrors };
    },
    alertVerify: async (_, { input }, ctx) => {
      const reason = input.reason?.trim() || null;
      if (input.outcome === 'NO_NEED' && !reason) return refused('REASON_REQUIRED', ['input', 'reason']);
      return move(ctx, input.alertId, 'VERIFY', input.officer, reason, { outcome: input.outcome });
    },
    alertTakeOver: async (_, { input }, ctx) => {
      const notTaken = (code: AlertErrorCode, field: string[], state: AlertRow['state'] | null = null) => ({ alert: null, repeated: false, userErrors: refused(code, field, state).userErrors });
      const row = await loadInReach(ctx, input.alertId);
      if (!row) return notTaken('ALERT_NOT_FOUND', ['input', 'alertId']);
      if (!isAlertSupervisor(alertCaller(ctx))) return notTaken('NOT_ALERT_SUPERVISOR', ['input', 'alertId'], row.state);
      const reason = input.reason.trim();
      if (!reason) return notTaken('REASON_REQUIRED', ['input', 'reason']);
      if (longerThan(reason, 2000)) throw badInput('input.reason', 'TOO_LONG', 'reason is at most 2000 characters');
      const screened = textRefusal(reason);
      const who = actorOf(ctx, input.officer);
      const out = await takeOverAlertRow(ctx.hub, row.id, { office: SUPERVISOR_OFFICE, actor: who.actor, reason, now: ctx.now(), refusedUnlessRepeated: screened?.code ?? null });
      ctx.loaders.monitoring.alertById.clear(row.id);
      ctx.loaders.monitoring.eventsByAlert.clear(row.id);
      if (!out.ok && screened && out.code === screened.code) return { alert: null, repeated: false, userErrors: [refusedText(screened, 'reason')] };
      if (!out.ok) return notTaken(out.code, out.code === 'ALERT_NOT_FOUND' ? ['input', 'alertId'] : [], out.state);
      return { alert: out.alert, repeated: out.repeated, userErrors: [] };
    },
    alertDismiss: async (_, { input }, ctx) => {
      const reason = input.reason.trim();
      if (!reason) return { alert: null, userErrors: refused('REASON_REQUIRED', ['input', 'reason']).userErrors };
      const { alert, userErrors } = await move(ctx, input.alertId, 'DISMISS', input.officer, reason);
      return { alert, userErrors };
    },
  },
  Alert: {
    id: (a) => String(a.id),
    trigger: (a) => trigger(a.triggerId),
    person: (a, _, ctx) => ctx.loaders.hub.personByIdNumber.load(a.subjectIdNumber),
    household: (a, _, ctx) => (a.householdId === null ? null : ctx.loaders.hub.householdById.load(a.householdId)),
    region: async (a, _, ctx) => (await ctx.loaders.hub.regionByCode.load(a.regionCode)) ?? { code: a.regionCode, name: a.regionCode, level: 'VILLAGE', parentCode: null },
    evidence: (a) => JSON.parse(a.evidence) as string[],
    evidenceReferences: (a) => JSON.parse(a.evidenceRefs) as string[],
    verifier: (a) => verifierOfficeOf(a),
    raisedAt: (a) => fromDbInstant(a.raisedAt),
    acknowledgeFrom: (a) => a.acknowledgeFrom ?? a.firstClueOn,
    takenOver: async (a, _, ctx) => {
      // The latest takeover, unless the alert moved to another township since (which verifies it now).
      // A move with its case's hand-over keeps civil affairs as verifier (the new county's): the
      // takeover stands, named as its history names it (the office that took it over, where it acted).
      const events = eventsWithTownship(a, await ctx.loaders.monitoring.eventsByAlert.load(a.id));
      const last = events.filter(takesOverOrEndsTakeover).at(-1);
      if (last?.action !== 'TAKEN_OVER') return null;
      return { office: storedOfficeIn(last.actorOffice, last.townshipCode), by: last.actor, at: fromDbInstant(last.at), reason: last.reason ?? '', alert: a };
    },
    overdue: (a, _, ctx) => alertOverdue(a.state, a.verifyBy, a.standingOn ?? ctx.today),
    acknowledgementOverdue: (a, _, ctx) => acknowledgementOverdue(a.state, a.acknowledgeBy, a.standingOn ?? ctx.today),
    escalatedTo: (a, _, ctx) => (alertOverdue(a.state, a.verifyBy, a.standingOn ?? ctx.today) ? ctx.loaders.hub.regionByCode.load(escalationCounty(a.regionCode)) : null),
    case: (a, _, ctx) => (a.caseId === null ? null : ctx.loaders.cases.caseById.load(a.caseId)),
    history: async (a, _, ctx) => eventsWithTownship(a, await ctx.loaders.monitoring.eventsByAlert.load(a.id)),
  },
  AlertEvent: {
    at: (e) => fromDbInstant(e.at),
    // Named as Alert.verifier names it: a department's office is that of the county the alert was in then.
    office: (e) => (e.actorOffice === HUB_ACTOR.office ? null : storedOfficeIn(e.actorOffice, e.townshipCode)),
  },
  OverdueReport: {
    alerts: async (report, _, ctx, info) => {
      const day = chinaDateOf(report.asOf);
      return standingAt(await overdueAlerts(ctx.hub, overdueRegion(ctx, info), day, pastAsOf(ctx, info)), day, ctx);
    },
    alertsUnacknowledged: async (report, _, ctx, info) => {
      const day = chinaDateOf(report.asOf);
      return standingAt(await unacknowledgedAlerts(ctx.hub, overdueRegion(ctx, info), day, pastAsOf(ctx, info)), day, ctx);
    },
    alertsDecisionLate: async (report, _, ctx, info) => {
      const today = chinaDateOf(report.asOf);
      // Decided late within the report's period, as its shortfalls are (default the year up to asOf).
      const since = overdueArgs(info).shortfallsSince ?? addDays(today, -365);
      const rows = await lateDecisionAlerts(ctx.hub, overdueRegion(ctx, info), today, since);
      for (const r of rows) ctx.loaders.monitoring.alertById.prime(r.id, r);
      return rows;
    },
  },
  Case: {
    // A successor (caseHandOver) carries the alert of the case it continues, its decision and notice:
    // the alert of the chain of hand-overs, read over the household's cases (one statement each).
    alert: async (c, _, ctx) => {
      if (c.origin !== 'ALERT') return null;
      const own = ctx.loaders.monitoring.alertByCase.load(c.id);
      if (c.predecessorCaseId === null) return own;
      // Its own alert is asked at once, in the batch of any other case's read beside it (the case it
      // continues, asked in the same request, had a statement of its own when the chain was read
      // after the household's cases came back); the chain's others then come from the cache.
      const [chain] = await Promise.all([ctx.loaders.cases.casesByHousehold.load(c.householdId).then((cases) => caseAndPredecessorIdsOf(c, cases)), own]);
      const alerts = await ctx.loaders.monitoring.alertByCase.loadMany(chain);
      return alerts.find((a): a is AlertRow => a !== null && !(a instanceof Error)) ?? null;
    },
  },
};
