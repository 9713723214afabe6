/**
 * Charity linkage use cases: the office records consent and publishes needs from its cases; a
 * charity registers, claims, pledges and reports delivery. Each checks who may act on what
 * (scope, claim, organisation) and calls the pure rules (domain/charity) and the store.
 */
import { inScope, regionInScope } from '../../access/decide';
import { needRegions, subjectsOf } from '../../access/policy';
import { badInput, requireDivisionCode, requireHubId, requireIdNumber } from '../../access/errors';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { DEFAULT_CLAIM_WORKING_DAYS } from '../../db/charity/config';
import * as store from '../../db/charity/store';
import { checkCreditCode } from '../../domain/credit-code';
import { charityError, ok, refuse, type CharityOutcome, type CharityUserError } from '../../domain/charity/errors';
import { charityProgrammeFor, concernsMinor, consentProblem, descriptionNamesHousehold, descriptionTellsHealth, needsHealthConsent, needTextsTellMinor, publishedConsentProblem, type ConsentScope, type NeedPurpose } from '../../domain/charity/needs';
import { caseReference } from '../../domain/cases/reference';
import { triggerWritesHealth } from '../../domain/monitoring/alerts';
import { referenceKey, validateReport, type ReportError, type ValidReportedAid } from '../../domain/reported-aid/validate';
import { reportedAidConflicts, type IncompleteCheck } from '../reported-aid/resolvers';
import type { ReportedAidConflict } from '../models';
import { sameAidIn } from '../../domain/reported-aid/same-aid';
import { recordReportedAid, type Reporter } from '../../db/reported-aid/store';
import type { IsoDate } from '../../domain/dates';
import type { HubContext } from '../context';
import { lockingTransaction, type LockingTx } from '../../db/locking';
import { callerVerifies } from '../monitoring/resolvers';
import { longerThan } from '../../domain/text-length';
import { proseRefusal, screenedReference, screenedText, type ScreenOptions } from '../../domain/text-screen';
import { birthDateOf, mayContainIdNumber } from '../../domain/id-number';
import { MAX_AMOUNT_FEN, settlementReferenceOf } from '../../domain/aid';
import { isDuplicateKey } from '../../db/cases/write';
import { settlementStands } from '../findings/live';
import { GOVERNMENT_AID_PENDING_REASON_MAX } from '../../domain/charity/government-pending';
import { governmentAidPendingFor, pendingInWords } from './government-pending';
import { inDecisionTurns } from '../cases/decision-checks';

function caller(ctx: HubContext) {
  const c = ctx.access.caller;
  if (!c) throw new Error('charity linkage reached without a caller (access enforcement runs first)');
  return c;
}

/**
 * The officer the request names (X-Officer, validated and screened for ID numbers by
 * access/http.ts), or null: kept beside the client on what it writes (a need, pledge, delivery,
 * correction, reduction or release, a consent's revocation, a need's withdrawal). Not part of a write's content: a retry under another officer
 * answers the first write, which keeps its officer (the retry's own audit rows name the new one).
 */
function officerOf(ctx: HubContext): string | null {
  return ctx.access.officer;
}

/** The calling client and the officer its request names: who revokes a consent or withdraws a need. */
function writerOf(ctx: HubContext): store.Writer {
  return { client: caller(ctx).name, officer: officerOf(ctx) };
}

async function householdInScope(ctx: HubContext, householdId: number): Promise<boolean> {
  const h = await ctx.loaders.hub.householdById.load(householdId);
  return !!h && inScope(caller(ctx).regionScope, h.regionCode);
}

/**
 * A consent the caller may name: one of a household in its scope. Another county's reads as none,
 * CONSENT_NOT_FOUND, as for an id that does not exist: CONSENT_OTHER_HOUSEHOLD there would confirm
 * to the caller that the consent, and a household behind it, exist outside its scope.
 */
async function consentInReach(ctx: HubContext, consentId: number): Promise<store.ConsentRecord | null> {
  const consent = await store.consentById(ctx.hub, consentId);
  return consent && (await householdInScope(ctx, consent.householdId)) ? consent : null;
}

/**
 * Whether the caller owns a case, to publish a need from it: the township where it was opened in the
 * caller's scope, as every case write is judged (resolvers/cases inReach). A case stays with the county
 * that opened it until it is handed over, wherever its household moves (access/policy.ts caseRegions,
 * needRegions). Judged by the household's division, the owning county got CASE_NOT_FOUND on its own
 * case once the household had moved away, while the county it moved to published on a case it does
 * not own. Another county's case reads as none, CASE_NOT_FOUND, as for an id that does not exist.
 */
function caseOwnedByCaller(ctx: HubContext, c: { townshipCode: string }): boolean {
  return inScope(caller(ctx).regionScope, c.townshipCode);
}

/**
 * A consent the owner of a case may publish under (caseOwnedByCaller, or the verifier of the alert
 * whose verification opened it, publishNeedFromAlert): one of the case's household,
 * wherever the household lives now (the owning county recorded it before the move, or the county it
 * moved to since), or one in the caller's reach (consentInReach; another household's is then
 * CONSENT_OTHER_HOUSEHOLD). Any other reads as none, CONSENT_NOT_FOUND.
 */
async function consentOfCase(ctx: HubContext, consentId: number, householdId: number): Promise<store.ConsentRecord | null> {
  const consent = await store.consentById(ctx.hub, consentId);
  if (!consent) return null;
  return consent.householdId === householdId || (await householdInScope(ctx, consent.householdId)) ? consent : null;
}

function text(value: string, max: number, field: string[]) {
  if (value.trim() === '') return charityError('TEXT_REQUIRED', `${field.at(-1)} must not be empty`, field);
  if (longerThan(value, max)) return charityError('TEXT_TOO_LONG', `${field.at(-1)} is longer than ${max} characters`, field);
  return null;
}

/**
 * A text other parties read (a need's description; an organisation's name and a project's title,
 * which offices and other charities read): as `text`, then screened (domain/text-screen.ts), a
 * need's description for numbers too. A name or title keeps its numbers (`2026-2027学年助学`) but
 * never an ID number, whole, in parts or full-width: `为370811…筹款` was stored and shown to every
 * office and charity in clear. The error, or the text as it is stored.
 */
function shownText(value: string, max: number, field: string[], options: ScreenOptions): { error: ReturnType<typeof charityError> } | { text: string } {
  const bad = text(value, max, field);
  if (bad) return { error: bad };
  const shown = screenedText(value, options);
  if (shown.ok && mayContainIdNumber(shown.screened)) return { error: charityError('DESCRIPTION_IDENTIFIES', `${field.at(-1)} carries an ID number: others read it`, field) };
  if (shown.ok) return { text: shown.text };
  if (shown.problem === 'INVISIBLE_CHARACTER') return { error: charityError('TEXT_INVISIBLE_CHARACTER', `${field.at(-1)} holds an invisible character (${shown.codePoint}): others read what it shows`, field) };
  return { error: charityError('DESCRIPTION_IDENTIFIES', `${field.at(-1)} carries a long number; describe the need without ID, phone or account numbers`, field) };
}

