/**
 * The village notice (村内公示) of an alert verified as NEEDS_AID: the township (or county) that
 * verified it posts it, and the hub composes what the board shows from the household, never from
 * the alert (its trigger and evidence, like the case's summary, name illnesses and stays). The
 * locality's rules (rules/triggers.json `notice`) give the period and how the head is named; the
 * case is decided only after the period (db/cases/store.ts). Rules in domain/monitoring/notice.ts.
 */
import { fromDbInstant, toDbInstant } from '../../db/instants';
import { noticeAlertOf, objectionById, objectionByKey, postNotice, recordObjection, resolveObjection, withdrawNotice, type NoticeRow, type ObjectionRow } from '../../db/monitoring/notices';
import { chinaDateOf } from '../../domain/cases/china-time';
import { typedCode } from '../../domain/aid';
import { OBJECTION_PHONE, maskHeadName, noticeDecisionWarning, noticeEndsOn, type NoticeWarning, noticeText, noticeTextProblem, periodText, type NoticeMeasure } from '../../domain/monitoring/notice';
import { longerThan } from '../../domain/text-length';
import { screenedText } from '../../domain/text-screen';
import { badInput, requireHubId } from '../../access/errors';
import { randomUUID } from 'node:crypto';
import { activeTriggerSet } from '../../rules/triggers-load';
import type { Resolvers, VillageNoticeErrorCode } from '../__generated__/types';
import type { HubContext } from '../context';
import type { CaseRecord } from '../../db/cases/records';
import { actorOf, callerVerifies, reachedAlert, verifierOfficeOf } from './resolvers';
import { officeNameOf } from '../cases/office-name';

/** The alert's live notice (null when none is posted, or the last was withdrawn), and the last posted. */
async function noticesOf(ctx: HubContext, alertId: number): Promise<{ all: readonly NoticeRow[]; live: NoticeRow | null; last: NoticeRow | null }> {
  const all = await ctx.loaders.monitoring.noticesByAlert.load(alertId);
  return { all, live: all.find((n) => n.liveAlertId !== null) ?? null, last: all.at(-1) ?? null };
}

/**
 * The case the alert's decision lies with now: the case it opened or, once that was handed over
 * (caseHandOver), the successor continuing it (one loader call per hand-over).
 */
async function decidingCase(ctx: HubContext, caseId: number): Promise<CaseRecord | null> {
  let c = await ctx.loaders.cases.caseById.load(caseId);
  const seen = new Set<number>();
  while (c?.state === 'HANDED_OVER' && !seen.has(c.id)) {
    seen.add(c.id);
    const next = await ctx.loaders.cases.successorByCase.load(c.id);
    if (!next) break;
    c = next;
  }
  return c;
}

function clearNotices(ctx: HubContext, alertId: number): void {
  ctx.loaders.monitoring.noticesByAlert.clear(alertId);
}

type Refusal = { notice: null; repeated: false; userErrors: { code: VillageNoticeErrorCode; message: string; field: string[] }[] };

function refused(code: VillageNoticeErrorCode, message: string, field: string[]): Refusal {
  return { notice: null, repeated: false, userErrors: [{ code, message, field }] };
}

const TEXT_PROBLEM_MESSAGE = {
  IDENTIFYING_NUMBER: 'a notice shows no ID number, phone or account: no run of digits (the objection line goes in objectionPhone)',
  HEALTH_DATA: 'a notice shows no health data, not even as a place or cause',
  NAMES_A_MEMBER: 'a notice names the household only by the head’s masked name',
} as const;

export interface NoticePostInput {
  alertId: string;
  measures: readonly NoticeMeasure[];
  objectionContact: string;
  objectionPhone?: string | null;
  postedOn?: string | null;
  officer?: string | null;
}

