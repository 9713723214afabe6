/**
 * Every decision of a joint meeting runs the pre-grant check (救前查询: check before aiding) for
 * the aid it decides, so that a meeting cannot decide 特困 support for a 低保 recipient (rule X1)
 * without a word. A conflict blocks the decision unless the convener overrides it with a reason;
 * warnings are shown, not blocking. Pure: the resolver runs the check, the data layer keeps it.
 */
import { inForce, type AidRecord } from '../aid';
import type { DepartmentCode, OfficeCode } from '../departments';
import type { IsoDate } from '../dates';
import { aidDateOf, paymentProblem, recordMismatches, type DecidedAid } from './fulfilment';
import { caseError, type CaseUserError } from './errors';
import { longerThan } from '../text-length';
import { rulesInForce, type Rule } from '../findings/rule-set';
import type { StayWeighed } from '../findings/evaluate';
import { yuan } from '../findings/explain';
import { PROGRAMME_BY_CODE } from '../programmes';
import { schoolStageWords, type SchoolStageFit } from '../school-stages';

export interface DecisionFinding {
  ruleId: string;
  /** CONFLICT, WARNING or MISSED_AID. */
  severity: string;
  /** In words without health detail; names no person. */
  summary: string;
  departments: OfficeCode[];
  /** Set on a finding against a decision not yet given (another of the meeting's, or a slip still waiting): its summary names that decision. */
  againstDecision?: true;
}

export interface DecisionCheck {
  findings: DecisionFinding[];
  /** Departments that did not answer: the check could not see their aid. */
  unavailable: DepartmentCode[];
  /** The convener's reason for deciding despite a conflict. */
  overrideReason: string | null;
  /**
   * The stay the decision names as its pre-grant check weighed it (burden, what is paid besides it),
   * for weighing the decisions decided together on it (sameStayFindings). Not kept with the check.
   */
  stays?: readonly StayWeighed[];
}

export const OVERRIDE_REASON_MAX = 500;

/**
 * A decision decided but not yet given: another decision of the same meeting, or the slip of an
 * earlier decision (of this case or another open case of the household) still ISSUED or ACCEPTED.
 * Its aid is in no department's data yet, so the pre-grant check cannot see it.
 */
export interface UngivenDecision {
  programmeCode: string;
  /** Whom it is for: the beneficiary named, else the head of household it is checked for. */
  subject: string | null;
  /**
   * The school year it is for, for aid a rule counts by school year (X6, X12): the one decided, or
   * none named, the year of its day. Null: other aid.
   */
  schoolYear: string | null;
  /** How a refusal names it: 本次会议第 1 项决定, 转办单 7（AH-2026-000012）. */
  label: string;
}

/**
 * What a decision would duplicate among decisions not yet given (救前查询 covers the aid already
 * decided, not only the aid already paid): the same programme for the same person (DUPLICATE_DECISION;
 * for a programme a DUPLICATE_ENROLMENT rule holds once per household, for anyone of it, under that
 * rule's id), and programmes an EXCLUSIVE_PROGRAMMES rule keeps apart (X1 低保 with 特困 …) for the
 * same person, or the same household where the rule's scope is the household; and programmes a
 * SAME_PURPOSE_TWICE rule counting by school year (X6 国家助学金 with 金秋助学) pairs, for the same
 * school year. Aid for two school years is neither: one meeting in August deciding 金秋助学 for the
 * year ending and for the one starting was refused DUPLICATE_DECISION. All are of one household.
 * A rule a locality switched off (`enabled: false`) finds nothing here, as in the pre-grant check and
 * sameStayFindings (rulesInForce). Pure: the resolver gathers the ungiven decisions.
 */