/**
 * The refusal of a reason a charity gives for cancelling or correcting a delivery, reducing a pledge
 * or releasing a claim, which offices read beside the household's aid and the need's history
 * (domain/text-screen.ts proseRefusal): an invisible character is TEXT_INVISIBLE_CHARACTER, a mobile
 * number or a bank card or account IDENTIFYING_NUMBER, naming it masked; null for a reason that
 * passes. Judged by the store after its retry look by reference (db/charity/store.ts `screened`), so
 * a request made before the screen is still answered with what it wrote.
 */
function reasonScreened(reason: string): CharityUserError | null {
  return proseRefusal(['input', 'reason'], reason);
}

/**
 * A charity's reference for a pledge, delivery, correction, cancellation or reduction: as `text`
 * (1–64 characters), then screened (screenedReference): offices read it beside the household's aid,
 * so it may not carry an ID, phone or account number (REFERENCE_IDENTIFIES) or an invisible character.
 */
function referenceText(value: string): ReturnType<typeof charityError> | null {
  const field = ['input', 'reference'];
  const bad = text(value, 64, field);
  if (bad) return bad;
  const screened = screenedReference(value);
  if (screened.ok) return null;
  if (screened.problem === 'INVISIBLE_CHARACTER') return charityError('TEXT_INVISIBLE_CHARACTER', `reference holds an invisible character (${screened.codePoint}): others read what it shows`, field);
  return charityError('REFERENCE_IDENTIFIES', 'reference carries an ID, phone or account number; offices read it: use the charity’s own numbering', field);
}

/**
 * Who gave a consent and the officer who recorded it: a role (户主, 监护人) and a staff identifier,
 * which every office reading the consent reads. An ID, phone or account number typed there (some
 * systems key their staff by 身份证号) was stored and shown as typed, where the hub shows an ID
 * number whole only to those with the right to see it: DESCRIPTION_IDENTIFIES, nothing recorded.
 */
function consentPartyProblem(consent: { givenBy: string; officer: string }, at: readonly string[]): ReturnType<typeof charityError> | null {
  for (const [name, value] of [['givenBy', consent.givenBy], ['officer', consent.officer]] as const) {
    const screened = screenedReference(value);
    if (!screened.ok && screened.problem === 'IDENTIFYING_NUMBER') {
      return charityError('DESCRIPTION_IDENTIFIES', `${name} carries an ID, phone or account number: ${name === 'givenBy' ? 'say who gave the consent by their place in the household (户主, 监护人)' : "give the officer's staff identifier"}`, [...at, name]);
    }
  }
  return null;
}

// ----- The office ------------------------------------------------------------------------------

export async function recordConsent(ctx: HubContext, input: { householdId: string; scopes: readonly ConsentScope[]; givenBy: string; expiresOn: IsoDate; officer: string; idempotencyKey?: string | null }): Promise<CharityOutcome<store.ConsentRecord>> {
  const householdId = requireHubId(input.householdId, 'input.householdId', 'household id');
  const bad = text(input.givenBy, 32, ['input', 'givenBy']) ?? text(input.officer, 64, ['input', 'officer']) ?? (input.idempotencyKey != null ? text(input.idempotencyKey, 64, ['input', 'idempotencyKey']) : null);
  if (bad) return { ok: false, errors: [bad] };
  // Kept as sent, not trimmed: a key is the client's token, one key only byte for byte (db/idempotency-key.ts).
  const recordKey = input.idempotencyKey ?? null;
  const consent: store.NewConsent = {
    householdId,
    scopes: [...input.scopes],
    givenBy: input.givenBy.trim(),
    recordedByClient: caller(ctx).name,
    recordedByOfficer: input.officer.trim(),
    recordedAt: ctx.now(),
    expiresOn: input.expiresOn,
  };
  // A retry after a lost answer gets the first consent as it now stands (revoked or expired since).
  const earlier = recordKey ? await store.consentByRecordKey(ctx.hub, consent.recordedByClient, recordKey) : null;
  if (earlier) return store.replayOfConsent(earlier, consent);
  const identifies = consentPartyProblem(input, ['input']);
  if (identifies) return { ok: false, errors: [identifies] };
  if (input.expiresOn < ctx.today) return refuse('CONSENT_EXPIRY_IN_PAST', 'expiresOn must be today or later', ['input', 'expiresOn']);
  if (input.scopes.length === 0) return refuse('CONSENT_SCOPE_MISSING', 'name at least one scope', ['input', 'scopes']);
  return recordKey ? store.recordConsentOnce(ctx.hub, { ...consent, recordKey }) : ok(await store.recordConsent(ctx.hub, consent));
}

export async function revokeConsent(ctx: HubContext, consentIdText: string): Promise<CharityOutcome<{ consent: store.ConsentRecord; withdrawnNeeds: number }>> {
  const consentId = requireHubId(consentIdText, 'input.consentId', 'consent id');
  const consent = await consentInReach(ctx, consentId);
  if (!consent) return refuse('CONSENT_NOT_FOUND', 'no such consent', ['input', 'consentId']);
  const done = await store.revokeConsent(ctx.hub, consentId, writerOf(ctx), ctx.now());
  return done ? ok(done) : refuse('CONSENT_NOT_FOUND', 'no such consent', ['input', 'consentId']);
}

type NeedInput = { purpose: NeedPurpose; urgency: 'EMERGENCY' | 'URGENT' | 'NORMAL'; uncoveredFen: number; description: string; involvesHealth?: boolean | null; governmentAidPendingReason?: string | null };
type NeedValues = Parameters<typeof store.insertNeed>[1];
type CaseRow = NonNullable<Awaited<ReturnType<HubContext['loaders']['cases']['caseById']['load']>>>;

/** An amount of fen an input names (`input.<field>`): why it is refused (not a positive whole number, or more than the ledger stores), or null. */
function amountRefused(fen: number, field: string): CharityOutcome<never> | null {
  if (!Number.isSafeInteger(fen) || fen <= 0) return refuse('AMOUNT_NOT_POSITIVE', `${field} must be positive`, ['input', field]);
  if (fen > MAX_AMOUNT_FEN) return refuse('AMOUNT_TOO_LARGE', `${field} is at most ${MAX_AMOUNT_FEN}`, ['input', field]);
  return null;
}

/**
 * A need of a case checked against the household and a consent (an existing one, or one about to
 * be recorded with it): the row to insert, or why not. Reads only. `beneficiaryField` names the
 * input the beneficiary came from (`beneficiaryIdNumber`, or an alert's `alertId`).
 */
