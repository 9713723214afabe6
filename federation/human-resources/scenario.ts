/**
 * 人社's rows for test scenarios and benches, under the names the rest of the code uses
 * (federation/scenario-kit.ts), so that no file outside this folder names its tables.
 */
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { humanResources } from './adapter';
import { gyxgwAp, jyBzFf, jyKnryRd, syBxjFf, syDjxx } from './tables';

export const humanResourcesScenario = departmentScenario({
  hardToEmploy: scenarioTable(jyKnryRd),
  /** 失业登记: a job loss. */
  unemploymentRegistrations: scenarioTable(syDjxx, (r) => sourceRefOf(humanResources.recordKinds.syDjxx, r.djId!)),
  unemploymentBenefits: scenarioTable(syBxjFf, (r) => sourceRefOf(humanResources.recordKinds.syBxjFf, r.ffId!)),
  publicWelfareJobs: scenarioTable(gyxgwAp, (r) => sourceRefOf(humanResources.recordKinds.gyxgwAp, r.apId!)),
  employmentAid: scenarioTable(jyBzFf, (r) => sourceRefOf(humanResources.recordKinds.jyBzFf, r.ffId!)),
});
