/** What the monitoring resolvers hand their children where no row type is the whole of it. */
import type { AlertEventRow, AlertRow } from '../../db/monitoring/store';
import type { CountedPage } from '../models';

export type AlertPage = CountedPage<AlertRow>;

/** One move of an alert, with the township the alert was in when it was made (it may have moved since). */
export type AlertEventView = AlertEventRow & { townshipCode: string };