export async function postVillageNotice(ctx: HubContext, input: NoticePostInput): Promise<{ notice: NoticeRow; repeated: boolean; userErrors: []; warnings: NoticeWarning[] } | Refusal> {
  const alertId = requireHubId(input.alertId, 'input.alertId', 'alert id');
  const alert = await ctx.loaders.monitoring.alertById.load(alertId);
  if (!alert || !reachedAlert(ctx, alert)) return refused('ALERT_NOT_FOUND', 'no alert with this id', ['input', 'alertId']);
  const who = actorOf(ctx, input.officer);
  if (!callerVerifies(ctx, alert)) return refused('NOT_ALERT_VERIFIER', 'only the alert’s verifier posts its notice (Alert.verifier)', ['input', 'alertId']);
  if (alert.state !== 'VERIFIED' || alert.outcome !== 'NEEDS_AID' || alert.caseId === null) return refused('ALERT_NOT_VERIFIED', 'verify the alert as NEEDS_AID first', ['input', 'alertId']);
  // After a hand-over the notice precedes the successor's decision.
  const c = await decidingCase(ctx, alert.caseId);
  if (!c) return refused('ALERT_NOT_VERIFIED', 'the alert opened no case', ['input', 'alertId']);

  if (input.measures.length === 0 || new Set(input.measures).size !== input.measures.length) return refused('MEASURES_INVALID', 'give at least one measure, each once', ['input', 'measures']);
  const contact = input.objectionContact.trim().normalize('NFC');
  if (!contact) return refused('TEXT_REQUIRED', 'say where to object', ['input', 'objectionContact']);
  if (longerThan(contact, 100)) return refused('TEXT_TOO_LONG', 'objectionContact is at most 100 characters', ['input', 'objectionContact']);
  const shown = screenedText(contact);
  if (!shown.ok) return refused(shown.problem === 'INVISIBLE_CHARACTER' ? 'TEXT_INVISIBLE_CHARACTER' : 'IDENTIFYING_NUMBER', shown.problem === 'INVISIBLE_CHARACTER' ? `objectionContact holds an invisible character (${shown.codePoint}): a notice shows what it says` : TEXT_PROBLEM_MESSAGE.IDENTIFYING_NUMBER, ['input', 'objectionContact']);
  const members = await ctx.loaders.hub.membersByHousehold.load(c.householdId);
  const problem = noticeTextProblem(shown.text, { names: members.map((m) => m.person.name), idNumbers: members.map((m) => m.person.idNumber) });
  if (problem) return refused(problem, TEXT_PROBLEM_MESSAGE[problem], ['input', 'objectionContact']);
  // Read as typed with a Chinese input method in full-width mode (０５３７－２３４５６７８ is the line
  // asked for, and was PHONE_INVALID), and posted in ASCII, as codes are read (typedCode).
  const phone = typedCode(input.objectionPhone);
  if (phone !== null && !OBJECTION_PHONE.test(phone)) return refused('PHONE_INVALID', 'the objection line is an office’s landline, written 区号-号码 (0537-2345678)', ['input', 'objectionPhone']);

  const events = await ctx.loaders.monitoring.eventsByAlert.load(alert.id);
  const verified = events.find((e) => e.action === 'VERIFIED');
  const verifiedOn = verified ? chinaDateOf(fromDbInstant(verified.at)) : ctx.today;
  // After a withdrawal, the posting is the corrected notice (更正), from the day of the withdrawal.
  const { live, last } = await noticesOf(ctx, alert.id);
  const correction = live === null && last !== null;
  const withdrawnOn = correction && last.withdrawnAt ? chinaDateOf(fromDbInstant(last.withdrawnAt)) : null;
  const earliest = withdrawnOn !== null && withdrawnOn > verifiedOn ? withdrawnOn : verifiedOn;
  // Left out, it is today, unless a notice is live: then the request can only be a retry of it (any
  // other posting is refused), which a day later defaulted to the new today and read as another.
  const postedOn = input.postedOn ?? live?.postedOn ?? ctx.today;
  if (postedOn < earliest || postedOn > ctx.today)
    return refused('POSTED_ON_OUT_OF_RANGE', withdrawnOn !== null ? `a corrected notice is posted from the day the last was withdrawn (${withdrawnOn}) to today` : `postedOn is from the day of verification (${verifiedOn}) to today`, ['input', 'postedOn']);

  const head = members.find((m) => m.relation === 'HEAD');
  if (!head) return refused('NO_HOUSEHOLD_HEAD', 'the household has no current head to name', ['input', 'alertId']);
  const household = await ctx.loaders.hub.householdById.load(c.householdId);
  const regionCode = household?.regionCode ?? alert.regionCode;
  // The notice is signed by the office that verified the household and posts it: the township, or
  // the county office that took the alert over (or a department that verifies it), as Alert.verifier
  // names it. A notice signed 古槐街道 that the county posted told the village the wrong issuer, and
  // one posted by 古槐街道 after the household moved to 济阳街道 was signed 济阳街道.
  const [village, issuerName] = await Promise.all([ctx.loaders.hub.regionByCode.load(regionCode), officeNameOf(ctx, verifierOfficeOf(alert))]);

  const { notice: rules, lastDayOff } = activeTriggerSet();
  const { endsOn, provisional } = noticeEndsOn(postedOn, rules, lastDayOff);
  const facts = {
    villageName: village?.name ?? regionCode,
    issuerName,
    headName: maskHeadName(head.person.name, rules.headName),
    // Members living on the day it is posted.
    householdSize: members.filter((m) => m.person.deathDate === null || m.person.deathDate > postedOn).length,
    measures: input.measures,
    postedOn,
    endsOn,
    periodText: periodText(rules),
    objectionContact: contact,
    objectionPhone: phone,
    correction,
  };
  const out = await postNotice(ctx.hub, {
    alertId: alert.id,
    caseId: c.id,
    householdId: c.householdId,
    regionCode,
    villageName: facts.villageName,
    headName: facts.headName,
    householdSize: facts.householdSize,
    measures: JSON.stringify(input.measures),
    objectionContact: contact,
    objectionPhone: phone,
    postedOn,
    periodText: facts.periodText,
    endsOn,
    provisional,
    text: noticeText(facts),
    correction,
    postedBy: who.actor,
    postedOffice: who.office,
    recordedAt: toDbInstant(ctx.now()),
  });
  clearNotices(ctx, alert.id);
  if (!out.ok) return refused('NOTICE_ALREADY_POSTED', `the alert’s notice was posted on ${out.existing.postedOn}, running through ${out.existing.endsOn}`, ['input', 'alertId']);
  // Counted from the notice as it stands (a repeat answers the first posting's days).
  const warning = noticeDecisionWarning(out.notice.endsOn, alert.decideBy);
  return { notice: out.notice, repeated: out.repeated, userErrors: [], warnings: warning ? [warning] : [] };
}

