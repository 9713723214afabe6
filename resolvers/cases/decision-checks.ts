/**
 * The pre-grant check of a meeting's decisions, in one place: each decision's aid is proposed to
 * the same check departments run before granting (resolvers/findings/live.ts preGrantCheck), for
 * its beneficiary or, when it names none, the head of household, dated the meeting's day, with the
 * hospital stay it names (its settlementReference) weighed as that check weighs a proposal's.
 */
import {
  causeUnrecognisedFinding,
  checkDecisionConflicts,
  paidSlipFindings,
  sameStayFindings,
  settlementFindings,
  schoolStageFinding,
  ungivenDecisionFindings,
  type DecisionCheck,
  type DecisionFinding,
  type StayDecision,
  type UngivenDecision,
} from '../../domain/cases/decision-checks';
import { chinaDateOf } from '../../domain/cases/china-time';
import { refusal, type Outcome } from '../../domain/cases/errors';
import { decisionsIssuedTo, ensureHouseholdTurn } from '../../db/cases/write';
import { ungivenDecisionsOfHousehold } from '../../db/cases/store';
import { paidAtSource } from './paid-at-source';
import { caseNamedTo } from './case-named';
import { officeNameOf } from './office-name';
import { storedOfficeIn } from '../../domain/cases/offices';
import type { Dossier } from '../../domain/cases/dossier';
import { decisionSubject, type DecisionInput } from '../../domain/cases/meetings';
import type { IsoDate } from '../../domain/dates';
import { explain } from '../../domain/findings/explain';
import type { Proposal } from '../../domain/findings/evaluate';
import { PROGRAMME_BY_CODE } from '../../domain/programmes';
import { activeRuleSet } from '../../rules/load';
import type { HubContext } from '../context';
import { preGrantCheck } from '../findings/live';
import { decidedSchoolYear } from '../../domain/findings/school-year';

export async function checkDecisions(
  ctx: HubContext,
  decisions: readonly (DecisionInput & { overrideReason: string | null })[],
  heldOn: IsoDate,
  dossier: { members: readonly Pick<Dossier['members'][number], 'idNumber' | 'relation'>[] },
): Promise<DecisionCheck[]> {
  const rules = activeRuleSet().rules;
  const head = decisionSubject(dossier.members);
  return Promise.all(
    decisions.map(async (d): Promise<DecisionCheck> => {
      const programme = PROGRAMME_BY_CODE.get(d.programmeCode);
      const beneficiary = d.beneficiaryIdNumber ?? head?.idNumber ?? null;
      if (!programme || beneficiary === null) return { findings: [], unavailable: [], overrideReason: d.overrideReason };
      const recurring = programme.kind === 'RECURRING';
      const proposal: Proposal = {
        programme: programme.code as Proposal['programme'],
        beneficiaryIdNumber: beneficiary,
        periodStart: recurring ? heldOn : null,
        periodEnd: null,
        grantDate: recurring ? null : heldOn,
        amountFen: d.amountFen,
        cause: d.cause,
        secondAid: d.secondAid !== null,
        settlementRef: d.settlementRef,
        // The year decided, as a grant's schoolYear: X6 and X12 count the aid there (null: the year of the meeting's day).
        schoolYear: d.schoolYear,
      };
      const result = await preGrantCheck(ctx, proposal, rules);
      const findings: DecisionFinding[] = result.findings.map((f) => {
        const rule = rules.find((r) => r.id === f.ruleId);
        // Health detail stays out: the check is shown to every department at the meeting.
        return { ruleId: f.ruleId, severity: f.severity, summary: rule ? explain(rule, f.measure, f.records, { health: false }) : f.ruleId, departments: f.departments };
      });
      // A grant X5 could not compare by cause is said, as its warning would be: the check could not judge.
      const uncompared = causeUnrecognisedFinding(result.causeUnrecognised, programme.code, rules);
      if (uncompared) findings.push(uncompared);
      // A stay it could not weigh as named is said too, as preGrantCheck says it (not clear, not a conflict).
      findings.push(...settlementFindings(result, programme.code, rules));
      // A student of another school stage than the programme's, or whose stage cannot be read, is said too (preGrantCheck is not clear then).
      const stage = schoolStageFinding(result.schoolStage, !result.unavailable.includes('EDUCATION'), programme.code);
      if (stage) findings.push(stage);
      return { findings, unavailable: result.unavailable, overrideReason: d.overrideReason, stays: result.stays };
    }),
  );
}

