/**
 * Duplicate-aid and missed-aid findings: the rule set, findings on households and people, the
 * pre-grant check, region scans and settling findings. Resolvers read arguments, call
 * resolvers/findings/live.ts, db/findings/store.ts or resolvers/findings/scan.ts, and map the result.
 */
import { GraphQLError } from 'graphql';
import type { PersonRow, HouseholdRow } from '../../db/household/loaders';
import { countScanFindings, listScans, scanFindingsPage, settleFinding, viewOfRow, type FindingFilter, type FindingView, type SettleError, type ScreenRefusal, type FindingEventRow } from '../../db/findings/store';
import { currentScanState, scanJobs } from './scan';
import { fromDbInstant, fromDbInstantOrNull } from '../../db/instants';
import { decodeIdCursor, encodeIdCursor } from '../../domain/cursor';
import { OTHER_DIGITS_IN_SETTLEMENT, PROPOSAL_MAX_FEN, SETTLEMENT_REFERENCE_MAX_LENGTH, settlementReferenceOf, type RecordCause } from '../../domain/aid';
import { holdsOtherDigits } from '../../domain/half-width';
import type { IsoDate } from '../../domain/dates';
import { DATE_RANGE } from '../../domain/date-ranges';
import { DEPARTMENT_CODES, type DepartmentCode, type OfficeCode } from '../../domain/departments';
import { divisionPrefix, isDivisionCode } from '../../domain/division-code';
import { programmeForWomenProblem } from '../../domain/programme-beneficiaries';
import { outOfSeasonProblem } from '../../domain/programme-seasons';
import { isServiceProgramme, MONEY_AMOUNT_MESSAGE, PROGRAMME_BY_CODE, SERVICE_AMOUNT_MESSAGE } from '../../domain/programmes';
import { schoolStageWords } from '../../domain/school-stages';
import { periodTooLong, periodTooLongMessage } from '../../domain/findings/periods';
import { outOfScope, seesHealthDetail } from '../../access/decide';
import { forbidden } from '../../access/session';
import { subjectsOf } from '../../access/policy';
import { divisionInReach, townshipRefusal } from '../../access/township';
import { describeCondition, explain, explainOutOfScope, type Detail } from '../../domain/findings/explain';
import type { AidCause, AidRecord as FactRecord, Measure } from '../../domain/findings/facts';
import type { Proposal } from '../../domain/findings/evaluate';
import { rulesInForce, thresholdOf, type Rule, type Severity } from '../../domain/findings/rule-set';
import type { FindingStatus, SettleAction } from '../../domain/findings/settlement';
import { deathDateOf, findingLoaders, householdFindings, personFindings, preGrantCheck, throughCheckLane } from './live';
import { unknownRuleIdsMessage } from './rule-filter';
import { activeRuleSet } from '../../rules/load';
import type {
  FindingConfirmInput,
  FindingDismissInput,
  FindingFilter as FindingFilterInput,
  FindingResolveInput,
  HouseholdFindingsArgs,
  PreGrantCheckInput,
  Resolvers,
  ResolversParentTypes,
  ResolversUnionTypes,
} from '../__generated__/types';
import { departmentOf, pageOf, pageSize, positionAfter, refuseUnknownDivision, unknownRegion } from '../common';
import type { HubContext } from '../context';
import { badInput, givenSchoolYear, requireDivisionCode, requireHubId, requireIdNumber, requireSchoolYearFits } from '../../access/errors';
import { longerThan } from '../../domain/text-length';
import { proseRefusal } from '../../domain/text-screen';
import { birthDateOf } from '../../domain/id-number';

// ----- Arguments ------------------------------------------------------------------------------------

const FINGERPRINT = /^[0-9a-f]{32}$/;

function requireFindingId(value: string, argument: string): string {
  if (!FINGERPRINT.test(value)) throw badInput(argument, 'MALFORMED_ID', `${argument} is not a finding id`);
  return value;
}

/** Cursor tags: a page of a scan's findings, a page of scans. */
const FINDINGS = 'F';
const SCANS = 'S';

const ACTIONABLE: FindingStatus[] = ['OPEN', 'CONFIRMED'];

/** The caller's region scope as a division prefix: a scan's findings are shown within it. */
function scopePrefix(ctx: HubContext): string | null {
  const scope = ctx.access?.caller?.regionScope;
  return scope && isDivisionCode(scope) ? divisionPrefix(scope) : null;
}