async function needOfCase(ctx: HubContext, c: CaseRow, consent: store.ConsentRecord | null, input: NeedInput, beneficiary: string | null, consentField: string[], beneficiaryField: string[]): Promise<CharityOutcome<NeedValues>> {
  const description = shownText(input.description, 200, ['input', 'description'], { multiLine: true });
  if ('error' in description) return { ok: false, errors: [description.error] };
  const badAmount = amountRefused(input.uncoveredFen, 'uncoveredFen');
  if (badAmount) return badAmount;
  if (!consent) return refuse('CONSENT_NOT_FOUND', 'no such consent', consentField);
  // The household's current members, in one read: the beneficiary must be one, and a need for the
  // whole household is about each of them (a child under 14 among them needs MINOR_DATA).
  const current = await store.currentMembers(ctx.hub, c.householdId);
  const members = current.map((m) => m.idNumber);
  if (beneficiary && !members.includes(beneficiary)) return refuse('BENEFICIARY_NOT_IN_HOUSEHOLD', 'the beneficiary is not a current member of the case’s household', beneficiaryField);
  // A member the hub records as dead before today (a household not yet updated still lists them):
  // every delivery to the need would be refused, dated on or after the pledge, itself on or after
  // today (BENEFICIARY_DECEASED; another member named is BENEFICIARY_NOT_OF_NEED), and a charity's
  // pledge left answering for money it could not deliver. The household's need is published as its own.
  const died = beneficiary ? await store.deathDateOf(ctx.hub, beneficiary) : null;
  if (died !== null && died < ctx.today) {
    return refuse('BENEFICIARY_DECEASED', 'the hub records the beneficiary as deceased: no charity delivery to them could be recorded; publish the need for the whole household (no beneficiaryIdNumber, with charityNeedPublish)', beneficiaryField);
  }
  const household = await ctx.loaders.hub.householdById.load(c.householdId);
  const village = await ctx.loaders.hub.regionByCode.load(household!.regionCode);
  const shown = { memberNames: current.map((m) => m.name), villageName: village?.level === 'VILLAGE' ? village.name : null };
  const named = descriptionNamesHousehold(description.text, shown);
  if (named) return refuse('DESCRIPTION_IDENTIFIES', named === 'MEMBER_NAME' ? 'description names a member of the household; describe the need, not the people' : 'description names the household’s village; the claiming charity is told the township', ['input', 'description']);
  // The ID number carries the birth date (GB 11643).
  // A description telling of an illness, a hospital stay or a disability hands the charity health
  // data whatever the officer flagged (PIPL art. 28-29): the need rests on it, and HEALTH_DATA is asked.
  // The reason for publishing before government aid is given is read by the charity too (so told of health, it rests on it).
  const pendingReason = await governmentAidPendingReason(ctx, c, input, beneficiary, shown);
  if (!pendingReason.ok) return pendingReason;
  const involvesHealth = (input.involvesHealth ?? false) || descriptionTellsHealth(description.text) || (pendingReason.value !== null && descriptionTellsHealth(pendingReason.value));
  const facts = { householdId: c.householdId, purpose: input.purpose, involvesHealth, beneficiaryBirthDate: beneficiary ? birthDateOf(beneficiary) : null, memberBirthDates: members.map(birthDateOf) };
  // A description (or pending reason) telling of a child under 14 (家里孩子3岁，需要奶粉, in a need
  // for the mother) hands the charity a child's data whoever the need is for (PIPL art. 28, 31):
  // MINOR_DATA is asked, as health words ask HEALTH_DATA.
  const tellsMinor = needTextsTellMinor({ description: description.text, governmentAidPendingReason: pendingReason.value });
  const problem = consentProblem(consent, facts, ctx.today) ?? (tellsMinor && !consent.scopes.includes('MINOR_DATA') ? 'MINOR_CONSENT_MISSING' : null);
  if (problem) return refuse(problem, `the consent does not allow publishing this need (${problem})`, consentField);
  return ok({
    caseId: c.id,
    householdId: c.householdId,
    consentId: consent.id,
    countyCode: household!.regionCode.slice(0, 6),
    purpose: input.purpose,
    urgency: input.urgency,
    uncoveredFen: input.uncoveredFen,
    description: description.text,
    involvesHealth: needsHealthConsent(facts),
    involvesMinor: tellsMinor || concernsMinor(facts, ctx.today),
    beneficiaryIdNumber: beneficiary,
    publishedByClient: caller(ctx).name,
    publishedByOfficer: officerOf(ctx),
    publishedAt: ctx.now(),
    governmentAidPendingReason: pendingReason.value,
  });
}

/**
 * Charity comes after government aid (民发〔2023〕46号: for people who do not qualify for it or are
 * still in difficulty after it). A need the household's decisions decided and not yet given answer
 * the same way (its purpose, its member: domain/charity/government-pending.ts) is refused
 * GOVERNMENT_AID_PENDING, the message naming those slips and what is still to be given, unless the
 * office states why it cannot wait (`governmentAidPendingReason`, as a meeting's conflictOverrideReason):
 * that reason is kept with the need and shown to the claiming charity, which reads it as the
 * description is read, so it is screened the same way. Nothing pending: no reason is kept (null),
 * whatever the input said, so a charity is never told of aid that is not pending.
 */
async function governmentAidPendingReason(
  ctx: HubContext,
  c: CaseRow,
  input: NeedInput,
  beneficiary: string | null,
  household: Parameters<typeof descriptionNamesHousehold>[1],
): Promise<CharityOutcome<string | null>> {
  const pending = await governmentAidPendingFor(ctx, { caseId: c.id, householdId: c.householdId, purpose: input.purpose, beneficiaryIdNumber: beneficiary });
  if (pending.length === 0) return ok(null);
  const field = ['input', 'governmentAidPendingReason'];
  if (input.governmentAidPendingReason == null) {
    return refuse('GOVERNMENT_AID_PENDING', `government aid for this need is decided and not yet given: ${pendingInWords(pending)}; publish what is left once it is given, or state why the need cannot wait (governmentAidPendingReason)`, field);
  }
  const reason = shownText(input.governmentAidPendingReason, GOVERNMENT_AID_PENDING_REASON_MAX, field, { multiLine: true });
  if ('error' in reason) return { ok: false, errors: [reason.error] };
  if (descriptionNamesHousehold(reason.text, household)) return refuse('DESCRIPTION_IDENTIFIES', 'governmentAidPendingReason names a member of the household or its village; the charity reads it', field);
  return ok(reason.text);
}

export async function publishNeed(ctx: HubContext, input: NeedInput & { caseId: string; consentId: string; beneficiaryIdNumber?: string | null; idempotencyKey?: string | null }): Promise<CharityOutcome<store.NeedRecord>> {
  const caseId = requireHubId(input.caseId, 'input.caseId', 'case id');
  const consentId = requireHubId(input.consentId, 'input.consentId', 'consent id');
  const beneficiary = input.beneficiaryIdNumber ? requireIdNumber(input.beneficiaryIdNumber, 'input.beneficiaryIdNumber') : null;
  const badKey = input.idempotencyKey != null ? text(input.idempotencyKey, 64, ['input', 'idempotencyKey']) : null;
  if (badKey) return { ok: false, errors: [badKey] };
  const publishKey = input.idempotencyKey ?? null;
  const c = await ctx.loaders.cases.caseById.load(caseId);
  if (!c || !caseOwnedByCaller(ctx, c)) return refuse('CASE_NOT_FOUND', 'no such case', ['input', 'caseId']);
  // A retry after a lost answer gets the first outcome, whatever became of the need or its consent since.
  const earlier = publishKey ? await store.needByPublishKey(ctx.hub, caller(ctx).name, publishKey, ctx.today) : null;
  if (earlier) {
    const asked = { caseId, consentId, purpose: input.purpose, urgency: input.urgency, uncoveredFen: input.uncoveredFen, description: input.description.trim().normalize('NFC'), beneficiaryIdNumber: beneficiary };
    return store.replayOfPublication(earlier, { ...earlier, ...asked });
  }
  const consent = await consentOfCase(ctx, consentId, c.householdId);
  return checkedAndPublished(ctx, c.householdId, () => needOfCase(ctx, c, consent, input, beneficiary, ['input', 'consentId'], ['input', 'beneficiaryIdNumber']), (values, seen) => store.insertNeedUnderConsent(ctx.hub, { ...values, publishKey }, ctx.today, seen));
}

