/**
 * Reminders of referral slips (转办单: 件件有落实、有反馈): the hub tells the office a slip is addressed to,
 * through its department's alert subscriptions, when the slip is about to fall due and when it has
 * fallen due without feedback, once each (resolvers/cases/referral-reminders.ts). Counted in working
 * days of the calendar in force, as the due date itself was.
 */
import type { IsoDate } from '../dates';
import type { OfficeKey } from './offices';
import type { ReferralState } from './referrals';
import type { PushOrder } from '../monitoring/envelope';
import { referralDue, type SlipCount } from './supervision';
import { addWorkingDays, withinSupported, workingDaysBetween } from './working-days';

export const REMINDER_KINDS = ['DUE_SOON', 'OVERDUE'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** The push event of each kind (alert_delivery.event). */
export const REMINDER_EVENTS = { DUE_SOON: 'REFERRAL_DUE_SOON', OVERDUE: 'REFERRAL_OVERDUE' } as const satisfies Record<ReminderKind, string>;

/** A reminder a slip waiting for its answer has due today. */
export interface ReminderDue {
  kind: ReminderKind;
  /** DUE_SOON: working days after today up to the due date (0: due today). OVERDUE: working days past it. */
  workingDays: number;
  /** The due date or the count reaches a year whose holiday notice is not loaded. */
  provisional: boolean;
}

/**
 * The last due date a DUE_SOON reminder is sent today for: the `withinWorkingDays`-th working day
 * after today (today itself with 0). Slips due later are not read.
 */
export function dueSoonUntil(today: IsoDate, withinWorkingDays: number): IsoDate {
  return withinWorkingDays === 0 ? today : addWorkingDays(withinSupported(today), withinWorkingDays).date;
}

/**
 * Which reminder a slip waiting for its answer is due today (China), if any: OVERDUE once its due
 * date has passed (the due date is the last day that meets it, as `deadlineStatus` reads it), else
 * DUE_SOON when at most `withinWorkingDays` working days after today reach its due date. A slip that
 * passed its due date while no reminder ran (a hub stopped for days) is told it is overdue only: a
 * late "due soon" would say what is no longer true.
 */
export function reminderDue(slip: SlipCount, today: IsoDate, withinWorkingDays: number): ReminderDue | null {
  const { dueOn } = slip;
  const dueProvisional = referralDue(slip).provisional;
  if (dueOn < today) {
    const late = workingDaysBetween(withinSupported(dueOn), withinSupported(today));
    return { kind: 'OVERDUE', workingDays: late.days, provisional: dueProvisional || late.provisional };
  }
  const left = workingDaysBetween(withinSupported(today), withinSupported(dueOn));
  if (left.days > withinWorkingDays) return null;
  return { kind: 'DUE_SOON', workingDays: left.days, provisional: dueProvisional || left.provisional };
}

/** Working days past its due date beyond which a slip's first OVERDUE reminder is old news (remindedAsBacklog). */
export const BACKLOG_AFTER_WORKING_DAYS_LATE = 1;

/**
 * Whether a reminder is queued in the outbox's backlog lane (alert_delivery.backlog: claimed only when
 * fewer fresh pushes than a batch are due): an OVERDUE reminder of a slip already more than
 * BACKLOG_AFTER_WORKING_DAYS_LATE working days late when first reminded, as every open old slip is at
 * the first pass after reminders are deployed (or after a hub stopped for days). Up to 500 of them a
 * pass otherwise went ahead of alerts raised meanwhile. Who is told and what is the same either way;
 * a slip overdue since yesterday, and every DUE_SOON, is a fresh push.
 */
export function remindedAsBacklog(due: ReminderDue): boolean {
  return due.kind === 'OVERDUE' && due.workingDays > BACKLOG_AFTER_WORKING_DAYS_LATE;
}

/** A reminder's push body (fields in a fixed order: the signature covers the bytes sent). */
export interface ReminderBody {
  deliveryId: string;
  event: (typeof REMINDER_EVENTS)[ReminderKind];
  referral: {
    id: string;
    caseId: string;
    /** The office it is addressed to: its department's key, and the county of the case. */
    office: OfficeKey;
    county: string;
    dueOn: IsoDate;
    state: ReferralState;
    /** DUE_SOON only. */
    workingDaysLeft?: number;
    /** OVERDUE only. */
    workingDaysLate?: number;
    provisional: boolean;
  };
  /** When the reminder fell due and was spent (the pass's instant, ISO 8601 UTC); the same on every retry and replay. */
  occurredAt: string;
  /** Its number among the pushes queued to its subscription (domain/monitoring/envelope.ts PushOrder). */
  sequence: number;
}

/**
 * The body pushed: the slip, its case, office, due date and state, and how near or late; no person,
 * household, programme, amount or ask (a subscriber reads those through the API, with its purpose);
 * then when the reminder fell due and its sequence (`order`), last, as an alert's push has them.
 */
export function reminderBody(deliveryId: string, slip: { id: number; caseId: number; toOffice: OfficeKey; county: string; dueOn: IsoDate; state: ReferralState }, due: ReminderDue, order: PushOrder): ReminderBody {
  return {
    deliveryId,
    event: REMINDER_EVENTS[due.kind],
    referral: {
      id: String(slip.id),
      caseId: String(slip.caseId),
      office: slip.toOffice,
      county: slip.county,
      dueOn: slip.dueOn,
      state: slip.state,
      ...(due.kind === 'DUE_SOON' ? { workingDaysLeft: due.workingDays } : { workingDaysLate: due.workingDays }),
      provisional: due.provisional,
    },
    occurredAt: order.occurredAt,
    sequence: order.sequence,
  };
}

/** The outbox's alert_id of a slip's reminders: not a hub id, so the worker reads no alert for it. */
export function reminderSubjectKey(referralId: number): string {
  return `referral:${referralId}`;
}
