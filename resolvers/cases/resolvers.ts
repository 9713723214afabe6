/**
 * Cases, referral slips and joint meetings (一事一议). Resolvers read arguments, call a loader, a
 * domain function or a data function in db/cases/, and map the result. Refusals come back as
 * `userErrors`; only malformed arguments are thrown (BAD_USER_INPUT).
 */
import { deliverAlertChanges } from '../monitoring/detect';
import { caseTimelinesOf } from '../../db/monitoring/loaders';
import { answerReferral, issueReferral, withdrawReferral } from '../../db/cases/referrals';
import { casesByIds, inboxPosition, openCase, referralInboxPage, referralsToOffice, transitionCase, type InboxQuery } from '../../db/cases/store';
import { buildDossier, dossierReadBy, openFindingsFrom } from './dossier';
import { createCaseLoaders, type CaseLoaders } from '../../db/cases/loaders';
import { meetingRetry, recordMeeting } from '../../db/cases/meetings';
import { correctDecisions, correctedDecisions, correctionInputProblem, correctionRefusal, correctionRetry, correctionRows, type CorrectionInput } from '../../db/cases/corrections';
import { handOverCase } from '../../db/cases/hand-over';
import { DeclinedMeanwhile, reassignmentRetry, resolveDeclinedDecision, type Reassignment } from '../../db/cases/declines';
import { completeMaterials, firstAidRetry, recordFirstAid } from '../../db/cases/first-aid';
import { forwardForCountyApproval } from '../../db/cases/county-approval';
import { COUNTY_APPROVAL_BASIS } from '../../domain/cases/county-approval';
import { activeTriggerSet } from '../../rules/triggers-load';
import { firstAidStanding, fulfilmentStanding, namedAidRecord } from './aid-standing';
import { fromDbInstant } from '../../db/instants';
import { type CaseRecord, type ReferralRecord, type CaseEventRecord, type MeetingRecord, type SecondAidRecord } from '../../db/cases/records';
import { ScreenedOut, type Actor, type WriteMeta } from '../../db/cases/write';
import { proseRefusal } from '../../domain/text-screen';
import { MULTI_LINE_FIELDS } from '../text-inputs';
import { settlementReferenceOf } from '../../domain/aid';
import { chinaDateOf, startOfChinaDay } from '../../domain/cases/china-time';
import { dueSoonUntil } from '../../domain/cases/reminders';
import { caseDeadlines, isMissed, type CaseDeadline } from '../../domain/cases/deadlines';
import { memberAge, type Dossier, type DossierCase, type DossierReferral } from '../../domain/cases/dossier';
import { caseError, refusal, type CaseUserError, type Outcome } from '../../domain/cases/errors';
import { checkMeeting, decisionSubject, type DecisionInput } from '../../domain/cases/meetings';
import type { FulfilmentRecord } from '../../db/case-loop/store';
import { aidDateOf, checkFirstAidRecord, checkFulfilment, paymentProblem, standingShortfall, type Fulfilment } from '../../domain/cases/fulfilment';
import { type DecisionCheck } from '../../domain/cases/decision-checks';
import { checkDecisions, checkedAndWritten } from './decision-checks';
import { caseNamedTo } from './case-named';
import { countyOf, officeOfClient, parseOffice, receivingOfficeRefusal, storedOffice, storedOfficeIn, unknownOfficeReason, type Office } from '../../domain/cases/offices';
import { caseReference } from '../../domain/cases/reference';
import { requestFingerprints } from './request-fingerprint';
import { checkReferralAction, endedUnanswered, isWaitingReferral, WAITING_REFERRAL_STATES, type ReferralState } from '../../domain/cases/referrals';
import { allowedTransitions, TERMINAL_STATES, type CaseOrigin, type CaseState, type CaseUrgency } from '../../domain/cases/state-machine';
import { recordedSlipStanding, referralDue } from '../../domain/cases/supervision';
import { calendarCoverage } from '../../domain/cases/working-days';
import { sourceOf, type OfficeCode } from '../../domain/departments';
import { divisionPrefix, isDivisionCode } from '../../domain/division-code';
import { programmeForWomenProblem } from '../../domain/programme-beneficiaries';
import { outOfSeasonProblem } from '../../domain/programme-seasons';
import { AID_PROGRAMME_BY_CODE, isServiceProgramme, MONEY_AMOUNT_MESSAGE, PROGRAMME_BY_CODE, SERVICE_AMOUNT_MESSAGE } from '../../domain/programmes';
import type { AidRecord, AidCause } from '../../federation/contract';
import type { ActorInput, CaseTransitionInput, DecisionCorrectInput, DecisionInput as DecisionInputArg, MeetingRecordInput, OfficeInput, ReferralReassignInput, Resolvers } from '../__generated__/types';
import { departmentOf, pageOf, pageSize, positionAfter, present, unknownRegion } from '../common';
import { decodeIdCursor, encodeIdCursor } from '../../domain/cursor';
import { officeNameOf } from './office-name';
import { reportHouseholds, supervisionReport } from './supervision-report';
import type { HubContext } from '../context';
import { badInput, givenSchoolYear, requireDivisionCode, requireHubId, requireIdNumber, requireSchoolYearFits } from '../../access/errors';
import { inScope, seesIdNumbers } from '../../access/decide';
import { scrub } from '../../domain/privacy';
import { CASE_ROLES } from '../../access/policy';
import { givenCause, givenSettlementRef, proseDetail, requireCauseWhereCounted, tiedToStay } from '../findings/resolvers';
import { countedBySchoolYear, decidedSchoolYear } from '../../domain/findings/school-year';
import { activeRuleSet } from '../../rules/load';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { type IsoDate } from '../../domain/dates';
import type { HouseholdRow } from '../../db/household/loaders';
import { firstChars, longerThan } from '../../domain/text-length';

// ---- The request's case loaders (part of its one set, resolvers/context.ts) ----

function caseLoaders(ctx: HubContext): CaseLoaders {
  return ctx.loaders.cases;
}

/** After a write, the request reads the case tables afresh. */
function forgetCaseReads(ctx: HubContext): void {
  for (const loader of Object.values(ctx.loaders.cases)) loader.clearAll();
}

// ---- Arguments ----

function requireOffice(arg: OfficeInput, argument: string): string {
  const given = [arg.department, arg.township].filter((v) => v !== null && v !== undefined);
  if (given.length !== 1) throw badInput(argument, 'MALFORMED_OFFICE', `${argument}: give exactly one of department and township`);
  if (arg.department) return arg.department;
  // Trimmed as every single-line text is; the caller's own office is compared with what is returned.
  const township = arg.township!.trim();
  if (!/^\d{9}$/.test(township)) throw badInput(`${argument}.township`, 'MALFORMED_DIVISION_CODE', 'a township is named by its 9-digit division code');
  return township;
}

/**
 * Who acts. An authenticated caller (an API client of one department, scoped to a region) acts for
 * its township's office when its scope is a township, else for its department; the input's officer,
 * else the request's (X-Officer), if any, is kept beside the client's name. Without a caller (no access layer, e.g. a resolver
 * run outside the server) the input must name the actor.
 */
function actorOf(ctx: HubContext, arg: ActorInput | null | undefined): Actor {
  const officer = ctx.access.officerOr(arg?.officer, 'input.actor.officer');
  if (longerThan(officer, 64)) throw badInput('input.actor.officer', 'MALFORMED_ACTOR', 'officer is a staff identifier of 1 to 64 characters');
  const caller = ctx.access?.caller;
  if (caller) return { officer: firstChars(officer ? `${caller.name}/${officer}` : caller.name, 64), office: officeOfClient(caller) };
  if (!arg) throw badInput('input.actor', 'ACTOR_REQUIRED', 'name the actor: the officer and the office they act for');
  if (officer === '') throw badInput('input.actor.officer', 'MALFORMED_ACTOR', 'officer is a staff identifier of 1 to 64 characters');
  return { officer, office: requireOffice(arg.office ?? {}, 'input.actor.office') };
}

/** What every case write may carry: who acts, when (if earlier than now), a retry key. */
type WriteInput = Pick<CaseTransitionInput, 'actor' | 'idempotencyKey'> & Partial<Pick<CaseTransitionInput, 'occurredAt'>>;

function metaOf(ctx: HubContext, input: WriteInput, mutation: string): WriteMeta {
  const key = input.idempotencyKey ?? null;
  if (key !== null && (key.length < 1 || longerThan(key, 64))) throw badInput('input.idempotencyKey', 'MALFORMED_IDEMPOTENCY_KEY', 'idempotencyKey is 1 to 64 characters');
  return {
    actor: actorOf(ctx, input.actor),
    occurredAt: input.occurredAt ?? null,
    idempotencyKey: key,
    keyClientId: ctx.access?.caller?.clientId ?? null,
    now: ctx.now(),
    ...(key === null ? { requestHash: null } : fingerprintsOf(mutation, input)),
    screened: proseRefusalIn(input, ['input']),
  };
}

/** What a retry must repeat (request-fingerprint.ts): the form stored, and every form an earlier release stored. */
function fingerprintsOf(mutation: string, input: WriteInput): Pick<WriteMeta, 'requestHash' | 'acceptedRequestHashes'> {
  const { current, accepted } = requestFingerprints(mutation, input);
  return { requestHash: current, acceptedRequestHashes: accepted };
}

/**
 * The refusal of a case write whose prose (a summary, a reason, a note, an ask, feedback, a meeting's
 * notes, at any depth of the input: resolvers/text-inputs.ts MULTI_LINE_FIELDS) the screen refuses
 * (domain/text-screen.ts proseRefusal): an invisible or formatting character, or a mobile number or a
 * bank card or account; every office reading the case or slip reads it. The first such field is
 * named, with the number found, masked. What it tells of health is not refused: that is a case's
 * work. Judged once the request is known to be no retry (db/cases/write.ts WriteMeta.screened).
 */
function proseRefusalIn(value: unknown, path: string[]): CaseUserError | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const [name, v] of Object.entries(value)) {
    const at = [...path, name];
    const refused = typeof v === 'string' ? (MULTI_LINE_FIELDS.has(name) ? proseRefusal(at, v) : null) : proseRefusalIn(v, at);
    if (refused) return refused;
  }
  return null;
}

/**
 * The case mutations, each answering a refusal by the screen (db/cases/write.ts ScreenedOut) as its
 * userErrors, with the payload's lists empty and nothing replayed.
 */