/**
 * The decisions' checks against the decisions not yet given (救前查询 of what is decided as well
 * as of what is paid): the meeting's earlier decisions (`sameMeeting`), and the slips of decisions
 * of the household's open cases still waiting for their department, this case's included. A
 * finding is added to the decision's check, so a conflict is DECISION_CONFLICT unless overridden,
 * and kept and shown like the pre-grant check's. The household's slips are waiting whatever became
 * of their case (a case handed over to another county keeps its open slips: store.ts
 * ungivenDecisionsOfHousehold). A slip of another case is named by its case's reference only to a
 * caller who may read that case (case-named.ts: the county that continues a case reads it).
 */
export async function withUngivenDecisions(
  ctx: HubContext,
  checks: readonly DecisionCheck[],
  decisions: readonly DecisionInput[],
  facts: { caseId: number; householdId: number; members: readonly { idNumber: string; relation: string }[]; sameMeeting: boolean; decidedOn: IsoDate; superseding?: readonly number[] },
): Promise<DecisionCheck[]> {
  const head = decisionSubject(facts.members)?.idNumber ?? null;
  const named = caseNamedTo(ctx);
  // A correction's decisions replace the slips it supersedes: those are no longer decisions to give.
  const rules = activeRuleSet().rules;
  const open = (await ungivenDecisionsOfHousehold(ctx.hub, facts.householdId)).filter((s) => s.programmeCode !== null && !facts.superseding?.includes(s.id));
  const slips: (UngivenDecision & StayDecision & { id: number })[] = await Promise.all(
    open.map(async (s) => {
      const reference = s.caseId === facts.caseId ? null : await named(s.caseId);
      return {
        id: s.id,
        programmeCode: s.programmeCode!,
        subject: s.beneficiaryIdNumber ?? head,
        schoolYear: decidedSchoolYear(s.programmeCode!, s.schoolYear, s.decidedOn, rules),
        label: s.caseId === facts.caseId ? `本案转办单 ${s.id}` : reference !== null ? `案件 ${reference} 的转办单 ${s.id}` : '本户另一案件的转办单',
        amountFen: s.amountFen,
        settlementRef: s.settlementRef,
      };
    }),
  );
  // A slip whose aid its office has paid but not yet completed it with is counted once, as paid (the
  // pre-grant check reads the record), not again as waiting: each decision is told so instead.
  const paid = await paidAtSource(ctx.loaders, ctx.hub, open, facts.members.map((m) => m.idNumber));
  const pending = slips.filter((s) => !paid.has(s.id));
  // Named as Office.name names the slip's office (its case's county's: 任城区医疗保障局); only the slips read as paid.
  const paidSlipsOf = await Promise.all(
    open.flatMap((s, i) => (paid.has(s.id) ? [officeNameOf(ctx, storedOfficeIn(s.toOffice, s.townshipCode)).then((officeName) => ({ slip: { ...slips[i], officeName }, record: paid.get(s.id)! }))] : [])),
  );
  // The stay weighed by each check is for this weighing only, not kept with the check.
  const kept = checks.map(({ stays: _stays, ...check }) => check);
  if (pending.length === 0 && paidSlipsOf.length === 0 && decisions.length < 2) return kept;
  const labelOf = (j: number) => `本次会议第 ${j + 1} 项决定`;
  // Decisions on one stay are weighed together, and with the slips still waiting on it: a correction's
  // or a reassignment's decision replaces the slip it supersedes or the decline it resolves (neither
  // is waiting), so it is weighed beside the rest of the stay's decisions, not added to its own.
  const onStays = sameStayFindings(
    decisions.map((d, j) => ({ ...d, label: labelOf(j), stays: checks[j].stays ?? [], ruleIds: checks[j].findings.map((f) => f.ruleId) })),
    pending,
    rules,
  );
  return kept.map((check, i) => {
    const d = decisions[i];
    const subject = d.beneficiaryIdNumber ?? head;
    const yearOf = (e: DecisionInput) => decidedSchoolYear(e.programmeCode, e.schoolYear, facts.decidedOn, rules);
    const earlier: UngivenDecision[] = facts.sameMeeting
      ? decisions.slice(0, i).map((e, j) => ({ programmeCode: e.programmeCode, subject: e.beneficiaryIdNumber ?? head, schoolYear: yearOf(e), label: labelOf(j) }))
      : [];
    const found = [
      ...ungivenDecisionFindings({ programmeCode: d.programmeCode, subject, schoolYear: yearOf(d) }, [...earlier, ...pending], rules),
      ...onStays[i],
      ...paidSlipFindings({ programmeCode: d.programmeCode, subject, settlementRef: d.settlementRef, schoolYear: yearOf(d) }, paidSlipsOf, rules, chinaDateOf(ctx.now())),
    ];
    return found.length === 0 ? check : { ...check, findings: [...check.findings, ...found] };
  });
}

