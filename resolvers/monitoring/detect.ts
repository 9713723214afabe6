/**
 * Alert evaluation, the one place it is orchestrated: for a set of people (those a change feed
 * touched) or a set of households (a page of the monthly comparison), read every fact set-wise —
 * the hub's spells and people, each department's records through the same reads the findings
 * scan uses, job losses and the monitored roll — evaluate the triggers household by household
 * (domain/monitoring/evaluate.ts), and open or raise the alerts in one transaction.
 */
import type { JobMetrics } from '../job-metrics';
import type { HubDb } from '../../db/connect';
import type { HubTx } from '../../db/cases/records';
import type { LockingTx } from '../../db/locking';
import { fromDbInstant } from '../../db/instants';
import { secondAidApprovalFacts, spellsAndPeople, spellsOfHouseholds } from '../../db/findings/facts';
import { enqueueAlertDeliveriesOf } from '../../db/alert-delivery/outbox';
import type { AlertEnvelope } from '../../domain/monitoring/envelope';
import { maskIdNumber } from '../../domain/id-number';
import { householdRegions, openOrRaiseAlerts, type AlertChange, type AlertWrite } from '../../db/monitoring/store';
import { townshipOf } from '../../domain/cases/offices';
import { chinaDateOf } from '../../domain/cases/china-time';
import type { IsoDate } from '../../domain/dates';
import type { PersonFacts } from '../../domain/findings/facts';
import { assembleHouseholds, homeHousehold } from '../../domain/findings/assemble';
import type { RuleSet } from '../../domain/findings/rule-set';
import { alertAudienceOf, alertDeadlines } from '../../domain/monitoring/alerts';
import { evaluateTriggers, type AlertCandidate } from '../../domain/monitoring/evaluate';
import { limitOf, type TriggerSet } from '../../domain/monitoring/triggers';
import { groupBy } from '../../domain/group-by';
import { jobLossesOf, monitoredOf, readDepartmentFacts, type KnownByDepartment, type ReadOptions, type UnreadableLeftOut } from '../../federation/reads';
import type { Sources } from '../../federation/sources';

export interface DetectDeps {
  hub: HubDb;
  sources: Sources;
  triggerSet: TriggerSet;
  ruleSet: RuleSet;
  now: () => Date;
  /**
   * Called for every alert opened or raised, inside its transaction (delivery's outbox); run again if
   * the transaction is (db/locking.ts lockingTransaction), so it writes only through `tx`.
   */
  onChange?: (tx: HubTx, change: AlertChange) => Promise<void>;
  /** Told how a monthly comparison ends and what a poll could not do (server/metrics.ts). */
  metrics?: JobMetrics;
}

/**
 * Alerts to write for the households of these people (their current homes). Reads only.
 * `leaveOutUnreadable`: aid records the hub cannot read are left out and counted to it (the change
 * feed), rather than failing the read (federation/reads.ts ReadOptions). `subjects`: only the people
 * it keeps are looked at, and only alerts about them written (deaths.ts: the people who died).
 */
export async function candidatesForPeople(
  deps: DetectDeps,
  idNumbers: readonly string[],
  today: IsoDate,
  leaveOutUnreadable?: UnreadableLeftOut,
  subjects?: (p: PersonFacts) => boolean,
): Promise<AlertWrite[]> {
  if (idNumbers.length === 0) return [];
  const { spells, people } = await spellsAndPeople(deps.hub, [...new Set(idNumbers)]);
  const kept = subjects ? new Set(people.filter(subjects).map((p) => p.idNumber)) : null;
  const homes = new Set<number>();
  for (const [id, own] of groupBy(spells, (s) => s.idNumber)) {
    const home = kept && !kept.has(id) ? null : homeHousehold(own);
    if (home !== null) homes.add(home);
  }
  const writes = await candidatesForHouseholds(deps, [...homes], today, undefined, undefined, leaveOutUnreadable);
  return kept ? writes.filter((w) => kept.has(w.subjectIdNumber)) : writes;
}

/**
 * What a region-wide pass (the monthly comparison) knows before it reads a page: who each
 * department holds anything about, so each is asked only about those (federation/person-keys.ts),
 * and each household's division, read with the page's keys. Without it every department is asked
 * about everyone: the same facts, more look-ups.
 */
export interface KnownPeople {
  facts: ReadOptions;
  jobLosses: KnownByDepartment;
  monitored: KnownByDepartment;
}