export function ungivenDecisionFindings(decision: { programmeCode: string; subject: string | null; schoolYear: string | null }, others: readonly UngivenDecision[], ruleSet: readonly Rule[]): DecisionFinding[] {
  const rules = rulesInForce(ruleSet);
  const findings: DecisionFinding[] = [];
  const name = (code: string) => PROGRAMME_BY_CODE.get(code)?.name ?? code;
  const departmentsOf = (...codes: string[]) => [...new Set(codes.flatMap((c) => PROGRAMME_BY_CODE.get(c)?.department ?? []))] as OfficeCode[];
  for (const o of others) {
    const samePerson = decision.subject !== null && o.subject === decision.subject;
    const otherYear = decision.schoolYear !== null && o.schoolYear !== null && decision.schoolYear !== o.schoolYear;
    if (o.programmeCode === decision.programmeCode) {
      if (otherYear) continue;
      const householdRule = rules.find((r) => r.kind === 'DUPLICATE_ENROLMENT' && r.scope === 'HOUSEHOLD' && (r.programmes as readonly string[]).includes(o.programmeCode));
      if (samePerson || householdRule) {
        findings.push({
          ruleId: samePerson || !householdRule ? 'DUPLICATE_DECISION' : householdRule.id,
          severity: 'CONFLICT',
          summary: `与${o.label}重复：${samePerson ? '同一人' : '同一家庭'}同一救助项目（${name(o.programmeCode)}），尚未发放`,
          departments: departmentsOf(o.programmeCode),
          againstDecision: true,
        });
      }
      continue;
    }
    for (const r of rules) {
      if (r.kind === 'SAME_PURPOSE_TWICE' && r.per === 'SCHOOL_YEAR') {
        const pair = (a: readonly string[], b: readonly string[]) => a.includes(decision.programmeCode) && b.includes(o.programmeCode);
        if (decision.schoolYear === null || decision.schoolYear !== o.schoolYear || !(samePerson || r.scope === 'HOUSEHOLD')) continue;
        if (!pair(r.first, r.second) && !pair(r.second, r.first)) continue;
        findings.push({
          ruleId: r.id,
          severity: r.severity,
          summary: `与${o.label}（${name(o.programmeCode)}，尚未发放）同一学年（${o.schoolYear}）：${r.title}`,
          departments: departmentsOf(decision.programmeCode, o.programmeCode),
          againstDecision: true,
        });
        continue;
      }
      if (r.kind !== 'EXCLUSIVE_PROGRAMMES') continue;
      const a = r.first as readonly string[];
      const b = r.second as readonly string[];
      const exclusive = (a.includes(decision.programmeCode) && b.includes(o.programmeCode)) || (b.includes(decision.programmeCode) && a.includes(o.programmeCode));
      if (!exclusive || !(samePerson || r.scope === 'HOUSEHOLD')) continue;
      findings.push({
        ruleId: r.id,
        severity: r.severity,
        summary: `与${o.label}（${name(o.programmeCode)}，尚未发放）不得同时享受：${r.title}`,
        departments: departmentsOf(decision.programmeCode, o.programmeCode),
        againstDecision: true,
      });
    }
  }
  return findings;
}

/** A decision on a hospital stay, as the stay's sum counts it. */
export interface StayDecision {
  programmeCode: string;
  amountFen: number | null;
  settlementRef: string | null;
  label: string;
}

/**
 * What the decisions decided together (a meeting's, a correction's, a reassignment) add to the stays
 * they name, beside what each one's pre-grant check found alone: a SETTLEMENT_EXCESS rule (X7) adds
 * up everything for one stay, so each decision weighed alone against what is paid let two offices
 * each be decided the stay's whole burden. For each stay weighed: what is paid for it (the checks'
 * `stays`), the household's decisions on it not yet given (`pending`: slips still waiting, a
 * correction's superseded ones left out), then these decisions, in the order the aid is paid after
 * insurance (医保 → 大病保险 → 医疗救助 → 工会、妇联、红十字会、慈善: the rule's `patientOnly`
 * programmes, medical aid paying the patient's own costs, first; the others top up what it leaves,
 * 民发〔2023〕46号), and in the order decided within each. A decision that brings the sum over the
 * burden, and each one after it, gets the rule's finding, with the rule's severity (X7 a CONFLICT:
 * DECISION_CONFLICT unless overridden): the excess is the later payer's to cut, as medical aid is
 * decided on the burden before others top it up. What is paid and what is decided earlier is not
 * changed here, so the decisions now decided carry it. A decision whose own check found the rule
 * already (over alone) is not told twice. The summary names the other decisions and the sum, not the
 * burden (no health detail, as explain() says X7 without it). One list of findings per decision.
 */
