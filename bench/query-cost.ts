/**
 * `npx tsx bench/query-cost.ts [records]`: CPU time of the query-cost estimate (server/query-cost.ts)
 * for one aidReport of N records (default 1,000) passed as a variable, beside graphql-js's own
 * coercion of the same variables, which execution does once in any case. Before 2026-12 the estimate
 * coerced them too (the second figure again, per request); now it reads their JSON shape.
 */
import { getVariableValues, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from '../resolvers/index';
import { operationCost } from '../server/query-cost';

const n = Number(process.argv[2] ?? 1000);
const schema = buildSchema();
const doc = parse(`mutation($records: [ReportedAidInput!]!) { aidReport(input: { records: $records }) { recorded userErrors { index code } } }`);
const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
const records = Array.from({ length: n }, (_, i) => ({
  reference: `R-${i}`, beneficiaryIdNumber: '370811197504120031', programme: 'DISASTER_TRANSITION_LIVING', grantDate: '2026-03-01', amountFen: 100, settlementRef: 'S-1', caseReference: 'C-1',
}));

function cpuMs(label: string, run: () => unknown, rounds = 50): void {
  for (let i = 0; i < 5; i++) run();
  const before = process.cpuUsage();
  for (let i = 0; i < rounds; i++) run();
  const used = process.cpuUsage(before);
  console.log(`${label}: ${((used.user + used.system) / 1000 / rounds).toFixed(2)} ms CPU per request`);
}

console.log(`aidReport with ${n} records as a variable`);
cpuMs('cost estimate (operationCost)', () => operationCost(schema, operation, {}, { records }));
cpuMs('graphql-js coercion (getVariableValues, as execution does)', () => getVariableValues(schema, operation.variableDefinitions ?? [], { records }));