export interface ObjectionInput {
  alertId: string;
  kind: 'ELIGIBILITY_DOUBTED' | 'FACTS_WRONG' | 'MEASURE_DOUBTED' | 'OTHER';
  receivedOn?: string | null;
  officer?: string | null;
  idempotencyKey?: string | null;
}

/**
 * An objection received while the notice runs (异议): its day and kind only. The hub keeps who
 * objected and what they said nowhere, so nothing of it can reach a log or another office.
 */
export async function recordNoticeObjection(ctx: HubContext, input: ObjectionInput): Promise<{ notice: NoticeRow; repeated: boolean; userErrors: [] } | Refusal> {
  const alertId = requireHubId(input.alertId, 'input.alertId', 'alert id');
  const key = input.idempotencyKey ?? null;
  if (key !== null && (key.length < 1 || longerThan(key, 64))) throw badInput('input.idempotencyKey', 'MALFORMED_IDEMPOTENCY_KEY', 'idempotencyKey is 1 to 64 characters');
  const alert = await ctx.loaders.monitoring.alertById.load(alertId);
  if (!alert || !reachedAlert(ctx, alert)) return refused('ALERT_NOT_FOUND', 'no alert with this id', ['input', 'alertId']);
  const who = actorOf(ctx, input.officer);
  if (!callerVerifies(ctx, alert)) return refused('NOT_ALERT_VERIFIER', 'only the alert’s verifier records objections to its notice (Alert.verifier)', ['input', 'alertId']);
  const { all, live: notice, last } = await noticesOf(ctx, alert.id);
  const client = ctx.access?.caller?.clientId;
  // Keys are the client's own: kept per office and client, as a case write keeps them.
  const scopedKey = key === null ? null : `${who.office}/c${client ?? ''}:${key}`;
  // A retry is answered with the first objection whenever it arrives: the next day (receivedOn
  // defaults to today, which has moved), once the notice has run, or after it was withdrawn.
  const earlier = scopedKey === null ? null : await objectionByKey(ctx.hub, scopedKey);
  if (earlier) {
    const itsNotice = all.find((n) => n.id === earlier.noticeId);
    if (!itsNotice || earlier.kind !== input.kind || (input.receivedOn != null && input.receivedOn !== earlier.receivedOn))
      return refused('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for another objection', ['input', 'idempotencyKey']);
    return { notice: itsNotice, repeated: true, userErrors: [] };
  }
  if (!notice && last) return refused('NOTICE_WITHDRAWN', 'the alert’s notice was withdrawn: post the corrected notice first', ['input', 'alertId']);
  if (!notice) return refused('NOTICE_NOT_POSTED', 'the alert has no village notice', ['input', 'alertId']);
  const receivedOn = input.receivedOn ?? ctx.today;
  if (receivedOn < notice.postedOn || receivedOn > notice.endsOn || receivedOn > ctx.today)
    // Said in the notice's own terms: its text names the period from the day after posting, while an
    // objection is taken from the day it went up (the message read as if the two disagreed).
    return refused('OBJECTION_OUTSIDE_PERIOD', `an objection is recorded from the day the notice was posted (${notice.postedOn}) through its last day (${notice.endsOn}), and not after today (${ctx.today})`, ['input', 'receivedOn']);
  const out = await recordObjection(ctx.hub, {
    noticeId: notice.id,
    receivedOn,
    kind: input.kind,
    recordedBy: who.actor,
    recordedOffice: who.office,
    idempotencyKey: scopedKey ?? `none:${randomUUID()}`,
    recordedAt: toDbInstant(ctx.now()),
  });
  if (!out.ok) return refused('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for another objection', ['input', 'idempotencyKey']);
  ctx.loaders.monitoring.objectionsByNotice.clear(notice.id);
  return { notice, repeated: out.repeated, userErrors: [] };
}

