/** What the monitoring resolvers hand their children where no row type is the whole of it. */
import type { AlertRow } from '../../db/monitoring/store';
import type { Page } from '../models';

export type AlertPage = Page<AlertRow>;