/** Whether a scan's division and the caller's scope overlap (either contains the other). */
export function scanInReach(ctx: { access?: { caller: { regionScope: string } | null } | null }, regionCode: string): boolean {
  return divisionInReach(ctx.access, regionCode);
}

function filterOf(ctx: HubContext, arg: FindingFilterInput | null | undefined): FindingFilter {
  // Trimmed as every single-line text is, before the scope check, which judges what is filtered on.
  const townshipCode = arg?.townshipCode?.trim() || null;
  const refused = townshipCode ? townshipRefusal(ctx.access, townshipCode, 'filter.townshipCode') : null;
  if (refused) throw new GraphQLError(refused.message, { extensions: { code: refused.code, reason: refused.reason, argument: refused.argument } });
  return {
    ruleIds: arg?.rules ?? null,
    severities: arg?.severities ?? null,
    departments: arg?.departments ?? null,
    townshipCode,
    statuses: arg?.statuses?.length ? arg.statuses : ACTIONABLE,
    regionPrefix: scopePrefix(ctx),
  };
}

/**
 * A cause as a client gives it: UNRECOGNISED is what the hub reads from a department's undocumented
 * cause code, never a cause anyone decides or proposes (BAD_USER_INPUT, reason OUTPUT_ONLY).
 */
export function givenCause(cause: RecordCause | null | undefined, argument: string): AidCause | null {
  if (cause === 'UNRECOGNISED') throw badInput(argument, 'OUTPUT_ONLY', 'UNRECOGNISED is a cause the hub reads from a department’s undocumented code: give the cause decided');
  return cause ?? null;
}

/**
 * A rule counting grants of one cause (X5) read a proposal without a cause as OTHER, so a temporary
 * aid sent without its cause was "clear" beside last month's grant for the same illness: a programme
 * such a rule counts is refused without its cause (BAD_USER_INPUT, reason REQUIRED, the rule named),
 * in a pre-grant check and in a meeting's decision alike.
 */
export function requireCauseWhereCounted(programmeCode: string, cause: AidCause | null, argument: string): void {
  const byCause = rulesInForce(rules()).find((r) => r.kind === 'REPEATED_GRANTS' && r.sameCause && (r.programmes as readonly string[]).includes(programmeCode));
  if (byCause && !cause) throw badInput(argument, 'REQUIRED', `${byCause.id} compares ${programmeCode} grants of the same cause: give cause`, { rule: byCause.id });
}

/**
 * One-off aid is not granted to someone who died before its grant date: the check answered it clear
 * (X8 judges recurring aid paid after a death, not a single grant). Refused like a date before the
 * beneficiary's birth, naming the field (BAD_USER_INPUT, reason AFTER_DEATH); the message names no
 * date, as the date is the person's. A grant on the day of death is answered as any other.
 */
export function refuseGrantAfterDeath(grantDate: IsoDate | null, deathDate: IsoDate | null, argument: string): void {
  if (grantDate !== null && deathDate !== null && grantDate > deathDate) {
    throw badInput(argument, 'AFTER_DEATH', `${argument.split('.').at(-1)} is after the beneficiary's death`);
  }
}

/**
 * The hospital stay a grant names (its settlementReference, trimmed; null when none), as the pre-grant
 * check and a meeting's decision take it, or BAD_USER_INPUT at `argument`. Free text reaches the
 * departments as a statement parameter: held to the width of the column it is compared with. Only a
 * programme a rule adds up by stay (X7) is tied to one: for any other (参保资助 pays a premium, not a
 * stay) the check read no stay and answered as if none were named (NOT_TIED_TO_STAY).
 */
export function givenSettlementRef(programmeCode: string, given: string | null | undefined, argument: string): string | null {
  const settlementRef = settlementReferenceOf(given);
  if (settlementRef === null) return null;
  // Read as typed, `𝟑𝟕𝟎…` (which NFKC read as ASCII) names no stay: the check would answer
  // settlementUnknown, and a decision naming it add up nothing, for a cause the clerk cannot see.
  if (holdsOtherDigits(settlementRef)) {
    throw badInput(argument, 'CHARACTERS', OTHER_DIGITS_IN_SETTLEMENT);
  }
  if (settlementRef.length > SETTLEMENT_REFERENCE_MAX_LENGTH) {
    throw badInput(argument, 'TOO_LONG', `settlementReference is at most ${SETTLEMENT_REFERENCE_MAX_LENGTH} characters`, { max: SETTLEMENT_REFERENCE_MAX_LENGTH });
  }
  if (!tiedToStay(programmeCode)) {
    throw badInput(argument, 'NOT_TIED_TO_STAY', `${programmeCode} is not aid for a hospital stay: leave settlementReference out`);
  }
  return settlementRef;
}

