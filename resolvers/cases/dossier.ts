/**
 * Puts a case's dossier together from the per-request loaders: the household and members from the
 * hub, aid from every department through `aidForPeople` (one batch per department), and the
 * household's cases and slips. The same plain object answers `Case.dossier`, is stored with a
 * meeting, and is printed on the brief.
 */
import { inWindow, newestFirst, summariseAid } from '../../domain/household/aid-summary';
import { chinaDateOf, formatChinaInstant } from '../../domain/cases/china-time';
import { lateDeadlines, referralDue } from '../../domain/cases/supervision';
import { countyOf } from '../../domain/cases/offices';
import {
  departmentsNotContributed,
  DOSSIER_MONTHS,
  DOSSIER_VERSION,
  memberAge,
  monthsWindow,
  type Dossier,
  type DossierCaseLate,
  type DossierDisability,
  type DossierEvent,
  type DossierFinding,
  type DossierReferral,
  type DossierSettlement,
} from '../../domain/cases/dossier';
import { caseReference } from '../../domain/cases/reference';
import type { IsoDate } from '../../domain/dates';
import { householdFindings, type FindingLoaders, type LiveRequest } from '../findings/live';
import { aidForPeople, type DepartmentLoaders } from '../../federation/loaders';
import { activeRuleSet } from '../../rules/load';
import { explain } from '../../domain/findings/explain';
import type { Finding } from '../../domain/findings/facts';
import type { Rule } from '../../domain/findings/rule-set';
import type { AidRecord, DisabilityCertificate, HospitalSettlement } from '../../federation/contract';
import type { CaseLoaders } from '../../db/cases/loaders';
import type { CaseEventRecord, CaseRecord } from '../../db/cases/records';
import { caseTimelinesOf, type MonitoringLoaders } from '../../db/monitoring/loaders';
import type { CaseTimeline } from '../../domain/cases/deadlines';
import type { HubLoaders } from '../../db/household/loaders';
import { caseRegions, type PolicyContext } from '../../access/policy';
import { regionInScope } from '../../access/decide';

export interface DossierInputs {
  hub: HubLoaders;
  departments: DepartmentLoaders;
  cases: CaseLoaders;
  /** Which of the household's cases verifying an alert opened (their deadlines measured so: caseTimelinesOf). */
  monitoring: Pick<MonitoringLoaders, 'alertByCase' | 'keptDeadlinesByCase'>;
  /**
   * Open findings (duplicate and missed aid) of a household, from the findings module; null where
   * the hub has none to give, and the dossier then says findings were not available.
   */
  openFindings: ((householdId: number) => Promise<DossierFinding[]>) | null;
  /**
   * The request's readers of hospital settlements and disability certificates (the findings'
   * loaders, so a brief that also evaluates findings reads them once); null: not in the dossier.
   */
  facts: Pick<FindingLoaders, 'settlementsByPerson' | 'certificates'> | null;
}

type Rows<T> = { rows: T[]; ok: boolean } | Error;

/** Every row, or null when the department did not answer for someone. */
function allRows<T>(results: readonly Rows<T>[]): T[] | null {
  const out: T[] = [];
  for (const r of results) {
    if (r instanceof Error || !r.ok) return null;
    out.push(...r.rows);
  }
  return out;
}

/**
 * The household's open findings from the findings module (resolvers/findings/live.ts), under the
 * rule set in force: those not dismissed or resolved.
 */
export function openFindingsFrom(req: LiveRequest): (householdId: number) => Promise<DossierFinding[]> {
  return async (householdId) => {
    const rules = activeRuleSet().rules;
    return (await householdFindings(req, householdId, rules))
      .filter((f) => f.status === 'OPEN' || f.status === 'CONFIRMED')
      .map((f) => ({
        ruleId: f.ruleId,
        severity: f.severity,
        status: f.status,
        summary: f.explanation,
        summaryWithoutHealth: withoutHealth(rules, f),
        departments: f.departments,
      }));
  };
}

function withoutHealth(rules: readonly Rule[], f: Pick<Finding, 'ruleId' | 'measure' | 'records'>): string {
  const rule = rules.find((r) => r.id === f.ruleId);
  return rule ? explain(rule, f.measure, f.records, { health: false }) : f.ruleId;
}

