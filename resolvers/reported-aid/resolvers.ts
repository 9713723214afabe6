/**
 * Aid reported directly (schema/reported-aid.graphql): the caller must be a reporter (an office of
 * a non-federated department, or a registered charity). A batch is validated whole
 * (domain/reported-aid/validate.ts), each record is checked against aid already recorded anywhere
 * (the pre-grant check, resolvers/findings/live.ts), and the batch is recorded in one transaction
 * (db/reported-aid/store.ts).
 */
import { fromDbInstant } from '../../db/instants';
import { isDuplicateKey } from '../../db/cases/write';
import { lockingTransaction, type LockingTx } from '../../db/locking';
import { deliveryReferencesInLedger, ensureOrganisationLock, organisationStandingAid } from '../../db/charity/store';
import { sameAidIn } from '../../domain/reported-aid/same-aid';
import { acceptedBetween, charityOf, historyOf, recordedUnder, recordReportedAid, type Reporter } from '../../db/reported-aid/store';
import { addDays } from '../../domain/dates';
import { isReporterCode } from '../../domain/departments';
import { PROGRAMME_BY_CODE, type ProgrammeCode } from '../../domain/programmes';
import { deceasedProblems, normaliseReference, referenceKey, validateReport, type ReportError, type ValidReportedAid } from '../../domain/reported-aid/validate';
import type { IsoDate } from '../../domain/dates';
import { chinaMidnight } from '../../domain/reported-aid/china-day';
import type { Resolvers } from '../__generated__/types';
import { departmentOf } from '../common';
import type { HubContext } from '../context';
import type { ReportedAidConflict } from '../models';
import { preGrantCheck } from '../findings/live';
import { needProblems } from './needs';
import { caseReferenceProblems } from './cases';
import { explanationFor, ruleById, rules } from '../findings/resolvers';
import { inScope } from '../../access/decide';
import { badInput } from '../../access/errors';
import { personRegion } from '../../access/policy';
import { explainOutOfScope, explainToCharity } from '../../domain/findings/explain';
import { unauthenticated } from '../../access/session';
import { entryBeyondTerm } from '../../domain/reported-aid/beyond-term';
import { monthlyPaymentsInWindow } from '../../domain/household/aid-summary';
import { maskIdNumber } from '../../domain/id-number';
import { unknownRegion } from '../common';
import { ledgerBeyondTerm } from './beyond-term';

/** The calling reporter, or the reason it may not report. */
async function reporterOf(ctx: HubContext): Promise<Reporter | ReportError> {
  const caller = ctx.access.caller;
  if (!caller) throw unauthenticated();
  if (!isReporterCode(caller.department)) return { index: null, code: 'REPORTER_NOT_ALLOWED', field: null, message: 'only offices and charities without a front-end database report aid to the hub' };
  const officer = ctx.access.officer;
  if (caller.department !== 'CHARITY') return { clientName: caller.name, officer, office: caller.department, creditCode: null };
  const charity = await charityOf(ctx.hub, caller.name);
  if (!charity) return { index: null, code: 'CHARITY_NOT_REGISTERED', field: null, message: 'register the organisation (统一社会信用代码) with `npm run clients -- create … --credit-code`' };
  return { clientName: caller.name, officer, office: 'CHARITY', creditCode: charity.creditCode };
}

/** The deaths the hub knows (the hub's person, kept from civil affairs' register) of these people, by ID number. */
async function deathDatesOf(ctx: HubContext, idNumbers: readonly string[]): Promise<Map<string, IsoDate>> {
  const people = await ctx.loaders.hub.personByIdNumber.loadMany([...new Set(idNumbers)]);
  return new Map(people.flatMap((p) => (p && !(p instanceof Error) && p.deathDate ? [[p.idNumber, p.deathDate] as const] : [])));
}

/**
 * A charity's records that match a standing delivery of its organisation (domain/reported-aid/same-aid.ts),
 * one error each naming the delivery; `exempt` leaves out retries and records stated separate.
 */
