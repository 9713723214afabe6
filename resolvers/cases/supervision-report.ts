/**
 * 督导 supervision's report (Query.overdueReport, and its spreadsheet GET /exports/overdue.csv in
 * server/overdue-export.ts): the one place that reads the period's slips and cases under a division
 * and hands them to the domain's overdueReport, so the API's answer and the file's figures are one
 * computation. The caller's access has been checked (the root field's rule, or the route's);
 * arguments are checked here and refused with BAD_USER_INPUT (EMPTY_WINDOW, MALFORMED_DIVISION_CODE,
 * REGION_UNKNOWN), which the route answers with the same reasons.
 */
import { caseTimelinesOf } from '../../db/monitoring/loaders';
import { casesWithEvents, decisionsFulfilledAnswered, openReferralsDueBefore, referralsAnsweredBetween, referralsDeclinedBetween, referralsDueBetween, referralsEndedUnansweredBetween, type EndedUnansweredSlipRecord } from '../../db/cases/store';
import { declinesOpenAt, declinesWaivedBetween, type WaivedDecisionRecord } from '../../db/cases/declines';
import { firstAidsRecordedBetween } from '../../db/cases/first-aid';
import { fromDbInstant } from '../../db/instants';
import type { CaseEventRecord, CaseRecord, ReferralRecord } from '../../db/cases/records';
import { standingShortfall } from '../../domain/cases/fulfilment';
import { chinaDateOf, startOfChinaDay } from '../../domain/cases/china-time';
import { endedUnanswered } from '../../domain/cases/referrals';
import { overdueReport, type OverdueReport, type OwnerChange, type SlipFacts } from '../../domain/cases/supervision';
import { divisionPrefix } from '../../domain/division-code';
import { groupBy } from '../../domain/group-by';
import { addDays, type IsoDate } from '../../domain/dates';
import { badInput, requireDivisionCode } from '../../access/errors';
import { refuseUnknownDivision } from '../common';
import { firstAidStanding, fulfilmentStanding } from './aid-standing';
import type { HubContext } from '../context';

/**
 * A slip as the report lists it: a waived decision's with its waiver's reason, a superseded slip's with
 * its correction's reason and replacement, a withdrawn slip's with who withdrew it, as their lists'
 * statements read them (the spreadsheet prints them; the API reads the first two through the slip's
 * declineResolution and correction, the last on WithdrawnReferral).
 */
export type ReportSlip = ReferralRecord & Partial<Pick<WaivedDecisionRecord, 'waiverReason'> & Pick<EndedUnansweredSlipRecord, 'correctionReason' | 'replacedBy' | 'replacementDueOn' | 'withdrawnBy'>>;
export type SupervisionReport = OverdueReport<ReportSlip, CaseRecord>;

/** overdueReport's arguments, as the schema coerced them (or the route read them the same way). */
export interface SupervisionReportArgs {
  asOf?: Date | null;
  regionCode?: string | null;
  shortfallsSince?: IsoDate | null;
}

export interface SupervisionReportOptions {
  /**
   * Whether to read each completed decision's and first aid's aid record as its department holds it
   * now (shortfalls, fulfilmentsWithdrawn, firstAidsWithdrawn): the API's lists do; the spreadsheet,
   * which shows the tally and the lists that read no aid record only, asks no department (default true).
   */
  aidStandings?: boolean;
}

/**
 * When the hub recorded a case opened: its first event's (OPENED, in the case's transaction), read
 * from the events supervision loads anyway. Its `reportedAt` is the stated report, which may be earlier.
 */
function openedAt(c: { reportedAt: Date }, events: readonly CaseEventRecord[]): Date {
  // A case with no event (stored before events were kept, or by hand): its stated report is all there is.
  return events.reduce((first, e) => (e.recordedAt < first ? e.recordedAt : first), events[0]?.recordedAt ?? c.reportedAt);
}

/**
 * Who owned the case before its owner now, from the events read anyway (in their order): each
 * OWNER_CHANGED (an accepted hand-over slip, a forward to the county for approval) records the office
 * handing it on (case_event.from_office, never read from its reason's words), at the instant the hub
 * recorded it, which deadlines and the forwarded cases are filed by.
 */
function ownedBefore(events: readonly CaseEventRecord[]): OwnerChange[] {
  return events.flatMap((e) => (e.action === 'OWNER_CHANGED' && e.fromOffice !== null ? [{ from: e.fromOffice, at: e.recordedAt }] : []));
}

