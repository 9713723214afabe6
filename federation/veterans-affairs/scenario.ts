/**
 * 退役军人事务's rows for test scenarios and benches (pension spells, hardship aid), under names
 * that say what they are, in the one shape every department gives them (federation/scenario-kit.ts).
 */
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { veteransAffairs } from './adapter';
import { knjrBf, yfFxbz } from './tables';

export const veteransAffairsScenario = departmentScenario({
  pensions: scenarioTable(yfFxbz, (r) => sourceRefOf(veteransAffairs.recordKinds.yfFxbz, r.fxId!)),
  hardshipAid: scenarioTable(knjrBf, (r) => sourceRefOf(veteransAffairs.recordKinds.knjrBf, r.bfId!)),
});