async function sameAsDeliveries(tx: LockingTx, reporter: Reporter, records: readonly ValidReportedAid[], exempt: (index: number) => boolean): Promise<ReportError[]> {
  if (reporter.creditCode === null) return [];
  const candidates = records.flatMap((r, index) => (r.entryKind !== 'REVERSAL' && !exempt(index) ? [index] : []));
  const deliveries = (await organisationStandingAid(tx, reporter.creditCode, candidates.map((i) => records[i].beneficiaryIdNumber))).filter((e) => e.fromDelivery);
  return candidates.flatMap((index) => {
    const match = sameAidIn(records[index], deliveries);
    if (!match) return [];
    return [{ index, code: 'SAME_AS_CHARITY_DELIVERY' as const, field: 'reference', message: `the organisation's delivery ${match.reference} (charityDeliveryReport, ${match.grantDate}) records this aid already: leave the record out, or send it with separateAid: true if it is other aid` }];
  });
}

/**
 * The conflicts and warnings a reported record causes (its pre-grant check, missed aid left out), as
 * `aidReport` answers them (`index` its place in the batch) and `charityDeliveryReport` its delivery's
 * ledger record: judged without the reporter's own entries under `standsFor` (the entry a correction
 * supersedes, the record's own on a retry or once written), so it is neither counted twice nor let
 * off a conflict it causes alone. With the departments it could not read (no conflict without them is
 * not none), said as both payloads say them (`incompleteChecks`: the record's, or none when its
 * check was complete), and whether its settlement is unknown.
 */
export async function reportedAidConflicts(
  ctx: HubContext,
  r: Pick<ValidReportedAid, 'programme' | 'beneficiaryIdNumber' | 'periodStart' | 'periodEnd' | 'grantDate' | 'amountFen' | 'settlementRef'>,
  index: number,
  clientName: string,
  standsFor: ReadonlySet<string>,
): Promise<{ conflicts: ReportedAidConflict[]; incompleteChecks: IncompleteCheck[]; settlementUnknown: boolean }> {
  const leaveOut = (x: { reportedBy?: { clientName: string; reference: string } | null }) => x.reportedBy?.clientName === clientName && standsFor.has(referenceKey(x.reportedBy.reference));
  // Read through the request's loaders (`everything`: the same answer, test/findings-planted.test.ts),
  // so the batch's checks share one statement per department: each check reading for itself
  // sent a batch of 1,000 as 1,000 statements to one source at once, which timed out under
  // load and left the checks incomplete (test/reported-aid-batch-reads.test.ts).
  const result = await preGrantCheck(ctx, { programme: r.programme as ProgrammeCode, beneficiaryIdNumber: r.beneficiaryIdNumber, periodStart: r.periodStart, periodEnd: r.periodEnd, grantDate: r.grantDate, amountFen: r.amountFen, settlementRef: r.settlementRef }, rules(), { leaveOut, everything: true });
  return {
    conflicts: result.findings.filter((f) => f.severity !== 'MISSED_AID').map((finding) => ({ index, finding, beneficiaryIdNumber: r.beneficiaryIdNumber })),
    incompleteChecks: result.unavailable.length > 0 ? [{ index, departments: result.unavailable.map(departmentOf) }] : [],
    settlementUnknown: result.settlementUnknown,
  };
}

/** A record whose check could not read every department it needed (AidReportIncompleteCheck). */
export type IncompleteCheck = { index: number; departments: ReturnType<typeof departmentOf>[] };

/** Thrown inside a dry run's transaction once the batch is known to be recordable, so nothing it wrote stays. */
class DryRunRolledBack extends Error {}

function refused(errors: ReportError[]) {
  return { recorded: 0, alreadyRecorded: 0, entries: [], conflicts: [], incompleteChecks: [], settlementsUnknown: [], userErrors: errors };
}

