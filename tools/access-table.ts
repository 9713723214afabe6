/**
 * The access tables of docs/access.md, generated from access/policy.ts.
 *
 *   npm run access:table             # prints them
 *   npm run access:table -- --write  # rewrites them in docs/access.md, between the markers
 *
 * A test keeps docs/access.md equal to this output, so the document cannot drift from the policy:
 * after changing the policy, run the second command.
 */
import fs from 'node:fs';
import path from 'node:path';
import { accessTables } from '../access/policy-table';
import { parseCommandLine, quietWhenReaderLeaves } from './command-args';

export const DOC = path.join(__dirname, '..', 'docs', 'access.md');
const START = '<!-- access-tables:start -->';
const END = '<!-- access-tables:end -->';

export function withTables(doc: string, tables: string): string {
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${DOC} has no ${START} … ${END} markers`);
  return `${doc.slice(0, from)}${START}\n${tables}\n${doc.slice(to)}`;
}

const USAGE = `usage: npm run access:table [-- --write]
  Prints the access tables generated from access/policy.ts; --write rewrites them in docs/access.md.`;

if (require.main === module) {
  quietWhenReaderLeaves();
  // A misspelt --wirte printed the tables and left the document stale, silently.
  if (parseCommandLine(USAGE, { write: { type: 'boolean' } }).write) {
    // Said apart: "rewrote" for tables already current sent a maintainer looking for a change to
    // docs/access.md that was not there (a new department changes none of them).
    const doc = fs.readFileSync(DOC, 'utf8');
    const current = withTables(doc, accessTables());
    if (current === doc) {
      console.log(`the access tables in ${path.relative(process.cwd(), DOC)} are current: left as they are`);
    } else {
      fs.writeFileSync(DOC, current);
      console.log(`rewrote the access tables in ${path.relative(process.cwd(), DOC)}: the policy changed them`);
    }
  } else {
    console.log(accessTables());
  }
}