function answeringScreened<M extends NonNullable<Resolvers['Mutation']>>(mutations: M): M {
  const answering = (resolve: (...args: unknown[]) => unknown) => async (...args: unknown[]) => {
    try {
      return await resolve(...args);
    } catch (error) {
      if (!(error instanceof ScreenedOut)) throw error;
      return { userErrors: [error.refusal], replayed: false, superseded: [], issued: [] };
    }
  };
  return Object.fromEntries(Object.entries(mutations).map(([name, resolve]) => [name, answering(resolve as (...args: unknown[]) => unknown)])) as M;
}

/** The prefix of the 9-digit township codes (a case's `townshipCode`) within a division. */
function townshipPrefixOf(divisionCode: string): string {
  return divisionCode.length === 12 ? divisionCode.slice(0, 9) : divisionPrefix(divisionCode);
}

function asOfOf(ctx: HubContext, asOf: Date | null | undefined): Date {
  return asOf ?? ctx.now();
}

// ---- Mapping ----

/**
 * A stored office key as an Office; given the case's township, a department's office of its county.
 * A key no office maps (written by an older hub) reads as an UNKNOWN office, never as an error: the
 * case and its other slips stay readable (domain/cases/offices.ts storedOffice).
 */
function officeOf(key: string, townshipCode?: string): Office {
  return townshipCode ? storedOfficeIn(key, townshipCode) : storedOffice(key);
}

/** An office stored on a case's row (a slip's, an event's, a meeting's), with the case's county for a department office. */
async function caseOffice(ctx: HubContext, caseId: number, key: string): Promise<Office> {
  return officeOf(key, (await caseById(ctx, caseId))?.townshipCode);
}

/** A slip's office (from or to), of the county of the slip's case. */
function slipOffice(ctx: HubContext, r: ReferralRecord, key: string): Promise<Office> {
  return caseOffice(ctx, r.caseId, key);
}

/**
 * One of the two offices an OWNER_CHANGED event recorded (case_event.from_office, to_office), of the
 * case's county; null on other events and on a change of owner recorded before the columns whose
 * reason named no offices (the data upgrade left both NULL): never read from the reason's words.
 */
function ownerChangeOffice(ctx: HubContext, e: CaseEventRecord, key: string | null): Promise<Office> | null {
  return e.action === 'OWNER_CHANGED' && key !== null && e.fromOffice !== null && e.toOffice !== null ? caseOffice(ctx, e.caseId, key) : null;
}

/** A case's deadlines at `asked` (default now): NOT_STARTED before it was reported (its stated report: caseDeadlines counts from it). */
async function deadlinesOf(c: CaseRecord, asked: Date | null | undefined, ctx: HubContext): Promise<CaseDeadline[]> {
  const events = await caseLoaders(ctx).eventsByCase.load(c.id);
  return caseDeadlines((await caseTimelinesOf(ctx.loaders.monitoring, [c], () => events)).get(c.id)!, asOfOf(ctx, asked));
}

/**
 * A slip's deadline at `asked` (default now), as overdueReport reads it: NOT_STARTED before the
 * day its working days count from (countedFrom, read with the slip: dueCountedFrom).
 */
function referralStanding(ctx: HubContext, r: ReferralRecord, asked: Date | null | undefined) {
  const startsAt = asked && asked < startOfChinaDay(r.countedFrom) ? startOfChinaDay(r.countedFrom) : null;
  return recordedSlipStanding(r, asOfOf(ctx, asked), startsAt);
}

/** A slip's answer (completed or declined) on its case's history: who and when; null while unanswered, superseded or withdrawn. */
async function answerOf(ctx: HubContext, r: ReferralRecord): Promise<CaseEventRecord | null> {
  if (r.answeredAt === null || endedUnanswered(r.state)) return null;
  return (await caseLoaders(ctx).eventsByCase.load(r.caseId)).find((e) => e.referralId === r.id && (e.action === 'REFERRAL_COMPLETED' || e.action === 'REFERRAL_DECLINED')) ?? null;
}

function payload<T>(outcome: Outcome<number>, ctx: HubContext, map: (id: number) => T): T | { userErrors: CaseUserError[] } {
  if (!outcome.ok) return { userErrors: outcome.errors };
  forgetCaseReads(ctx);
  return map(outcome.value);
}

function caseById(ctx: HubContext, id: number) {
  return caseLoaders(ctx).caseById.load(id);
}

/**
 * Whether a case is within the caller's reach to act on: the township where it was opened in the
 * caller's region scope. A case stays with the county that opened it until it ends (its owner,
 * slips, meetings and decisions are that county's), wherever its household moves: the county the
 * household moved to reads the case (access/policy.ts caseRegions) but neither moves it nor answers
 * its slips; its convener hands it over (caseHandOver), which ends it and opens its successor there. A write naming a case or slip out of reach answers CASE_NOT_FOUND /
 * REFERRAL_NOT_FOUND, as for an id that does not exist: NOT_CASE_OWNER there would confirm to the
 * caller that the case exists. The household is recorded as refused in the audit trail; in reach,
 * as reached, whatever the write's payload selects: a slip answered, a case moved or a meeting
 * recorded with only `userErrors` asked for left the household's trail without it (subject NONE).
 */
async function inReach(ctx: HubContext, c: CaseRecord | null): Promise<boolean> {
  if (!c) return false;
  const caller = ctx.access?.caller;
  if (!caller) return true;
  const reached = inScope(caller.regionScope, c.townshipCode);
  ctx.access.record([{ kind: 'HOUSEHOLD', householdId: c.householdId }], !reached);
  return reached;
}

/** The caller's region scope, null without the access layer (every case read). */
function callerScope(ctx: HubContext): string | null {
  return ctx.access?.caller?.regionScope ?? null;
}

/** The reference of the case continuing this one in another county (caseHandOver), null before a hand-over. */
async function successorReference(ctx: HubContext, caseId: number): Promise<string | null> {
  const next = await caseLoaders(ctx).successorByCase.load(caseId);
  return next && caseReference(next.id, next.reportedAt);
}

const CASE_NOT_FOUND = () => ({ userErrors: [caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'caseId'])] });
const REFERRAL_NOT_FOUND = () => ({ userErrors: [caseError('REFERRAL_NOT_FOUND', 'no referral slip with this id', ['input', 'referralId'])] });

async function referralInReach(ctx: HubContext, referralId: number): Promise<boolean> {
  const slip = await caseLoaders(ctx).referralById.load(referralId);
  return slip !== null && (await inReach(ctx, await caseById(ctx, slip.caseId)));
}

async function referralPayload(ctx: HubContext, outcome: Outcome<number>) {
  return payload(outcome, ctx, async (id) => {
    const referral = await caseLoaders(ctx).referralById.load(id);
    return { referral, case: referral ? await caseById(ctx, referral.caseId) : null, userErrors: [], replayed: outcome.ok && outcome.replayed };
  });
}

/**
 * The members' aid from one office, to check that an aid record a slip names exists: a federated
 * department's from its front-end database, a reporting office's (司法, 应急 …) from the REPORTED
 * ledger, where only the records it reported count (another reporter's record is not its aid).
 * A record taken back where the source's reads no longer list it is found as taken back, as a record
 * revoked in place is (AID_RECORD_CANCELLED; it was AID_RECORD_NOT_FOUND, and the slip's aidRecord
 * null): medical aid in a settlement 医保 has reversed (冲销) is the record itself, CANCELLED; a
 * ledger entry whose chain ends in a REVERSAL is `cancelledBy` it, one ending in a CORRECTION is
 * `supersededBy` that correction (AID_RECORD_SUPERSEDED). Only a record of these people: one
 * of another household is not found, reversed or not. The successors are asked (one statement, the
 * request's loader) only when the record is not among the standing ones.
 */
async function aidRecordOf(
  ctx: HubContext,
  c: CaseRecord,
  office: OfficeCode,
  sourceRef: string,
  people?: readonly string[],
): Promise<FoundAidRecord> {
  const ids = people ?? (await ctx.loaders.hub.membersByHousehold.load(c.householdId)).map((m) => m.person.idNumber);
  const reporter = sourceOf(office) === 'REPORTED' ? office : null;
  const named = await namedAidRecord(ctx.loaders, office, sourceRef, ids);
  if (!named) return { record: null, cancelledBy: null, supersededBy: null, superseded: null, answered: false, reporter, byOwnReference: null };
  const theirs = (r: AidRecord | null | undefined) => (r != null && ids.includes(r.beneficiaryIdNumber) ? r : null);
  const successor = theirs(named.successor);
  const cancelled = successor?.status === 'CANCELLED';
  // The entry named, superseded since: shown as recorded, linked to the entry that stands (none where
  // a correction moved the aid out of the household); SUPERSEDED by a correction, CANCELLED where its
  // chain ends in a REVERSAL (the money the slip was met by, taken back: fulfilment CANCELLED_AT_SOURCE).
  const entry = theirs(named.superseded);
  const superseded = entry && { ...entry, supersededBy: successor };
  return { record: theirs(named.record), cancelledBy: cancelled ? successor : null, supersededBy: cancelled ? null : successor, superseded, answered: true, reporter, byOwnReference: theirs(named.byOwnReference) };
}

/** What aidRecordOf found under a named reference, and, for a reporting office's ledger, the entry its own reference names. */
interface FoundAidRecord {
  record: AidRecord | null;
  cancelledBy: AidRecord | null;
  supersededBy: AidRecord | null;
  /** The ledger entry named, superseded since (SUPERSEDED, or CANCELLED once reversed; its supersededBy the entry that stands): what the slip shows. */
  superseded: AidRecord | null;
  answered: boolean;
  /** The reporting office whose ledger entries were looked in (司法, 应急 …); null for a federated department. */
  reporter: OfficeCode | null;
  /** The standing entry of the household the office reported under the reference named, as its own (reportedBy.reference). */
  byOwnReference: AidRecord | null;
}

/**
 * Why a named aid record is not there to check: a ledger entry reversed before it was named
 * (AID_RECORD_CANCELLED, as any record its source took back), one corrected (AID_RECORD_SUPERSEDED,
 * naming the entry that stands, the one to name instead), none of the household's
 * (AID_RECORD_NOT_FOUND), or the department not answering (AID_RECORD_UNVERIFIED). A correction
 * moving the aid to someone outside the household is not the household's: NOT_FOUND, nothing said of it.
 */