/**
 * Checks a need (`check`, which reads the household's decisions not yet given for
 * GOVERNMENT_AID_PENDING) and publishes it (`publish`, given the household's count of decisions
 * issued as read before the check, which it compares under the household's decision turn). A slip
 * issued by meetingRecord, decisionCorrect or referralReassign between the two moves the count: the
 * publication is refused HOUSEHOLD_DECISIONS_CHANGED having written nothing and is checked again
 * here, now seeing the slip (GOVERNMENT_AID_PENDING unless a reason was given). It was published
 * with no reason. After DECISION_CHECK_ATTEMPTS such rounds, that refusal is the answer.
 */
async function checkedAndPublished(
  ctx: HubContext,
  householdId: number,
  check: () => Promise<CharityOutcome<NeedValues>>,
  publish: (values: NeedValues, decisionsSeen: number) => Promise<CharityOutcome<store.NeedRecord>>,
): Promise<CharityOutcome<store.NeedRecord>> {
  return inDecisionTurns(
    ctx,
    householdId,
    async (seen): Promise<CharityOutcome<store.NeedRecord>> => {
      const checked = await check();
      return checked.ok ? publish(checked.value, seen) : checked;
    },
    // The check reads the household's decisions not yet given through the request's loader.
    () => ctx.loaders.cases.ungivenDecisionsByHousehold.clear(householdId),
  );
}

/**
 * One step from a verified alert to a published need (seed 003 四(五)(七)): the case the
 * verification opened carries it, the alert's person is its beneficiary, urgency follows the
 * grade. The consent is an existing one of the household, or given now and recorded in the same
 * transaction as the need, so a refused need leaves no consent behind and a consent no orphan.
 * What charities see is what charityNeedPublish gives them: nothing of the alert's evidence.
 */
export async function publishNeedFromAlert(
  ctx: HubContext,
  input: Omit<NeedInput, 'urgency'> & { alertId: string; urgency?: NeedInput['urgency'] | null; consentId?: string | null; consent?: { scopes: readonly ConsentScope[]; givenBy: string; expiresOn: IsoDate; officer: string } | null; idempotencyKey?: string | null },
): Promise<CharityOutcome<store.NeedRecord>> {
  const alertId = requireHubId(input.alertId, 'input.alertId', 'alert id');
  if ((input.consentId == null) === (input.consent == null)) throw badInput('input.consentId', 'ONE_OF', 'give either consentId or consent');
  const consentId = input.consentId != null ? requireHubId(input.consentId, 'input.consentId', 'consent id') : null;
  const badKey = input.idempotencyKey != null ? text(input.idempotencyKey, 64, ['input', 'idempotencyKey']) : null;
  if (badKey) return { ok: false, errors: [badKey] };
  const publishKey = input.idempotencyKey ?? null;
  const alert = await ctx.loaders.monitoring.alertById.load(alertId);
  if (!alert || !inScope(caller(ctx).regionScope, alert.regionCode)) return refuse('ALERT_NOT_FOUND', 'no alert with this id', ['input', 'alertId']);
  if (!callerVerifies(ctx, alert)) return refuse('NOT_ALERT_VERIFIER', 'only the alert’s verifier publishes a need from it (Alert.verifier)', ['input', 'alertId']);
  const c = alert.caseId === null ? null : await ctx.loaders.cases.caseById.load(alert.caseId);
  if (alert.state !== 'VERIFIED' || alert.outcome !== 'NEEDS_AID' || !c) return refuse('ALERT_NOT_VERIFIED', 'verify the alert as NEEDS_AID first', ['input', 'alertId']);
  // The alert's owner publishes: its verifier (the township, or the office that took it over), where
  // the alert is (its region, as alerts are read), whose verification opened the case it owns, as
  // charityNeedPublish asks the case's owner. Judged by the household's division as well, the verifier
  // got ALERT_NOT_FOUND once the household had moved to another county, and the consent it recorded
  // at the door CONSENT_NOT_FOUND; the county it moved to neither verifies nor reaches the alert.
  // A need from an alert whose trigger writes health or disability data rests on it (PIPL art. 28), by
  // the definition Alert.evidence is read by (triggerWritesHealth, per rule for a RULE trigger). Where
  // they differ: a trigger no longer in the set is health detail to read (its lines are shown), but
  // not assumed of a need (no line goes to a charity): the officer's flag and the description decide.
  const trigger = activeTriggerSet().triggers.find((t) => t.id === alert.triggerId);
  const fromTrigger = trigger !== undefined && triggerWritesHealth(trigger, activeRuleSet().rules);
  const need: NeedInput = { ...input, urgency: input.urgency ?? (alert.grade === 'RED' ? 'URGENT' : 'NORMAL'), involvesHealth: input.involvesHealth ?? fromTrigger };
  let given: store.NewConsent | null = null;
  if (input.consent) {
    const bad = text(input.consent.givenBy, 32, ['input', 'consent', 'givenBy']) ?? text(input.consent.officer, 64, ['input', 'consent', 'officer']) ?? consentPartyProblem(input.consent, ['input', 'consent']);
    if (bad) return { ok: false, errors: [bad] };
    given = { householdId: c.householdId, scopes: [...new Set(input.consent.scopes)], givenBy: input.consent.givenBy.trim(), recordedByClient: caller(ctx).name, recordedByOfficer: input.consent.officer.trim(), recordedAt: ctx.now(), expiresOn: input.consent.expiresOn };
  }
  // A retry after a lost answer (a verified alert no longer moves) gets the first need and records no
  // second consent, whatever became of the need or its consent since.
  const retryOf = async (earlier: store.NeedRecord): Promise<CharityOutcome<store.NeedRecord>> => {
    const asked = { caseId: c.id, consentId: consentId ?? earlier.consentId, purpose: need.purpose, urgency: need.urgency, uncoveredFen: need.uncoveredFen, description: need.description.trim().normalize('NFC'), beneficiaryIdNumber: alert.subjectIdNumber };
    if (given && !store.sameConsent((await store.consentById(ctx.hub, earlier.consentId))!, given)) return refuse('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different need', ['input', 'idempotencyKey']);
    return store.replayOfPublication(earlier, { ...earlier, ...asked });
  };
  const earlier = publishKey ? await store.needByPublishKey(ctx.hub, caller(ctx).name, publishKey, ctx.today) : null;
  if (earlier) return retryOf(earlier);
  if (given && given.expiresOn < ctx.today) return refuse('CONSENT_EXPIRY_IN_PAST', 'expiresOn must be today or later', ['input', 'consent', 'expiresOn']);
  const consent = given ? { ...given, id: 0, revokedAt: null, revokedByClient: null, revokedByOfficer: null, recordKey: null } : await consentOfCase(ctx, consentId!, c.householdId);
  const check = () => needOfCase(ctx, c, consent, need, alert.subjectIdNumber, given ? ['input', 'consent'] : ['input', 'consentId'], ['input', 'alertId']);
  if (!given) return checkedAndPublished(ctx, c.householdId, check, (values, seen) => store.insertNeedUnderConsent(ctx.hub, { ...values, publishKey }, ctx.today, seen, ['input', 'alertId']));
  try {
    return await checkedAndPublished(ctx, c.householdId, check, (values, seen) =>
      lockingTransaction(ctx.hub, async (tx): Promise<CharityOutcome<store.NeedRecord>> => {
        const ended = await store.lockCaseOfNeed(tx, c.id, ['input', 'alertId']);
        if (ended) return ended;
        const moved = await store.decisionsMovedSince(tx, c.householdId, seen);
        if (moved) return moved;
        const consentIdNow = (await store.recordConsent(tx, given)).id;
        return ok(await store.insertNeed(tx, { ...values, consentId: consentIdNow, publishKey }));
      }),
    );
  } catch (error) {
    // The same request sent twice at once: the unique key keeps one need, the other's consent is rolled back with it.
    const first = publishKey && isDuplicateKey(error, 'charity_need_publish_key_sha256') ? await store.needByPublishKey(ctx.hub, caller(ctx).name, publishKey, ctx.today) : null;
    if (first) return retryOf(first);
    throw error;
  }
}

