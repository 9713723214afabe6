/** Apollo plugins of the hub's own. */
import type { ApolloServerPlugin } from '@apollo/server';
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