function missingAidRecord(found: FoundAidRecord): CaseUserError {
  const field = ['input', 'aidSourceReference'];
  if (found.cancelledBy) return caseError('AID_RECORD_CANCELLED', 'the office has reversed this aid record (a REVERSAL supersedes it)', field);
  // The ledger keeps a corrected entry, superseded; what stands is the CORRECTION's entry (the last of its chain).
  if (found.supersededBy) return caseError('AID_RECORD_SUPERSEDED', `the office has corrected this aid record: the entry that stands is ${found.supersededBy.sourceRef}; name it instead`, field);
  if (!found.answered) return caseError('AID_RECORD_UNVERIFIED', 'the department did not answer; try again later', field);
  if (found.reporter === null) return caseError('AID_RECORD_NOT_FOUND', 'the department has no such aid record for this household', field);
  // A reporting office most often names its entry by its own numbering (reportedBy.reference), which the hub does not key it by.
  const how = `a reported entry is named by its AidRecord.sourceReference (reported_aid:<n>), as Household.aid(departments: [${found.reporter}]) gives it, not by the office's own reference (reportedBy.reference)`;
  return found.byOwnReference
    ? caseError('AID_RECORD_NOT_FOUND', `the office reported this reference as the entry ${found.byOwnReference.sourceRef}: name that instead (${how})`, field)
    : caseError('AID_RECORD_NOT_FOUND', `the office has no such entry in the reported-aid ledger for this household: ${how}`, field);
}

/**
 * Why the aid record a completion names (any slip's, a decision's or a forwarded matter's) does not
 * stand as aid given, or null: not there for the household, or taken back, corrected or not paid
 * (paymentProblem, as a decision's fulfilment and a first aid check it). A forwarded slip's record
 * was taken revoked, reversed or corrected, and supervision read its feedback as aid given.
 */
function namedRecordProblem(found: FoundAidRecord, today: IsoDate): CaseUserError | null {
  return found.record ? paymentProblem(found.record, today) : missingAidRecord(found);
}

/**
 * Whether a completed decision's aid record still stands in its department's data: one revoked,
 * reversed or recovered there after the slip was completed (or a ledger entry corrected or
 * cancelled) would otherwise leave the decision shown as met on money taken back.
 */
async function fulfilmentOf(ctx: HubContext, f: FulfilmentRecord) {
  const slip = await caseLoaders(ctx).referralById.load(f.referralId);
  return slip ? fulfilmentStanding(ctx.loaders, slip.toOffice, f) : null;
}

/**
 * Whose aid may fulfil a decision: the household's current members and, when the decision names
 * its beneficiary, that person also after they left the household (died, moved, married out), if
 * they were still a member on the day it was decided. The decision was for them: the department
 * may have paid before they left and report it after, or pay what was decided to their estate or
 * new address. Refused as "no such aid record for this household", the slip could only be
 * declined and the decision waived, and the payment would never count as the decision fulfilled.
 */
async function decisionPeople(ctx: HubContext, c: CaseRecord, beneficiary: string | null, decidedOn: IsoDate): Promise<string[]> {
  const current = (await ctx.loaders.hub.membersByHousehold.load(c.householdId)).map((m) => m.person.idNumber);
  if (beneficiary === null || current.includes(beneficiary)) return current;
  const { spells } = await ctx.loaders.hub.householdsOfPerson.load(beneficiary);
  const memberWhenDecided = spells.some((s) => s.householdId === c.householdId && s.idNumber === beneficiary && (s.leftOn === null || s.leftOn >= decidedOn));
  return memberWhenDecided ? [...current, beneficiary] : current;
}

/** Longest aid record reference a slip or a first aid keeps: its column's width, in characters. */
const AID_SOURCE_REF_MAX = 128;

/** A named aid record's reference longer than any the hub keeps: refused before any department is asked. */
function aidSourceRefTooLong(sourceRef: string | null): CaseUserError | null {
  if (sourceRef === null || !longerThan(sourceRef, AID_SOURCE_REF_MAX)) return null;
  return caseError('TEXT_TOO_LONG', `aidSourceReference is longer than ${AID_SOURCE_REF_MAX} characters`, ['input', 'aidSourceReference']);
}

/**
 * The cause a decision carries: its own, or a second aid's (one cause, so two that differ are
 * refused, reason CONFLICTING). Required where a rule counts the programme by cause (X5: TEMP_AID),
 * as in the pre-grant check (BAD_USER_INPUT, reason REQUIRED): the decision's check read a temporary
 * aid without a cause as OTHER and missed the household's grant of the same cause.
 */
function decisionCause(programmeCode: string, cause: AidCause | null, secondAidCause: AidCause | null, argument: string): AidCause | null {
  if (cause !== null && secondAidCause !== null && cause !== secondAidCause) {
    throw badInput(argument, 'CONFLICTING', 'a second aid has one cause: cause and secondAidCause differ');
  }
  const decided = cause ?? secondAidCause;
  if (PROGRAMME_BY_CODE.has(programmeCode)) requireCauseWhereCounted(programmeCode, decided, argument);
  return decided;
}

/**
 * The hospital stay a decision names, refused as the pre-grant check refuses it (BAD_USER_INPUT:
 * TOO_LONG, NOT_TIED_TO_STAY); a programme not in the catalogue is the meeting's UNKNOWN_PROGRAMME.
 */
function decisionSettlement(programmeCode: string, given: string | null | undefined, argument: string): string | null {
  return PROGRAMME_BY_CODE.has(programmeCode) ? givenSettlementRef(programmeCode, given, argument) : settlementReferenceOf(given);
}

/**
 * The stay a reassignment pays towards: as given, or, left out, the declined decision's where the new
 * programme is tied to a stay (the same stay is still to be relieved, and X7 weighs the new aid
 * against it: without it the reassigned aid escaped that check). An empty string names none (the
 * decline may have been for the stay itself); a programme not tied to a stay takes none.
 */
function reassignedSettlement(programmeCode: string, given: string | null | undefined, declined: string | null): string | null {
  if (given === null || given === undefined) return declined !== null && PROGRAMME_BY_CODE.has(programmeCode) && tiedToStay(programmeCode) ? declined : null;
  return decisionSettlement(programmeCode, given, 'input.settlementReference');
}

/** The day a decision slip was decided: its meeting's (a correction's or reassignment's slip keeps the meeting's), or the day it was issued. */
async function decidedOnOf(ctx: HubContext, slip: ReferralRecord): Promise<IsoDate> {
  const meeting = slip.kind === 'DECISION' && slip.meetingId !== null ? await caseLoaders(ctx).meetingById.load(slip.meetingId) : null;
  return meeting?.heldOn ?? chinaDateOf(slip.issuedAt);
}

/**
 * The school year of the decision a correction or a reassignment replaces (`slip`: the superseded or
 * declined one): the year kept on its slip, or, none kept for aid counted by school year (decided
 * September to June, or before slips kept one: migration 0011), the year its day fell in, where its
 * check counted it. Null for other aid, or no decision. The new decision is still for that year when
 * made after 1 September: allowed besides the years of today, and taken when none is given.
 */
async function replacedSchoolYear(ctx: HubContext, slip: ReferralRecord | null): Promise<string | null> {
  if (!slip || slip.kind !== 'DECISION') return null;
  if (slip.schoolYear !== null || slip.programmeCode === null) return slip.schoolYear;
  return decidedSchoolYear(slip.programmeCode, null, await decidedOnOf(ctx, slip), activeRuleSet().rules);
}

/**
 * A replacing decision's school year: as given, or left out the replaced decision's (`replaced`)
 * where the new programme is counted by school year (X6, X12), as a stay is kept only for aid tied
 * to one (reassignedSettlement): 金秋助学 reassigned as 临时救助 is for no school year.
 */
function inheritedSchoolYear(d: DecisionInput, replaced: string | null): DecisionInput {
  return d.schoolYear === null && replaced !== null && countedBySchoolYear(d.programmeCode, activeRuleSet().rules) ? { ...d, schoolYear: replaced } : d;
}

/**
 * The feedback a completion carries, checked from the department's own data through the
 * department loaders (any source the registry lists for it, the directly reporting offices'
 * included): a decision's slip needs the aid record that fulfils it (domain/cases/fulfilment.ts);
 * another slip's record, when named, must exist for the household.
 */
async function verifyFeedback(
  ctx: HubContext,
  slip: ReferralRecord,
  c: CaseRecord,
  sourceRef: string | null,
  differenceReason: string | null,
): Promise<{ ok: true; fulfilment: Fulfilment | null } | { ok: false; errors: CaseUserError[] }> {
  const field = ['input', 'aidSourceReference'];
  const decision = slip.kind === 'DECISION' && slip.programmeCode !== null;
  if (sourceRef === null) {
    return decision ? { ok: false, errors: [caseError('AID_RECORD_REQUIRED', 'a decision is completed with the aid record that fulfils it', field)] } : { ok: true, fulfilment: null };
  }
  const office = officeOf(slip.toOffice);
  if (office.kind !== 'DEPARTMENT') return { ok: false, errors: [caseError('AID_RECORD_NOT_FOUND', 'only a department’s slip links an aid record', field)] };
  const decidedOn = await decidedOnOf(ctx, slip);
  const people = decision ? await decisionPeople(ctx, c, slip.beneficiaryIdNumber, decidedOn) : undefined;
  const found = await aidRecordOf(ctx, c, office.department, sourceRef, people);
  const today = chinaDateOf(ctx.now());
  if (!found.record || !decision) {
    // Every slip's record stands as aid given; a decision's is held besides to what was decided (checkFulfilment, paid included).
    const problem = namedRecordProblem(found, today);
    return problem ? { ok: false, errors: [problem] } : { ok: true, fulfilment: null };
  }
  const checked = checkFulfilment(
    { department: office.department, programmeCode: slip.programmeCode!, amountFen: slip.amountFen ?? 0, beneficiaryIdNumber: slip.beneficiaryIdNumber, decidedOn, cause: slip.cause, settlementRef: slip.settlementRef, schoolYear: slip.schoolYear },
    found.record,
    { members: people!, differenceReason, today },
  );
  return checked.ok ? { ok: true, fulfilment: checked.fulfilment } : checked;
}

