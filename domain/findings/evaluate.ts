/**
 * The entry points: all findings of one household (the scan and the household view), and the
 * findings a proposed grant would cause (the pre-grant check). Both run the same rule functions
 * over the same kind of facts, so the three paths cannot disagree.
 */
import type { IsoDate } from '../dates';
import { sourceOf, type DepartmentCode } from '../departments';
import { PROGRAMME_BY_CODE, type ProgrammeCode } from '../programmes';
import type { AidRecord, Finding, HouseholdFacts } from './facts';
import { causeUnrecognisedBeside, evaluateRule, HouseholdContext, staySums } from './kinds';
import { programmesOfRule, type Rule } from './rule-set';

/** The departments whose data a rule reads: if one did not answer, the rule is not run. */
export function departmentsOfRule(rule: Rule): Set<DepartmentCode> {
  const out = new Set<DepartmentCode>(programmesOfRule(rule).map((p) => sourceOf(PROGRAMME_BY_CODE.get(p)!.department)));
  if (rule.kind === 'SETTLEMENT_EXCESS') out.add('HEALTH');
  if (rule.kind === 'WRONG_SCHOOL_STAGE') out.add('EDUCATION');
  if (rule.kind === 'MISSED_AID') {
    for (const c of [...rule.when, ...(rule.unless ?? [])]) {
      if (c.fact === 'DISABILITY_CERTIFICATE') out.add('DISABILITY');
      if (c.fact === 'STUDENT') out.add('EDUCATION');
      if (c.fact === 'OUT_OF_POCKET') out.add('HEALTH');
    }
  }
  return out;
}

export interface EvaluateOptions {
  /**
   * Departments that did not answer. A rule reading one is skipped: an absent nursing subsidy from
   * a federation that is down is not a missed aid.
   */
  unavailable?: ReadonlySet<DepartmentCode>;
  /**
   * Report a stay's excess (X7) from these facts even when another household owns it: a person's
   * own view shows the stays they were aided for, wherever the patient lives.
   */
  anyOwner?: boolean;
}

function runnable(rule: Rule, opts: EvaluateOptions): boolean {
  if (!rule.enabled) return false;
  if (!opts.unavailable || opts.unavailable.size === 0) return true;
  for (const d of departmentsOfRule(rule)) if (opts.unavailable.has(d)) return false;
  return true;
}

/** Every finding of one household: its household-scope rules and its home members' person rules. */
export function evaluateHousehold(facts: HouseholdFacts, rules: readonly Rule[], today: IsoDate, opts: EvaluateOptions = {}): Finding[] {
  const ctx = new HouseholdContext(facts, today, opts.anyOwner ?? false);
  const out: Finding[] = [];
  for (const rule of rules) {
    // Most households hold nothing most rules are about: evaluateRule answers them with one shared empty array, not spread.
    if (!runnable(rule, opts)) continue;
    for (const f of evaluateRule(rule, ctx)) out.push(f);
  }
  return out;
}

export const PROPOSED_REF = 'PROPOSED';

/** A proposed grant in the shape of the records it will join. */
export interface Proposal {
  programme: AidRecord['programme'];
  beneficiaryIdNumber: string;
  periodStart: IsoDate | null;
  periodEnd: IsoDate | null;
  grantDate: IsoDate | null;
  amountFen: number;
  cause?: AidRecord['cause'];
  secondAid?: boolean;
  settlementRef?: string | null;
  schoolYear?: string | null;
}

export function proposedRecord(p: Proposal): AidRecord {
  const programme = PROGRAMME_BY_CODE.get(p.programme)!;
  return {
    department: programme.department,
    programme: p.programme,
    beneficiaryIdNumber: p.beneficiaryIdNumber,
    sourceHouseholdRef: null,
    periodStart: p.periodStart,
    periodEnd: p.periodEnd,
    grantDate: p.grantDate,
    amountFen: p.amountFen,
    status: programme.kind === 'RECURRING' ? 'ACTIVE' : 'PAID',
    sourceRef: PROPOSED_REF,
    cause: p.cause ?? null,
    secondAid: p.secondAid ?? false,
    settlementRef: p.settlementRef ?? null,
    schoolYear: p.schoolYear ?? null,
  };
}

/**
 * The rules a proposed grant of `programme` can add a finding to. A missed-aid rule names records
 * only through a GRANTS condition (M5: the grant would be one more temporary aid), so only those
 * concern a proposal; the others describe what is missing, which a grant never causes. A
 * WRONG_SCHOOL_STAGE rule (X13) concerns none: a proposal's stage is answered by the check's own
 * `schoolStage` (and a meeting's decision by its SCHOOL_STAGE warning), which also says when the
 * stage cannot be judged; a finding beside it would say the same twice.
 */
export function rulesConcerning(rules: readonly Rule[], programme: string, opts: EvaluateOptions = {}): Rule[] {
  return rules.filter((r) => {
    if (!runnable(r, opts) || r.kind === 'WRONG_SCHOOL_STAGE') return false;
    if (r.kind === 'MISSED_AID') return r.when.some((c) => c.fact === 'GRANTS' && (c.programmes as readonly string[]).includes(programme));
    return programmesOfRule(r).includes(programme as never);
  });
}