/**
 * A reason given for a withdrawal or a resolution: required, at most 500 characters, and held to a
 * notice's words (no identifying number, health word or member's name), as it is kept beside it.
 * Its invisible characters are judged apart (invisibleInReason), after the store's repeat check.
 */
async function reasonProblem(ctx: HubContext, reason: string, householdId: number): Promise<Refusal | null> {
  if (!reason) return refused('TEXT_REQUIRED', 'a reason is required', ['input', 'reason']);
  if (longerThan(reason, 500)) return refused('TEXT_TOO_LONG', 'reason is at most 500 characters', ['input', 'reason']);
  const members = await ctx.loaders.hub.membersByHousehold.load(householdId);
  const problem = noticeTextProblem(reason, { names: members.map((m) => m.person.name), idNumbers: members.map((m) => m.person.idNumber) });
  return problem ? refused(problem, TEXT_PROBLEM_MESSAGE[problem], ['input', 'reason']) : null;
}

/**
 * The refusal of a reason holding an invisible character, as objectionContact's (a number split by
 * zero-width spaces passed the number screen, which reads visible separators only); null when it
 * holds none. Passed to the store (ReasonScreened), which applies it after its repeat check: a
 * withdrawal or resolution made before the screen existed, resent as it was, is answered `repeated`.
 */
function invisibleInReason(reason: string): Refusal | null {
  const shown = screenedText(reason, { multiLine: true, numbers: false });
  return shown.ok ? null : refused('TEXT_INVISIBLE_CHARACTER', `reason holds an invisible character (${shown.codePoint}): it is kept beside the notice, and shows what it says`, ['input', 'reason']);
}