export function sameStayFindings(
  decisions: readonly (StayDecision & { stays: readonly StayWeighed[]; ruleIds: readonly string[] })[],
  pending: readonly StayDecision[],
  rules: readonly Rule[],
): DecisionFinding[][] {
  const out: DecisionFinding[][] = decisions.map(() => []);
  for (const rule of rulesInForce(rules)) {
    if (rule.kind !== 'SETTLEMENT_EXCESS') continue;
    const counted = (d: StayDecision, ref: string) => d.settlementRef === ref && (rule.programmes as readonly string[]).includes(d.programmeCode);
    const refs = [...new Set(decisions.flatMap((d) => d.stays.filter((w) => w.ruleId === rule.id).map((w) => w.settlementRef)))];
    for (const ref of refs) {
      const weighed = decisions.flatMap((d, i) => {
        const w = d.stays.find((x) => x.ruleId === rule.id && x.settlementRef === ref);
        return w && counted(d, ref) ? [{ d, i, w }] : [];
      });
      const before = pending.filter((p) => counted(p, ref));
      // One decision alone beside what is paid is its own check's.
      if (weighed.length + before.length < 2) continue;
      const first = (code: string) => ((rule.patientOnly as readonly string[]).includes(code) ? 0 : 1);
      const inOrder = [...weighed].sort((a, b) => first(a.d.programmeCode) - first(b.d.programmeCode) || a.i - b.i);
      const burdenFen = inOrder[0].w.burdenFen;
      const paidFen = Math.max(...inOrder.map((x) => x.w.paidFen));
      let sumFen = paidFen + before.reduce((n, p) => n + (p.amountFen ?? 0), 0);
      const others: StayDecision[] = [...before];
      for (const { d, i } of inOrder) {
        sumFen += d.amountFen ?? 0;
        if (sumFen - burdenFen > rule.toleranceFen && !d.ruleIds.includes(rule.id) && others.length > 0) {
          out[i].push({
            ruleId: rule.id,
            severity: rule.severity,
            summary: `与${others.map((o) => o.label).join('、')}（尚未发放）为同一次住院：连同已支付的 ${yuan(paidFen)}，与之相关的救助合计 ${yuan(sumFen)}，超出该次结算的个人负担（${rule.title}；医疗救助先于其他帮扶计入，超出部分计在本项）`,
            departments: [...new Set([...others, d].flatMap((o) => PROGRAMME_BY_CODE.get(o.programmeCode)?.department ?? []).concat('HEALTH'))] as OfficeCode[],
            againstDecision: true,
          });
        }
        others.push(d);
      }
    }
  }
  return out;
}

/** The ruleId of a decision's finding that a slip it was weighed with looks paid at the source and is not yet completed. */
export const SLIP_LOOKS_PAID = 'SLIP_LOOKS_PAID';

/**
 * The slips still waiting whose aid is on record at the source already: the department paid (or
 * scheduled) what was decided and has not yet completed the slip in the hub. The record is read as
 * the slip's by what completing the slip with it would check (fulfilment.ts recordMismatches: the
 * deciding department's, the programme decided, the person named or else a member of `members`, the
 * cause and stay decided, dated on or after the decision), in force as the pre-grant check counts
 * aid (not revoked, not under review, no undocumented code: a SCHEDULED grant is counted there, so
 * it is here), and fulfilling no other decision (`used`: its aid_record_use row). The amount is not
 * compared: a completion for less states its reason, and the record is still the one payment.
 *
 * A record that does not fit is another grant, and both count: one dated before the decision (last
 * year's grant, the 低保 already running), of another stay, cause, person or office. One record is
 * one slip's: where two slips fit the same records, as many are read as paid as there are records
 * (a maximum matching, each slip trying its earliest records first), so two grants decided never read
 * as one paid. Each record matched is counted once, as paid, by the pre-grant check; the slip then
 * is not counted again as aid waiting. Pure: the resolver reads the records and their uses.
 */
