/**
 * Rows written the way a department's own system writes its front-end database (plain SQL over a
 * connection of its own), for tests and for the benches, which reach a department's folder only
 * through the test fixtures (test/layers.test.ts).
 */
export { correctSettlementAsDepartment, writeSettlementAsDepartment, type DepartmentSettlement } from '../../federation/health/scenario';