/** A slip as supervision reads it (domain/cases/supervision.ts): its due date counted from its day of issue. */
function slipFacts(r: ReferralRecord): SlipFacts<ReferralRecord> {
  return { referral: r, countedFrom: r.countedFrom, deadlineWorkingDays: r.deadlineWorkingDays, issuedAt: r.issuedAt, dueOn: r.dueOn, answeredAt: r.answeredAt, superseded: endedUnanswered(r.state), declined: r.state === 'DECLINED', toOffice: r.toOffice, townshipCode: r.townshipCode };
}

/**
 * The households the report's lists name (each slip's and case's). The API checks every item it
 * lists against the caller's scope by its household: read together, before the lists resolve, they
 * cost one statement, where each kind of list holding anything (slips late, declines open, cases
 * overdue …) read its own.
 */
export function reportHouseholds(report: OverdueReport<ReferralRecord, CaseRecord>): number[] {
  const ids = new Set<number>();
  for (const g of [...report.byOffice, ...report.byTownship, ...report.byCounty]) {
    for (const s of [...g.referrals, ...g.answeredLate, ...g.shortfalls, ...g.declinesOpen, ...g.decisionsWaived, ...g.declined, ...g.corrected, ...g.withdrawn, ...g.fulfilmentsWithdrawn]) ids.add(s.referral.householdId);
    for (const c of [...g.cases, ...g.casesLate, ...g.firstAidsWithdrawn, ...g.forwardedForApproval]) ids.add(c.case.householdId);
  }
  return [...ids];
}

/** The first day (China) of the report's period: `shortfallsSince`, by default 365 days before asOf's date. */
export function reportPeriodStart(asOf: Date, shortfallsSince: IsoDate | null | undefined): IsoDate {
  return shortfallsSince ?? addDays(chinaDateOf(asOf), -365);
}

/**
 * The report at `asOf` (default now) of the cases of households under `regionCode` (default the
 * caller's region scope; a village is itself, not its township), over the period from
 * `shortfallsSince` (default 365 days before asOf's date) up to asOf.
 */
