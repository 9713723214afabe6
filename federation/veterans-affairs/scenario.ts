/**
 * 退役军人事务's rows for test scenarios and benches (优抚 registrations, periodic allowances, hardship
 * aid), under names that say what they are, in the one shape every department gives them
 * (federation/scenario-kit.ts): the rest of the code writes, reads and counts them through it, so that
 * no file outside this folder names its tables.
 */
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { veteransAffairs } from './adapter';
import { bfyzJl, dqfxFf, yfdxXx } from './tables';

export const veteransAffairsScenario = departmentScenario({
  entitledPersons: scenarioTable(yfdxXx),
  periodicAllowances: scenarioTable(dqfxFf, (r) => sourceRefOf(veteransAffairs.recordKinds.dqfxFf, r.ffId!)),
  hardshipAid: scenarioTable(bfyzJl, (r) => sourceRefOf(veteransAffairs.recordKinds.bfyzJl, r.jlId!)),
});
