/**
 * 人社's rows for test scenarios and benches (unemployment registrations, benefit spells, public-
 * welfare placements, employment-aid grants and recognised hard-to-employ people), under names that
 * say what they are, in the one shape every department gives them (federation/scenario-kit.ts): the
 * rest of the code writes, reads and counts them through it, so that no file outside this folder
 * names its tables.
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