export async function supervisionReport(ctx: HubContext, args: SupervisionReportArgs, options: SupervisionReportOptions = {}): Promise<SupervisionReport> {
  const asOf = args.asOf ?? ctx.now();
  // Without a region, an authenticated caller sees its own scope. A village is itself, not its
  // township: its households' cases (db/cases/records.ts caseInRegion), as the alert lists hold its alerts.
  const asked = args.regionCode ? requireDivisionCode(args.regionCode, 'regionCode') : null;
  const code = asked || ctx.access?.caller?.regionScope || null;
  const prefix = code === null ? null : divisionPrefix(code);
  // An asOf in the past also reads what was still open then and has been answered or ended since.
  const past = args.asOf && args.asOf < ctx.now() ? asOf : null;
  // Shortfalls of a period (default the year up to asOf): a decision met short is done, not open.
  const shortfallsSince = reportPeriodStart(asOf, args.shortfallsSince);
  // A period starting after asOf's day holds nothing: its lists came back empty and read as a clean record.
  if (shortfallsSince > chinaDateOf(asOf)) throw badInput('shortfallsSince', 'EMPTY_WINDOW', '`shortfallsSince` is after the day of `asOf`');
  const since = startOfChinaDay(shortfallsSince);
  // The cases open at asOf, and those ended in the period (a deadline may have run late to its end).
  const endedSince = since < asOf ? since : asOf;
  const [slips, open, fulfilled, declines, firstAids, answered, waived, declined, endedUnanswered, due] = await Promise.all([
    openReferralsDueBefore(ctx.hub, chinaDateOf(asOf), prefix, past),
    casesWithEvents(ctx.hub, prefix, endedSince),
    decisionsFulfilledAnswered(ctx.hub, since, asOf, prefix),
    declinesOpenAt(ctx.hub, asOf, prefix),
    firstAidsRecordedBetween(ctx.hub, since, asOf, prefix),
    referralsAnsweredBetween(ctx.hub, since, asOf, prefix),
    declinesWaivedBetween(ctx.hub, since, asOf, prefix),
    referralsDeclinedBetween(ctx.hub, since, asOf, prefix),
    // Superseded and withdrawn alike, in one statement: the corrected and withdrawn lists.
    referralsEndedUnansweredBetween(ctx.hub, since, asOf, prefix),
    // Whatever became of them: the tally's fellDue (the slips whose deadline ran out by asOf, counted there).
    referralsDueBetween(ctx.hub, shortfallsSince, chinaDateOf(asOf), prefix),
  ]);
  // Nothing at all under the division asked for: a typo reads as a division with nothing late.
  const nothing = [slips, open.cases, fulfilled, declines, firstAids, answered, waived, declined, endedUnanswered, due].every((l) => l.length === 0);
  await refuseUnknownDivision(ctx.hub, asked, 'regionCode', nothing);
  // Each decision's record as its department holds it now, all at once: the request's loaders
  // read each source once for every beneficiary (no statement per slip). Read for none, the
  // spreadsheet's report has no shortfalls or withdrawn aid.
  const [judged, judgedFirstAids] = (options.aidStandings ?? true) ? [fulfilled, firstAids] : [[], []];
  const [standings, firstAidStandings] = await Promise.all([
    Promise.all(judged.map((s) => fulfilmentStanding(ctx.loaders, s.toOffice, s.fulfilment))),
    Promise.all(judgedFirstAids.map((f) => firstAidStanding(ctx.loaders, f.firstAid, f.case.householdId))),
  ]);
  // Short by what stands now (a ledger entry corrected or reversed since), as the slip's fulfilment reads.
  const short = judged.flatMap((s, i) => {
    const shortfallFen = standingShortfall(s.fulfilment, standings[i]);
    return shortfallFen > 0 ? [{ referral: s, shortfallFen, toOffice: s.toOffice, townshipCode: s.townshipCode }] : [];
  });
  const withdrawn = judged.flatMap((s, i) => {
    const st = standings[i];
    return st && st.standing !== 'STANDS' ? [{ referral: s, standing: st.standing, supersededBy: st.supersededBy, completedAt: s.answeredAt!, toOffice: s.toOffice, townshipCode: s.townshipCode }] : [];
  });
  const firstAidsWithdrawn = judgedFirstAids.flatMap((f, i) => {
    const st = firstAidStandings[i];
    return st && st.standing !== 'STANDS' ? [{ case: f.case, standing: st.standing, supersededBy: st.supersededBy, recordedAt: fromDbInstant(f.firstAid.recordedAt), ownerOffice: f.ownerThen, townshipCode: f.case.townshipCode }] : [];
  });
  // Each slip ended unanswered under the office that owned the case then: the one that corrected or withdrew it.
  const withdrawnSlips = endedUnanswered.filter((r) => r.state === 'WITHDRAWN');
  const corrected = endedUnanswered.filter((r) => r.state === 'SUPERSEDED');
  const loaders = ctx.loaders.cases;
  for (const c of open.cases) loaders.caseById.prime(c.id, c);
  const eventsOf = groupBy(open.events, (e) => e.caseId);
  for (const c of open.cases) loaders.eventsByCase.prime(c.id, eventsOf.get(c.id) ?? []);
  const timelines = await caseTimelinesOf(ctx.loaders.monitoring, open.cases, (id) => eventsOf.get(id) ?? []);
  return overdueReport(
    slips.map(slipFacts),
    open.cases.map((c) => ({ case: c, timeline: timelines.get(c.id)!, openedAt: openedAt(c, eventsOf.get(c.id) ?? []), ownerOffice: c.ownerOffice, townshipCode: c.townshipCode, ownedBefore: ownedBefore(eventsOf.get(c.id) ?? []) })),
    asOf,
    short,
    declines.map((d) => ({ referral: d, declinedAt: d.declinedAt, ownerOffice: d.ownerAsOf, declinedUnder: d.ownerThen, townshipCode: d.townshipCode })),
    withdrawn,
    firstAidsWithdrawn,
    answered.map(slipFacts),
    waived.map((w) => ({ referral: w, waivedAt: w.waivedAt, ownerOffice: w.ownerThen, townshipCode: w.townshipCode })),
    since,
    declined.map((d) => ({ referral: d, declinedAt: d.answeredAt!, toOffice: d.toOffice, townshipCode: d.townshipCode })),
    corrected.map((c) => ({ referral: c, supersededAt: c.answeredAt!, ownerOffice: c.ownerThen, townshipCode: c.townshipCode })),
    due.map(slipFacts),
    withdrawnSlips.map((w) => ({ ...slipFacts(w), ownerOffice: w.ownerThen, actor: w.withdrawnBy })),
  );
}