/** Why a slip of a case in `caseTownshipCode` cannot go to `to` (domain/cases/offices.ts), or null. */
async function receivingOfficeProblem(ctx: HubContext, to: string, caseTownshipCode: string): Promise<CaseUserError | null> {
  const township = parseOffice(to)?.kind === 'TOWNSHIP' ? await ctx.loaders.hub.regionByCode.load(to) : null;
  const refusal = receivingOfficeRefusal(to, caseTownshipCode, township?.level === 'TOWNSHIP');
  if (refusal === null) return null;
  const message =
    refusal === 'UNKNOWN_OFFICE'
      ? unknownOfficeReason(to)
      : refusal === 'OFFICE_OUT_OF_COUNTY'
        ? 'the township is of another county than the case’s household'
        : `the township is not the case’s (${caseTownshipCode}): its officers reach only their own township’s cases`;
  return caseError(refusal, message, ['input', 'to']);
}

function dossierOf(ctx: HubContext, c: CaseRecord): Promise<Dossier> {
  return buildDossier(
    { hub: ctx.loaders.hub, departments: ctx.loaders.departments, cases: caseLoaders(ctx), monitoring: ctx.loaders.monitoring, openFindings: openFindingsFrom(ctx), facts: ctx.loaders.findings },
    c,
    ctx.today,
    ctx.now(),
  );
}

function regionOf(ctx: HubContext, code: string) {
  return ctx.loaders.hub.regionByCode.load(code).then((r) => r ?? unknownRegion(code));
}

/** A decision as given (a meeting's, a correction's), its arguments checked; `argument` names it (`input.decisions[0]`). */
function decisionOf(d: DecisionInputArg, argument: string): DecisionInput {
  const secondAidCause = givenCause(d.secondAidCause, `${argument}.secondAidCause`);
  return {
    department: d.department,
    programmeCode: d.programme,
    amountFen: d.amountFen,
    deadlineWorkingDays: d.deadlineWorkingDays,
    ask: d.ask ?? null,
    beneficiaryIdNumber: d.beneficiaryIdNumber ? requireIdNumber(d.beneficiaryIdNumber, `${argument}.beneficiaryIdNumber`) : null,
    secondAid: secondAidCause ? { cause: secondAidCause } : null,
    cause: decisionCause(d.programme, givenCause(d.cause, `${argument}.cause`), secondAidCause, `${argument}.cause`),
    settlementRef: decisionSettlement(d.programme, d.settlementReference, `${argument}.settlementReference`),
    schoolYear: givenSchoolYear(d.schoolYear, `${argument}.schoolYear`),
  };
}

/**
 * Each decision's school year held to the day it is decided on (`on`: the meeting's, or today for a
 * correction or a reassignment), as the pre-grant check holds a grant's to its grantDate: one-off
 * aid a rule counts by school year (X6, X12) decided in July or August names the year it is for
 * (SCHOOL_YEAR_REQUIRED: it may be for the year ending or the one starting), and a year the day is
 * not for is SCHOOL_YEAR_MISMATCH; BAD_USER_INPUT at `argumentOf(i)`. Without it the check counted
 * a 金秋助学 decided at a July meeting in the year ending: X12 warned of a second grant that was
 * the coming year's first, and missed one given twice for the coming year. Made after a retry is
 * answered: a correction's or reassignment's day is today, which may have moved since its first sending.
 * `replacedOf(i)`: the year of the decision the i-th replaces (replacedSchoolYear), allowed besides.
 */
function requireDecisionSchoolYears(
  decisions: readonly DecisionInput[],
  on: IsoDate,
  argumentOf: (i: number) => string,
  replacedOf: (i: number) => { year: string; as: string } | null = () => null,
): void {
  decisions.forEach((d, i) => {
    const programme = PROGRAMME_BY_CODE.get(d.programmeCode);
    const when = 'aid decided on its day (the meeting\'s; today for a correction or reassignment)';
    if (programme) requireSchoolYearFits(programme, { first: on, periodEnd: null, when }, d.schoolYear, activeRuleSet().rules, argumentOf(i), replacedOf(i));
  });
}

/**
 * Decisions made after the meeting (a reassignment, a correction), checked as a meeting's are on
 * today's date (programme of the department, amount, beneficiary alive and in the household), with
 * each refusal's field at `fieldOf(i, name)`; and the household's members for their pre-grant check.
 */
async function checkedAsDecidedToday(ctx: HubContext, c: CaseRecord, decisions: DecisionInput[], now: Date, fieldOf: (i: number, name: string) => string[]) {
  const household = await ctx.loaders.hub.membersByHousehold.load(c.householdId);
  const errors = checkMeeting(
    { heldOn: chinaDateOf(now), departmentsPresent: decisions.map((d) => d.department), notes: null, decisions },
    {
      reportedOn: chinaDateOf(c.reportedAt),
      today: chinaDateOf(now),
      members: household.map((m) => m.person.idNumber),
      deathDates: new Map(household.flatMap((m) => (m.person.deathDate ? [[m.person.idNumber, m.person.deathDate] as const] : []))),
      head: decisionSubject(household)?.person.idNumber ?? null,
    },
  ).map((e) => ({ ...e, field: e.field ? fieldOf(Number(e.field[2] ?? 0), e.field.at(-1)!) : null }));
  return { errors, people: household.map((m) => ({ idNumber: m.person.idNumber, relation: m.relation })) };
}

/** meetingRecord: a retry answered first, then the meeting's checks, then the record. */
async function meetingRecordRequest(input: MeetingRecordInput, ctx: HubContext) {
  const meta = metaOf(ctx, input, 'meetingRecord');
  const caseId = requireHubId(input.caseId, 'input.caseId');
  const decisions: DecisionInput[] = input.decisions.map((d, i) => decisionOf(d, `input.decisions[${i}]`));
  const overrideReasons = input.decisions.map((d) => d.conflictOverrideReason?.trim() || null);
  const meeting = { heldOn: input.heldOn, departmentsPresent: [...new Set(input.departmentsPresent)], notes: input.notes ?? null, decisions };
  const c = await caseById(ctx, caseId);
  if (!c || !(await inReach(ctx, c))) return CASE_NOT_FOUND();
  const answered = (outcome: Outcome<number>) =>
    payload(outcome, ctx, async (id) => ({ meeting: await caseLoaders(ctx).meetingById.load(id), case: await caseById(ctx, caseId), userErrors: [], replayed: outcome.ok && outcome.replayed }));
  // A retry (its key, or without one the same meeting just recorded) is answered with its first
  // outcome before anything is checked: its own decisions are now slips it would conflict with,
  // and its case is decided. Looked for again before a conflict is refused (its first sending may
  // be written meanwhile) and under the case lock, where the state is checked.
  const sentBefore = () => meetingRetry(ctx.hub, caseId, meeting, overrideReasons, meta);
  const retry = await sentBefore();
  if (retry) return answered(retry);
  requireDecisionSchoolYears(decisions, meeting.heldOn, (i) => `input.decisions[${i}].schoolYear`);
  // A case not in deliberation is refused as such before its decisions are checked (and again under its lock).
  if (c.state !== 'IN_DELIBERATION') return { userErrors: [caseError('CASE_NOT_IN_DELIBERATION', `the case is ${c.state}`, ['input', 'caseId'])] };
  // The stored copy has no caller: it holds the other cases the case's own county reads now (dossierReadBy).
  const dossier = await dossierReadBy(await dossierOf(ctx, c), countyOf(c.townshipCode), ctx);
  const errors = checkMeeting(meeting, {
    reportedOn: chinaDateOf(c.reportedAt),
    today: chinaDateOf(meta.now),
    members: dossier.members.map((m) => m.idNumber),
    deathDates: new Map(dossier.members.flatMap((m) => (m.deathDate ? [[m.idNumber, m.deathDate] as const] : []))),
    head: decisionSubject(dossier.members)?.idNumber ?? null,
  });
  if (errors.length > 0) return { userErrors: errors };
  // Every decision runs the pre-grant check, and is checked against the decisions not yet
  // given (the meeting's others, the household's slips still waiting, as they stand when the
  // meeting is written); a conflict needs the convener's override reason.
  const preGrant = await checkDecisions(
    ctx,
    decisions.map((d, i) => ({ ...d, overrideReason: overrideReasons[i] })),
    meeting.heldOn,
    dossier,
  );
  const facts = { caseId, householdId: c.householdId, members: dossier.members, sameMeeting: true, decidedOn: meeting.heldOn };
  return answered(await checkedAndWritten(ctx, preGrant, decisions, facts, undefined, sentBefore, (checks, seen) => recordMeeting(ctx.hub, caseId, meeting, dossier, meta, checks, seen)));
}

/**
 * decisionCorrect: the correction's decisions checked as a meeting's are (dated today), run through
 * the pre-grant check and the household's decisions not yet given (those it supersedes left out),
 * then written (db/cases/corrections.ts).
 */
