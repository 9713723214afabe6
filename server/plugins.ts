/** Apollo plugins of the hub's own. */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { AuditStore, Outcome } from '../access/audit';
import { loggableError } from '../domain/privacy';
import { DEPARTMENT_NAMES } from '../domain/departments';
import { statementScope } from '../db/instrument';
import type { HubContext } from '../resolvers/context';

/**
 * A department that failed does not null the answer: its data is simply missing, `sources` says
 * so, and one DEPARTMENT_UNAVAILABLE error per department tells the caller the answer is partial.
 */
export function departmentUnavailablePlugin(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || contextValue.unavailable.size === 0) return;
          const errors = [...contextValue.unavailable.values()].map((o) => ({
            message: `${o.department} (${DEPARTMENT_NAMES[o.department]}) did not answer (${o.reason}); its records are missing from this response`,
            extensions: { code: 'DEPARTMENT_UNAVAILABLE', department: o.department, reason: o.reason },
          }));
          const single = response.body.singleResult;
          single.errors = [...(single.errors ?? []), ...errors];
        },
      };
    },
  };
}

/**
 * Outside production, each response carries `extensions.sqlStatements`: the statements the
 * request cost, per source. The bench reads it; callers can see what a query costs.
 */
export function statementCountPlugin(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const counter = statementScope.getStore();
          if (response.body.kind !== 'single' || !counter) return;
          const single = response.body.singleResult;
          single.extensions = { ...single.extensions, sqlStatements: { total: counter.total, bySource: Object.fromEntries(counter.bySource) } };
        },
      };
    },
  };
}

/** What became of a GraphQL request, for its audit rows. */
export function outcomeOf(result: { data?: Record<string, unknown> | null; errors?: readonly { extensions?: Record<string, unknown> }[] } | null): Outcome {
  const errors = result?.errors ?? [];
  if (errors.length === 0) return 'OK';
  const answered = Object.values(result?.data ?? {}).some((v) => v !== null && v !== undefined);
  if (answered) return 'PARTIAL';
  return errors.some((e) => e.extensions?.code === 'FORBIDDEN') ? 'DENIED' : 'FAILED';
}

/**
 * The audit trail of GraphQL requests: once a request has run, one row per data subject it touched
 * (or one subject-less row) is appended before the response leaves. If the append fails the
 * response is replaced: no data goes out unrecorded. Requests that never ran (parse or validation
 * errors, refused limits) read nothing and write no row.
 */
export function auditPlugin(audit: AuditStore, logger: Logger): ApolloServerPlugin<HubContext> {
  return {
    async serverWillStart() {
      // apollo.stop() drains the HTTP server first, so every request has appended by now.
      return { serverWillStop: () => audit.close() };
    },
    async requestDidStart() {
      let executed = false;
      return {
        async executionDidStart({ contextValue }) {
          executed = true;
          // Its rows will be appended before the answer leaves: the chain head is taken now, while
          // the data are read, so the append after them is one round trip.
          if (contextValue.access?.caller) audit.expect();
        },
        async willSendResponse({ response, contextValue, operationName, queryHash }) {
          const session = contextValue.access;
          if (!executed || !session?.caller) return;
          const result = response.body.kind === 'single' ? response.body.singleResult : null;
          const outcome: Outcome = result ? outcomeOf(result) : 'FAILED';
          try {
            await audit.append({
              requestId: session.requestId,
              caller: session.caller,
              purpose: session.purpose,
              caseReference: session.caseReference,
              officer: session.officer,
              channel: 'GRAPHQL',
              operation: operationName ?? null,
              operationHash: queryHash ?? null,
              subjects: [...session.subjects.values()].map((s) => ({ subject: s.subject, outcome: s.denied ? 'DENIED' : outcome })),
              outcome,
            }, true);
          } catch (err) {
            const e = err as Error;
            logger.error({ err: loggableError(e) }, 'audit append failed; response withheld');
            response.http.status = 503;
            response.body = {
              kind: 'single',
              singleResult: { errors: [{ message: 'The access could not be recorded, so nothing is returned', extensions: { code: 'INTERNAL_SERVER_ERROR', reason: 'AUDIT_UNAVAILABLE' } }] },
            };
          }
        },
      };
    },
  };
}