/**
 * The programmes whose records the rules concerned with a proposal can look at: every rule reads
 * only the records of the programmes it names, so records of any other programme are not needed.
 * Lets a pre-grant check skip the source tables that hold none of them.
 */
export function programmesForProposal(concerned: readonly Rule[]): Set<ProgrammeCode> {
  return new Set(concerned.flatMap((r) => programmesOfRule(r)));
}

/**
 * The departments whose records a rule needs to judge a proposed grant: the other side of an
 * exclusive pair, the same programme held twice, the other grants of a repeated-grants rule, the
 * settlement and the other aid tied to it. Aid after death needs none: only the proposal and the
 * death date; nor does a proposal tied to no stay need any for a stay's excess (X7 adds up aid by
 * settlement, and such a proposal is in no stay's sum), so medical insurance being down leaves its
 * check complete.
 */
export function departmentsForProposal(rule: Rule, proposal: Pick<Proposal, 'programme' | 'settlementRef'>): Set<DepartmentCode> {
  const programme: string = proposal.programme;
  const of = (codes: readonly string[]) => new Set(codes.map((c) => sourceOf(PROGRAMME_BY_CODE.get(c)!.department)));
  switch (rule.kind) {
    case 'EXCLUSIVE_PROGRAMMES':
    case 'SAME_PURPOSE_TWICE': {
      const inFirst = (rule.first as readonly string[]).includes(programme);
      const inSecond = (rule.second as readonly string[]).includes(programme);
      return of([...(inFirst ? rule.second : []), ...(inSecond ? rule.first : [])]);
    }
    case 'DUPLICATE_ENROLMENT':
      return of([programme]);
    case 'AID_AFTER_DEATH':
    case 'WRONG_SCHOOL_STAGE':
      return new Set();
    case 'SETTLEMENT_EXCESS':
      return proposal.settlementRef ? new Set([...of(rule.programmes), 'HEALTH']) : new Set();
    case 'REPEATED_GRANTS':
      return of(rule.programmes);
    case 'MISSED_AID':
      return departmentsOfRule(rule);
  }
}

/**
 * The conflicts and warnings a proposed grant would cause: the rules that concern its programme,
 * run over the beneficiary's facts with the proposal added, keeping the findings that name it.
 * `facts.homeMembers` should be the beneficiary alone, so nobody else's standing findings come back.
 */
export function checkProposal(facts: HouseholdFacts, proposal: Proposal, rules: readonly Rule[], today: IsoDate, opts: EvaluateOptions = {}): Finding[] {
  return judgeProposal(facts, proposal, rules, today, opts).findings;
}

/**
 * What a proposed grant would cause, and the household's grants a rule concerned could not compare
 * with it (`causeUnrecognisedBeside`: of a cause code their department does not document), which the
 * findings say nothing about either way.
 *
 * A rule is skipped only when a department it needs to judge this programme did not answer
 * (`departmentsForProposal`, the departments the check reads and reports as not answering), not
 * whenever any department of its programmes failed: failures are the request's, so a meeting
 * whose dossier found housing down skipped X9 for a 低保 decision (which reads only civil affairs'
 * 低保) and recorded the check as complete, and the duplicate enrolment went through unseen.
 */
export function judgeProposal(facts: HouseholdFacts, proposal: Proposal, rules: readonly Rule[], today: IsoDate, opts: EvaluateOptions = {}): { findings: Finding[]; causeUnrecognised: AidRecord[]; stays: StayWeighed[] } {
  const record = proposedRecord(proposal);
  const down = opts.unavailable ?? new Set<DepartmentCode>();
  const concerned = rulesConcerning(rules, proposal.programme).filter((r) => ![...departmentsForProposal(r, proposal)].some((d) => down.has(d)));
  const ctx = new HouseholdContext({ ...facts, records: [...facts.records, record] }, today, true);
  return {
    findings: concerned.flatMap((rule) => evaluateRule(rule, ctx)).filter((f) => f.records.includes(record)),
    causeUnrecognised: concerned.flatMap((rule) => (rule.kind === 'REPEATED_GRANTS' ? causeUnrecognisedBeside(rule, ctx, record) : [])),
    stays: concerned.flatMap((rule) =>
      rule.kind === 'SETTLEMENT_EXCESS'
        ? staySums(rule, ctx)
            .filter((s) => s.records.includes(record))
            .map((s) => ({ ruleId: rule.id, settlementRef: s.settlementRef, burdenFen: s.burdenFen, paidFen: s.aidFen - record.amountFen }))
        : [],
    ),
  };
}

/**
 * The stay a proposal names as a SETTLEMENT_EXCESS rule weighed it (X7): its burden and what is
 * paid for it besides the proposal. A meeting's check adds the meeting's other decisions on the
 * same stay to it (domain/cases/decision-checks.ts sameStayFindings), which no department holds yet.
 */
export interface StayWeighed {
  ruleId: string;
  settlementRef: string;
  burdenFen: number;
  paidFen: number;
}