/** How many times decisions are checked and written while other decisions of the household keep being issued meanwhile. */
export const DECISION_CHECK_ATTEMPTS = 3;

/**
 * Checks decisions against the household's decisions not yet given (`withUngivenDecisions`, over
 * the pre-grant checks made already), refuses a conflict not overridden (DECISION_CONFLICT at
 * `fieldOf`), and writes them: `write` issues them in the household's turn, given the household's
 * count of decisions issued as read before the check. Another case of the household deciding at the
 * same moment made its check without these and these without it; whichever takes the turn second
 * is refused HOUSEHOLD_DECISIONS_CHANGED having written nothing, and is checked again here, now
 * seeing the other's slips (so a duplicate is DECISION_CONFLICT, not a second grant). After
 * DECISION_CHECK_ATTEMPTS such refusals, that refusal is the answer: the client sends it again.
 *
 * A conflict is refused outside the case's lock, so it is refused only once `retry` (the request's
 * look-up of its own first sending, as the caller made it before the checks) finds none: the same
 * request sent twice at once, whose second looked for the first before the first was written and
 * read the slips after, would otherwise be refused as a duplicate of the slips its first sending
 * issued. Its first sending's slips being read, its first sending is on record, so the look-up
 * made after that read finds it, and the retry is answered with it.
 */
export async function checkedAndWritten(
  ctx: HubContext,
  preGrant: readonly DecisionCheck[],
  decisions: readonly DecisionInput[],
  facts: Parameters<typeof withUngivenDecisions>[3],
  fieldOf: Parameters<typeof checkDecisionConflicts>[1],
  retry: () => Promise<Outcome<number> | null>,
  write: (checks: DecisionCheck[], decisionsSeen: number) => Promise<Outcome<number>>,
): Promise<Outcome<number>> {
  return inDecisionTurns(ctx, facts.householdId, async (seen) => {
    const checks = await withUngivenDecisions(ctx, preGrant, decisions, facts);
    const conflicts = checkDecisionConflicts(checks, fieldOf);
    if (conflicts.length > 0) return (await retry()) ?? refusal(...conflicts);
    return write(checks, seen);
  });
}

/**
 * The loop of checkedAndWritten and of a charity need's publication (resolvers/charity/linkage.ts):
 * `round` checks against the household's decisions not yet given and writes, given the household's
 * count of decisions issued as read before it (a decision issued after this read moves the count the
 * write compares under the household's turn). A round refused HOUSEHOLD_DECISIONS_CHANGED wrote
 * nothing and is made again, `again` first, up to DECISION_CHECK_ATTEMPTS rounds; any other outcome
 * is the answer.
 */
export async function inDecisionTurns<O extends { ok: true } | { ok: false; errors: readonly { code: string }[] }>(
  ctx: HubContext,
  householdId: number,
  round: (decisionsSeen: number) => Promise<O>,
  again: () => void = () => {},
): Promise<O> {
  for (let attempt = 1; ; attempt++) {
    const issued = await decisionsIssuedTo(ctx.hub, householdId);
    // A household whose turn was never taken has its row made now, committed on its own, so the round's transaction only locks it.
    if (issued === null) await ensureHouseholdTurn(ctx.hub, householdId);
    const outcome = await round(issued ?? 0);
    const changed = !outcome.ok && outcome.errors.some((e) => e.code === 'HOUSEHOLD_DECISIONS_CHANGED');
    if (!changed || attempt >= DECISION_CHECK_ATTEMPTS) return outcome;
    again();
  }
}
