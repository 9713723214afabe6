/**
 * A query whose client goes away stops costing. A client whose large query (households(ids:) of
 * 500, a wide query) timed out on its side and disconnected held its cost in flight
 * (MAX_QUERY_COST_IN_FLIGHT) until the hub's department reads finished, so its retry was refused
 * 429 QUERY_COST_IN_FLIGHT for seconds, and the hub went on spending its pools' connections and the
 * departments' time on an answer no one would read (a client with a short timeout that retries made
 * a storm of it).
 *
 * Now, when the connection closes before the answer has been sent, the request's department reads
 * are abandoned as reads out of time are (db/abandon.ts RequestReads: their statements stopped on
 * the sources, later ones not sent) and its cost in flight is given back at once
 * (server/query-cost.ts). Only a query: a mutation goes on as before, committing or rolling back
 * whole, its client there or not (test/client-gone-routes.test.ts sends one and breaks its connection
 * mid-transaction: it commits every row, and its retry with the same key is answered with its outcome).
 * The routes that do a query's work in the same budget, the meeting brief and the findings and overdue
 * exports, are abandoned the same way (abandonRouteWhenClientGoes). What the query has read of the hub's own tables is recorded in
 * the audit trail as for any answer composed (a department stopped shows as one out of time,
 * outcome PARTIAL), and nothing is sent: the rows say who asked about whom, as they did when such
 * an answer was written to a closed connection.
 */
import type http from 'node:http';
import type { AbandonedListener, RequestReads } from '../db/abandon';
import type { HubPlugin } from './plugins';
import type { RouteCostTaken } from './query-cost';

/** The request abandoned (`reads.clientGone()`) when `res` closes before its answer has been sent whole. */
export function abandonWhenClientGoes(res: http.ServerResponse, reads: RequestReads): void {
  // Closed already (the client left while its body was read): gone now.
  if (res.closed) {
    if (!res.writableEnded) reads.clientGone();
    return;
  }
  res.once('close', () => {
    if (!res.writableEnded) reads.clientGone();
  });
}

/**
 * Lets a query's reads be abandoned once its operation is known (never a mutation's), and tells
 * `told` of each query abandoned (the metrics count them); the request's log says it once, with its
 * request id and nothing of its data.
 */
export function clientGonePlugin(told?: AbandonedListener): HubPlugin {
  return {
    requestDidStart() {
      return {
        didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'query') return;
          if (told) contextValue.loaders.reads.onAbandon(told);
          contextValue.loaders.reads.mayAbandon();
        },
        willSendResponse({ contextValue }) {
          if (contextValue.loaders.reads.abandoned) contextValue.logger?.info('query abandoned: its client closed the connection before the answer; its department reads were stopped and its cost in flight given back');
        },
      };
    },
  };
}

/**
 * A route that does a query's work within the client's cost in flight (the meeting brief, GET
 * /cases/:id/brief; the findings export, GET /exports/scans/:id/findings.csv; the overdue export, GET
 * /exports/overdue.csv) abandoned as a query is when its client closes the connection before the
 * answer has been sent whole. Each held its cost until its reads ended (a brief's dossier read from
 * every department, an export's page or report in hand), so the client's retry was refused QUERY_COST_IN_FLIGHT meanwhile, for as long as a
 * department took to answer.
 *
 * Through the route's own RequestReads (the brief's loaders' `reads`): its department reads in
 * flight stopped on the sources and later ones refused, as a query's; `cost` given back at once
 * (takeRouteCost gives it back once the handler has released it and the response has ended, which
 * the close has); `told` told (aidhub_queries_abandoned_total); `said` called once, for the route's
 * one log line, which names no one. A route only reads, so it may be abandoned from the start; what
 * it does after (its hub reads, its audit rows) is the route's to decide.
 */
export function abandonRouteWhenClientGoes(res: http.ServerResponse, reads: RequestReads, cost: RouteCostTaken, told: AbandonedListener | undefined, said: () => void): void {
  reads.onAbandon({
    requestAbandoned() {
      cost.release();
      told?.requestAbandoned();
      said();
    },
  });
  reads.mayAbandon();
  abandonWhenClientGoes(res, reads);
}