export function paidSlips(
  slips: readonly { id: number; decided: DecidedAid }[],
  records: readonly AidRecord[],
  members: readonly string[],
  used: (record: AidRecord) => boolean,
): Map<number, AidRecord> {
  return paidSlipsAmong(slips, recordsFittingSlips(slips, records, members), used);
}

/** Each slip's records that fit it (recordFitsSlip), in the records' order: what paidSlipsAmong matches. */
export function recordsFittingSlips(slips: readonly { decided: DecidedAid }[], records: readonly AidRecord[], members: readonly string[]): AidRecord[][] {
  return slips.map((s) => records.filter((r) => recordFitsSlip(s.decided, r, members)));
}

/** paidSlips over the records already found to fit each slip (recordsFittingSlips, by slip index). */
export function paidSlipsAmong(
  slips: readonly { id: number }[],
  fitting: readonly (readonly AidRecord[])[],
  used: (record: AidRecord) => boolean,
): Map<number, AidRecord> {
  const keyOf = (r: AidRecord) => `${r.department}\u0000${r.sourceRef}`;
  const candidates = slips.map((_, i) =>
    fitting[i]
      .filter((r) => !used(r))
      .sort((a, b) => (aidDateOf(a) ?? '').localeCompare(aidDateOf(b) ?? '') || a.sourceRef.localeCompare(b.sourceRef)),
  );
  const holder = new Map<string, number>();
  // Kuhn's augmenting paths: a slip takes a record free or held by a slip that can move to another.
  const place = (i: number, tried: Set<string>): boolean => {
    for (const r of candidates[i]) {
      const k = keyOf(r);
      if (tried.has(k)) continue;
      tried.add(k);
      const h = holder.get(k);
      if (h === undefined || place(h, tried)) {
        holder.set(k, i);
        return true;
      }
    }
    return false;
  };
  slips.forEach((_, i) => place(i, new Set()));
  const paid = new Map<number, AidRecord>();
  for (const [k, i] of holder) paid.set(slips[i].id, candidates[i].find((r) => keyOf(r) === k)!);
  return paid;
}

/** Whether the record is one paidSlips reads as the slip's aid, its uses aside. */
export function recordFitsSlip(decided: DecidedAid, record: AidRecord, members: readonly string[]): boolean {
  return inForce(record) && recordMismatches(decided, record, decided.beneficiaryIdNumber !== null ? [decided.beneficiaryIdNumber] : members).length === 0;
}

/**
 * What a decision's check says of the slips read as paid at the source (paidSlips) that it would have
 * been weighed with as aid not yet given: the same programme for the same person (or household), a
 * programme a rule keeps apart from it (as ungivenDecisionFindings reads them), or aid tied to the
 * same stay under a SETTLEMENT_EXCESS rule (X7, as sameStayFindings adds them up). The slip's aid is
 * counted once, as paid, by the pre-grant check, so it is not a duplicate decision nor added to the
 * stay a second time; instead the check says that the slip looks paid and its office should complete
 * it with that record (referralComplete), or, a grant scheduled, once it is paid. A WARNING: nothing
 * is decided twice, and the office's completion is the answer. The summary names the slip, the
 * programme, its office by name (`officeName`, as Office.name gives it: the county's office) and what
 * the record gives (day and amount), not the record's reference (a settlement number is health
 * detail) nor any person.
 */