/**
 * Withdraws a need, kept with the client and officer who withdrew it. One withdrawn already (a
 * retry after a lost answer, or by its consent's revocation) is answered as it stands, closeReason
 * saying why and with whoever withdrew it first; a covered one is NEED_NOT_OPEN. The
 * state is judged after the conditional update, so a pledge covering the need at the same moment
 * is never answered as a withdrawal.
 */
export async function withdrawNeed(ctx: HubContext, needIdText: string): Promise<CharityOutcome<store.NeedRecord>> {
  const needId = requireHubId(needIdText, 'input.needId', 'need id');
  const need = await store.needToday(ctx.hub, needId, ctx.today);
  // In reach where its case is (needRegions): the county that owns the case, also after the household moved.
  if (!need || !regionInScope(caller(ctx).regionScope, await needRegions(need, ctx))) return refuse('NEED_NOT_FOUND', 'no such need', ['input', 'needId']);
  const after = need.state === 'OPEN' ? (await store.withdrawNeed(ctx.hub, needId, writerOf(ctx), ctx.now(), ctx.today))! : need;
  return after.state === 'WITHDRAWN' ? ok(after) : refuse('NEED_NOT_OPEN', 'the need is covered', ['input', 'needId']);
}

// ----- The charity -----------------------------------------------------------------------------

export async function myOrganisation(ctx: HubContext): Promise<store.OrganisationRecord | null> {
  return store.organisationByClient(ctx.hub, caller(ctx).name);
}

export async function registerOrganisation(ctx: HubContext, input: { creditCode: string; name: string }): Promise<CharityOutcome<store.OrganisationRecord>> {
  const check = checkCreditCode(input.creditCode);
  if (!check.ok) return refuse('CREDIT_CODE_INVALID', `not a valid 统一社会信用代码: ${check.message}`, ['input', 'creditCode']);
  const name = shownText(input.name, 64, ['input', 'name'], { numbers: false });
  if ('error' in name) return { ok: false, errors: [name.error] };
  return store.registerOrganisation(ctx.hub, { creditCode: check.creditCode, name: name.text, clientName: caller(ctx).name });
}

/**
 * A project names the organisation's own reference, as a pledge does: without one a retry after a
 * lost answer created a second project (two projects of one title and budget may both be meant).
 * Its area is a division code, as charityProjects' filter is (MALFORMED_DIVISION_CODE): the access
 * check judges only a division code against the caller's scope, so a code of no division was stored
 * as typed, an empty one matching every need of its purpose in the country and `3708` every need of
 * Jining, whatever the organisation's scope. A division the hub holds nothing of yet is taken, as
 * a client's scope is (a county whose households are still to come).
 */
export async function createProject(ctx: HubContext, input: { title: string; purpose: NeedPurpose; regionCode: string; budgetFen: number; reference: string }): Promise<CharityOutcome<store.ProjectRecord>> {
  const regionCode = requireDivisionCode(input.regionCode, 'input.regionCode');
  const org = await myOrganisation(ctx);
  if (!org) return refuse('ORGANISATION_NOT_REGISTERED', 'register the organisation first', null);
  const title = shownText(input.title, 100, ['input', 'title'], { numbers: false });
  if ('error' in title) return { ok: false, errors: [title.error] };
  const bad = referenceText(input.reference);
  if (bad) return { ok: false, errors: [bad] };
  const badAmount = amountRefused(input.budgetFen, 'budgetFen');
  if (badAmount) return badAmount;
  return store.createProjectOnce(ctx.hub, { creditCode: org.creditCode, title: title.text, purpose: input.purpose, regionCode, budgetFen: input.budgetFen, reference: input.reference.trim() });
}

/**
 * A need the calling charity may act on: it exists and lies in the charity's scope (else: not found);
 * as it stands today, its involvesMinor counting the household's children of today.
 */
async function needInReach(ctx: HubContext, needId: number): Promise<store.NeedRecord | null> {
  const need = await store.needToday(ctx.hub, needId, ctx.today);
  return need && inScope(caller(ctx).regionScope, need.countyCode) ? need : null;
}

/**
 * The need of this id within the caller's scope, or null (NEED_NOT_FOUND), for a write on it (a
 * claim, a pledge): a need found goes on the audit trail as an act on its household, DENIED outside
 * the scope, whatever the write's payload selects, as a case's, alert's or finding's writes do
 * (docs/access.md "The audit trail"). A claim's and a pledge's types name no person, so with only
 * `userErrors` asked for the write was recorded with subject NONE, and the household's trail did not
 * show the organisation that claimed its need, which opens the sealed detail to it.
 */
async function needActedOn(ctx: HubContext, needId: number): Promise<store.NeedRecord | null> {
  const need = await store.needToday(ctx.hub, needId, ctx.today);
  if (!need) return null;
  const reached = inScope(caller(ctx).regionScope, need.countyCode);
  ctx.access.record(subjectsOf('CharityNeed', need), !reached);
  return reached ? need : null;
}

/**
 * Claims a need: an open one, for matching; or one no longer open (covered, withdrawn by the office)
 * against which the organisation has a pledge with something undelivered, so that a pledger whose
 * claim lapsed before it delivered reads again where to deliver (the township, the case reference,
 * the office to work with): it still owes the household that money, and deliveries against it are
 * still recorded. Any other organisation, or a pledger with nothing left to deliver, is
 * NEED_NOT_OPEN: matching has ended. Either way only while the consent holds and covers the need.
 */
