/**
 * 住建's rows for test scenarios and benches (public-rental applications, their allocations and
 * renovation projects), under names that say what they are, in the one shape every department gives
 * them (federation/scenario-kit.ts): the rest of the code writes, reads and counts them through it,
 * so that no file outside this folder names its tables.
 */
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { housing } from './adapter';
import { gzfAllocation, gzfApplication, wfgzProject } from './tables';

export const housingScenario = departmentScenario({
  rentalApplications: scenarioTable(gzfApplication),
  rentalAllocations: scenarioTable(gzfAllocation, (r) => sourceRefOf(housing.recordKinds.gzfAllocation, r.allocId!)),
  renovations: scenarioTable(wfgzProject, (r) => sourceRefOf(housing.recordKinds.wfgzProject, r.projectId)),
});
