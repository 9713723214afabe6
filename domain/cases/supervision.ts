/**
 * 督导 supervision (seed 003 三(三): 督查督办): what is past its deadline and still open, per office
 * (the slips it received and the cases it owns), per township and per county (of the household),
 * most overdue first, so that a supervisor can ask the right office about the right matter; and
 * the decisions an office met with less than the meeting decided (件件有落实: a shortfall is
 * allowed only with the department's stated reason, and supervision reads each one). Each
 * county has its own department offices (任城区医保局, 邹城市医保局 …): an office's work is counted
 * per county, the county of the case's household.
 */
import type { AidRecord } from '../aid';
import type { IsoDate } from '../dates';
import { endOfChinaDay } from './china-time';
import { caseDeadlines, standing, type CaseDeadline, type CaseTimeline, type Due, type Overdue } from './deadlines';
import type { FulfilmentStanding } from './fulfilment';
import { countyOf, type OfficeKey } from './offices';
import { isCovered, withinSupported, workingDaysBetween } from './working-days';

/**
 * A slip's deadline: the end of its due date, China time. A meeting's decision is counted from the
 * meeting's day, so one recorded late can fall due before it was issued: its count then ran up to
 * the due date, provisional when that date's year has no notice.
 */
export function referralDue(issuedOn: IsoDate, dueOn: IsoDate): Due {
  const from = withinSupported(issuedOn);
  const to = withinSupported(dueOn);
  // A date held inside the supported range (an old row) makes the count an estimate too.
  const counted = to <= from ? !isCovered(to) : workingDaysBetween(from, to).provisional;
  return { dueAt: endOfChinaDay(dueOn), dueOn, provisional: from !== issuedOn || to !== dueOn || counted };
}

export interface SlipFacts<R> {
  referral: R;
  issuedOn: IsoDate;
  dueOn: IsoDate;
  answeredAt: Date | null;
  toOffice: OfficeKey;
  townshipCode: string;
}

export interface CaseFacts<C> {
  case: C;
  timeline: CaseTimeline;
  ownerOffice: OfficeKey;
  townshipCode: string;
}

export interface OverdueSlip<R> {
  referral: R;
  overdue: Overdue;
}

export interface OverdueCase<C> {
  case: C;
  deadline: CaseDeadline;
}

/** A decision completed with less than was decided, with the office that completed it. */
export interface ShortfallFacts<R> {
  referral: R;
  shortfallFen: number;
  toOffice: OfficeKey;
  townshipCode: string;
}

export interface DecisionShortfall<R> {
  referral: R;
  /** Decided minus given, in fen. */
  shortfallFen: number;
}

/**
 * A declined decision not yet resolved (reassigned, waived or decided again at a meeting): the
 * household's decided aid waits on the convener, the office that owns the case, from the day it
 * was declined. Overdue work however recent: the decision's own deadline is the department's, and
 * the department has answered it.
 */
export interface DeclineFacts<R> {
  referral: R;
  declinedAt: Date;
  ownerOffice: OfficeKey;
  townshipCode: string;
}

export interface OpenDecline<R> {
  referral: R;
  declinedAt: Date;
}

/**
 * A decision completed with an aid record that no longer stands as checked (revoked at the
 * department, or a ledger entry cancelled or corrected since), under the office that completed it:
 * the decision is not met by what that office answered (件件有落实).
 */
export interface WithdrawnFacts<R> {
  referral: R;
  standing: Exclude<FulfilmentStanding, 'STANDS'>;
  supersededBy: AidRecord | null;
  completedAt: Date;
  toOffice: OfficeKey;
  townshipCode: string;
}

export type WithdrawnFulfilment<R> = Pick<WithdrawnFacts<R>, 'referral' | 'standing' | 'supersededBy' | 'completedAt'>;

/** The same of a case's first aid, under the office that owns the case (it recorded the first aid). */
export interface WithdrawnFirstAidFacts<C> {
  case: C;
  standing: Exclude<FulfilmentStanding, 'STANDS'>;
  supersededBy: AidRecord | null;
  recordedAt: Date;
  ownerOffice: OfficeKey;
  townshipCode: string;
}

export type WithdrawnFirstAid<C> = Pick<WithdrawnFirstAidFacts<C>, 'case' | 'standing' | 'supersededBy' | 'recordedAt'>;

export interface OverdueGroup<R, C> {
  referrals: OverdueSlip<R>[];
  cases: OverdueCase<C>[];
  shortfalls: DecisionShortfall<R>[];
  declinesOpen: OpenDecline<R>[];
  fulfilmentsWithdrawn: WithdrawnFulfilment<R>[];
  firstAidsWithdrawn: WithdrawnFirstAid<C>[];
}

export interface OverdueReport<R, C> {
  asOf: Date;
  /** Per office of a county: the same department in two counties is two offices. */
  byOffice: (OverdueGroup<R, C> & { office: OfficeKey; countyCode: string })[];
  byTownship: (OverdueGroup<R, C> & { townshipCode: string })[];
  /** Per county (区县, the first 6 digits of the township): 任城区 apart from 邹城市. */
  byCounty: (OverdueGroup<R, C> & { countyCode: string })[];
}

function group<R, C>(map: Map<string, OverdueGroup<R, C>>, key: string): OverdueGroup<R, C> {
  let g = map.get(key);
  if (!g) map.set(key, (g = { referrals: [], cases: [], shortfalls: [], declinesOpen: [], fulfilmentsWithdrawn: [], firstAidsWithdrawn: [] }));
  return g;
}

