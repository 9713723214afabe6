/**
 * Every federated department's scenario (federation/<dept>/scenario.ts, one shape for all:
 * federation/scenario-kit.ts), by code: how the benches, which reach a department only through
 * the registry or a test's fixtures, write, read and count its rows. The reported-aid ledger is
 * the hub's own storage, not a department's front-end database, and has none.
 */
import type { DepartmentCode } from '../../domain/departments';
import { civilAffairsScenario } from '../../federation/civil-affairs/scenario';
import { disabilityScenario } from '../../federation/disability/scenario';
import { educationScenario } from '../../federation/education/scenario';
import { healthScenario } from '../../federation/health/scenario';
import { housingScenario } from '../../federation/housing/scenario';
import { humanResourcesScenario } from '../../federation/human-resources/scenario';
import type { DepartmentScenario, ScenarioTables } from '../../federation/scenario-kit';
import { unionScenario } from '../../federation/union/scenario';

export const SCENARIOS = {
  CIVIL_AFFAIRS: civilAffairsScenario,
  EDUCATION: educationScenario,
  HOUSING: housingScenario,
  HEALTH: healthScenario,
  UNION: unionScenario,
  DISABILITY: disabilityScenario,
  HUMAN_RESOURCES: humanResourcesScenario,
} as const satisfies Record<Exclude<DepartmentCode, 'REPORTED'>, DepartmentScenario<ScenarioTables>>;