export async function claimNeed(ctx: HubContext, needIdText: string): Promise<CharityOutcome<store.ClaimRecord>> {
  const needId = requireHubId(needIdText, 'input.needId', 'need id');
  const org = await myOrganisation(ctx);
  if (!org) return refuse('ORGANISATION_NOT_REGISTERED', 'register the organisation first', null);
  const need = await needActedOn(ctx, needId);
  if (!need) return refuse('NEED_NOT_FOUND', 'no such need', ['input', 'needId']);
  const consent = await store.consentById(ctx.hub, need.consentId);
  if (!consent || publishedConsentProblem(consent, need, ctx.today)) return refuse('NEED_NOT_OPEN', 'the need is not open', ['input', 'needId']);
  if (need.state !== 'OPEN' && !(await store.organisationPledges(ctx.hub, needId, org.creditCode)).undelivered) return refuse('NEED_NOT_OPEN', 'the need is not open', ['input', 'needId']);
  // The hub's configuration, checked at start (CHARITY_CLAIM_WORKING_DAYS): not the environment read again.
  const workingDays = ctx.config.charityClaimWorkingDays ?? DEFAULT_CLAIM_WORKING_DAYS;
  return ok(await store.claimNeed(ctx.hub, { needId, creditCode: org.creditCode, workingDays, now: ctx.now(), today: ctx.today }));
}

/**
 * The sealed detail: only with an active claim of the caller's organisation (not lapsed, not
 * released), only while the household's consent holds. Null otherwise, as for a need that does not
 * exist. A need no longer open (withdrawn by the office, covered by pledges) opens only to an
 * organisation with a live pledge against it (more than 0), which still delivers and reports: the
 * others' claims served matching, which has ended, and personal data passes to another party only
 * for as long as its purpose needs it (PIPL art. 6, 19). A pledge reduced to 0 was taken back and
 * answers for nothing, so it opens nothing.
 */
export async function needDetail(ctx: HubContext, needIdText: string): Promise<{ need: store.NeedRecord; claim: store.ClaimRecord; organisation: store.OrganisationRecord } | null> {
  const needId = requireHubId(needIdText, 'id', 'need id');
  const org = await myOrganisation(ctx);
  if (!org) return null;
  const need = await needInReach(ctx, needId);
  if (!need) return null;
  const claim = await store.claimOf(ctx.hub, needId, org.creditCode);
  if (!claim || !store.claimActive(claim, ctx.today)) return null;
  if (need.state !== 'OPEN' && !(await store.organisationPledges(ctx.hub, needId, org.creditCode)).live) return null;
  const consent = await store.consentById(ctx.hub, need.consentId);
  // As at publication, on the household as it stands today: a need of a child under 14 (one named, or
  // in a household need, a child who joined since included) only under MINOR_DATA.
  if (!consent || publishedConsentProblem(consent, need, ctx.today)) return null;
  return { need, claim, organisation: org };
}

/**
 * A pledge names the charity's own reference: without one a retry after a lost answer pledged twice
 * (two pledges of one amount may both be meant, so nothing else tells a retry from a second pledge),
 * taking the project's budget twice and closing the need as covered by money promised once.
 */
export async function pledge(ctx: HubContext, input: { needId: string; amountFen: number; projectId?: string | null; reference: string }) {
  const needId = requireHubId(input.needId, 'input.needId', 'need id');
  const projectId = input.projectId ? requireHubId(input.projectId, 'input.projectId', 'project id') : null;
  const bad = referenceText(input.reference);
  if (bad) return { ok: false as const, errors: [bad] };
  const org = await myOrganisation(ctx);
  if (!org) return refuse<{ pledge: store.PledgeRecord; need: store.NeedRecord }>('ORGANISATION_NOT_REGISTERED', 'register the organisation first', null);
  if (!(await needActedOn(ctx, needId))) return refuse<{ pledge: store.PledgeRecord; need: store.NeedRecord }>('NEED_NOT_FOUND', 'no such need', ['input', 'needId']);
  return store.pledge(ctx.hub, { needId, creditCode: org.creditCode, clientName: caller(ctx).name, officer: officerOf(ctx), projectId, amountFen: input.amountFen, reference: input.reference.trim(), now: ctx.now(), today: ctx.today });
}

export async function reportDelivery(ctx: HubContext, input: { pledgeId: string; amountFen: number; deliveredOn: IsoDate; beneficiaryIdNumber?: string | null; reference: string; settlementReference?: string | null; separateAid?: boolean | null }) {
  type Result = { delivery: store.DeliveryRecord; need: store.NeedRecord };
  const pledgeId = requireHubId(input.pledgeId, 'input.pledgeId', 'pledge id');
  const beneficiary = input.beneficiaryIdNumber ? requireIdNumber(input.beneficiaryIdNumber, 'input.beneficiaryIdNumber') : null;
  const org = await myOrganisation(ctx);
  if (!org) return refuse<Result>('ORGANISATION_NOT_REGISTERED', 'register the organisation first', null);
  const bad = referenceText(input.reference) ?? (input.settlementReference ? text(input.settlementReference, 64, ['input', 'settlementReference']) : null);
  if (bad) return { ok: false as const, errors: [bad] };
  const reporter = { clientName: caller(ctx).name, officer: officerOf(ctx), office: 'CHARITY' as const, creditCode: org.creditCode };
  const outcome = await store.deliver(ctx.hub, {
    pledgeId,
    creditCode: org.creditCode,
    officer: reporter.officer,
    amountFen: input.amountFen,
    deliveredOn: input.deliveredOn,
    beneficiaryIdNumber: beneficiary,
    reference: input.reference.trim(),
    settlementReference: settlementReferenceOf(input.settlementReference),
    now: ctx.now(),
    today: ctx.today,
  }, (tx, delivery, need) => intoLedger(ctx, tx, delivery, need, reporter, input.separateAid === true));
  // A delivery records aid to a member of the household (and tells the charity whether the member it
  // named is one): the audit row names both, as aidReport's names each beneficiary, so the person
  // asking who touched their data (accessLog) sees the charity.
  if (outcome.ok) ctx.access.record([{ kind: 'HOUSEHOLD', householdId: outcome.value.delivery.householdId }, { kind: 'PERSON', idNumber: outcome.value.delivery.beneficiaryIdNumber }], false);
  else if (beneficiary) ctx.access.record([{ kind: 'PERSON', idNumber: beneficiary }], false);
  return outcome;
}

/**
 * A delivery recorded against a settlement medical insurance, having answered, does not hold as a
 * standing stay (a mistyped number, or one reversed, 冲销): no stay's sum (X7) counts it. The aid was
 * given, so it is recorded all the same; the payload says so, for the charity to correct it.
 */
export async function deliveryStayUnknown(ctx: HubContext, delivery: { settlementReference: string | null }): Promise<boolean> {
  return delivery.settlementReference !== null && (await settlementStands(ctx, delivery.settlementReference)) === false;
}

