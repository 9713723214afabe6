/**
 * Reminders of referral slips (转办单, 件件有落实、有反馈): the hub speaks first to the office a slip is
 * addressed to, through its department's alert subscriptions, once when the slip is due within the
 * trigger set's `referralReminder.dueWithinWorkingDays` working days (REFERRAL_DUE_SOON) and once
 * when it is past its due date without feedback (REFERRAL_OVERDUE). Run by the monitoring poller
 * under its own lease (resolvers/monitoring/poller.ts REMIND_JOB), with the hub's clock; each
 * reminder is spent (referral_reminder, one row per slip and kind) in the transaction that queues
 * its pushes, so it is queued once whatever the number of hub processes, restarts or ticks. The
 * pushes go through the alert outbox and its worker: signed, retried, audited, replayable; the
 * OVERDUE reminder of a slip long past its due date (every old open slip at the first pass after the
 * deploy) in its backlog lane, behind fresh pushes (remindedAsBacklog).
 */
import { activeSubscriptions, enqueueReminderDeliveries, lockSubscribers, remindedBy } from '../../db/alert-delivery/outbox';
import { slipsToRemind, spendReminder } from '../../db/cases/store';
import type { HubDb } from '../../db/connect';
import type { LockingTx } from '../../db/locking';
import { chinaDateOf } from '../../domain/cases/china-time';
import { countyOf, storedOffice } from '../../domain/cases/offices';
import { REMINDER_EVENTS, remindedAsBacklog, reminderBody, reminderDue, reminderSubjectKey, dueSoonUntil } from '../../domain/cases/reminders';
import type { ReferralReminderRule } from '../../domain/monitoring/triggers';

/** What one pass did: reminders spent, and the pushes they queued. */
export interface ReminderPass {
  reminders: number;
  pushes: number;
}

/**
 * One pass at `now`: reads the slips with a reminder due and not yet spent, and spends and queues
 * each in one transaction (`write`: the job's fenced transaction, so a process that lost its lease
 * writes nothing). A slip addressed to a township's office (or to a key no office maps) has its
 * reminders spent and pushed to no one: no department's subscriptions are the township's, and a
 * county civil-affairs receiver is not the township's desk. Spent, they do not come back at every pass.
 */
export async function remindReferrals(hub: HubDb, now: Date, rule: ReferralReminderRule, write: <T>(work: (tx: LockingTx) => Promise<T>) => Promise<T>): Promise<ReminderPass> {
  const today = chinaDateOf(now);
  const slips = await slipsToRemind(hub, today, dueSoonUntil(today, rule.dueWithinWorkingDays));
  const due = slips.flatMap((slip) => {
    const office = storedOffice(slip.toOffice);
    const reminder = reminderDue(slip, today, rule.dueWithinWorkingDays);
    return reminder ? [{ slip, department: office.kind === 'DEPARTMENT' ? office.department : null, reminder }] : [];
  });
  if (due.length === 0) return { reminders: 0, pushes: 0 };
  return write(async (tx) => {
    // Under the subscription lock, as every writer of the outbox: the pushes' sequences (takeSequences).
    await lockSubscribers(tx);
    const subscriptions = await activeSubscriptions(tx);
    const pass: ReminderPass = { reminders: 0, pushes: 0 };
    for (const { slip, department, reminder } of due) {
      const to = department === null ? [] : subscriptions.filter((s) => remindedBy(s, { department, townshipCode: slip.townshipCode }));
      if (!(await spendReminder(tx, slip.id, reminder.kind, slip.dueOn, now, to.length))) continue;
      await enqueueReminderDeliveries(
        tx,
        {
          subjectKey: reminderSubjectKey(slip.id),
          event: REMINDER_EVENTS[reminder.kind],
          body: (deliveryId: string, sequence: number) => JSON.stringify(reminderBody(deliveryId, { ...slip, county: countyOf(slip.townshipCode) }, reminder, { occurredAt: now.toISOString(), sequence })),
          backlog: remindedAsBacklog(reminder),
        },
        to,
      );
      pass.reminders += 1;
      pass.pushes += to.length;
    }
    return pass;
  });
}