export const reportedAidResolvers: Resolvers = {
  Mutation: {
    aidReport: async (_, { input }, ctx) => {
      const reporter = await reporterOf(ctx);
      if (!('clientName' in reporter)) return refused([reporter]);
      // A retry (a record the ledger holds as sent) is told before anything is checked: a check added
      // since its first sending (a service's money, AMOUNT_INVALID), or a fact learnt since (a death,
      // a need withdrawn), would refuse what is already recorded, and a retry is answered
      // alreadyRecorded. The ledger tells it again under its lock (recordReportedAid).
      const sentReferences = input.records.flatMap((r) => normaliseReference(r.reference) ?? []);
      const recorded = await recordedUnder(ctx.hub, reporter.clientName, sentReferences);
      const checked = validateReport(reporter.office, input.records, ctx.today, recorded);
      if (!checked.ok) return refused(checked.errors);
      const notRetries = (errors: ReportError[]) => errors.filter((e) => e.index === null || !checked.retries.has(e.index));
      const needErrors = notRetries([...(await needProblems(ctx, checked.records, reporter.creditCode)), ...(await caseReferenceProblems(ctx, checked.records, reporter.creditCode))]);
      const deadErrors = notRetries(deceasedProblems(checked.records, await deathDatesOf(ctx, checked.records.map((r) => r.beneficiaryIdNumber))));
      if (needErrors.length + deadErrors.length > 0) return refused([...needErrors, ...deadErrors].sort((a, b) => (a.index ?? -1) - (b.index ?? -1)));
      // A charity delivery's ledger row is corrected only with the delivery (charityDeliveryReport):
      // reversed here, the aid would vanish from the ledger while the need still shows it delivered.
      // The rows are the linkage client's (or a client holding CHARITY beside DEPARTMENT_WRITER, which
      // access/clients.ts no longer creates); a reporting client of the organisation naming one is
      // told so too, not SUPERSEDES_UNKNOWN about an entry its reportedAidHistory shows it.
      // A reference the batch itself records names that record (a correction below its record), not another client's entry.
      const inBatch = new Set(checked.records.map((r) => referenceKey(r.reference)));
      const deliveries = await deliveryReferencesInLedger(ctx.hub, reporter.clientName, reporter.creditCode, checked.records.flatMap((r) => (r.supersedesReference && !inBatch.has(referenceKey(r.supersedesReference)) ? [r.supersedesReference] : [])));
      const touching = checked.records.flatMap((r, index) => (r.supersedesReference && deliveries.has(referenceKey(r.supersedesReference)) && !checked.retries.has(index) ? [index] : []));
      if (touching.length > 0) {
        return refused(touching.map((index) => ({ index, code: 'SUPERSEDES_CHARITY_DELIVERY', field: 'supersedesReference', message: 'that entry records a charity delivery of the organisation (charityDeliveryReport); it is not corrected or reversed through aidReport: use charityDeliveryCorrect or charityDeliveryCancel' })));
      }
      // 救前查询: each record against aid already recorded anywhere, before anything is written.
      // Judged without the reporter's entries it stands in place of: the entry a correction
      // supersedes (not in conflict with it, but still with what the corrected amount causes: the
      // findings that named the old entry were dropped whole, so a correction raising the amount
      // past a stay's burden was answered clear), and its own entry when it is a retry (which would
      // conflict with itself; the retry answers the conflicts the first sending did). Records of
      // one batch are not checked against each other. A retry of an entry corrected or reversed
      // since counts for nothing, as a reversal: judged as aid to be given again, it was answered
      // with a conflict (X7) that the chain as it stands does not have.
      const found = await Promise.all(
        checked.records.map(async (r, index) => {
          const superseded = checked.retries.has(index) && (recorded.get(referenceKey(r.reference))?.supersededBy ?? null) !== null;
          if (r.entryKind === 'REVERSAL' || superseded) return { conflicts: [], incompleteChecks: [], settlementUnknown: false };
          const standsFor = new Set([r.reference, ...(r.supersedesReference !== null ? [r.supersedesReference] : [])].map(referenceKey));
          return reportedAidConflicts(ctx, r, index, reporter.clientName, standsFor);
        }),
      );
      // One transaction: every record or none (recordReportedAid writes nothing when it refuses).
      // A dry run goes as far and rolls back what it wrote: its answer is the batch's refusal, or
      // its conflicts (npm run report checks a file it will not send so).
      // The organisation's lock row made first, on its own (ensureOrganisationLock): not in a dry run's rollback.
      if (reporter.creditCode !== null) await ensureOrganisationLock(ctx.hub, reporter.creditCode);
      const record = () =>
        lockingTransaction(ctx.hub, async (tx) => {
          // The organisation's delivery sent again in its aidReport file (its linkage client reported
          // it with charityDeliveryReport): taken, the money counted twice. Refused unless stated
          // separate. Compared in the transaction that writes, under the organisation's lock, which a
          // delivery takes too: checked before it, a delivery sent at the same moment was missed.
          const twice = await sameAsDeliveries(tx, reporter, checked.records, (index) => checked.retries.has(index) || input.records[index]?.separateAid === true);
          if (twice.length > 0) return { ok: false as const, errors: twice };
          const done = await recordReportedAid(tx, checked.records, reporter, ctx.now());
          if (input.dryRun && done.ok) throw new DryRunRolledBack();
          return done;
        });
      // The same batch sent twice at once (a retry after a timeout): the second's insert meets the
      // first's row under the unique reference. Read again, it is the retry it is: recorded once,
      // answered alreadyRecorded (or REFERENCE_CONFLICT for other content under the reference).
      const outcome = await record().catch((error: unknown) => {
        if (isDuplicateKey(error, 'reported_aid_reference')) return record();
        throw error;
      }).catch((error: unknown) => {
        if (error instanceof DryRunRolledBack) return null;
        throw error;
      });
      const conflicts: ReportedAidConflict[] = found.flatMap((f) => f.conflicts);
      const incompleteChecks = found.flatMap((f) => f.incompleteChecks);
      const settlementsUnknown = found.flatMap((f, index) => (f.settlementUnknown ? [index] : []));
      if (outcome === null) return { recorded: 0, alreadyRecorded: 0, entries: [], conflicts, incompleteChecks, settlementsUnknown, userErrors: [] };
      if (!outcome.ok) return refused(outcome.errors);
      const written = outcome.outcome.written.filter(Boolean).length;
      return { recorded: written, alreadyRecorded: checked.records.length - written, entries: outcome.outcome.rows, conflicts, incompleteChecks, settlementsUnknown, userErrors: [] };
    },
  },
  Query: {
    reportedAidReconciliation: async (_, args, ctx) => {
      const reporter = await reporterOf(ctx);
      if (!('clientName' in reporter)) throw badInput('caller', reporter.code, reporter.message);
      if (args.from > args.to) throw badInput('from', 'EMPTY_WINDOW', '`from` is after `to`');
      const totals = await acceptedBetween(ctx.hub, reporter.clientName, chinaMidnight(args.from), chinaMidnight(addDays(args.to, 1)));
      return (['AID', 'CORRECTION', 'REVERSAL'] as const).map((entryKind) => {
        const t = totals.find((x) => x.entryKind === entryKind);
        return { entryKind, count: t?.count ?? 0, amountFen: t?.amountFen ?? 0 };
      });
    },
    reportedAidBeyondTerm: (_, args, ctx) => ledgerBeyondTerm(ctx, args),
    reportedAidHistory: async (_, args, ctx) => {
      const reporter = await reporterOf(ctx);
      if (!('clientName' in reporter)) throw badInput('caller', reporter.code, reporter.message);
      // The reference as aidReport stored it: trimmed. One aidReport would refuse names no entry.
      const reference = normaliseReference(args.reference);
      if (reference === null) throw badInput('reference', 'MALFORMED_REFERENCE', 'a reference is 1–64 letters, digits or . _ : / -, starting with a letter or digit');
      const history = await historyOf(ctx.hub, reporter.clientName, reference);
      if ('ambiguous' in history) throw badInput('reference', 'REFERENCE_AMBIGUOUS', `clients of the organisation (${history.ambiguous.join(', ')}) each hold an entry under this reference in chains of their own: ask with the client that wrote the entry`);
      return history.chain;
    },
  },
  ReportedAidEntry: {
    entryKind: (e) => e.entryKind as 'AID' | 'CORRECTION' | 'REVERSAL',
    programme: (e) => PROGRAMME_BY_CODE.get(e.programme)!,
    period: (e) => (e.periodStart ? { start: e.periodStart, end: e.periodEnd } : null),
    receivedAt: (e) => fromDbInstant(e.receivedAt),
    superseded: (e) => e.supersededBy !== null,
    officer: (e) => e.reporterOfficer,
    periodBeyondTerm: (e, _, ctx) => (e.supersededBy === null ? entryBeyondTerm(e, ctx.today) : null),
  },
  ReportedAidBeyondTerm: {
    reportedBy: (e) => ({ clientName: e.row.reporterClient, officer: e.row.reporterOfficer, office: e.row.reporterOffice, creditCode: e.row.reporterCreditCode, reference: e.row.reference }),
    entryKind: (e) => e.row.entryKind as 'AID' | 'CORRECTION',
    programme: (e) => PROGRAMME_BY_CODE.get(e.row.programme)!,
    period: (e) => ({ start: e.row.periodStart!, end: e.row.periodEnd }),
    amountFen: (e) => e.row.amountFen,
    periodBeyondTerm: (e) => e.beyond,
    monthsToToday: (e, _, ctx) => monthlyPaymentsInWindow(e.row.periodStart!, e.row.periodEnd, e.row.periodStart!, ctx.today),
    amountToTodayFen: (e, _, ctx) => e.row.amountFen * monthlyPaymentsInWindow(e.row.periodStart!, e.row.periodEnd, e.row.periodStart!, ctx.today),
    beneficiary: (e) => maskIdNumber(e.row.beneficiaryIdNumber),
    region: (e, _, ctx) => (e.regionCode ? ctx.loaders.hub.regionByCode.load(e.regionCode).then((r) => r ?? unknownRegion(e.regionCode!)) : null),
    receivedAt: (e) => fromDbInstant(e.row.receivedAt),
  },
  PeriodBeyondTerm: {
    field: (b) => (b.problem.field === 'periodStart' ? 'PERIOD_START' : 'PERIOD_END'),
    earliestStart: (b) => (b.problem.field === 'periodStart' ? b.problem.min : null),
    latestEnd: (b) => (b.problem.field === 'periodEnd' ? b.problem.max : null),
    countedTo: (b) => b.countedTo,
  },
  AidReportConflict: {
    index: (c) => c.index,
    rule: (c) => ruleById(c.finding.ruleId),
    severity: (c) => c.finding.severity,
    // To a charity its own office alone, as its explanation names the rule alone: a charity reads no
    // other office's aid, and the offices named told it which had aided the stay (the women's
    // federation's 两癌 aid, a cancer; the trade union's illness aid, a registered hardship worker).
    departments: (c, _, ctx) => (ctx.access.caller!.department === 'CHARITY' ? c.finding.departments.filter((d) => d === 'CHARITY') : c.finding.departments).map(departmentOf),
    // Outside the caller's region a reporter checks (DUPLICATE_CHECK) in the LIMITED view, as
    // preGrantCheck does, whose explanation is the rule alone there too (PreGrantFinding.explanation):
    // the text names the other offices' aid with its amounts and days, which that view withholds
    // (AidRecord.amountFen is LIMITED_VIEW). It was given in full: a county office reporting aid to
    // a person of another county read that person's medical aid and union grants, amount and day.
    // A charity reads no other office's aid (it reads no household, person or pre-grant check): the
    // rule alone, wherever the beneficiary lives.
    explanation: async (c, _, ctx) => {
      if (ctx.access.caller!.department === 'CHARITY') return explainToCharity(ruleById(c.finding.ruleId));
      return inScope(ctx.access.caller!.regionScope, await personRegion(c.beneficiaryIdNumber, ctx)) ? explanationFor(c.finding, ctx) : explainOutOfScope(ruleById(c.finding.ruleId));
    },
  },
  AidReporter: {
    office: (r) => departmentOf(r.office),
    officer: (r) => r.officer ?? null,
  },
  AidRecord: {
    reportedBy: (r) => r.reportedBy ?? null,
    caseReference: (r) => r.caseReference ?? null,
    needId: (r) => r.needId ?? null,
    periodBeyondTerm: (r) => r.periodBeyondTerm ?? null,
  },
};