/**
 * The conflicts and warnings a delivery causes with aid recorded anywhere, as `aidReport` answers a
 * record's (reportedAidConflicts: the same pre-grant check of its ledger record, the same shape): a
 * delivery of ¥30,000 on a stay of ¥2,990.89 out of pocket was recorded in silence while aidReport
 * and preGrantCheck named X7 for the same aid. Judged once it is recorded, without its own entry
 * (a retry answers what the first sending did); never a refusal, since the aid was handed over.
 * With its check's incompleteness, as aidReport says it: with a department down the payload said
 * nothing, and no conflict read as none (only a DEPARTMENT_UNAVAILABLE error of the response told).
 */
export async function deliveryConflicts(ctx: HubContext, delivery: store.DeliveryRecord, need: store.NeedRecord): Promise<{ conflicts: ReportedAidConflict[]; incompleteChecks: IncompleteCheck[] }> {
  const record = { programme: charityProgrammeFor(need.purpose), beneficiaryIdNumber: delivery.beneficiaryIdNumber, periodStart: null, periodEnd: null, grantDate: delivery.deliveredOn, amountFen: delivery.amountFen, settlementRef: delivery.settlementReference };
  const { conflicts, incompleteChecks } = await reportedAidConflicts(ctx, record, 0, caller(ctx).name, new Set([referenceKey(delivery.reference)]));
  return { conflicts, incompleteChecks };
}

type Correction = store.DeliveryCorrection;

/**
 * Cancels (REVERSAL) or corrects (CORRECTION: a new amount or day) a delivery the calling
 * organisation reported. Only that organisation may: the hub has no role supervising charities'
 * entries, and another's delivery reads as none (DELIVERY_NOT_FOUND). The delivery entry and the
 * ledger's entry are superseded by new ones in one transaction, so the household's aid, its totals,
 * the need's and pledge's delivered amounts and the meeting brief move together and the history stays.
 */
export async function correctDelivery(
  ctx: HubContext,
  kind: 'CORRECTION' | 'REVERSAL',
  input: { deliveryId: string; reason: string; reference: string; amountFen?: number | null; deliveredOn?: IsoDate | null; separateAid?: boolean | null },
): Promise<CharityOutcome<Correction>> {
  const deliveryId = requireHubId(input.deliveryId, 'input.deliveryId', 'delivery id');
  const org = await myOrganisation(ctx);
  if (!org) return refuse<Correction>('ORGANISATION_NOT_REGISTERED', 'register the organisation first', null);
  const bad = referenceText(input.reference) ?? text(input.reason, 200, ['input', 'reason']);
  if (bad) return { ok: false, errors: [bad] };
  const clientName = caller(ctx).name;
  const outcome = await store.correctDelivery(
    ctx.hub,
    { deliveryId, creditCode: org.creditCode, clientName, officer: officerOf(ctx), kind, amountFen: input.amountFen ?? null, deliveredOn: input.deliveredOn ?? null, reason: input.reason.trim(), reference: input.reference.trim(), now: ctx.now(), today: ctx.today, screened: reasonScreened(input.reason) },
    (tx, entry, superseded) => correctionIntoLedger(ctx, tx, entry, superseded, input.separateAid === true),
  );
  // As a report: the entry changes aid recorded to a member of the household.
  if (outcome.ok) ctx.access.record([{ kind: 'HOUSEHOLD', householdId: outcome.value.delivery.householdId }, { kind: 'PERSON', idNumber: outcome.value.delivery.beneficiaryIdNumber }], false);
  return outcome;
}

/**
 * The ledger's CORRECTION or REVERSAL of the entry that recorded the superseded delivery, under the
 * new entry's reference and the client correcting it: the ledger names who acted, and an
 * organisation with several clients has its entries corrected by any of them (the organisation was
 * checked: another's delivery reads as none). Same person, programme, settlement, case and need. A
 * delivery the ledger never held (none is written otherwise since deliveries entered it) has nothing
 * there to supersede.
 */
async function correctionIntoLedger(ctx: HubContext, tx: LockingTx, entry: store.DeliveryRecord, superseded: store.DeliveryRecord, separateAid: boolean): Promise<CharityOutcome<unknown> | null> {
  // The organisation's lock first, as aidReport and a delivery take it: linking the earlier entry
  // (ledgerEntryOfDelivery's UPDATE) and superseding it lock a ledger row, and a correction holding
  // that row while it waited for the lock could wait on a writer holding the lock and waiting on it.
  await store.lockOrganisation(tx, entry.creditCode);
  const earlier = await store.ledgerEntryOfDelivery(tx, superseded);
  if (!earlier) return null;
  if (earlier === 'AMBIGUOUS') {
    return refuse('DELIVERY_LEDGER_ENTRY_AMBIGUOUS', 'the ledger holds more than one entry of this delivery’s reference, need, person, amount and day (written before entries were linked to their delivery): the hub’s operator links the delivery’s entry first', ['input', 'deliveryId']);
  }
  const checked = validateReport(
    'CHARITY',
    [
      {
        reference: entry.reference,
        entryKind: entry.entryKind === 'REVERSAL' ? 'REVERSAL' : 'CORRECTION',
        supersedesReference: earlier.reference,
        beneficiaryIdNumber: earlier.beneficiaryIdNumber,
        programme: earlier.programme,
        grantDate: entry.deliveredOn,
        amountFen: entry.amountFen,
        settlementRef: earlier.settlementRef,
        caseReference: earlier.caseReference,
        needId: earlier.needId,
      },
    ],
    ctx.today,
  );
  if (!checked.ok) return ledgerRefusal(checked.errors);
  // A corrected amount or day is compared as a delivery is (a cancellation counts nothing).
  if (entry.entryKind === 'CORRECTION') {
    const twice = await sameAsReportedAid(tx, checked.records[0], entry, separateAid);
    if (twice) return twice;
  }
  const recorded = await recordReportedAid(tx, checked.records, { clientName: caller(ctx).name, officer: officerOf(ctx), office: 'CHARITY', creditCode: entry.creditCode }, ctx.now(), { organisationEntries: [earlier], deliveryId: entry.id });
  if (!recorded.ok) {
    return recorded.errors.some((e) => e.code === 'REFERENCE_CONFLICT')
      ? refuse('DELIVERY_REFERENCE_REUSED', 'the charity already reported other aid under this reference', ['input', 'reference'])
      : refuse('DELIVERY_NOT_RECORDABLE', recorded.errors.map((e) => e.message).join('; '), ['input']);
  }
  return null;
}

/**
 * Reduces a pledge of the calling organisation (another's reads as none, PLEDGE_NOT_FOUND): to a
 * smaller amount, not below what it has delivered.
 */