/** Whether a rule in force adds the programme's aid up by hospital stay (X7): only such aid names a stay. */
export function tiedToStay(programmeCode: string): boolean {
  return rules().some((r) => r.kind === 'SETTLEMENT_EXCESS' && (r.programmes as readonly string[]).includes(programmeCode));
}

/**
 * The last day a proposed grant (its grantDate, or a period's start) may fall on: a year after
 * today. A check answers for the aid on record now; a grant decades ahead (a typo'd 2099-12-31)
 * meets no real grant in any rule's window and was answered clear, which a system reading `clear`
 * took as leave to grant. A grant planned further ahead is checked again nearer the day.
 */
export function latestProposedGrant(today: IsoDate): IsoDate {
  const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
  // 29 February a year on is 28 February (the string compares right either way; kept a real date for the message).
  return nextYear.endsWith('-02-29') ? `${nextYear.slice(0, 4)}-02-28` : nextYear;
}

/**
 * A department system checks the grants it is about to make (救前查询): a DEPARTMENT_WRITER checks
 * programmes of its own office, as aidReport takes only the reporter's own (PROGRAMME_NOT_REPORTER).
 * A CASEWORKER, who prepares a joint case's decisions for every department (一事一议), checks any.
 * A housing client checking 低保 answered as if housing were about to grant it.
 */
function requireOwnProgramme(ctx: HubContext, programmeCode: string): void {
  const caller = ctx.access?.caller;
  if (!caller || caller.roles.includes('CASEWORKER')) return;
  if (PROGRAMME_BY_CODE.get(programmeCode)?.department !== caller.department) {
    throw badInput('input.programme', 'PROGRAMME_OF_OTHER_OFFICE', `programme is not one of your office's (${caller.department}): a department checks the grants it makes; a caseworker checks any`);
  }
}