/**
 * Withdraws the alert's live notice (撤回), by its verifier, before the case is decided: it stays
 * on record, no longer counts for the decision (noticeGate), and the next posting is its correction.
 */
export async function withdrawVillageNotice(ctx: HubContext, input: { alertId: string; noticeId?: string | null; reason: string; officer?: string | null }): Promise<{ notice: NoticeRow; repeated: boolean; userErrors: [] } | Refusal> {
  const alertId = requireHubId(input.alertId, 'input.alertId', 'alert id');
  const noticeId = input.noticeId == null ? null : requireHubId(input.noticeId, 'input.noticeId', 'notice id');
  const alert = await ctx.loaders.monitoring.alertById.load(alertId);
  if (!alert || !reachedAlert(ctx, alert)) return refused('ALERT_NOT_FOUND', 'no alert with this id', ['input', 'alertId']);
  const who = actorOf(ctx, input.officer);
  if (!callerVerifies(ctx, alert)) return refused('NOT_ALERT_VERIFIER', 'only the alert’s verifier withdraws its notice (Alert.verifier)', ['input', 'alertId']);
  const reason = input.reason.trim();
  const { all, live, last } = await noticesOf(ctx, alert.id);
  if (!last) return refused('NOTICE_NOT_POSTED', 'the alert has no village notice', ['input', 'alertId']);
  // The notice named, when named: a retry of an earlier withdrawal then finds its own notice,
  // withdrawn, and is answered `repeated`, not taken for a withdrawal of the corrected one. Unnamed,
  // once the alert has more than one notice a request cannot be read: the first withdrawal's retry
  // and a withdrawal of the correction for the same reason are the same request (a correction is
  // always posted after the withdrawal it corrects), so answering it by its content would either
  // withdraw the correction or leave it live while saying `repeated`. It is refused instead.
  if (noticeId === null && all.length > 1)
    return refused('NOTICE_ID_REQUIRED', `the alert has ${all.length} notices (a withdrawn one and its correction): name the one meant (noticeId, from Alert.notices)`, ['input', 'noticeId']);
  const target = noticeId === null ? live ?? last : all.find((n) => n.id === noticeId);
  if (!target) return refused('NOTICE_NOT_FOUND', 'noticeId names no notice of this alert (Alert.notices)', ['input', 'noticeId']);
  const bad = await reasonProblem(ctx, reason, target.householdId);
  if (bad) return bad;
  if (target.liveAlertId !== null) {
    const c = await decidingCase(ctx, target.caseId);
    if (c && (c.state === 'DECIDED' || c.state === 'CLOSED')) return refused('CASE_ALREADY_DECIDED', 'the case the notice precedes is decided: the notice is not withdrawn after the decision', ['input', 'alertId']);
  }
  const out = await withdrawNotice(ctx.hub, target.id, { by: who.actor, office: who.office, reason, at: toDbInstant(ctx.now()), screened: invisibleInReason(reason) });
  clearNotices(ctx, alert.id);
  if (!out.ok && 'screened' in out) return out.screened;
  if (!out.ok) return refused('NOTICE_ALREADY_WITHDRAWN', `the alert’s notice of ${out.existing.postedOn} was withdrawn already; post the corrected notice`, ['input', 'alertId']);
  return { notice: out.notice, repeated: out.repeated, userErrors: [] };
}

/**
 * Resolves an objection to the alert's live notice (UPHELD or DISMISSED, with a reason), by the
 * alert's verifier, once. Out of reach (or no such objection) is OBJECTION_NOT_FOUND.
 */
