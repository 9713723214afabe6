/**
 * Evaluates the monitoring triggers over plain facts, one household at a time, for the incremental
 * path (the people a change touched) and the monthly comparison alike: both hand the same facts to
 * the same function, so the same condition gives the same alert identity whichever path saw it.
 * Where a duplicate/missed-aid rule already computes a condition (M3, M5), a RULE trigger runs that
 * rule's own evaluation (domain/findings/evaluate.ts) instead of restating it.
 */
import crypto from 'node:crypto';
import { certificateHeld, settlementKey, type JobLoss } from '../aid';
import { DEPARTMENT_NAMES, type DepartmentCode } from '../departments';
import { addDays, type IsoDate } from '../dates';
import { fenToYuan } from '../money';
import { PROGRAMMES, type AidProgrammeCode, type ProgrammeCode } from '../programmes';
import { evaluateHousehold } from '../findings/evaluate';
import { heldOn, knownEnd } from '../findings/attribution';
import { recordKey, type HouseholdFacts } from '../findings/facts';
import { firstDayUnentitledAfterDeath, trailingWindow } from '../findings/periods';
import type { Rule } from '../findings/rule-set';
import { alertConcerns, identityChain } from './alerts';
import { GRADE_RANK, gradeOf, type Grade, type Trigger, type TriggerSet } from './triggers';

/** Facts beside the findings' household facts that only triggers read. */
export interface MonitoringFacts {
  /** Job losses of the household's people (any department). */
  jobLosses: readonly JobLoss[];
  /** ID numbers on civil affairs' monitored low-income roll today. */
  monitored: ReadonlySet<string>;
}

/**
 * Programmes whose holders are monitored people whether or not the roll lists them: DOMAIN
 * (监测预警) counts 低保 and 特困 people in the monitored low-income population (低收入人口) beside
 * the roll's 低保边缘, 刚性支出困难 and 易返贫致贫 people, and civil affairs keeps them in their own
 * tables, not on civil affairs' monitoring roll. So a 低保 member's hospital stay is held against the
 * monitored line (¥6,000), not the others' (¥10,000).
 */
export const MONITORED_PROGRAMMES: readonly ProgrammeCode[] = ['DIBAO', 'TEKUN'];
const MONITORED_PROGRAMME_SET = new Set<string>(MONITORED_PROGRAMMES);

/** Whether a person is in the monitored population. */
type Monitored = (idNumber: string) => boolean;

/**
 * The household's people in the monitored population today: on the roll, or holding 低保 or 特困.
 * The roll's set is the whole batch's, so it is asked, never copied.
 */
function monitoredPeople(facts: HouseholdFacts, roll: ReadonlySet<string>, today: IsoDate): Monitored {
  const holders = new Set(facts.records.filter((r) => MONITORED_PROGRAMME_SET.has(r.programme) && heldOn(r, today)).map((r) => r.beneficiaryIdNumber));
  return (id) => roll.has(id) || holders.has(id);
}

/** A condition met: what the alert store opens or raises. */
export interface AlertCandidate {
  triggerId: string;
  grade: Grade;
  /** The person the alert is about. */
  subjectIdNumber: string;
  householdId: number | null;
  /** Stable identity: trigger + subject + the records that first met the condition. */
  identity: string;
  /** The records behind it now (`<department>:<sourceRef>`). */
  evidenceRefs: string[];
  /** The figure that grows when the condition worsens (fen, or a count); raises compare it. */
  measure: number;
  /** In words an officer can read out; no name or ID number. */
  evidence: string[];
  monitored: boolean;
}

const RECURRING = new Set<AidProgrammeCode>(PROGRAMMES.filter((p) => p.kind === 'RECURRING').map((p) => p.code));
const PROGRAMME_NAME = new Map<string, string>(PROGRAMMES.map((p) => [p.code, p.name]));

const yuan = (fen: number) => `¥${fenToYuan(fen)}`;

/**
 * Where a job loss was recorded, as officers call the record; a department that comes to provide
 * job losses later is named by its own name (it was called 人社's unemployment register).
 */
const JOB_LOSS_RECORDS: Partial<Record<DepartmentCode, string>> = { UNION: '工会困难职工档案', HUMAN_RESOURCES: '人社失业登记' };
const jobLossRecord = (department: DepartmentCode): string => JOB_LOSS_RECORDS[department] ?? `${DEPARTMENT_NAMES[department]}记录`;

/**
 * `today` minus a trigger's window, remembered: asked for every member of every household with the
 * same few arguments, the date arithmetic was a sixth of the monthly comparison's time.
 */
const sinces = new Map<string, IsoDate>();
function windowStart(today: IsoDate, withinDays: number): IsoDate {
  const key = `${today}|${withinDays}`;
  let day = sinces.get(key);
  if (day === undefined) {
    if (sinces.size > 1000) sinces.clear();
    day = addDays(today, -withinDays);
    sinces.set(key, day);
  }
  return day;
}