/** A proposal the rules can judge, or BAD_USER_INPUT naming the field that is wrong. */
function proposalOf(input: PreGrantCheckInput, today: IsoDate): Proposal {
  const programme = PROGRAMME_BY_CODE.get(input.programme);
  if (!programme) throw badInput('input.programme', 'UNKNOWN_PROGRAMME', 'programme is not a code of the hub’s programme catalogue');
  // Both bounds with either refusal, as a page size's (common.ts pageSize): a negative amount named none.
  if (input.amountFen < 0 || input.amountFen > PROPOSAL_MAX_FEN) throw badInput('input.amountFen', 'OUT_OF_RANGE', `amountFen is from 0 to ${PROPOSAL_MAX_FEN}`, { min: 0, max: PROPOSAL_MAX_FEN });
  // A service (法律援助) is given, not paid: money proposed for it is refused as aidReport and a meeting refuse it.
  if (input.amountFen > 0 && isServiceProgramme(programme)) throw badInput('input.amountFen', 'AMOUNT_INVALID', SERVICE_AMOUNT_MESSAGE);
  // And 0 fen of aid in money is no grant that can be made: a meeting, aidReport and a charity's pledge
  // refuse it, so a check of it answered (clear) for a grant nothing would then take.
  if (input.amountFen === 0 && !isServiceProgramme(programme)) throw badInput('input.amountFen', 'AMOUNT_INVALID', MONEY_AMOUNT_MESSAGE);
  // A date of the other kind of aid was left out unread, so the check answered for a grant the caller
  // did not describe (a one-off grant's period end of 2099-12-31 was never looked at): refused, as
  // aidReport refuses it, each path with its own code (aidReport's is DATE_REQUIRED, which its
  // clients read; here the date given is named, DATE_NOT_TAKEN).
  if (programme.kind === 'RECURRING' && input.grantDate) throw badInput('input.grantDate', 'DATE_NOT_TAKEN', `${programme.code} is paid over a period: give periodStart (and periodEnd), not grantDate`);
  // 冬春救助 out of its season (domain/programme-seasons.ts), as aidReport and a meeting refuse it.
  const outOfSeason = input.grantDate ? outOfSeasonProblem(programme.code, input.grantDate) : null;
  if (outOfSeason) throw badInput('input.grantDate', 'OUT_OF_SEASON', outOfSeason);
  if (programme.kind === 'ONE_OFF' && (input.periodStart || input.periodEnd)) {
    throw badInput(input.periodStart ? 'input.periodStart' : 'input.periodEnd', 'DATE_NOT_TAKEN', `${programme.code} is granted once: give grantDate, not a period`);
  }
  if (programme.kind === 'RECURRING') {
    if (!input.periodStart) throw badInput('input.periodStart', 'REQUIRED', `${programme.code} is paid over a period: give periodStart`);
    if (input.periodEnd && input.periodEnd < input.periodStart) throw badInput('input.periodEnd', 'EMPTY_PERIOD', 'periodEnd is before periodStart');
  } else if (!input.grantDate) throw badInput('input.grantDate', 'REQUIRED', `${programme.code} is granted once: give grantDate`);
  requireCauseWhereCounted(programme.code, givenCause(input.cause, 'input.cause'), 'input.cause');
  const schoolYear = givenSchoolYear(input.schoolYear, 'input.schoolYear');
  const settlementRef = givenSettlementRef(programme.code, input.settlementReference, 'input.settlementReference');
  const recurring = programme.kind === 'RECURRING';
  const startField = recurring ? 'periodStart' : 'grantDate';
  const latest = latestProposedGrant(today);
  const first = recurring ? input.periodStart! : input.grantDate!;
  if (first > latest) {
    throw badInput(`input.${startField}`, 'GRANT_DATE_TOO_FAR', `${startField} is more than a year after today: check the grant nearer its day (at most ${latest})`, { max: latest });
  }
  const beneficiaryIdNumber = requireIdNumber(input.beneficiaryIdNumber, 'input.beneficiaryIdNumber');
  // Aid is not given before its beneficiary was born (the birth date is digits 7-14 of the ID
  // number): aidReport refuses such a record (domain/reported-aid/validate.ts, DATE_INVALID), and
  // the check before the grant answered it "clear". The message names no date: it is the person's.
  if (first < birthDateOf(beneficiaryIdNumber)) {
    throw badInput(`input.${startField}`, 'DATE_INVALID', `${startField} is before the beneficiary's birth (digits 7-14 of the ID number)`);
  }
  // "两癌"救助 or 春蕾计划 for a man's ID number (domain/programme-beneficiaries.ts), as aidReport and a meeting refuse it.
  const forWomen = programmeForWomenProblem(programme.code, beneficiaryIdNumber);
  if (forWomen) throw badInput('input.beneficiaryIdNumber', 'PROGRAMME_FOR_WOMEN', forWomen);
  // A period runs over decades only by a typo (a period end of 2099-12-31, or a start of 1939 for
  // 2019 with no end), and no recurring grant is approved for so long before it is decided again:
  // the check ran over the whole of it and answered for aid no one had decided. The rule is
  // aidReport's (periodTooLong), every end held to the term: a check is of a grant to decide.
  const tooLong = recurring ? periodTooLong(input.periodStart!, input.periodEnd ?? null, today, { endedIsPaid: false }) : null;
  if (tooLong) throw badInput(`input.${tooLong.field}`, 'PERIOD_TOO_LONG', periodTooLongMessage(tooLong), tooLong.field === 'periodEnd' ? { max: tooLong.max } : { min: tooLong.min });
  requireSchoolYearFits(programme, { first, periodEnd: recurring ? (input.periodEnd ?? null) : null, when: recurring ? 'the period from periodStart to periodEnd' : 'a grant on grantDate' }, schoolYear, rules(), 'input.schoolYear');
  return {
    programme: programme.code as Proposal['programme'],
    beneficiaryIdNumber,
    periodStart: recurring ? input.periodStart! : null,
    periodEnd: recurring ? (input.periodEnd ?? null) : null,
    grantDate: recurring ? null : input.grantDate!,
    amountFen: input.amountFen,
    cause: givenCause(input.cause, 'input.cause'),
    secondAid: input.secondAid ?? false,
    settlementRef,
    schoolYear,
  };
}

// ----- Rules and findings ----------------------------------------------------------------------------

export function rules(): readonly Rule[] {
  return activeRuleSet().rules;
}

/** A stored finding of a rule since removed from the rule set still names it. */
export function ruleById(id: string): Rule {
  return (
    rules().find((r) => r.id === id) ?? {
      id,
      kind: 'MISSED_AID',
      enabled: false,
      title: id,
      basis: '（该规则已不在现行规则集中）',
      severity: 'WARNING',
      scope: 'PERSON',
      when: [{ fact: 'HOLDS', programmes: ['DIBAO'] }],
      expected: { programmes: ['DIBAO'], within: { type: 'ACTIVE_TODAY' } },
    }
  );
}