export function paidSlipFindings(
  decision: { programmeCode: string; subject: string | null; settlementRef: string | null; schoolYear: string | null },
  paid: readonly { slip: UngivenDecision & StayDecision & { officeName: string }; record: AidRecord }[],
  rules: readonly Rule[],
  today: IsoDate,
): DecisionFinding[] {
  const name = (code: string) => PROGRAMME_BY_CODE.get(code)?.name ?? code;
  const onSameStay = (slip: StayDecision) =>
    decision.settlementRef !== null &&
    slip.settlementRef === decision.settlementRef &&
    rulesInForce(rules).some((r) => r.kind === 'SETTLEMENT_EXCESS' && (r.programmes as readonly string[]).includes(slip.programmeCode) && (r.programmes as readonly string[]).includes(decision.programmeCode));
  return paid.flatMap(({ slip, record }) => {
    if (!onSameStay(slip) && ungivenDecisionFindings(decision, [slip], rules).length === 0) return [];
    const { given, paidNow } = paidRecordInWords(record, today);
    // The office the slip went to, as Office.name names it (任城区医疗保障局): every county has a 医疗保障局.
    const office = slip.officeName;
    return [
      {
        ruleId: SLIP_LOOKS_PAID,
        severity: 'WARNING',
        summary: `${slip.label}（${name(slip.programmeCode)}）${paidNow ? '看来已发放' : '已排定发放'}：${office}数据中有与之相符的记录（${given}），尚未以之办结；已按${paidNow ? '已发放' : '已排定'}计入，不再作为尚未发放的决定重复计入。请${office}${paidNow ? '' : '发放后'}以该记录办结该转办单`,
        departments: [record.department],
        againstDecision: true,
      },
    ];
  });
}

/**
 * What a record read as a waiting slip's payment (paidSlips) gives, in words: its day and amount,
 * `自 <day> 起每月 <amount>` for a period's; and whether it is paid by `today` or only scheduled. The
 * decision's check (paidSlipFindings) and the meeting brief's list of slips (待办结) say it alike.
 */
export function paidRecordInWords(record: AidRecord, today: IsoDate): { given: string; paidNow: boolean } {
  const date = aidDateOf(record) ?? '';
  return {
    given: record.periodStart !== null ? `自 ${date} 起每月 ${yuan(record.amountFen)}` : `${date} ${yuan(record.amountFen)}`,
    paidNow: paymentProblem(record, today) === null,
  };
}

/** The ruleId of a decision's finding that the check could not compare its cause with the household's grants. */
export const CAUSE_UNRECOGNISED = 'CAUSE_UNRECOGNISED';

/**
 * What a decision's check says of the household's grants a rule comparing causes (X5) could not
 * compare it with (the pre-grant check's causeUnrecognised: their cause code is undocumented), or
 * null when there are none. A WARNING whatever the rule's severity: nothing was found, so it must
 * not block where a finding of a repetition (X5 is a WARNING) would not, and needs no override
 * reason; it is kept and shown with the check so the meeting knows the check could not judge. The
 * summary gives the rules in force that compare causes (not one a locality switched off), the count
 * and the codes (codes, never personal data).
 */
export function causeUnrecognisedFinding(records: readonly AidRecord[], programmeCode: string, rules: readonly Rule[]): DecisionFinding | null {
  if (records.length === 0) return null;
  const comparing = rulesInForce(rules).filter((r) => r.kind === 'REPEATED_GRANTS' && r.sameCause && (r.programmes as readonly string[]).includes(programmeCode)).map((r) => r.id);
  const codes = [...new Set(records.map((r) => r.sourceCauseCode ?? '?'))].sort();
  const name = (code: string) => PROGRAMME_BY_CODE.get(code)?.name ?? code;
  return {
    ruleId: CAUSE_UNRECOGNISED,
    severity: 'WARNING',
    summary: `${comparing.join('、') || '同一事由规则'}无法判断：本户 ${records.length} 笔${name(programmeCode)}的事由代码未列入部门文档（${codes.join('、')}），与本项决定是否同一事由待核实`,
    departments: [...new Set(records.map((r) => r.department))],
  };
}

/** The ruleIds of a decision's findings that the stay it names could not be weighed as named. */
export const SETTLEMENT_UNKNOWN = 'SETTLEMENT_UNKNOWN';
export const SETTLEMENT_OTHER_PERSON = 'SETTLEMENT_OTHER_PERSON';

