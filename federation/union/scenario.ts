/**
 * 工会's rows for test scenarios and benches (hardship-worker files and the grants made on them),
 * under names that say what they are, in the one shape every department gives them
 * (federation/scenario-kit.ts): the rest of the code writes, reads and counts them through it, so
 * that no file outside this folder names its tables.
 */
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { union } from './adapter';
import { ghGrant, ghWorkerFile } from './tables';

export const unionScenario = departmentScenario({
  workerFiles: scenarioTable(ghWorkerFile, (r) => sourceRefOf(union.recordKinds.ghWorkerFile, r.fileNo)),
  grants: scenarioTable(ghGrant, (r) => sourceRefOf(union.recordKinds.ghGrant, r.grantNo!)),
});