function ruleProgrammes(rule: Rule): string[] {
  switch (rule.kind) {
    case 'EXCLUSIVE_PROGRAMMES':
    case 'SAME_PURPOSE_TWICE':
      return [...rule.first, ...rule.second];
    case 'MISSED_AID':
      return [...new Set([...[...rule.when, ...(rule.unless ?? [])].flatMap((c) => ('programmes' in c ? c.programmes : [])), ...rule.expected.programmes])];
    default:
      return [...rule.programmes];
  }
}

/** A FindingMeasure: the schema type that shows what was measured, tagged for __resolveType. */
type MeasureObject = ResolversUnionTypes<ResolversParentTypes>['FindingMeasure'];

/**
 * Prose is built for the caller's view: text made from health detail (a settlement, an
 * out-of-pocket amount, an illness as cause) only for callers the policy gives it (HEALTH_DETAIL);
 * otherwise the same facts would get around the fields that refuse them.
 */
export function proseDetail(ctx: HubContext): Detail {
  const caller = ctx.access?.caller;
  return { health: !!caller && seesHealthDetail(caller, ctx.access.purpose) };
}

/** A finding's explanation for this caller: the stored text when it may read all of it, else rebuilt without health detail. */
export function explanationFor(f: { ruleId: string; measure: Measure; records: readonly FactRecord[]; explanation: string }, ctx: HubContext): string {
  const detail = proseDetail(ctx);
  return detail.health ? f.explanation : explain(ruleById(f.ruleId), f.measure, f.records, detail);
}

function measureOf(m: Measure, detail: Detail): MeasureObject {
  switch (m.type) {
    case 'OVERLAP':
      return { __typename: 'PeriodOverlap', start: m.overlap.start, end: m.overlap.end, days: m.days };
    case 'SAME_PERIOD':
      return { __typename: 'SamePeriodFunding', period: m.period };
    case 'REPEATED':
      return { __typename: 'RepeatedGrants', cause: m.cause, count: m.count, windowMonths: m.windowMonths };
    case 'SETTLEMENT_EXCESS':
      return { __typename: 'SettlementExcess', settlementReference: m.settlementRef, settledOn: m.settledOn, burdenFen: m.burdenFen, aidFen: m.aidFen, excessFen: m.excessFen };
    case 'AFTER_DEATH':
      return { __typename: 'AidAfterDeath', deathDate: m.deathDate, from: m.unpaid.start, to: m.unpaid.end, months: m.months, excessFen: m.excessFen };
    case 'WRONG_STAGE':
      return { __typename: 'WrongSchoolStage', judgedOn: m.judgedOn, stage: m.stage, programmeStages: m.programmeStages };
    case 'MISSED': {
      const cert = m.met.find((c) => c.fact === 'DISABILITY_CERTIFICATE');
      const oop = m.met.find((c) => c.fact === 'OUT_OF_POCKET');
      const grants = m.met.find((c) => c.fact === 'GRANTS');
      const student = m.met.find((c) => c.fact === 'STUDENT');
      return {
        __typename: 'MissedAid',
        expected: m.expected.map((p) => PROGRAMME_BY_CODE.get(p)!),
        conditions: m.met.map((c) => describeCondition(c, detail)),
        disabilityLevel: cert?.fact === 'DISABILITY_CERTIFICATE' ? cert.level : null,
        outOfPocketFen: oop?.fact === 'OUT_OF_POCKET' ? oop.totalFen : null,
        grantCount: grants?.fact === 'GRANTS' ? grants.count : null,
        schoolYear: student?.fact === 'STUDENT' ? student.schoolYear : null,
      };
    }
  }
}

function keep(views: FindingView[], args: HouseholdFindingsArgs): FindingView[] {
  return views.filter((f) => (!args.severities?.length || args.severities.includes(f.severity)) && (!args.actionableOnly || ACTIONABLE.includes(f.status)));
}

// ----- Who acts -----------------------------------------------------------------------------------------