async function decisionCorrectRequest(input: DecisionCorrectInput, ctx: HubContext) {
  const meta = metaOf(ctx, input, 'decisionCorrect');
  const caseId = requireHubId(input.caseId, 'input.caseId');
  const changesIn = input.changes ?? [];
  const addIn = input.add ?? [];
  const given = changesIn.map((ch, i) => ({
    referralId: requireHubId(ch.referralId, `input.changes[${i}].referralId`),
    decision: ch.decision ? decisionOf(ch.decision, `input.changes[${i}].decision`) : null,
  }));
  if (new Set(given.map((ch) => ch.referralId)).size < given.length) throw badInput('input.changes', 'DUPLICATE', 'a decision is changed at most once in a correction');
  const c = await caseById(ctx, caseId);
  if (!c || !(await inReach(ctx, c))) return CASE_NOT_FOUND();
  // Each change's school year, left out, is the superseded decision's (a slip of another case, or
  // none, gives none: correctionRefusal refuses it); set before a retry is looked for, as its slip kept it.
  const replaced = await Promise.all(
    given.map(async (ch) => {
      const slip = ch.decision ? await caseLoaders(ctx).referralById.load(ch.referralId) : null;
      return slip?.caseId === caseId ? replacedSchoolYear(ctx, slip) : null;
    }),
  );
  const changes = given.map((ch, i) => ({ ...ch, decision: ch.decision && inheritedSchoolYear(ch.decision, replaced[i]) }));
  const overrideOf = (d: DecisionInputArg) => d.conflictOverrideReason?.trim() || null;
  const correction: CorrectionInput = {
    caseId,
    reason: input.reason,
    changes,
    added: addIn.map((d, i) => decisionOf(d, `input.add[${i}]`)),
    overrideReasons: [...changesIn.flatMap((ch) => (ch.decision ? [overrideOf(ch.decision)] : [])), ...addIn.map(overrideOf)],
  };
  // Where each new decision came from in the input (correctedDecisions order): its refusals' fields.
  const paths = [...changesIn.flatMap((ch, i) => (ch.decision ? [['input', 'changes', String(i), 'decision']] : [])), ...addIn.map((_, i) => ['input', 'add', String(i)])];
  const replacedYears = [...replaced.filter((_, i) => changes[i].decision !== null), ...addIn.map(() => null)];
  const answered = (outcome: Outcome<number>) =>
    payload(outcome, ctx, async (eventSeq) => {
      const rows = await correctionRows(ctx.hub, caseId, eventSeq);
      const slips = (role: 'SUPERSEDED' | 'ISSUED') => Promise.all(rows.filter((r) => r.role === role).map((r) => caseLoaders(ctx).referralById.load(r.referralId)));
      const [superseded, issued] = await Promise.all([slips('SUPERSEDED'), slips('ISSUED')]);
      const order = new Map(changes.map((ch, i) => [ch.referralId, i]));
      return {
        case: await caseById(ctx, caseId),
        superseded: superseded.filter((r) => r !== null).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0)),
        issued: issued.filter((r) => r !== null),
        userErrors: [],
        replayed: outcome.ok && outcome.replayed,
      };
    });
  // A retry is answered before any check: the slips it issued would conflict with its decisions.
  const sentBefore = () => correctionRetry(ctx.hub, correction, meta);
  const retry = await sentBefore();
  if (retry) return answered(retry);
  const problem = correctionInputProblem(correction);
  if (problem) return { userErrors: [problem] };
  const decisions = correctedDecisions(correction);
  requireDecisionSchoolYears(
    decisions,
    chinaDateOf(meta.now),
    (i) => `${paths[i][0]}.${paths[i][1]}[${paths[i][2]}]${paths[i][3] ? `.${paths[i][3]}` : ''}.schoolYear`,
    (i) => (replacedYears[i] ? { year: replacedYears[i], as: 'the year of the decision it corrects' } : null),
  );
  const secondAid = paths.find((_, i) => decisions[i].secondAid !== null);
  if (secondAid) return { userErrors: [caseError('SECOND_AID_NOT_CORRECTED', 'a second temporary aid is decided at a meeting, not by a correction', [...secondAid, 'secondAidCause'])] };
  // Who may correct, and which slips, before the departments are asked (again under the case's lock).
  const refused = await correctionRefusal(ctx.hub, c, correction, meta.actor.office);
  if ('problem' in refused) return { userErrors: [refused.problem] };
  // Only withdrawals: no new decision to check.
  if (decisions.length === 0) return answered(await correctDecisions(ctx.hub, correction, c.householdId, meta));
  const { errors, people } = await checkedAsDecidedToday(ctx, c, decisions, meta.now, (i, name) => [...paths[i], name]);
  if (errors.length > 0) return { userErrors: errors };
  const preGrant = await checkDecisions(ctx, decisions.map((d, i) => ({ ...d, overrideReason: correction.overrideReasons[i] })), chinaDateOf(meta.now), { members: people });
  const facts = { caseId, householdId: c.householdId, members: people, sameMeeting: true, decidedOn: chinaDateOf(meta.now), superseding: changes.map((ch) => ch.referralId) };
  // A conflict read after another correction of the same slips landed (sent at the same moment,
  // its new slips now pending) is that correction's doing: answered as it is under the lock.
  const sentOrSuperseded = async () => {
    const again = await sentBefore();
    if (again) return again;
    const [now] = await casesByIds(ctx.hub, [caseId]);
    const stale = now ? await correctionRefusal(ctx.hub, now, correction, meta.actor.office) : null;
    return stale && 'problem' in stale ? refusal<number>(stale.problem) : null;
  };
  return answered(
    await checkedAndWritten(ctx, preGrant, decisions, facts, (i) => [...paths[i], 'conflictOverrideReason'], sentOrSuperseded, (checks, seen) => correctDecisions(ctx.hub, correction, c.householdId, meta, checks, seen)),
  );
}

/**
 * referralReassign: a declined decision's new decision checked as a meeting's is (dated today) and
 * written (db/cases/declines.ts).
 */
async function referralReassignRequest(input: ReferralReassignInput, ctx: HubContext) {
  const meta = metaOf(ctx, input, 'referralReassign');
  const referralId = requireHubId(input.referralId, 'input.referralId');
  if (!(await referralInReach(ctx, referralId))) return REFERRAL_NOT_FOUND();
  return reassigned(input, ctx, referralId, meta, false);
}

/**
 * The reassignment as its slip is read now; `lookedAgain`: read again because an unchecked
 * reassignment found the slip declined under the case's lock (below).
 */
async function reassigned(input: ReferralReassignInput, ctx: HubContext, referralId: number, meta: WriteMeta, lookedAgain: boolean): Promise<Awaited<ReturnType<typeof referralPayload>>> {
  const declined = (await caseLoaders(ctx).referralById.load(referralId))!;
  const replaced = await replacedSchoolYear(ctx, declined);
  const decision: DecisionInput = inheritedSchoolYear({
    department: input.department,
    programmeCode: input.programme,
    amountFen: input.amountFen,
    deadlineWorkingDays: input.deadlineWorkingDays,
    ask: input.ask ?? null,
    beneficiaryIdNumber: input.beneficiaryIdNumber ? requireIdNumber(input.beneficiaryIdNumber, 'input.beneficiaryIdNumber') : declined.beneficiaryIdNumber,
    secondAid: null,
    cause: decisionCause(input.programme, givenCause(input.cause, 'input.cause'), null, 'input.cause'),
    settlementRef: reassignedSettlement(input.programme, input.settlementReference, declined.settlementRef),
    // Left out: the declined decision's, where the new programme is counted by school year (the aid is still for that year).
    schoolYear: givenSchoolYear(input.schoolYear, 'input.schoolYear'),
  }, replaced);
  const reassignment = (check: DecisionCheck | null, decisionsSeen: number | null): Reassignment => ({
    kind: 'REASSIGN',
    reason: input.reason,
    decision,
    overrideReason: input.conflictOverrideReason?.trim() || null,
    check,
    decisionsSeen,
  });
  // A retry (its key, or without one this very reassignment made already) is answered with its
  // first outcome, and a decline already resolved otherwise is refused (DECISION_NOT_DECLINED),
  // before the checks: the reassigned slip would conflict with itself. Looked for again before a
  // conflict is refused (checkedAndWritten) and under the case lock.
  const sentBefore = () => reassignmentRetry(ctx.hub, referralId, reassignment(null, null), meta);
  const retry = await sentBefore();
  if (retry) return referralPayload(ctx, retry);
  const resolved = await caseLoaders(ctx).declineByReferral.load(referralId);
  // The same checks as a meeting's decision (programme of the department, amount, beneficiary).
  const c = (await caseById(ctx, declined.caseId))!;
  const { errors, people } = await checkedAsDecidedToday(ctx, c, [decision], meta.now, (_, name) => ['input', name]);
  if (errors.length > 0) return { userErrors: errors };
  // A slip never declined, or a decline resolved otherwise, is refused as such (DECISION_NOT_DECLINED,
  // under the case's lock) before its year is held to today: a school year it has none to keep from
  // was thrown as SCHOOL_YEAR_MISMATCH, as if the year were what was wrong.
  if (resolved || declined.kind !== 'DECISION' || declined.state !== 'DECLINED') {
    // Declined between the look above and the case's lock (the department's decline landed
    // meanwhile): nothing was written, as nothing was checked (DeclinedMeanwhile). Read again, it
    // is checked as any reassignment of a declined decision is; a declined slip stays declined, so
    // once is enough.
    try {
      return referralPayload(ctx, await resolveDeclinedDecision(ctx.hub, referralId, reassignment(null, null), meta));
    } catch (error) {
      if (lookedAgain || !(error instanceof DeclinedMeanwhile)) throw error;
    }
    caseLoaders(ctx).referralById.clear(referralId);
    caseLoaders(ctx).declineByReferral.clear(referralId);
    return reassigned(input, ctx, referralId, meta, true);
  }
  requireDecisionSchoolYears([decision], chinaDateOf(meta.now), () => 'input.schoolYear', () => (replaced ? { year: replaced, as: 'the declined decision\'s year' } : null));
  // The pre-grant check a meeting's decision runs, dated today, and the decisions not yet given: a conflict needs the override reason.
  const preGrant = await checkDecisions(ctx, [{ ...decision, overrideReason: input.conflictOverrideReason?.trim() || null }], chinaDateOf(meta.now), { members: people });
  const facts = { caseId: c.id, householdId: c.householdId, members: people, sameMeeting: false, decidedOn: chinaDateOf(meta.now) };
  return referralPayload(
    ctx,
    await checkedAndWritten(ctx, preGrant, [decision], facts, () => ['input', 'conflictOverrideReason'], sentBefore, (checks, seen) => resolveDeclinedDecision(ctx.hub, referralId, reassignment(checks[0], seen), meta)),
  );
}

/** The widest `referralsToOffice(dueWithinWorkingDays)`: two months of working days. */
const MAX_DUE_WITHIN = 40;

/** The cursor tag of referralInbox: a position is a slip's id, read back as its (due date, id). */
const INBOX_CURSOR = 'R';

/**
 * The inbox `referralsToOffice` and `referralInbox` read, from their common arguments, checked alike:
 * the office (the caller's own, or any in scope for supervision), the county, the states, the days.
 */
function inboxAsked(args: { office: OfficeInput; states?: readonly ReferralState[] | null; dueWithinWorkingDays?: number | null }, ctx: HubContext): InboxQuery {
  const office = requireOffice(args.office, 'office');
  // An office reads its own inbox only: another office's slips are that office's work (a
  // case's owner reads them through Case.referrals). Supervision (督查, purpose SUPERVISION, which
  // only SUPERVISOR states) reads any office's desk in its scope: whom to chase, for what.
  const caller = ctx.access?.caller;
  if (caller && office !== officeOfClient(caller) && ctx.access?.purpose !== 'SUPERVISION') {
    throw new GraphQLError('an office reads only its own inbox of referral slips', { extensions: { code: 'FORBIDDEN', reason: 'NOT_OWN_OFFICE', argument: 'office' } });
  }
  // A department's office of one county reads that county's slips; a city-wide bureau every
  // county's (it supervises them); a township officer its township's.
  const townshipPrefix = caller ? townshipPrefixOf(caller.regionScope) : null;
  // An office's desk: what is due within so many working days, and what is already late.
  const within = args.dueWithinWorkingDays ?? null;
  if (within !== null && (within < 0 || within > MAX_DUE_WITHIN)) throw badInput('dueWithinWorkingDays', 'OUT_OF_RANGE', `dueWithinWorkingDays must be between 0 and ${MAX_DUE_WITHIN}`, { min: 0, max: MAX_DUE_WITHIN });
  const dueOnOrBefore = within === null ? null : dueSoonUntil(chinaDateOf(ctx.now()), within);
  return { office, states: args.states?.length ? args.states : [...WAITING_REFERRAL_STATES], townshipPrefix, dueOnOrBefore };
}

