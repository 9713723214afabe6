/** `--by` of the administration tools (`npm run clients`, `npm run subscriptions`). */
import { operatorOf } from '../access/admin-audit';
import { UsageError } from './command-args';

/**
 * The operator a change's audit entry names (access/admin-audit.ts operatorOf): `--by`, a staff
 * identifier, or the account and host the tool runs as; a `--by` that is not one is a UsageError
 * with the tool's `code`. Read before anything is written.
 */
export function operatorArg(by: string | undefined, code: string): string {
  const who = operatorOf(by);
  if ('problem' in who) throw new UsageError(`${code}: ${who.problem}`);
  return who.operator;
}