/** The grouping key of an office's work in one county: sorts by county, then office. */
function countyOfficeKey(office: OfficeKey, townshipCode: string): string {
  return `${countyOf(townshipCode)} ${office}`;
}

const mostOverdue = (a: { overdue: Overdue }, b: { overdue: Overdue }) => b.overdue.hours - a.overdue.hours;

/**
 * The report at `asOf`: the overdue slips and cases among those given, grouped; the shortfalls
 * given (the caller chooses their period), grouped the same way, largest first; and the declined
 * decisions still open at `asOf` (declined by then), under the office that owns the case, oldest first;
 * and the completed decisions whose aid was withdrawn (the caller reads their standing), under the
 * office that completed them, completed first, first; and the first aids whose record was
 * withdrawn, under the office that owns the case, recorded first, first.
 */
export function overdueReport<R, C>(
  slips: readonly SlipFacts<R>[],
  cases: readonly CaseFacts<C>[],
  asOf: Date,
  shortfalls: readonly ShortfallFacts<R>[] = [],
  declines: readonly DeclineFacts<R>[] = [],
  withdrawn: readonly WithdrawnFacts<R>[] = [],
  firstAidsWithdrawn: readonly WithdrawnFirstAidFacts<C>[] = [],
): OverdueReport<R, C> {
  const byOffice = new Map<string, OverdueGroup<R, C>>();
  const byTownship = new Map<string, OverdueGroup<R, C>>();
  const byCounty = new Map<string, OverdueGroup<R, C>>();
  for (const s of slips) {
    const st = standing(referralDue(s.issuedOn, s.dueOn), s.answeredAt, null, asOf);
    if (st.status !== 'OVERDUE' || !st.overdue) continue;
    const item = { referral: s.referral, overdue: st.overdue };
    group(byOffice, countyOfficeKey(s.toOffice, s.townshipCode)).referrals.push(item);
    group(byTownship, s.townshipCode).referrals.push(item);
    group(byCounty, countyOf(s.townshipCode)).referrals.push(item);
  }
  for (const c of cases) {
    for (const deadline of caseDeadlines(c.timeline, asOf)) {
      if (deadline.status !== 'OVERDUE') continue;
      const item = { case: c.case, deadline };
      group(byOffice, countyOfficeKey(c.ownerOffice, c.townshipCode)).cases.push(item);
      group(byTownship, c.townshipCode).cases.push(item);
      group(byCounty, countyOf(c.townshipCode)).cases.push(item);
    }
  }
  for (const s of shortfalls) {
    if (s.shortfallFen <= 0) continue;
    const item = { referral: s.referral, shortfallFen: s.shortfallFen };
    group(byOffice, countyOfficeKey(s.toOffice, s.townshipCode)).shortfalls.push(item);
    group(byTownship, s.townshipCode).shortfalls.push(item);
    group(byCounty, countyOf(s.townshipCode)).shortfalls.push(item);
  }
  for (const d of declines) {
    if (d.declinedAt.getTime() > asOf.getTime()) continue;
    const item = { referral: d.referral, declinedAt: d.declinedAt };
    group(byOffice, countyOfficeKey(d.ownerOffice, d.townshipCode)).declinesOpen.push(item);
    group(byTownship, d.townshipCode).declinesOpen.push(item);
    group(byCounty, countyOf(d.townshipCode)).declinesOpen.push(item);
  }
  for (const w of withdrawn) {
    const item = { referral: w.referral, standing: w.standing, supersededBy: w.supersededBy, completedAt: w.completedAt };
    group(byOffice, countyOfficeKey(w.toOffice, w.townshipCode)).fulfilmentsWithdrawn.push(item);
    group(byTownship, w.townshipCode).fulfilmentsWithdrawn.push(item);
    group(byCounty, countyOf(w.townshipCode)).fulfilmentsWithdrawn.push(item);
  }
  for (const w of firstAidsWithdrawn) {
    const item = { case: w.case, standing: w.standing, supersededBy: w.supersededBy, recordedAt: w.recordedAt };
    group(byOffice, countyOfficeKey(w.ownerOffice, w.townshipCode)).firstAidsWithdrawn.push(item);
    group(byTownship, w.townshipCode).firstAidsWithdrawn.push(item);
    group(byCounty, countyOf(w.townshipCode)).firstAidsWithdrawn.push(item);
  }
  const sorted = <K extends string>(map: Map<string, OverdueGroup<R, C>>, keyName: K) =>
    [...map]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, g]) => ({
        [keyName]: key,
        referrals: g.referrals.sort(mostOverdue),
        cases: g.cases.sort((a, b) => mostOverdue(a.deadline as { overdue: Overdue }, b.deadline as { overdue: Overdue })),
        shortfalls: g.shortfalls.sort((a, b) => b.shortfallFen - a.shortfallFen),
        declinesOpen: g.declinesOpen.sort((a, b) => a.declinedAt.getTime() - b.declinedAt.getTime()),
        fulfilmentsWithdrawn: g.fulfilmentsWithdrawn.sort((a, b) => a.completedAt.getTime() - b.completedAt.getTime()),
        firstAidsWithdrawn: g.firstAidsWithdrawn.sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime()),
      })) as (OverdueGroup<R, C> & Record<K, string>)[];
  const offices = sorted(byOffice, 'office').map((g) => {
    const [countyCode, office] = g.office.split(' ');
    return { ...g, office, countyCode };
  });
  return { asOf, byOffice: offices, byTownship: sorted(byTownship, 'townshipCode'), byCounty: sorted(byCounty, 'countyCode') };
}
