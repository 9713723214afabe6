/**
 * The village notice (村内公示) of an alert verified as NEEDS_AID: the township (or county) that
 * verified it posts it, and the hub composes what the board shows from the household, never from
 * the alert (its trigger and evidence, like the case's summary, name illnesses and stays). The
 * locality's rules (rules/triggers.json `notice`) give the period and how the head is named; the
 * case is decided only after the period (db/cases/store.ts). Rules in domain/monitoring/notice.ts.
 */
import { fromDbInstant, toDbInstant } from '../../db/instants';
import { postNotice, recordObjection, type NoticeRow } from '../../db/monitoring/notices';
import { chinaDateOf } from '../../domain/cases/china-time';
import { OBJECTION_PHONE, maskHeadName, noticeEndsOn, noticeText, noticeTextProblem, periodText, type NoticeMeasure } from '../../domain/monitoring/notice';
import { longerThan } from '../../domain/text-length';
import { screenedText } from '../../domain/text-screen';
import { badInput, requireHubId } from '../../access/errors';
import { randomUUID } from 'node:crypto';
import { activeTriggerSet } from '../../rules/triggers-load';
import type { Resolvers, VillageNoticeErrorCode } from '../__generated__/types';
import type { HubContext } from '../context';
import { actorOf, inReach } from './resolvers';

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

export async function postVillageNotice(ctx: HubContext, input: NoticePostInput): Promise<{ notice: NoticeRow; repeated: boolean; userErrors: [] } | Refusal> {
  const alertId = requireHubId(input.alertId, 'input.alertId', 'alert id');
  const alert = await ctx.loaders.monitoring.alertById.load(alertId);
  if (!alert || !inReach(ctx, alert)) return refused('ALERT_NOT_FOUND', 'no alert with this id', ['input', 'alertId']);
  const who = actorOf(ctx, input.officer);
  if (alert.state !== 'VERIFIED' || alert.outcome !== 'NEEDS_AID' || alert.caseId === null) return refused('ALERT_NOT_VERIFIED', 'verify the alert as NEEDS_AID first', ['input', 'alertId']);
  const c = await ctx.loaders.cases.caseById.load(alert.caseId);
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
  const phone = input.objectionPhone?.trim() || null;
  if (phone !== null && !OBJECTION_PHONE.test(phone)) return refused('PHONE_INVALID', 'the objection line is an office’s landline, written 区号-号码 (0537-2345678)', ['input', 'objectionPhone']);

  const events = await ctx.loaders.monitoring.eventsByAlert.load(alert.id);
  const verified = events.find((e) => e.action === 'VERIFIED');
  const verifiedOn = verified ? chinaDateOf(fromDbInstant(verified.at)) : ctx.today;
  const postedOn = input.postedOn ?? ctx.today;
  if (postedOn < verifiedOn || postedOn > ctx.today) return refused('POSTED_ON_OUT_OF_RANGE', `postedOn is from the day of verification (${verifiedOn}) to today`, ['input', 'postedOn']);

  const head = members.find((m) => m.relation === 'HEAD');
  if (!head) return refused('NO_HOUSEHOLD_HEAD', 'the household has no current head to name', ['input', 'alertId']);
  const household = await ctx.loaders.hub.householdById.load(c.householdId);
  const regionCode = household?.regionCode ?? alert.regionCode;
  const [village, township] = await Promise.all([ctx.loaders.hub.regionByCode.load(regionCode), ctx.loaders.hub.regionByCode.load(regionCode.slice(0, 9))]);

  const rules = activeTriggerSet().notice;
  const { endsOn, provisional } = noticeEndsOn(postedOn, rules);
  const facts = {
    villageName: village?.name ?? regionCode,
    townshipName: township?.name ?? regionCode.slice(0, 9),
    headName: maskHeadName(head.person.name, rules.headName),
    // Members living on the day it is posted.
    householdSize: members.filter((m) => m.person.deathDate === null || m.person.deathDate > postedOn).length,
    measures: input.measures,
    postedOn,
    endsOn,
    periodText: periodText(rules),
    objectionContact: contact,
    objectionPhone: phone,
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
    postedBy: who.actor,
    postedOffice: who.office,
    recordedAt: toDbInstant(ctx.now()),
  });
  ctx.loaders.monitoring.noticeByAlert.clear(alert.id);
  if (!out.ok) return refused('NOTICE_ALREADY_POSTED', `the alert’s notice was posted on ${out.existing.postedOn}, running through ${out.existing.endsOn}`, ['input', 'alertId']);
  return { notice: out.notice, repeated: out.repeated, userErrors: [] };
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
  if (!alert || !inReach(ctx, alert)) return refused('ALERT_NOT_FOUND', 'no alert with this id', ['input', 'alertId']);
  const who = actorOf(ctx, input.officer);
  const notice = await ctx.loaders.monitoring.noticeByAlert.load(alert.id);
  if (!notice) return refused('NOTICE_NOT_POSTED', 'the alert has no village notice', ['input', 'alertId']);
  const receivedOn = input.receivedOn ?? ctx.today;
  if (receivedOn < notice.postedOn || receivedOn > notice.endsOn || receivedOn > ctx.today)
    return refused('OBJECTION_OUTSIDE_PERIOD', `the notice runs from ${notice.postedOn} through ${notice.endsOn}`, ['input', 'receivedOn']);
  const client = ctx.access?.caller?.clientId;
  const out = await recordObjection(ctx.hub, {
    noticeId: notice.id,
    receivedOn,
    kind: input.kind,
    recordedBy: who.actor,
    recordedOffice: who.office,
    // Keys are the client's own: kept per office and client, as a case write keeps them.
    idempotencyKey: key === null ? `none:${randomUUID()}` : `${who.office}/c${client ?? ''}:${key}`,
    recordedAt: toDbInstant(ctx.now()),
  });
  if (!out.ok) return refused('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for another objection', ['input', 'idempotencyKey']);
  ctx.loaders.monitoring.objectionsByNotice.clear(notice.id);
  return { notice, repeated: out.repeated, userErrors: [] };
}

export const villageNoticeResolvers: Resolvers = {
  Mutation: {
    alertNoticePost: (_, { input }, ctx) => postVillageNotice(ctx, input),
    alertNoticeObjectionRecord: (_, { input }, ctx) => recordNoticeObjection(ctx, input),
  },
  Alert: {
    notice: (a, _, ctx) => ctx.loaders.monitoring.noticeByAlert.load(a.id),
  },
  VillageNotice: {
    id: (n) => String(n.id),
    alert: async (n, _, ctx) => (await ctx.loaders.monitoring.alertById.load(n.alertId))!,
    case: (n, _, ctx) => ctx.loaders.cases.caseById.load(n.caseId),
    village: (n) => n.villageName,
    householdHead: (n) => n.headName,
    measures: (n) => JSON.parse(n.measures) as NoticeMeasure[],
    period: (n) => n.periodText,
    running: (n, _, ctx) => n.endsOn >= ctx.today,
    recordedAt: (n) => fromDbInstant(n.recordedAt),
    objections: (n, _, ctx) => ctx.loaders.monitoring.objectionsByNotice.load(n.id),
  },
  NoticeObjection: {
    recordedAt: (o) => fromDbInstant(o.recordedAt),
  },
};
