/**
 * Start-up's report of status codes the departments do not document (federation/unrecognised-status.ts):
 * one warning per status, programme, coded fact column (cause, approval level, certificate status or level, student status, monitored-roll category)
 * or other coded column no rule reads (display columns: a 低保 family's area type, a student's stage, a certificate's category) holding any, naming the department, the column and how many rows,
 * never a row's key or content, and the per-department gauges of server/metrics.ts. The aid of those
 * rows is shown UNRECOGNISED and counted nowhere; the warning is how operators learn a department's
 * data needs correcting before an office asks why a household's aid is missing from its totals.
 */
import type { Logger } from 'pino';
import type { Sources } from '../federation/sources';
import { unrecognisedDisplayRows, unrecognisedFactRows, unrecognisedProgrammeRows, unrecognisedStatusRows, type UnrecognisedStatusCount } from '../federation/unrecognised-status';
import { loggableError } from '../domain/privacy';
import type { HubMetrics } from './metrics';

export async function reportUnrecognisedStatus(sources: Sources, logger: Logger, metrics: Pick<HubMetrics, 'unrecognisedStatusCounted' | 'unrecognisedProgrammeCounted' | 'unrecognisedFactCounted' | 'unrecognisedDisplayCounted'>): Promise<void> {
  try {
    const [counts, programmes, facts, display] = await Promise.all([unrecognisedStatusRows(sources), unrecognisedProgrammeRows(sources), unrecognisedFactRows(sources), unrecognisedDisplayRows(sources)]);
    metrics.unrecognisedStatusCounted(counts);
    metrics.unrecognisedProgrammeCounted(programmes);
    metrics.unrecognisedFactCounted(facts);
    metrics.unrecognisedDisplayCounted(display);
    warnPerColumn(logger, counts, 'department rows carry a status code its documentation does not list: their aid is shown UNRECOGNISED and counted in no total and by no rule until the department corrects them');
    // Programme (type) codes: the aid is shown under the department's catch-all programme; it used to be skipped.
    warnPerColumn(logger, programmes, 'department rows carry a programme code its documentation does not list: their aid is shown under the department’s unrecognised programme, UNRECOGNISED, and counted in no total and by no rule until the department corrects them');
    // Cause, certificate and student status and monitored-roll category codes: the aid counts as its own status says, but the fact reads UNRECOGNISED and no rule acts on it.
    warnPerColumn(logger, facts, 'department rows carry a cause, certificate status or level, student status or monitored-roll category code, or a temporary aid approval level, its documentation does not list: the fact is shown UNRECOGNISED with its code, and no rule reads it either way until the department corrects them');
    // Codes no rule reads (an area type, a stage, a certificate's category): no total or finding changes, but the department's data needs correcting.
    warnPerColumn(logger, display, 'department rows carry a code its documentation does not list in a column no rule reads: no total or finding changes, and where the column is shown it is shown as an undocumented code, until the department corrects them');
  } catch (err) {
    logger.warn({ err: loggableError(err) }, 'status code check failed');
  }
}

/** One warning per column holding any such rows: the department, the column and how many, never a row. */
function warnPerColumn(logger: Logger, counts: readonly UnrecognisedStatusCount[], message: string): void {
  for (const c of counts) {
    if (c.rows) logger.warn({ department: c.department, column: c.column, rows: c.rows }, message);
  }
}
