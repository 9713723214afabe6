/**
 * Walks the audit trail's hash chain and names the first row that was changed, removed or
 * inserted.
 *
 *   npm run audit:verify                       # exit 0: intact (prints the head); 1: broken
 *   npm run audit:verify -- --anchor SEQ:HASH  # also: the chain still holds a head printed earlier
 *
 * A hash chain shows edits by anyone who does not recompute the hashes after; someone with write
 * access to the database could rewrite the whole chain. Record the printed head somewhere the
 * database's administrators cannot edit (a signed e-mail, a paper register), and pass it as
 * --anchor later: a rewrite before that point is then detected too.
 *
 * The database is DATABASE_URL, or the private server `npm start` is running.
 */
import { parseArgs } from 'node:util';
import { verifyChain, type ChainVerdict } from '../access/audit';
import type { AccessDb } from '../db/access/db';
import { runAgainstHub } from './run-against-hub';

export function describeVerdict(v: ChainVerdict): string {
  if (v.ok) return `audit chain intact: ${v.rows} rows; head ${v.head.seq}:${v.head.hash}`;
  return `audit chain BROKEN at row ${v.seq} (${v.problem}): ${v.message}; ${v.rowsChecked} rows before it are intact`;
}

/** Runs the check; returns the exit code. */
export async function auditVerifyCommand(argv: string[], db: AccessDb, print: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { anchor: { type: 'string' } }, strict: true });
  let anchor: { seq: number; hash: string } | undefined;
  if (values.anchor) {
    const m = /^(\d+):([0-9a-f]{64})$/.exec(values.anchor);
    if (!m) {
      print('error: --anchor takes SEQ:HASH as printed by an earlier run');
      return 2;
    }
    anchor = { seq: Number(m[1]), hash: m[2] };
  }
  const verdict = await verifyChain(db, { anchor });
  print(describeVerdict(verdict));
  return verdict.ok ? 0 : 1;
}

if (require.main === module) void runAgainstHub('audit:verify', auditVerifyCommand);