// ---- Resolvers ----

export const caseResolvers: Resolvers = {
  Query: {
    case: (_, args, ctx) => caseById(ctx, requireHubId(args.id, 'id')),
    referral: (_, args, ctx) => caseLoaders(ctx).referralById.load(requireHubId(args.id, 'id')),
    referralsToOffice: async (_, args, ctx) => {
      const asked = inboxAsked(args, ctx);
      if (asked.states.every(isWaitingReferral)) return referralsToOffice(ctx.hub, asked);
      // Answered slips pile up over the years: one list holds at most the largest page, the rest
      // are read a page at a time (referralInbox) rather than read, audited and sent in one answer.
      const max = ctx.config.maxListSize;
      const slips = await referralsToOffice(ctx.hub, asked, max + 1);
      if (slips.length > max) throw badInput('states', 'ANSWER_TOO_LONG', `more than ${max} slips in these states: read them a page at a time in referralInbox`, { max });
      return slips;
    },
    referralInbox: async (_, args, ctx) => {
      const asked = inboxAsked(args, ctx);
      const first = pageSize(args.first, 50, ctx.config.maxListSize);
      const slipId = positionAfter(args.after, (c) => decodeIdCursor(INBOX_CURSOR, c));
      // A cursor names a slip; its (due date, id) is the position. One of a slip this inbox could
      // never list (another office's, another county's) is refused as one the API did not give out.
      const after = slipId === null ? null : await inboxPosition(ctx.hub, asked, slipId);
      if (slipId !== null && after === null) throw badInput('after', 'MALFORMED_CURSOR', "after is not a cursor of this office's inbox");
      const rows = await referralInboxPage(ctx.hub, asked, after, first + 1);
      return pageOf({ rows: rows.slice(0, first), hasNextPage: rows.length > first }, (r) => encodeIdCursor(INBOX_CURSOR, r.id), (r) => r);
    },
    overdueReport: async (_, args, ctx) => {
      const report = await supervisionReport(ctx, args);
      await ctx.loaders.hub.householdById.loadMany(reportHouseholds(report));
      return report;
    },
    workingDayCalendar: () => calendarCoverage,
  },

  Mutation: answeringScreened({
    caseOpen: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'caseOpen');
      const outcome = await openCase(
        ctx.hub,
        { householdId: requireHubId(input.householdId, 'input.householdId'), origin: input.origin, urgency: input.urgency, summary: input.summary, reportedAt: input.reportedAt ?? null },
        meta,
      );
      return { replayed: false, ...(await payload(outcome, ctx, async (id) => ({ case: await caseById(ctx, id), userErrors: [], replayed: outcome.ok && outcome.replayed }))) };
    },

    caseTransition: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'caseTransition');
      const caseId = requireHubId(input.caseId, 'input.caseId');
      if (!(await inReach(ctx, await caseById(ctx, caseId)))) return CASE_NOT_FOUND();
      const outcome = await transitionCase(ctx.hub, caseId, input.to, input.reason, meta);
      return payload(outcome, ctx, async (id) => ({ case: await caseById(ctx, id), userErrors: [], replayed: outcome.ok && outcome.replayed }));
    },

    caseHandOver: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'caseHandOver');
      const caseId = requireHubId(input.caseId, 'input.caseId');
      const c = await caseById(ctx, caseId);
      if (!c || !(await inReach(ctx, c))) return CASE_NOT_FOUND();
      // The alert that goes with the case is pushed as moved, as any move of an alert is.
      const outcome = await handOverCase(ctx.hub, c, input.reason, meta, (tx, moves) => deliverAlertChanges({}, tx, moves));
      return payload(outcome, ctx, async (id) => ({
        case: await caseById(ctx, id),
        successorReference: await successorReference(ctx, id),
        userErrors: [],
        replayed: outcome.ok && outcome.replayed,
      }));
    },

    meetingRecord: async (_, { input }, ctx) => ({ replayed: false, ...(await meetingRecordRequest(input, ctx)) }),

    referralIssue: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'referralIssue');
      const caseId = requireHubId(input.caseId, 'input.caseId');
      const c = await caseById(ctx, caseId);
      if (!c || !(await inReach(ctx, c))) return CASE_NOT_FOUND();
      const to = requireOffice(input.to, 'input.to');
      const refused = await receivingOfficeProblem(ctx, to, c.townshipCode);
      if (refused) return { userErrors: [refused] };
      const outcome = await issueReferral(
        ctx.hub,
        {
          caseId,
          to,
          ask: input.ask,
          deadlineWorkingDays: input.deadlineWorkingDays,
          handOver: input.handOver ?? false,
        },
        meta,
      );
      return referralPayload(ctx, outcome);
    },

    referralAccept: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'referralAccept');
      const referralId = requireHubId(input.referralId, 'input.referralId');
      if (!(await referralInReach(ctx, referralId))) return REFERRAL_NOT_FOUND();
      const caller = ctx.access?.caller;
      const mayOwnCase = !caller || caller.roles.some((r) => CASE_ROLES.includes(r));
      return referralPayload(ctx, await answerReferral(ctx.hub, referralId, 'ACCEPT', { text: input.note ?? '', aidSourceRef: null, mayOwnCase }, meta));
    },

    referralComplete: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'referralComplete');
      const referralId = requireHubId(input.referralId, 'input.referralId');
      if (!(await referralInReach(ctx, referralId))) return REFERRAL_NOT_FOUND();
      const sourceRef = input.aidSourceReference?.trim() || null;
      const refTooLong = aidSourceRefTooLong(sourceRef);
      if (refTooLong) return { userErrors: [refTooLong] };
      const slip = await caseLoaders(ctx).referralById.load(referralId);
      const c = slip ? await caseById(ctx, slip.caseId) : null;
      if (!slip || !c) return REFERRAL_NOT_FOUND();
      // Who may answer and in what state come first (checked again under the case's lock): the
      // department's data is read only for a completion that could otherwise go through.
      const answerable = slip.toOffice === meta.actor.office && checkReferralAction(slip.state, 'COMPLETE', { handOver: slip.handOver, text: input.feedback }).ok;
      // A completion the screen refuses asks the department nothing: a slip still to be completed
      // was completed by no earlier sending, so answerReferral's retry look refuses it (retryOrScreened).
      const verified = answerable && !meta.screened ? await verifyFeedback(ctx, slip, c, sourceRef, input.differenceReason ?? null) : { ok: true as const, fulfilment: null };
      if (!verified.ok) return { userErrors: verified.errors };
      return referralPayload(ctx, await answerReferral(ctx.hub, referralId, 'COMPLETE', { text: input.feedback, aidSourceRef: sourceRef, fulfilment: verified.fulfilment }, meta, caseNamedTo(ctx)));
    },

    referralReassign: (_, { input }, ctx) => referralReassignRequest(input, ctx),

    decisionCorrect: async (_, { input }, ctx) => ({ superseded: [], issued: [], replayed: false, ...(await decisionCorrectRequest(input, ctx)) }),

    referralWaive: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'referralWaive');
      const referralId = requireHubId(input.referralId, 'input.referralId');
      if (!(await referralInReach(ctx, referralId))) return REFERRAL_NOT_FOUND();
      return referralPayload(ctx, await resolveDeclinedDecision(ctx.hub, referralId, { kind: 'WAIVE', reason: input.reason }, meta));
    },

    referralWithdraw: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'referralWithdraw');
      const referralId = requireHubId(input.referralId, 'input.referralId');
      if (!(await referralInReach(ctx, referralId))) return REFERRAL_NOT_FOUND();
      return referralPayload(ctx, await withdrawReferral(ctx.hub, referralId, input.reason, meta));
    },

    caseFirstAid: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'caseFirstAid');
      const caseId = requireHubId(input.caseId, 'input.caseId');
      const c = await caseById(ctx, caseId);
      if (!c || !(await inReach(ctx, c))) return CASE_NOT_FOUND();
      const beneficiary = input.beneficiaryIdNumber ? requireIdNumber(input.beneficiaryIdNumber, 'input.beneficiaryIdNumber') : null;
      const programme = PROGRAMME_BY_CODE.get(input.programme);
      if (!programme) return { userErrors: [caseError('UNKNOWN_PROGRAMME', `no programme ${input.programme}`, ['input', 'programme'])] };
      // First aid of temporary aid states its cause as a meeting's decision does: X5 counts it by cause.
      const cause = decisionCause(programme.code, givenCause(input.cause, 'input.cause'), null, 'input.cause');
      const sourceRef = input.aidSourceReference?.trim() || null;
      const firstAid = { caseId, programmeCode: programme.code, amountFen: input.amountFen, beneficiaryIdNumber: beneficiary, cause, aidSourceRef: sourceRef, reason: input.reason };
      const answered = (outcome: Outcome<number>) => payload(outcome, ctx, async (id) => ({ case: await caseById(ctx, id), userErrors: [], replayed: outcome.ok && outcome.replayed }));
      // A retry is answered with its first outcome before the checks below: its record, corrected or
      // reversed since, or a check added since (a service's money) would refuse what is recorded.
      const retry = await firstAidRetry(ctx.hub, firstAid, meta);
      if (retry) return answered(retry);
      // A service (法律援助) is given, not paid, as a decision of it is (domain/cases/meetings.ts).
      if (input.amountFen > 0 && isServiceProgramme(programme)) return { userErrors: [caseError('AMOUNT_INVALID', SERVICE_AMOUNT_MESSAGE, ['input', 'amountFen'])] };
      if (input.amountFen === 0 && !isServiceProgramme(programme)) return { userErrors: [caseError('AMOUNT_INVALID', MONEY_AMOUNT_MESSAGE, ['input', 'amountFen'])] };
      const household = await ctx.loaders.hub.membersByHousehold.load(c.householdId);
      const members = household.map((m) => m.person.idNumber);
      if (beneficiary !== null && !members.includes(beneficiary)) return { userErrors: [caseError('BENEFICIARY_NOT_IN_HOUSEHOLD', 'the beneficiary is not a member of the household', ['input', 'beneficiaryIdNumber'])] };
      // "两癌"救助 or 春蕾计划 for a man (domain/programme-beneficiaries.ts), as a meeting's decision and aidReport refuse it.
      const forWomen = beneficiary === null ? null : programmeForWomenProblem(programme.code, beneficiary);
      if (forWomen) return { userErrors: [caseError('PROGRAMME_FOR_WOMEN', forWomen, ['input', 'beneficiaryIdNumber'])] };
      // 冬春救助 given out of its season (domain/programme-seasons.ts), on the day the first aid was
      // given, as a meeting's decision (on the day it was held) and aidReport (its grant date) refuse it.
      const outOfSeason = outOfSeasonProblem(programme.code, chinaDateOf(meta.occurredAt ?? meta.now));
      if (outOfSeason) return { userErrors: [caseError('OUT_OF_SEASON', outOfSeason, ['input', 'programme'])] };
      // As a meeting's decision: no aid is given to a member who died before the day it was given (the
      // household not yet updated); a first aid naming no one is the household's and is not refused.
      const died = beneficiary === null ? null : (household.find((m) => m.person.idNumber === beneficiary)?.person.deathDate ?? null);
      if (died !== null && died < chinaDateOf(meta.occurredAt ?? meta.now)) {
        return { userErrors: [caseError('BENEFICIARY_DECEASED', 'the beneficiary died before the first aid was given', ['input', 'beneficiaryIdNumber'])] };
      }
      // The money trail: a named aid record must exist in the programme's department's own data.
      const refTooLong = aidSourceRefTooLong(sourceRef);
      if (refTooLong) return { userErrors: [refTooLong] };
      if (sourceRef !== null) {
        const found = await aidRecordOf(ctx, c, programme.department, sourceRef);
        if (!found.record) return { userErrors: [missingAidRecord(found)] };
        // The money trail is this first aid's: its programme, its member, paid since the report, the amount stated.
        const mismatch = checkFirstAidRecord({ programme, amountFen: input.amountFen, beneficiaryIdNumber: beneficiary, reportedOn: chinaDateOf(c.reportedAt), cause, today: chinaDateOf(meta.now) }, found.record);
        if (mismatch.length > 0) return { userErrors: mismatch };
      }
      return answered(await recordFirstAid(ctx.hub, firstAid, meta));
    },

    caseMaterialsComplete: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'caseMaterialsComplete');
      const caseId = requireHubId(input.caseId, 'input.caseId');
      if (!(await inReach(ctx, await caseById(ctx, caseId)))) return CASE_NOT_FOUND();
      const outcome = await completeMaterials(ctx.hub, caseId, input.note, meta);
      return payload(outcome, ctx, async (id) => ({ case: await caseById(ctx, id), userErrors: [], replayed: outcome.ok && outcome.replayed }));
    },

    caseForwardForApproval: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'caseForwardForApproval');
      const caseId = requireHubId(input.caseId, 'input.caseId');
      if (!(await inReach(ctx, await caseById(ctx, caseId)))) return CASE_NOT_FOUND();
      const forward = { caseId, programmeCode: input.programme, to: requireOffice(input.to, 'input.to'), review: input.review };
      const outcome = await forwardForCountyApproval(ctx.hub, activeTriggerSet().townshipApproval, forward, meta);
      return payload(outcome, ctx, async (id) => ({ case: await caseById(ctx, id), userErrors: [], replayed: outcome.ok && outcome.replayed }));
    },

    referralDecline: async (_, { input }, ctx) => {
      const meta = metaOf(ctx, input, 'referralDecline');
      const referralId = requireHubId(input.referralId, 'input.referralId');
      if (!(await referralInReach(ctx, referralId))) return REFERRAL_NOT_FOUND();
      return referralPayload(ctx, await answerReferral(ctx.hub, referralId, 'DECLINE', { text: input.reason, aidSourceRef: null }, meta));
    },
  }),

  Household: {
    cases: (h, _, ctx) => caseLoaders(ctx).casesByHousehold.load(h.id),
  },

  Case: {
    id: (c) => String(c.id),
    reference: (c) => caseReference(c.id, c.reportedAt),
    household: (c, _, ctx) => present(ctx.loaders.hub.householdById.load(c.householdId), 'the case’s household'),
    firstReceivedBy: (c) => officeOf(c.firstOffice, c.townshipCode),
    owner: (c) => officeOf(c.ownerOffice, c.townshipCode),
    township: (c, _, ctx) => regionOf(ctx, c.townshipCode),
    allowedTransitions: (c) => allowedTransitions(c.state),
    history: (c, _, ctx) => caseLoaders(ctx).eventsByCase.load(c.id),
    deadlines: (c, args, ctx) => deadlinesOf(c, args.asOf, ctx),
    anyDeadlineMissed: async (c, args, ctx) => (await deadlinesOf(c, args.asOf, ctx)).some((d) => isMissed(d.status)),
    referrals: (c, _, ctx) => caseLoaders(ctx).referralsByCase.load(c.id),
    meetings: (c, _, ctx) => caseLoaders(ctx).meetingsByCase.load(c.id),
    secondAids: (c, _, ctx) => caseLoaders(ctx).secondAidsByCase.load(c.id),
    firstAid: async (c, _, ctx) => {
      const given = await caseLoaders(ctx).firstAidByCase.load(c.id);
      return given && { ...given, householdId: c.householdId, townshipCode: c.townshipCode };
    },
    countyApproval: async (c, _, ctx) => {
      const forwarded = await caseLoaders(ctx).countyApprovalByCase.load(c.id);
      return forwarded && { ...forwarded, householdId: c.householdId, townshipCode: c.townshipCode };
    },
    dossier: async (c, _, ctx) => dossierReadBy(await dossierOf(ctx, c), callerScope(ctx), ctx),
    briefUrl: (c) => `/cases/${c.id}/brief`,
    householdMoved: async (c, _, ctx) => {
      if (TERMINAL_STATES.has(c.state)) return null;
      const home = await ctx.loaders.hub.householdById.load(c.householdId);
      return home && countyOf(home.regionCode) !== countyOf(c.townshipCode) ? { countyCode: countyOf(home.regionCode), regionCode: home.regionCode } : null;
    },
    predecessor: (c, _, ctx) => (c.predecessorCaseId === null ? null : caseById(ctx, c.predecessorCaseId)),
    successor: (c, _, ctx) => caseLoaders(ctx).successorByCase.load(c.id),
    successorReference: (c, _, ctx) => successorReference(ctx, c.id),
  },

  HouseholdMove: {
    county: (m, _, ctx) => regionOf(ctx, m.countyCode),
    region: (m, _, ctx) => regionOf(ctx, m.regionCode),
  },

  CaseEvent: {
    sequence: (e) => e.seq,
    referral: (e, _, ctx) => (e.referralId === null ? null : caseLoaders(ctx).referralById.load(e.referralId)),
    meeting: (e, _, ctx) => (e.meetingId === null ? null : caseLoaders(ctx).meetingById.load(e.meetingId)),
    // A successor's opening is the hand-over, an act of the predecessor's county's convener.
    actorOffice: async (e, _, ctx) => {
      const c = await caseById(ctx, e.caseId);
      const by = e.action === 'OPENED' && c?.predecessorCaseId != null ? await caseById(ctx, c.predecessorCaseId) : c;
      return officeOf(e.actorOffice, by?.townshipCode);
    },
    fromOffice: (e, _, ctx) => ownerChangeOffice(ctx, e, e.fromOffice),
    toOffice: (e, _, ctx) => ownerChangeOffice(ctx, e, e.toOffice),
  },

  CaseDeadline: {
    limitHours: (d) => (d.limit.unit === 'HOURS' ? d.limit.hours : null),
    limitWorkingDays: (d) => (d.limit.unit === 'WORKING_DAYS' ? d.limit.workingDays : null),
  },

  Office: {
    department: (o) => (o.kind === 'DEPARTMENT' ? departmentOf(o.department) : null),
    township: (o, _, ctx) => (o.kind === 'TOWNSHIP' ? regionOf(ctx, o.townshipCode) : null),
    // A department office of a known county is named as that county's office (任城区司法局).
    name: (o, _, ctx) => officeNameOf(ctx, o),
    county: (o, _, ctx) => {
      const code = o.kind === 'TOWNSHIP' ? countyOf(o.townshipCode) : o.kind === 'DEPARTMENT' ? (o.countyCode ?? null) : null;
      return code === null ? null : regionOf(ctx, code);
    },
  },

  Referral: {
    id: (r) => String(r.id),
    case: (r, _, ctx) => present(caseById(ctx, r.caseId), 'the slip’s case'),
    meeting: (r, _, ctx) => (r.meetingId === null ? null : caseLoaders(ctx).meetingById.load(r.meetingId)),
    from: (r, _, ctx) => slipOffice(ctx, r, r.fromOffice),
    to: (r, _, ctx) => slipOffice(ctx, r, r.toOffice),
    programme: (r) => (r.programmeCode === null ? null : (PROGRAMME_BY_CODE.get(r.programmeCode) ?? null)),
    beneficiary: (r, _, ctx) => (r.beneficiaryIdNumber === null ? null : ctx.loaders.hub.personByIdNumber.load(r.beneficiaryIdNumber)),
    aidRecord: async (r, _, ctx) => {
      const office = officeOf(r.toOffice);
      const c = await caseById(ctx, r.caseId);
      if (r.aidSourceRef === null || office.kind !== 'DEPARTMENT' || !c) return null;
      const found = await aidRecordOf(ctx, c, office.department, r.aidSourceRef);
      return found.record ?? found.superseded;
    },
    aidSourceReference: (r) => r.aidSourceRef,
    settlementReference: (r) => r.settlementRef,
    schoolYear: (r) => r.schoolYear,
    fulfilment: (r, _, ctx) => caseLoaders(ctx).fulfilmentByReferral.load(r.id),
    declineResolution: (r, _, ctx) => (r.state === 'DECLINED' && r.kind === 'DECISION' ? caseLoaders(ctx).declineByReferral.load(r.id) : null),
    decisionCheck: (r, _, ctx) => (r.kind === 'DECISION' ? caseLoaders(ctx).decisionCheckByReferral.load(r.id) : null),
    correction: (r, _, ctx) => (r.kind === 'DECISION' ? caseLoaders(ctx).correctionByReferral.load(r.id) : null),
    provisional: (r) => referralDue(r).provisional,
    answeredStatedAt: async (r, _, ctx) => {
      const answer = await answerOf(ctx, r);
      return answer && answer.occurredAt < answer.recordedAt ? answer.occurredAt : null;
    },
    answeredBy: async (r, _, ctx) => (await answerOf(ctx, r))?.actor ?? null,
    countedFrom: (r) => r.countedFrom,
    deadlineStatus: (r, args, ctx) => referralStanding(ctx, r, args.asOf).status,
    overdue: (r, args, ctx) => referralStanding(ctx, r, args.asOf).overdue,
    timeLeft: (r, args, ctx) => referralStanding(ctx, r, args.asOf).timeLeft,
  },

  Meeting: {
    id: (m) => String(m.id),
    case: (m, _, ctx) => present(caseById(ctx, m.caseId), 'the meeting’s case'),
    convenedBy: (m, _, ctx) => caseOffice(ctx, m.caseId, m.convenedBy),
    departmentsPresent: async (m, _, ctx) => (await caseLoaders(ctx).departmentsByMeeting.load(m.id)).map(departmentOf),
    decisions: async (m, _, ctx) => (await caseLoaders(ctx).referralsByCase.load(m.caseId)).filter((r) => r.meetingId === m.id),
    // The stored copy, narrowed to the other cases this reader reads now (dossierReadBy).
    dossier: (m, _, ctx) => dossierReadBy(m.dossier, callerScope(ctx), ctx),
    briefUrl: (m) => `/cases/${m.caseId}/brief?meeting=${m.id}`,
    decisionChecks: async (m, _, ctx) => {
      const decisions = (await caseLoaders(ctx).referralsByCase.load(m.caseId)).filter((r) => r.meetingId === m.id);
      const checks = await Promise.all(decisions.map((d) => caseLoaders(ctx).decisionCheckByReferral.load(d.id)));
      return checks.filter((c) => c !== null);
    },
  },

  DeclineResolution: {
    kind: (d) => d.resolution,
    newReferral: (d, _, ctx) => (d.newReferralId === null ? null : caseLoaders(ctx).referralById.load(d.newReferralId)),
    meeting: (d, _, ctx) => (d.meetingId === null ? null : caseLoaders(ctx).meetingById.load(d.meetingId)),
    recordedAt: (d) => fromDbInstant(d.recordedAt),
  },

  DecisionCorrection: {
    replacedBy: (d, _, ctx) => (d.replacedBy === null ? null : caseLoaders(ctx).referralById.load(d.replacedBy)),
    recordedAt: (d) => fromDbInstant(d.recordedAt),
  },

  DecisionCorrectPayload: {
    replayed: (p) => p.replayed ?? false,
  },

  ReferralPayload: {
    replayed: (p) => p.replayed ?? false,
  },

  CaseTransitionPayload: {
    replayed: (p) => p.replayed ?? false,
  },

  CaseHandOverPayload: {
    replayed: (p) => p.replayed ?? false,
  },

  DecisionCheck: {
    decision: (c, _, ctx) => present(caseLoaders(ctx).referralById.load(c.referralId), 'the checked decision'),
    conflict: (c) => c.findings.some((f) => f.severity === 'CONFLICT'),
    unavailable: (c) => c.unavailable.map(departmentOf),
    complete: (c) => c.unavailable.length === 0,
  },

  DecisionFinding: {
    departments: (f) => f.departments.map(departmentOf),
  },

  Fulfilment: {
    aidSourceReference: (f) => f.aidSourceRef,
    programme: (f) => present(Promise.resolve(PROGRAMME_BY_CODE.get(f.programmeCode) ?? null), 'the fulfilment’s programme'),
    beneficiary: (f, _, ctx) => ctx.loaders.hub.personByIdNumber.load(f.beneficiaryIdNumber),
    // Short by what stands now: read with the standing, in its statements.
    shortfallFen: async (f, _, ctx) => standingShortfall(f, await fulfilmentOf(ctx, f)),
    standing: async (f, _, ctx) => (await fulfilmentOf(ctx, f))?.standing ?? null,
    supersededBy: async (f, _, ctx) => (await fulfilmentOf(ctx, f))?.supersededBy ?? null,
  },

  SupersedingAidRecord: {
    // A department's record changed in place (CHANGED_AT_SOURCE) is shown here, and its reference can
    // hold an ID number (a 低保 member's record is keyed by it): masked as the slip's own
    // aidSourceReference is (REFERENCE in access/policy.ts) for a caller that sees no ID number.
    aidSourceReference: (r, _, ctx) => (!ctx.access?.caller || seesIdNumbers(ctx.access.caller, ctx.access.purpose) ? r.sourceRef : scrub(r.sourceRef)),
    programme: (r) => AID_PROGRAMME_BY_CODE.get(r.programme)!,
    aidDate: (r) => aidDateOf(r),
    reference: (r) => r.reportedBy?.reference ?? null,
  },

  FirstAid: {
    programme: (f) => present(Promise.resolve(PROGRAMME_BY_CODE.get(f.programmeCode) ?? null), 'the first aid’s programme'),
    beneficiary: (f, _, ctx) => (f.beneficiaryIdNumber === null ? null : ctx.loaders.hub.personByIdNumber.load(f.beneficiaryIdNumber)),
    aidSourceReference: (f) => f.aidSourceRef,
    pending: (f) => f.aidSourceRef === null,
    standing: async (f, _, ctx) => (await firstAidStanding(ctx.loaders, f, f.householdId))?.standing ?? null,
    supersededBy: async (f, _, ctx) => (await firstAidStanding(ctx.loaders, f, f.householdId))?.supersededBy ?? null,
    givenAt: (f) => fromDbInstant(f.givenAt),
    recordedAt: (f) => fromDbInstant(f.recordedAt),
  },

  CountyApproval: {
    programme: (a) => present(Promise.resolve(PROGRAMME_BY_CODE.get(a.programmeCode) ?? null), 'the forward’s programme'),
    from: (a) => officeOf(a.fromOffice, a.townshipCode),
    to: (a) => officeOf(a.toOffice, a.townshipCode),
    basis: () => COUNTY_APPROVAL_BASIS,
  },

  ForwardedCase: {
    heldBy: (f) => officeOf(f.heldBy, f.case.townshipCode),
    forwardedBy: (f) => officeOf(f.forwardedBy, f.case.townshipCode),
  },

  OpenDecline: {
    owner: (d) => officeOf(d.owner, d.referral.townshipCode),
    declinedUnder: (d) => officeOf(d.declinedUnder, d.referral.townshipCode),
  },

  WithdrawnReferral: {
    withdrawnBy: (w) => officeOf(w.withdrawnBy, w.referral.townshipCode),
    reason: (w) => w.referral.withdrawReason,
  },

  SecondAidApproval: {
    beneficiary: (s, _, ctx) => ctx.loaders.hub.personByIdNumber.load(s.idNumber),
    referral: (s, _, ctx) => present(caseLoaders(ctx).referralById.load(s.referralId), 'the approval’s slip'),
    aidSourceReference: (s) => s.aidSourceRef,
  },

  Dossier: {
    // A snapshot from before version 3 holds birth dates, not ages: the age on its own last day.
    members: (d) => d.members.map((m) => ({ ...m, age: memberAge(m, d.window.to) })),
    from: (d) => d.window.from,
    to: (d) => d.window.to,
    findingsAvailable: (d) => d.findings !== null,
    findings: (d) => d.findings ?? [],
    departmentsNotContributed: (d) => d.departmentsNotContributed.map(departmentOf),
  },

  // A meeting's snapshot keeps neither the address nor birth dates (storedDossier): the convening
  // office that may read them reads them from the hub's records, as they are now.
  DossierHousehold: {
    id: (h) => String(h.id),
    address: async (h, _, ctx) => h.address ?? (await ctx.loaders.hub.householdById.load(h.id))?.address ?? null,
  },

  DossierMember: {
    gender: (m) => (m.gender === 'M' ? 'MALE' : 'FEMALE'),
    birthDate: async (m, _, ctx) => m.birthDate ?? (await ctx.loaders.hub.personByIdNumber.load(m.idNumber))?.birthDate ?? null,
  },

  DossierSource: {
    department: (s) => departmentOf(s.department),
  },

  DossierFinding: {
    // A meeting's snapshot is read later by slips' offices too: the words follow the reader's view.
    summary: (f, _, ctx) => (proseDetail(ctx).health ? f.summary : (f.summaryWithoutHealth ?? f.ruleId)),
    departments: (f) => (f.departments ?? []).map(departmentOf),
  },

  DossierCase: {
    id: (c) => String(c.id),
  },

  DossierReferral: {
    id: (r) => String(r.id),
    // A snapshot taken before the flag was kept (nor the slip's count): at least the due date's own year is known.
    provisional: (r) => r.provisional ?? referralDue({ countedFrom: r.dueOn, deadlineWorkingDays: 0, dueOn: r.dueOn }).provisional,
    // Offices of the slip's case's county, as on the slip itself.
    from: (r, _, ctx) => caseOffice(ctx, r.caseId, r.from),
    to: (r, _, ctx) => caseOffice(ctx, r.caseId, r.to),
    programme: (r) => (r.programmeCode === null ? null : (PROGRAMME_BY_CODE.get(r.programmeCode) ?? null)),
  },

  OfficeOverdue: {
    office: (g) => officeOf(g.office, g.countyCode),
    county: (g, _, ctx) => regionOf(ctx, g.countyCode),
  },

  CountyOverdue: {
    county: (g, _, ctx) => regionOf(ctx, g.countyCode),
  },

  TownshipOverdue: {
    township: (g, _, ctx) => regionOf(ctx, g.townshipCode),
  },

  // The report primed the case's history (no statement): the step is one of its events.
  LateCase: {
    endedBy: async (l, _, ctx) => {
      const event = (await caseLoaders(ctx).eventsByCase.load(l.case.id)).find((e) => e.seq === l.endedBy.seq);
      if (!event) throw new Error(`case ${l.case.id}: no event ${l.endedBy.seq} in its history`);
      return event;
    },
  },
};
