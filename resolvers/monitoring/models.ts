/** What the monitoring resolvers hand their children where no row type is the whole of it. */
import type { AlertEventRow, AlertRow } from '../../db/monitoring/store';
import type { CountedPage } from '../models';
import type { IsoDate } from '../../domain/dates';

export type AlertPage = CountedPage<AlertRow>;

/**
 * An alert as a resolver hands it on: its row, and for an item of overdueReport with a future asOf
 * the day its standing (overdue, acknowledgementOverdue, escalatedTo) is measured at, that of asOf
 * (what will be late by then if nothing changes); otherwise it is measured at today.
 */
export type AlertView = AlertRow & { standingOn?: IsoDate };

/**
 * One move of an alert, with the township the alert was in when it was made (it may have moved
 * since), and the alert, whose health detail its reason is withheld as (access/policy.ts).
 */
export type AlertEventView = AlertEventRow & { townshipCode: string; alert: AlertRow };