function callerOf(ctx: HubContext): { name: string; department: OfficeCode } {
  const caller = ctx.access?.caller;
  if (!caller) throw new GraphQLError('This request carries no valid access token', { extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_MISSING' } });
  return { name: caller.name, department: caller.department };
}

const SETTLE_MESSAGES: Record<Exclude<SettleError, ScreenRefusal>, string> = {
  FINDING_NOT_FOUND: 'no stored finding has this id; a scan of its division stores it',
  DEPARTMENT_NOT_CONCERNED: 'your department is not among the departments this finding concerns',
  REASON_REQUIRED: 'a dismissal needs a reason',
  NO_CHANGE: 'the finding already has this status',
};

function settleField(code: SettleError): string[] {
  if (code === 'REASON_REQUIRED') return ['input', 'reason'];
  return ['input', 'findingId'];
}

/** `text` is a dismissal's reason, or the note of a confirmation or resolution. */
async function settleBy(ctx: HubContext, action: SettleAction, input: FindingConfirmInput | FindingResolveInput | FindingDismissInput, text: string | null) {
  const id = requireFindingId(input.findingId, 'input.findingId');
  const officer = ctx.access.officerOr(input.officer, 'input.officer') || null;
  if (officer && longerThan(officer, 64)) throw badInput('input.officer', 'TOO_LONG', 'officer is at most 64 characters');
  const caller = callerOf(ctx);
  const scope = scopePrefix(ctx);
  const current = await findingLoaders(ctx).stored.load(id);
  const reached = !(current && scope !== null && !(current.regionCode ?? '').startsWith(scope));
  // Its household and people go on the audit trail, refused or reached, whatever the payload
  // selects: a finding settled with only `userErrors` asked for left their trail without it (NONE).
  if (current) ctx.access?.record(subjectsOf('Finding', viewOfRow(current)), !reached);
  if (!reached) {
    // Out of reach reads as not found: a refusal would confirm the finding exists.
    return { finding: null, userErrors: [{ code: 'FINDING_NOT_FOUND' as const, message: SETTLE_MESSAGES.FINDING_NOT_FOUND, field: settleField('FINDING_NOT_FOUND') }] };
  }
  const field = action === 'DISMISS' ? 'reason' : 'note';
  if (text && longerThan(text, 2000)) throw badInput(`input.${field}`, 'TOO_LONG', 'at most 2000 characters');
  // Every department the finding concerns reads the reason or note: an invisible character, a mobile
  // number or a card in it is refused (a number named masked), unless this is the repeat of a settling
  // made before the screen.
  const screened = text ? proseRefusal(['input', field], text) : null;
  const out = await settleFinding(ctx.hub, id, action, { actor: caller.name, department: caller.department, officer }, text, screened?.code ?? null);
  if (!out.ok) {
    if (out.code === 'IDENTIFYING_NUMBER' || out.code === 'TEXT_INVISIBLE_CHARACTER') return { finding: null, userErrors: [screened!] };
    return { finding: null, userErrors: [{ code: out.code, message: SETTLE_MESSAGES[out.code], field: settleField(out.code) }] };
  }
  findingLoaders(ctx).stored.clear(id).prime(id, out.row);
  return { finding: viewOfRow(out.row), userErrors: [] };
}

// ----- Resolvers ----------------------------------------------------------------------------------------

export const findingResolvers: Resolvers = {
  Query: {
    rules: () => rules(),

    preGrantCheck: async (_, args, ctx) => {
      // The call that holds up a grant reads through the connections kept for checks.
      const proposal = proposalOf(args.input, ctx.today);
      requireOwnProgramme(ctx, proposal.programme);
      const lane = throughCheckLane(ctx);
      refuseGrantAfterDeath(proposal.grantDate, await deathDateOf(lane, proposal.beneficiaryIdNumber), 'input.grantDate');
      const result = await preGrantCheck(lane, proposal, rules());
      const complete = result.unavailable.length === 0;
      return {
        findings: result.findings,
        // Not clear where the check could not tell: beside a grant it could not compare (it can
        // neither find a repetition there nor rule one out), or without a department it needed (a
        // system reading only `clear` would grant on an answer that may miss that department's conflict),
        // or for a stay medical insurance does not hold (a mistyped or reversed settlement number),
        // or another person's stay for aid paid for the patient's own costs, or a student of another
        // school stage than the programme's, or one whose stage could not be read.
        clear:
          complete &&
          !result.findings.some((f) => f.severity === 'CONFLICT' || f.severity === 'WARNING') &&
          result.causeUnrecognised.length === 0 &&
          !result.settlementUnknown &&
          !result.settlementOtherPerson &&
          (result.schoolStage === 'NOT_CHECKED' || result.schoolStage === 'FITS'),
        conflicts: result.findings.filter((f) => f.severity === 'CONFLICT').length,
        warnings: result.findings.filter((f) => f.severity === 'WARNING').length,
        complete,
        consulted: result.consulted.map(departmentOf),
        unavailable: result.unavailable.map(departmentOf),
        causeUnrecognised: result.causeUnrecognised,
        settlementUnknown: result.settlementUnknown,
        settlementOtherPerson: result.settlementOtherPerson,
        schoolStage: result.schoolStage,
        // Said as a meeting's decision says it (domain/cases/decision-checks.ts schoolStageFinding):
        // the enum alone gave a granting officer no words and no next step.
        schoolStageExplanation: result.unavailable.includes('EDUCATION') ? null : schoolStageWords(result.schoolStage, proposal.programme, '发放之日', PROGRAMME_BY_CODE.get(proposal.programme)?.name ?? proposal.programme),
      };
    },

    scan: async (_, args, ctx) => {
      const scan = await findingLoaders(ctx).scanById.load(requireHubId(args.id, 'id', 'scan id'));
      // A scan of a division the caller's scope does not touch reads as not found.
      return scan && scanInReach(ctx, scan.regionCode) ? scan : null;
    },

    scans: async (_, args, ctx) => {
      const code = args.regionCode ? requireDivisionCode(args.regionCode, 'regionCode') : null;
      // A division the caller's scope does not touch is refused as every other filter by division
      // refuses one outside the scope (it answered an empty list); one enclosing the scope (a
      // township's county) is answered, as the list without a filter holds its scans.
      if (code && !divisionInReach(ctx.access, code)) throw forbidden(outOfScope('Query.scans'));
      const first = pageSize(args.first, 20, ctx.config.maxListSize);
      const scope = ctx.access?.caller?.regionScope ?? null;
      const after = positionAfter(args.after, (c) => decodeIdCursor(SCANS, c));
      const page = await listScans(ctx.hub, code, first, after, scope && isDivisionCode(scope) ? scope : null);
      await refuseUnknownDivision(ctx.hub, code, 'regionCode', page.rows.length === 0 && !after);
      return pageOf(page, (scan) => encodeIdCursor(SCANS, scan.id), (scan) => scan);
    },

    finding: async (_, args, ctx) => {
      const row = await findingLoaders(ctx).stored.load(requireFindingId(args.id, 'id'));
      return row ? viewOfRow(row) : null;
    },
  },

  Mutation: {
    scanStart: async (_, args, ctx) => {
      const code = requireDivisionCode(args.input.regionCode, 'input.regionCode');
      const caller = callerOf(ctx);
      const started = await scanJobs.start({ hub: ctx.hub, sources: ctx.sources, ruleSet: activeRuleSet(), today: ctx.today, leaseMs: ctx.config.jobLeaseMs, logger: ctx.logger, metrics: ctx.jobMetrics }, code, caller.name, caller.department);
      if (started.scanId === null) return { scan: null, userErrors: [{ code: started.code, message: 'the hub knows no division of this code: no region, no household and no person under it', field: ['input', 'regionCode'] }] };
      const scan = await findingLoaders(ctx).scanById.load(started.scanId);
      if (started.ok) return { scan, userErrors: [] };
      return { scan, userErrors: [{ code: started.code, message: 'a scan of an overlapping division is running', field: ['input', 'regionCode'] }] };
    },
    findingConfirm: (_, { input }, ctx) => settleBy(ctx, 'CONFIRM', input, input.note ?? null),
    findingDismiss: (_, { input }, ctx) => settleBy(ctx, 'DISMISS', input, input.reason),
    findingResolve: (_, { input }, ctx) => settleBy(ctx, 'RESOLVE', input, input.note ?? null),
  },

  Household: {
    findings: async (h, args, ctx) => keep(await householdFindings(ctx, h.id, rules()), args),
  },

  Person: {
    findings: async (p, args, ctx) => keep(await personFindings(ctx, p.idNumber, rules()), args),
  },

  Rule: {
    programmes: (r) => ruleProgrammes(r).map((p) => PROGRAMME_BY_CODE.get(p)!),
    windowMonths: (r) => {
      if (r.kind === 'REPEATED_GRANTS') return r.windowMonths;
      if (r.kind === 'MISSED_AID') return r.when.map((c) => ('windowMonths' in c ? c.windowMonths : null)).find((w) => w !== null) ?? null;
      return null;
    },
    thresholdFen: (r) => (r.kind === 'MISSED_AID' ? (r.when.map((c) => (c.fact === 'OUT_OF_POCKET' ? thresholdOf(c).thresholdFen : null)).find((w) => w !== null) ?? null) : null),
    thresholdOver: (r) => (r.kind === 'MISSED_AID' ? (r.when.map((c) => (c.fact === 'OUT_OF_POCKET' ? thresholdOf(c).over : null)).find((w) => w !== null) ?? null) : null),
  },

  Finding: {
    id: (f) => f.fingerprint,
    rule: (f) => ruleById(f.ruleId),
    household: (f, _, ctx) => (f.householdId === null ? null : ctx.loaders.hub.householdById.load(f.householdId)),
    people: async (f, _, ctx) => (await ctx.loaders.hub.personByIdNumber.loadMany(f.idNumbers)).filter((p): p is PersonRow => p !== null && !(p instanceof Error)),
    measure: (f, _, ctx) => measureOf(f.measure, proseDetail(ctx)),
    explanation: (f, _, ctx) => explanationFor(f, ctx),
    departments: (f) => f.departments.map(departmentOf),
    basis: (f) => ruleById(f.ruleId).basis,
    firstSeenScan: (f, _, ctx) => (f.stored ? findingLoaders(ctx).scanById.load(f.stored.firstScanId) : null),
    lastSeenScan: (f, _, ctx) => (f.stored ? findingLoaders(ctx).scanById.load(f.stored.lastScanId) : null),
    events: (f, _, ctx) => (f.stored ? findingLoaders(ctx).eventsByFinding.load(f.stored.id) : []),
  },

  PreGrantFinding: {
    rule: (f) => ruleById(f.ruleId),
    measure: (f, _, ctx) => measureOf(f.measure, proseDetail(ctx)),
    // Outside the caller's region (the LIMITED view of a duplicate check) the rule alone, as aidReport
    // words a conflict there: the full text gives other offices' aid with amounts and days.
    explanation: async (f, _, ctx) => ((await ctx.access.viewGiven(f)) === 'FULL' ? explanationFor(f, ctx) : explainOutOfScope(ruleById(f.ruleId))),
    departments: (f) => f.departments.map(departmentOf),
    basis: (f) => ruleById(f.ruleId).basis,
  },

  FindingMeasure: {
    __resolveType: (m) => m.__typename,
  },

  FindingEvent: {
    department: (e) => (e.actorDepartment && (DEPARTMENT_CODES as readonly string[]).includes(e.actorDepartment) ? departmentOf(e.actorDepartment as DepartmentCode) : null),
    scan: (e, _, ctx) => (e.scanId === null ? null : findingLoaders(ctx).scanById.load(e.scanId)),
    at: (e) => fromDbInstant(e.at),
  },

  Scan: {
    id: (s) => String(s.id),
    state: (s) => currentScanState(s).state,
    failure: (s) => currentScanState(s).failure,
    region: async (s, _, ctx) => (await ctx.loaders.hub.regionByCode.load(s.regionCode)) ?? unknownRegion(s.regionCode),
    startedAt: (s) => fromDbInstant(s.startedAt),
    finishedAt: (s) => fromDbInstantOrNull(s.finishedAt),
    progress: (s) => ({
      householdsTotal: s.householdsTotal,
      householdsDone: s.householdsDone,
      findings: s.findingsCount,
      new: s.newCount,
      reopened: s.reopenedCount,
      stillSettled: s.stillSettledCount,
    }),
    findings: async (s, args, ctx) => {
      const filter = filterOf(ctx, args.filter);
      const unknownRules = await unknownRuleIdsMessage(ctx.hub, s.id, filter.ruleIds ?? []);
      if (unknownRules !== null) throw badInput('filter.rules', 'RULE_NOT_FOUND', unknownRules);
      const first = pageSize(args.first, 50, ctx.config.maxListSize);
      const after = positionAfter(args.after, (c) => decodeIdCursor(FINDINGS, c));
      const page = await scanFindingsPage(ctx.hub, s.id, filter, first, after);
      await refuseUnknownDivision(ctx.hub, filter.townshipCode, 'filter.townshipCode', page.rows.length === 0 && !after);
      for (const row of page.rows) findingLoaders(ctx).stored.prime(row.fingerprint, row);
      return {
        ...pageOf(page, (row) => encodeIdCursor(FINDINGS, row.id), viewOfRow),
        totalCount: () => countScanFindings(ctx.hub, s.id, filter),
      };
    },
    csvPath: (s) => `/exports/scans/${s.id}/findings.csv`,
  },
};