export async function buildDossier(inputs: DossierInputs, c: CaseRecord, today: IsoDate, now: Date): Promise<Dossier> {
  const [home, members, cases] = await Promise.all([
    inputs.hub.householdById.load(c.householdId),
    inputs.hub.membersByHousehold.load(c.householdId),
    inputs.cases.casesByHousehold.load(c.householdId),
  ]);
  if (!home) throw new Error(`case ${c.id} names a household the hub does not have`);
  const window = monthsWindow(today, DOSSIER_MONTHS);
  const ids = members.map((m) => m.person.idNumber);
  // This case's and the household's others (casesByHousehold holds this one too).
  const caseIds = [c.id, ...cases.filter((k) => k.id !== c.id).map((k) => k.id)];
  const [region, { records, outcomes }, slipsPerCase, findings, stays, certificates, allEvents] = await Promise.all([
    inputs.hub.regionByCode.load(home.regionCode),
    aidForPeople(
      inputs.departments,
      members.map((m) => m.person.idNumber),
    ),
    Promise.all(cases.map((k) => inputs.cases.referralsByCase.load(k.id))),
    inputs.openFindings ? inputs.openFindings(c.householdId) : Promise.resolve(null),
    inputs.facts ? inputs.facts.settlementsByPerson.loadMany(ids).then((r) => allRows<HospitalSettlement>(r)) : Promise.resolve(null),
    inputs.facts ? inputs.facts.certificates.loadMany(ids).then((r) => allRows<DisabilityCertificate>(r)) : Promise.resolve(null),
    // Every case's history in one batch: this case's is printed, the others' say which of their time limits ran late.
    inputs.cases.eventsByCase.loadMany(caseIds),
  ]);
  const eventsOf = new Map<number, CaseEventRecord[]>();
  for (const [i, id] of caseIds.entries()) {
    const rows = allEvents[i];
    if (rows instanceof Error) throw rows;
    eventsOf.set(id, rows);
  }
  const events = eventsOf.get(c.id)!;
  const [fulfilments, timelines] = await Promise.all([
    Promise.all(slipsPerCase.flat().map((s) => (s.state === 'COMPLETED' && s.kind === 'DECISION' ? inputs.cases.fulfilmentByReferral.load(s.id) : null))),
    caseTimelinesOf(inputs.monitoring, cases.filter((k) => k.id !== c.id), (id) => eventsOf.get(id) ?? []),
  ]);
  const fulfilmentOf = new Map(slipsPerCase.flat().map((s, i) => [s.id, fulfilments[i]]));
  const aid = records.filter((r) => inWindow(r, window)).sort(newestFirst);
  const referenceOf = new Map(cases.map((k) => [k.id, caseReference(k.id, k.reportedAt)]));
  const referrals: DossierReferral[] = slipsPerCase.flat().map((s) => ({
    id: s.id,
    caseId: s.caseId,
    caseReference: referenceOf.get(s.caseId) ?? '',
    kind: s.kind,
    from: s.fromOffice,
    to: s.toOffice,
    ask: s.ask,
    programmeCode: s.programmeCode,
    amountFen: s.amountFen,
    state: s.state,
    dueOn: s.dueOn,
    provisional: referralDue(s).provisional,
    feedback: s.feedback,
    declineReason: s.declineReason,
    withdrawReason: s.withdrawReason,
    fulfilledAmountFen: fulfilmentOf.get(s.id)?.amountFen ?? null,
    differenceReason: fulfilmentOf.get(s.id)?.differenceReason ?? null,
  }));
  return {
    version: DOSSIER_VERSION,
    takenAt: formatChinaInstant(now),
    window,
    household: { id: home.id, registrationNumber: home.registrationNo, address: home.address, regionCode: home.regionCode, regionName: region?.name ?? home.regionCode },
    members: members.map((m) => ({
      idNumber: m.person.idNumber,
      name: m.person.name,
      gender: m.person.gender,
      birthDate: m.person.birthDate,
      age: memberAge(m.person, today),
      deathDate: m.person.deathDate,
      relation: m.relation,
      joinedOn: m.joinedOn,
    })),
    aid,
    totals: summariseAid(aid, window.from, window.to, today),
    sources: outcomes.map((o) => ({ department: o.department, available: o.available, reason: o.reason })),
    complete: outcomes.every((o) => o.available),
    findings,
    earlierCases: cases
      .filter((k) => k.id !== c.id)
      .map((k) => ({
        id: k.id,
        reference: referenceOf.get(k.id)!,
        state: k.state,
        urgency: k.urgency,
        origin: k.origin,
        reportedAt: formatChinaInstant(k.reportedAt),
        summary: k.summary,
        explanation: k.explanation,
        endedAt: k.endedAt ? formatChinaInstant(k.endedAt) : null,
        late: lateOf(k, eventsOf.get(k.id) ?? [], timelines.get(k.id)!, now),
      })),
    referrals,
    departmentsNotContributed: departmentsNotContributed(
      aid,
      referrals.filter((r) => r.caseId === c.id),
    ),
    settlements: stays === null ? null : stays.filter((x) => x.settledOn >= window.from && x.settledOn <= window.to).sort((a, b) => (a.settledOn === b.settledOn ? a.settlementRef.localeCompare(b.settlementRef) : a.settledOn < b.settledOn ? 1 : -1)).map(settlementOf),
    disabilities: certificates === null ? null : certificates.map((x): DossierDisability => ({ idNumber: x.idNumber, category: x.category, ...(x.sourceCategoryCode ? { sourceCategoryCode: x.sourceCategoryCode } : {}), level: x.level, ...(x.sourceLevelCode ? { sourceLevelCode: x.sourceLevelCode } : {}), status: x.status, ...(x.sourceStatusCode ? { sourceStatusCode: x.sourceStatusCode } : {}) })),
    history: events.filter((e) => e.recordedAt.getTime() <= now.getTime()).map(dossierEvent),
  };
}