export function alertIdentity(triggerId: string, subject: string, anchorRefs: readonly string[]): string {
  return crypto.createHash('sha256').update([triggerId, subject, ...[...anchorRefs].sort()].join('|')).digest('hex').slice(0, 40);
}

/** How an alert names a hospital stay among its evidence (Alert.evidenceReferences): health's settlement, by its reference. */
const SETTLEMENT_EVIDENCE = 'HEALTH:settlement:';

/** The evidence reference of the stay `settlementRef` (as the hub keys stays: federation/settlement-refs.ts). */
const settlementEvidence = (settlementRef: string) => `${SETTLEMENT_EVIDENCE}${settlementRef}`;

/**
 * A stored alert as this release raises it, where it names a stay by a reference health holds in
 * lower case or with a space around it (`x1 `): an earlier release built its identity from the
 * reference as health returned it, this one from its key (`X1`, domain/aid.ts settlementKey), so the
 * same stay, seen again, would open a second alert beside the first (or, closed, not be kept shut).
 * The identity is rewritten where it is the one built on such a reference (anchored on it, or
 * opened graver than a closed one of it: identityChain, same place in the chain), and every such
 * evidence reference keyed. Null when nothing changes (an alert naming no stay, or stays keyed already).
 */
export function settlementKeyedAlert(a: { identity: string; triggerId: string; subjectIdNumber: string; evidenceRefs: readonly string[] }): { identity: string; evidenceRefs: string[] } | null {
  const keyed = a.evidenceRefs.map((r) => (r.startsWith(SETTLEMENT_EVIDENCE) ? settlementEvidence(settlementKey(r.slice(SETTLEMENT_EVIDENCE.length))) : r));
  if (keyed.every((r, i) => r === a.evidenceRefs[i])) return null;
  let identity = a.identity;
  a.evidenceRefs.forEach((r, i) => {
    if (keyed[i] === r) return;
    const at = identityChain(alertIdentity(a.triggerId, a.subjectIdNumber, [r])).indexOf(a.identity);
    if (at >= 0) identity = identityChain(alertIdentity(a.triggerId, a.subjectIdNumber, [keyed[i]]))[at];
  });
  return { identity, evidenceRefs: keyed };
}

/** The band an amount reaches ("over" = strictly greater), or null. */
function bandOf(bands: readonly { grade: Grade; monitoredOverFen: number; othersOverFen: number }[], fen: number, monitored: boolean): { grade: Grade; overFen: number } | null {
  let best: { grade: Grade; overFen: number } | null = null;
  for (const b of bands) {
    const over = monitored ? b.monitoredOverFen : b.othersOverFen;
    if (fen > over && (!best || GRADE_RANK[b.grade] > GRADE_RANK[best.grade])) best = { grade: b.grade, overFen: over };
  }
  return best;
}

const who = (monitored: boolean) => (monitored ? '监测对象' : '非监测对象');

/** Every trigger condition met in one household, for its current members. */
export function evaluateTriggers(facts: HouseholdFacts, extra: MonitoringFacts, set: TriggerSet, rules: readonly Rule[], today: IsoDate): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  const isMonitored = monitoredPeople(facts, extra.monitored, today);
  const members = [...facts.homeMembers].sort();
  const settlementsOf = new Map<string, HospitalStay[]>();
  for (const s of facts.settlements.values()) {
    const list = settlementsOf.get(s.idNumber) ?? [];
    list.push(s);
    settlementsOf.set(s.idNumber, list);
  }
  for (const trigger of set.triggers) {
    if (!trigger.enabled) continue;
    if (trigger.kind === 'RULE') {
      out.push(...ruleCandidates(trigger, facts, isMonitored, extra.monitored, rules, today));
      continue;
    }
    for (const id of members) {
      const monitored = isMonitored(id);
      for (const c of personCandidates(trigger, id, monitored, facts, extra, settlementsOf.get(id) ?? [], today)) out.push({ ...c, householdId: facts.householdId, monitored, subjectIdNumber: id, triggerId: trigger.id });
    }
  }
  return out;
}

type HospitalStay = HouseholdFacts['settlements'] extends ReadonlyMap<string, infer S> ? S : never;
type PersonPart = Pick<AlertCandidate, 'grade' | 'identity' | 'evidenceRefs' | 'measure' | 'evidence'>;

/**
 * The one department whose records every alert of a trigger kind cites, where the kind fixes it: a
 * hospital stay's settlement is health's, a certificate the disability federation's. The others cite
 * whichever department's records they found (a rule's, a roll's recurring aid, a job loss from any
 * department providing it): null.
 */