export async function resolveNoticeObjection(
  ctx: HubContext,
  input: { objectionId: string; resolution: 'UPHELD' | 'DISMISSED'; reason: string; officer?: string | null },
): Promise<{ objection: ObjectionRow; notice: NoticeRow; repeated: boolean; userErrors: [] } | (Refusal & { objection: null })> {
  const no = (r: Refusal) => ({ ...r, objection: null });
  const objectionId = requireHubId(input.objectionId, 'input.objectionId', 'objection id');
  const objection = await objectionById(ctx.hub, objectionId);
  const notices = objection ? await ctx.loaders.monitoring.noticesByAlert.load((await noticeAlertOf(ctx.hub, objection.noticeId)) ?? 0) : [];
  const notice = objection ? notices.find((n) => n.id === objection.noticeId) ?? null : null;
  const alert = notice ? await ctx.loaders.monitoring.alertById.load(notice.alertId) : null;
  if (!objection || !notice || !alert || !reachedAlert(ctx, alert)) return no(refused('OBJECTION_NOT_FOUND', 'no objection with this id', ['input', 'objectionId']));
  const who = actorOf(ctx, input.officer);
  if (!callerVerifies(ctx, alert)) return no(refused('NOT_ALERT_VERIFIER', 'only the alert’s verifier resolves objections to its notice (Alert.verifier)', ['input', 'objectionId']));
  const reason = input.reason.trim();
  const bad = await reasonProblem(ctx, reason, notice.householdId);
  if (bad) return no(bad);
  if (notice.liveAlertId === null) return no(refused('NOTICE_WITHDRAWN', 'the objection’s notice was withdrawn: it no longer counts', ['input', 'objectionId']));
  const out = await resolveObjection(ctx.hub, objection.id, { resolution: input.resolution, reason, by: who.actor, office: who.office, at: toDbInstant(ctx.now()), screened: invisibleInReason(reason) });
  ctx.loaders.monitoring.objectionsByNotice.clear(notice.id);
  if (!out.ok && 'screened' in out) return no(out.screened);
  if (!out.ok) return no(refused('OBJECTION_ALREADY_RESOLVED', `the objection was resolved already (${out.existing.resolution})`, ['input', 'objectionId']));
  return { objection: out.objection, notice, repeated: out.repeated, userErrors: [] };
}

export const villageNoticeResolvers: Resolvers = {
  Mutation: {
    alertNoticePost: async (_, { input }, ctx) => ({ warnings: [], ...(await postVillageNotice(ctx, input)) }),
    alertNoticeObjectionRecord: (_, { input }, ctx) => recordNoticeObjection(ctx, input),
    alertNoticeWithdraw: (_, { input }, ctx) => withdrawVillageNotice(ctx, input),
    alertNoticeObjectionResolve: (_, { input }, ctx) => resolveNoticeObjection(ctx, input),
  },
  Alert: {
    // The notice that counts, not withdrawn: a withdrawn one read here looked like the notice in
    // force. Withdrawn notices stay listed on `notices`, each with its `withdrawn`.
    notice: async (a, _, ctx) => (await noticesOf(ctx, a.id)).live,
    notices: (a, _, ctx) => ctx.loaders.monitoring.noticesByAlert.load(a.id),
  },
  VillageNotice: {
    id: (n) => String(n.id),
    alert: async (n, _, ctx) => (await ctx.loaders.monitoring.alertById.load(n.alertId))!,
    // The case the alert's decision waits on: after a hand-over its successor, also for a notice
    // posted before it (the notice passed to the new county with the alert).
    case: (n, _, ctx) => decidingCase(ctx, n.caseId),
    village: (n) => n.villageName,
    householdHead: (n) => n.headName,
    measures: (n) => JSON.parse(n.measures) as NoticeMeasure[],
    period: (n) => n.periodText,
    running: (n, _, ctx) => n.liveAlertId !== null && n.endsOn >= ctx.today,
    withdrawn: (n) => (n.withdrawnAt === null ? null : { at: fromDbInstant(n.withdrawnAt), by: n.withdrawnBy ?? '', reason: n.withdrawReason ?? '' }),
    recordedAt: (n) => fromDbInstant(n.recordedAt),
    objections: (n, _, ctx) => ctx.loaders.monitoring.objectionsByNotice.load(n.id),
  },
  NoticeObjection: {
    id: (o) => String(o.id),
    recordedAt: (o) => fromDbInstant(o.recordedAt),
    resolvedAt: (o) => (o.resolvedAt === null ? null : fromDbInstant(o.resolvedAt)),
  },
};