/** Alerts to write for these households. Reads only; a fixed number of statements per call. */
export async function candidatesForHouseholds(
  deps: DetectDeps,
  householdIds: readonly number[],
  today: IsoDate,
  known?: KnownPeople,
  regionsKnown?: ReadonlyMap<number, string>,
  leaveOutUnreadable?: UnreadableLeftOut,
): Promise<AlertWrite[]> {
  if (householdIds.length === 0) return [];
  const here = await spellsOfHouseholds(deps.hub, householdIds);
  const ids = here.people.map((p) => p.idNumber);
  const current = new Set(here.spells.filter((s) => s.leftOn === null).map((s) => s.idNumber));
  const movedOrGone = ids.filter((id) => !current.has(id));
  const [elsewhere, departments, jobLosses, monitored, regions] = await Promise.all([
    spellsAndPeople(deps.hub, movedOrGone),
    readDepartmentFacts(deps.sources, ids, today, { ...known?.facts, leaveOutUnreadable }),
    jobLossesOf(deps.sources, ids, known?.jobLosses),
    monitoredOf(deps.sources, ids, known?.monitored),
    regionsKnown ?? householdRegions(deps.hub, householdIds),
  ]);
  const withTempAid = [...new Set(departments.records.filter((r) => r.programme === 'TEMP_AID').map((r) => r.beneficiaryIdNumber))];
  const approvals = await secondAidApprovalFacts(deps.hub, withTempAid);
  const seen = new Set(here.spells.map((s) => `${s.householdId}|${s.idNumber}|${s.joinedOn}`));
  const spells = [...here.spells, ...elsewhere.spells.filter((s) => !seen.has(`${s.householdId}|${s.idNumber}|${s.joinedOn}`))];
  const facts = assembleHouseholds({ householdIds, spells, people: new Map(here.people.map((p) => [p.idNumber, p])), departments, secondAidApprovals: approvals });
  // On the roll whatever its category: one under an undocumented code (UNRECOGNISED) is on the roll all the same.
  const onRoll = new Set(monitored.filter((m) => m.from <= today && (m.to === null || m.to > today)).map((m) => m.idNumber));
  const lossesByPerson = groupBy(jobLosses, (j) => j.idNumber);
  const writes: AlertWrite[] = [];
  for (const f of facts) {
    const regionCode = regions.get(f.householdId!);
    if (!regionCode) continue;
    const losses = [...f.homeMembers].flatMap((id) => lossesByPerson.get(id) ?? []);
    for (const c of evaluateTriggers(f, { jobLosses: losses, monitored: onRoll }, deps.triggerSet, deps.ruleSet.rules, today)) writes.push(alertWrite(deps.triggerSet, c, regionCode, today));
  }
  return writes;
}

function alertWrite(set: TriggerSet, c: AlertCandidate, regionCode: string, today: IsoDate): AlertWrite {
  const trigger = set.triggers.find((t) => t.id === c.triggerId)!;
  const township = townshipOf(regionCode);
  const limit = limitOf(set, trigger, c.grade);
  const deadlines = alertDeadlines(today, limit);
  return {
    identity: c.identity,
    triggerId: c.triggerId,
    grade: c.grade,
    subjectIdNumber: c.subjectIdNumber,
    householdId: c.householdId,
    regionCode,
    townshipCode: township,
    verifierOffice: trigger.verifier === 'TOWNSHIP' ? township : trigger.verifier.department,
    monitored: c.monitored,
    evidence: c.evidence,
    evidenceRefs: c.evidenceRefs,
    measure: c.measure,
    firstClueOn: today,
    ...deadlines,
    limit,
  };
}

/**
 * The minimal envelope a push carries: no name, no full ID number, no health data. It happened when
 * the alert was last written (updated_at: the change's own instant, written with it).
 */
export function envelopeOf(change: AlertChange): AlertEnvelope {
  const a = change.alert;
  return { alertId: String(a.id), triggerId: a.triggerId, grade: a.grade, regionCode: a.regionCode, maskedSubject: maskIdNumber(a.subjectIdNumber), verifyBy: a.verifyBy, decideBy: a.decideBy, provisional: a.provisional, event: change.event, occurredAt: fromDbInstant(a.updatedAt).toISOString(), ...(change.formerRegionCode === undefined ? {} : { formerRegionCode: change.formerRegionCode }), audience: alertAudienceOf(a) };
}

/**
 * Writes alerts in the caller's transaction; each alert opened or raised gets its outbox rows
 * (db/alert-delivery/outbox.ts) in the same transaction, so an alert is never written without its
 * pushes, nor a push without its alert.
 */
export async function writeAlerts(deps: DetectDeps, tx: LockingTx, writes: readonly AlertWrite[], detectedBy: 'POLL' | 'MONTHLY'): Promise<AlertChange[]> {
  const changes = await openOrRaiseAlerts(tx, writes, detectedBy, deps.now());
  await deliverAlertChanges(deps, tx, changes);
  return changes;
}

/** Queues the pushes of alerts opened, raised or moved, in the transaction that changed them. */
export async function deliverAlertChanges(deps: Pick<DetectDeps, 'onChange'>, tx: LockingTx, changes: readonly AlertChange[]): Promise<void> {
  await enqueueAlertDeliveriesOf(tx, changes.map(envelopeOf));
  if (deps.onChange) for (const c of changes) await deps.onChange(tx, c);
}

/** The day triggers judge on: today in China. */
export function monitoringToday(deps: Pick<DetectDeps, 'now'>): IsoDate {
  return chinaDateOf(deps.now());
}