const EVIDENCE_DEPARTMENT: Record<Trigger['kind'], DepartmentCode | null> = {
  SETTLEMENT_OUT_OF_POCKET: 'HEALTH',
  OUT_OF_POCKET_12_MONTHS: 'HEALTH',
  SEVERE_DISABILITY: 'DISABILITY',
  DEATH_ON_ROLL: null,
  JOB_LOSS: null,
  RULE: null,
};

/**
 * Whether an alert of this trigger may ever concern a client of `department`, by the rule that
 * decides who reads (and is pushed) each alert (alerts.ts alertConcerns), asked of what every alert
 * of the trigger holds: its verifier as the trigger names it (a township's code, or civil affairs
 * once it took one over, is no department's) and references of EVIDENCE_DEPARTMENT only. False: a
 * subscription of that client to the trigger would never be pushed anything.
 */
export function triggerMayConcern(department: string, trigger: Trigger): boolean {
  const cited = EVIDENCE_DEPARTMENT[trigger.kind];
  if (cited === null) return true;
  const verifierOffice = trigger.verifier === 'TOWNSHIP' ? 'TOWNSHIP' : trigger.verifier.department;
  return alertConcerns(department, { verifierOffice, evidenceRefs: [`${cited}:`] });
}

function personCandidates(trigger: Exclude<Trigger, { kind: 'RULE' }>, id: string, monitored: boolean, facts: HouseholdFacts, extra: MonitoringFacts, stays: readonly HospitalStay[], today: IsoDate): PersonPart[] {
  if (trigger.kind === 'SETTLEMENT_OUT_OF_POCKET') {
    // Each recent stay over the line is its own alert.
    const since = windowStart(today, trigger.withinDays);
    return stays.flatMap((s) => {
      if (s.settledOn < since || s.settledOn > today) return [];
      const band = bandOf(trigger.bands, s.outOfPocketFen, monitored);
      if (!band) return [];
      const ref = settlementEvidence(s.settlementRef);
      return [
        {
          grade: band.grade,
          identity: alertIdentity(trigger.id, id, [ref]),
          evidenceRefs: [ref],
          measure: s.outOfPocketFen,
          evidence: [`住院结算 ${s.settlementRef}（${s.settledOn}）个人负担 ${yuan(s.outOfPocketFen)}，超过${who(monitored)}预警线 ${yuan(band.overFen)}`],
        },
      ];
    });
  }
  const one = personCandidate(trigger, id, monitored, facts, extra, stays, today);
  return one ? [one] : [];
}