/**
 * The dossier as a reader in `regionScope` may read it: the household's other cases (本户其他案件)
 * and their slips only where that reader reads the case itself (access/policy.ts caseRegions, as the
 * Case rule reads it). A successor in the county the household moved to is not the old county's to
 * read (its `case` is OUT_OF_SCOPE there), so neither is its state, summary or slips through the
 * dossier. A meeting's stored copy has no caller: it holds the cases the case's own county reads
 * when it is recorded (`countyOf` its township); printed or read later it is narrowed again by the
 * reader then (a county reading a predecessor's meeting does not read that county's other cases).
 * Null scope (no access layer): the whole dossier.
 */
export async function dossierReadBy(d: Dossier, regionScope: string | null, ctx: PolicyContext): Promise<Dossier> {
  if (regionScope === null || d.earlierCases.length === 0) return d;
  const cases = await ctx.loaders.cases.caseById.loadMany(d.earlierCases.map((k) => k.id));
  const unread = new Set<number>();
  await Promise.all(
    d.earlierCases.map(async (k, i) => {
      const c = cases[i];
      // A case the hub no longer has (none is: cases are not deleted) is read by no one.
      if (!c || c instanceof Error || !regionInScope(regionScope, await caseRegions(c, ctx))) unread.add(k.id);
    }),
  );
  if (unread.size === 0) return d;
  return { ...d, earlierCases: d.earlierCases.filter((k) => !unread.has(k.id)), referrals: d.referrals.filter((r) => !unread.has(r.caseId)) };
}

/** A history entry as the dossier keeps it: who, when, what, why. */
function dossierEvent(e: CaseEventRecord): DossierEvent {
  return {
    sequence: e.seq,
    action: e.action,
    fromState: e.fromState,
    toState: e.toState,
    occurredAt: formatChinaInstant(e.occurredAt),
    recordedAt: formatChinaInstant(e.recordedAt),
    actor: e.actor,
    actorOffice: e.actorOffice,
    reason: e.reason,
    ...(e.fromOffice !== null && e.toOffice !== null ? { fromOffice: e.fromOffice, toOffice: e.toOffice } : {}),
  };
}

function withoutReason({ reason: _reason, ...rest }: DossierEvent): Omit<DossierEvent, 'reason'> {
  return rest;
}

/** Another case's time limits met late or missed by `now`, with the history entry that ended each. */
function lateOf(k: CaseRecord, events: readonly CaseEventRecord[], timeline: CaseTimeline, now: Date): DossierCaseLate[] {
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  return lateDeadlines(timeline, now).flatMap(({ deadline, endedBy }) => {
    const e = endedBy.seq === undefined ? undefined : bySeq.get(endedBy.seq);
    if (!e) return [];
    const { workingDays, hours, provisional } = deadline.overdue;
    return [
      {
        kind: deadline.kind,
        limit: deadline.limit,
        status: deadline.status as DossierCaseLate['status'],
        dueOn: deadline.dueOn,
        dueAt: formatChinaInstant(deadline.dueAt),
        overdue: { workingDays, hours, provisional },
        endedBy: withoutReason(dossierEvent(e)),
        countyCode: countyOf(k.townshipCode),
      },
    ];
  });
}

function settlementOf(x: HospitalSettlement): DossierSettlement {
  return {
    idNumber: x.idNumber,
    hospitalName: x.hospitalName,
    admittedOn: x.admittedOn,
    dischargedOn: x.dischargedOn,
    settledOn: x.settledOn,
    diagnosis: x.diagnosis,
    totalCostFen: x.totalCostFen,
    basicInsurancePaidFen: x.basicInsurancePaidFen,
    criticalIllnessInsurancePaidFen: x.criticalIllnessInsurancePaidFen,
    medicalAidPaidFen: x.medicalAidPaidFen,
    outOfPocketFen: x.outOfPocketFen,
  };
}