/**
 * What a decision's check says of the hospital stay it names when the pre-grant check could not weigh
 * it as named (its settlementUnknown: medical insurance, having answered, holds no standing stay of
 * that number; its settlementOtherPerson: the stay is another person's, for aid paid for the
 * patient's own costs). WARNINGs, as preGrantCheck counts them with causeUnrecognised (not clear,
 * no conflict): nothing was found to add up, so they must not block where the X7 conflict they stand
 * in for would need an override reason, and they need none; they are kept and shown with the check
 * so the meeting confirms the number and the beneficiary. The summary names the rules in force that
 * weigh the stay (not one a locality switched off), no number and no person.
 */
export function settlementFindings(result: { settlementUnknown: boolean; settlementOtherPerson: boolean }, programmeCode: string, rules: readonly Rule[]): DecisionFinding[] {
  const weighing = rulesInForce(rules).filter((r) => r.kind === 'SETTLEMENT_EXCESS' && (r.programmes as readonly string[]).includes(programmeCode)).map((r) => r.id).join('、') || '同一住院规则';
  const findings: DecisionFinding[] = [];
  if (result.settlementUnknown) {
    findings.push({ ruleId: SETTLEMENT_UNKNOWN, severity: 'WARNING', summary: `${weighing}无法判断：本项决定所列结算号在医保部门无有效住院结算（无此结算或已冲销），无自付金额可比，请与医保部门核实结算号`, departments: ['HEALTH'] });
  }
  if (result.settlementOtherPerson) {
    findings.push({ ruleId: SETTLEMENT_OTHER_PERSON, severity: 'WARNING', summary: `${weighing}：本项决定所列住院结算不是受助人本人的，而${PROGRAMME_BY_CODE.get(programmeCode)?.name ?? programmeCode}只支付患者本人的费用，请核实结算号与受助人`, departments: ['HEALTH'] });
  }
  return findings;
}

/** The ruleId of a decision's finding that its school stage (学段) does not fit or cannot be read. */
export const SCHOOL_STAGE = 'SCHOOL_STAGE';

/**
 * What a decision's check says of the beneficiary's school stage when the programme is bound to
 * stages and the pre-grant check did not find it fitting (its schoolStage: WRONG_STAGE, NOT_ON_ROLL,
 * STAGE_UNKNOWN): a WARNING, as preGrantCheck is not clear then but found no conflict, so the meeting
 * confirms the student's enrolment rather than override anything. None when education did not
 * answer: the check's `unavailable` says so already. The summary names the stages, no person.
 */
export function schoolStageFinding(fit: SchoolStageFit, educationAnswered: boolean, programmeCode: string): DecisionFinding | null {
  if (fit === 'NOT_CHECKED' || fit === 'FITS' || !educationAnswered) return null;
  const summary = schoolStageWords(fit, programmeCode, '决定之日', PROGRAMME_BY_CODE.get(programmeCode)?.name ?? programmeCode)!;
  return { ruleId: SCHOOL_STAGE, severity: 'WARNING', summary, departments: ['EDUCATION'] };
}

/** Refusals for decisions whose check found a conflict and carries no override reason. */
export function checkDecisionConflicts(checks: readonly DecisionCheck[], fieldOf: (i: number) => string[] = (i) => ['input', 'decisions', String(i), 'conflictOverrideReason']): CaseUserError[] {
  const errors: CaseUserError[] = [];
  checks.forEach((c, i) => {
    const field = fieldOf(i);
    if (c.overrideReason !== null && longerThan(c.overrideReason, OVERRIDE_REASON_MAX)) {
      errors.push(caseError('TEXT_TOO_LONG', `conflictOverrideReason is longer than ${OVERRIDE_REASON_MAX} characters`, field));
    }
    const conflicts = c.findings.filter((f) => f.severity === 'CONFLICT');
    if (conflicts.length > 0 && c.overrideReason === null) {
      // A conflict with a decision not yet given names that decision (its summary names no person).
      const named = conflicts.map((f) => (f.againstDecision ? `${f.ruleId} (${f.summary})` : f.ruleId));
      errors.push(caseError('DECISION_CONFLICT', `the pre-grant check finds ${named.join(', ')}: decide otherwise or state why (conflictOverrideReason)`, field));
    }
  });
  return errors;
}