function personCandidate(trigger: Exclude<Trigger, { kind: 'RULE' | 'SETTLEMENT_OUT_OF_POCKET' }>, id: string, monitored: boolean, facts: HouseholdFacts, extra: MonitoringFacts, stays: readonly HospitalStay[], today: IsoDate): PersonPart | null {
  switch (trigger.kind) {
    case 'OUT_OF_POCKET_12_MONTHS': {
      const w = trailingWindow(today, trigger.windowMonths);
      const inWindow = stays.filter((s) => s.settledOn >= w.from && s.settledOn <= w.to).sort((a, b) => (a.settledOn === b.settledOn ? a.settlementRef.localeCompare(b.settlementRef) : a.settledOn.localeCompare(b.settledOn)));
      const total = inWindow.reduce((sum, s) => sum + s.outOfPocketFen, 0);
      const band = bandOf(trigger.bands, total, monitored);
      if (!band) return null;
      const refs = inWindow.map((s) => settlementEvidence(s.settlementRef));
      return {
        grade: band.grade,
        // Anchored on the window's first stay: a later stay worsens this alert rather than open another.
        identity: alertIdentity(trigger.id, id, [`${refs[0]}`]),
        evidenceRefs: refs,
        measure: total,
        evidence: [`${w.from} 至 ${w.to} 共 ${inWindow.length} 次住院结算，个人负担合计 ${yuan(total)}，超过${who(monitored)}预警线 ${yuan(band.overFen)}`],
      };
    }
    case 'DEATH_ON_ROLL': {
      const death = facts.people.get(id)?.deathDate ?? null;
      if (death === null || death > today) return null;
      // Paid for the month of death, stopped from the month after (自死亡次月起停发, as X8 counts it),
      // plus the trigger's own grace: aid the office ended by the month's last day was stopped as the
      // rule asks. Compared with the day of death, every such enrolment opened an alert while the
      // month of death ran. Aid begun after the death is owed nothing, from its first day.
      const firstUnentitled = firstDayUnentitledAfterDeath(death, trigger.graceMonths);
      const running = facts.records.filter(
        // Its end as X8 reads it (knownEnd): a reported entry beyond its term runs no longer than the term.
        (r) => r.beneficiaryIdNumber === id && RECURRING.has(r.programme) && r.status === 'ACTIVE' && r.periodStart !== null && (knownEnd(r) === null || r.periodStart > death || knownEnd(r)! >= firstUnentitled),
      );
      if (running.length === 0) return null;
      const refs = running.map(recordKey).sort();
      return {
        grade: gradeOf(trigger.grade, monitored),
        identity: alertIdentity(trigger.id, id, [`death:${death}`]),
        evidenceRefs: refs,
        measure: running.length,
        evidence: [`${death} 死亡，仍在册：${running.map((r) => PROGRAMME_NAME.get(r.programme) ?? r.programme).join('、')}`],
      };
    }
    case 'JOB_LOSS': {
      const since = windowStart(today, trigger.withinDays);
      const lost = extra.jobLosses.filter((j) => j.idNumber === id && j.lostOn >= since && j.lostOn <= today).sort((a, b) => a.lostOn.localeCompare(b.lostOn) || a.sourceRef.localeCompare(b.sourceRef));
      if (lost.length === 0) return null;
      const first = lost[0];
      const refs = lost.map((j) => `${j.department}:${j.sourceRef}`);
      return {
        grade: gradeOf(trigger.grade, monitored),
        identity: alertIdentity(trigger.id, id, [`${first.department}:${first.sourceRef}`]),
        evidenceRefs: refs,
        measure: lost.length,
        evidence: lost.map((j) => `${j.lostOn} 失业（${jobLossRecord(j.department)}）`),
      };
    }
    case 'SEVERE_DISABILITY': {
      const since = windowStart(today, trigger.withinDays);
      // Held certificates only: an undocumented level code (a 0) read as a number was more severe than 一级, and raised an alert.
      const certs = facts.certificates.filter(certificateHeld).filter((c) => c.idNumber === id && c.level <= trigger.maxLevel && c.issuedOn >= since && c.issuedOn <= today).sort((a, b) => a.certificateNumber.localeCompare(b.certificateNumber));
      if (certs.length === 0) return null;
      const c = certs[0];
      const ref = `${EVIDENCE_DEPARTMENT[trigger.kind]}:certificate:${c.certificateNumber}`;
      return {
        grade: gradeOf(trigger.grade, monitored),
        identity: alertIdentity(trigger.id, id, [ref]),
        evidenceRefs: [ref],
        measure: 1,
        evidence: [`${c.issuedOn} 新办残疾人证，${c.level} 级`],
      };
    }
  }
}

/** `isMonitored`: the monitored population (roll, 低保, 特困), which grades; `roll`: the roll alone, which `monitoredRollHolds` reads. */
function ruleCandidates(trigger: Extract<Trigger, { kind: 'RULE' }>, facts: HouseholdFacts, isMonitored: Monitored, roll: ReadonlySet<string>, rules: readonly Rule[], today: IsoDate): AlertCandidate[] {
  const rule = rules.find((r) => r.id === trigger.rule);
  if (!rule) return [];
  // A monitored household (a current member on the roll) stands where the rule asks the household
  // to hold 低保 or 特困: the rule's other conditions still hold as written. The household-holds
  // condition adds no key to a finding, so the alert keeps its identity whichever way it qualified.
  const rollHousehold = trigger.monitoredRollHolds && [...facts.homeMembers].some((id) => roll.has(id));
  const asRun = rollHousehold && rule.kind === 'MISSED_AID' ? { ...rule, when: rule.when.filter((c) => c.fact !== 'HOUSEHOLD_HOLDS') } : rule;
  // The rule runs as the rule set defines it, even when a locality switched its findings off.
  const findings = evaluateHousehold(facts, [{ ...asRun, enabled: true } as Rule], today);
  return findings.flatMap((f) => {
    const subject = f.idNumbers.find((id) => facts.homeMembers.has(id)) ?? f.idNumbers[0];
    if (!subject) return [];
    const refs = f.records.map(recordKey).sort();
    const dated = [...f.records].sort((a, b) => (a.grantDate ?? a.periodStart ?? '').localeCompare(b.grantDate ?? b.periodStart ?? '') || recordKey(a).localeCompare(recordKey(b)));
    const anchor = dated.length > 0 ? [recordKey(dated[0])] : [f.fingerprint];
    const monitored = isMonitored(subject) || rollHousehold;
    return [
      {
        triggerId: trigger.id,
        grade: gradeOf(trigger.grade, monitored),
        subjectIdNumber: subject,
        householdId: facts.householdId,
        identity: alertIdentity(trigger.id, subject, anchor),
        evidenceRefs: refs,
        measure: Math.max(1, f.records.length),
        evidence: rollHousehold ? [f.explanation, '家庭成员在低收入人口监测名单（监测户）'] : [f.explanation],
        monitored,
      },
    ];
  });
}