export async function reducePledge(ctx: HubContext, input: { pledgeId: string; amountFen: number; reason: string; reference: string }) {
  type Result = { pledge: store.PledgeRecord; need: store.NeedRecord; reduction: store.PledgeReductionRecord };
  const pledgeId = requireHubId(input.pledgeId, 'input.pledgeId', 'pledge id');
  const org = await myOrganisation(ctx);
  if (!org) return refuse<Result>('ORGANISATION_NOT_REGISTERED', 'register the organisation first', null);
  const bad = referenceText(input.reference) ?? text(input.reason, 200, ['input', 'reason']);
  if (bad) return { ok: false as const, errors: [bad] };
  const outcome = await store.reducePledge(ctx.hub, { pledgeId, creditCode: org.creditCode, clientName: caller(ctx).name, officer: officerOf(ctx), amountFen: input.amountFen, reason: input.reason.trim(), reference: input.reference.trim(), now: ctx.now(), screened: reasonScreened(input.reason) });
  // An act on the need's household, whatever the payload selects (a pledge names no person), as releaseClaim's.
  if (outcome.ok) ctx.access.record(subjectsOf('CharityNeed', outcome.value.need), false);
  return outcome;
}

/**
 * Releases the calling organisation's running claim on a need (it withdraws from it), with its
 * reason: from then on the detail is null to it and it pledges nothing there unless it claims again.
 * Refused while it has a pledge against the need with something undelivered (PLEDGE_UNDELIVERED).
 * Written to the audit chain as an act on the household: the person asking who touched their data
 * sees when the organisation's access ended, as they see its reads.
 */
export async function releaseClaim(ctx: HubContext, input: { needId: string; reason: string; reference: string }) {
  type Result = { claim: store.ClaimRecord; release: store.ClaimReleaseRecord; need: store.NeedRecord };
  const needId = requireHubId(input.needId, 'input.needId', 'need id');
  const org = await myOrganisation(ctx);
  if (!org) return refuse<Result>('ORGANISATION_NOT_REGISTERED', 'register the organisation first', null);
  const bad = referenceText(input.reference) ?? text(input.reason, 200, ['input', 'reason']);
  if (bad) return { ok: false as const, errors: [bad] };
  if (!(await needInReach(ctx, needId))) return refuse<Result>('NEED_NOT_FOUND', 'no such need', ['input', 'needId']);
  const outcome = await store.releaseClaim(ctx.hub, { needId, creditCode: org.creditCode, clientName: caller(ctx).name, officer: officerOf(ctx), reason: input.reason.trim(), reference: input.reference.trim(), now: ctx.now(), today: ctx.today, screened: reasonScreened(input.reason) });
  if (outcome.ok) ctx.access.record([{ kind: 'HOUSEHOLD', householdId: outcome.value.need.householdId }], false);
  return outcome;
}

/** The ledger's record fields as a delivery's input names them (the rest are the hub's own: the need, the case, the programme). */
const DELIVERY_FIELDS: Record<string, string> = { reference: 'reference', settlementRef: 'settlementReference', grantDate: 'deliveredOn', amountFen: 'amountFen', beneficiaryIdNumber: 'beneficiaryIdNumber' };

/**
 * What the reported-aid ledger's check (validateReport) refused of a delivery, a correction or a
 * cancellation, as the charity is told it: a reference of other characters than the ledger takes
 * (Chinese characters, a space) is REFERENCE_INVALID at input.reference, as aidReport refuses the same
 * reference (it was DELIVERY_NOT_RECORDABLE: two codes for one cause); anything else the ledger
 * refused is DELIVERY_NOT_RECORDABLE, naming the field. Nothing is written either way.
 */
function ledgerRefusal<T>(errors: readonly ReportError[]): CharityOutcome<T> {
  const reference = errors.filter((e) => e.code === 'REFERENCE_INVALID');
  const rest = errors.filter((e) => e.code !== 'REFERENCE_INVALID');
  const refused = reference.map((e) => charityError('REFERENCE_INVALID', `reference: ${e.message}`, ['input', 'reference']));
  if (rest.length > 0) refused.push(charityError('DELIVERY_NOT_RECORDABLE', rest.map((e) => `${e.field ?? 'record'}: ${e.message}`).join('; '), deliveryField(rest)));
  return { ok: false, errors: refused };
}

/** The input field the ledger refused, when it refused one the charity sent; else the input as a whole. */
function deliveryField(errors: readonly { field: string | null }[]): string[] {
  const fields = [...new Set(errors.map((e) => (e.field ? DELIVERY_FIELDS[e.field] : undefined)))];
  return fields.length === 1 && fields[0] ? ['input', fields[0]] : ['input'];
}

/**
 * The same handover already sent by the organisation's reporting client (aidReport), for a delivery
 * or its correction about to enter the ledger: taken, the money counted twice
 * (domain/reported-aid/same-aid.ts). Read in the writing transaction under the organisation's lock,
 * which aidReport takes to compare too, also when the aid is stated separate. `entry` is the row
 * being written, whose own reference marks no entry yet.
 */
async function sameAsReportedAid(tx: LockingTx, record: ValidReportedAid, entry: store.DeliveryRecord, separateAid: boolean): Promise<CharityOutcome<never> | null> {
  const standing = await store.organisationStandingAid(tx, entry.creditCode, [entry.beneficiaryIdNumber], { deliveryId: entry.id });
  const reported = separateAid ? null : sameAidIn(record, standing.filter((e) => !e.fromDelivery));
  if (!reported) return null;
  return refuse('SAME_AS_REPORTED_AID', `the organisation reported this aid already with aidReport (${reported.reference}, ${reported.grantDate}, by ${reported.reporterClient}): reverse that entry (REVERSAL) and send the delivery again, or with separateAid: true if it is other aid`, ['input', 'separateAid']);
}

/**
 * A delivery is reported aid (the hub's ledger, db/reported-aid): validated and recorded in the
 * delivery's own transaction, linked to the need and the case, under the charity's reference, so
 * it counts in Household.aid, aidSummary, the dossier and the duplicate rules (X7 by settlement).
 */
async function intoLedger(ctx: HubContext, tx: Parameters<typeof recordReportedAid>[0], delivery: store.DeliveryRecord, need: store.NeedRecord, reporter: Reporter, separateAid: boolean): Promise<CharityOutcome<unknown> | null> {
  const c = (await ctx.loaders.cases.caseById.load(need.caseId))!;
  const checked = validateReport(
    'CHARITY',
    [
      {
        reference: delivery.reference,
        beneficiaryIdNumber: delivery.beneficiaryIdNumber,
        programme: charityProgrammeFor(need.purpose),
        grantDate: delivery.deliveredOn,
        amountFen: delivery.amountFen,
        settlementRef: delivery.settlementReference,
        caseReference: caseReference(c.id, c.reportedAt),
        needId: String(need.id),
      },
    ],
    ctx.today,
  );
  if (!checked.ok) return ledgerRefusal(checked.errors);
  const twice = await sameAsReportedAid(tx, checked.records[0], delivery, separateAid);
  if (twice) return twice;
  const recorded = await recordReportedAid(tx, checked.records, reporter, ctx.now(), { deliveryId: delivery.id });
  if (!recorded.ok) {
    return recorded.errors.some((e) => e.code === 'REFERENCE_CONFLICT')
      ? refuse('DELIVERY_REFERENCE_REUSED', 'the charity already reported other aid under this reference', ['input', 'reference'])
      : refuse('DELIVERY_NOT_RECORDABLE', recorded.errors.map((e) => e.message).join('; '), ['input']);
  }
  return null;
}
