/**
 * One statement of a hub migration, as the migration runs it: a test runs a backfill on rows as an
 * older release left them.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The one statement of `db/<feature>/migrations/<file>` that begins (after its comments) with `verb` (and names `table`, when given). */
export function migrationStatement(feature: string, file: string, verb: 'INSERT' | 'UPDATE' | 'ALTER', table?: string): string {
  const migration = fs.readFileSync(path.join(__dirname, '..', '..', 'db', feature, 'migrations', file), 'utf8');
  const found = migration
    .split('--> statement-breakpoint')
    .map((st) => st.trim())
    .filter((st) => new RegExp(`^(--.*\\n)*${verb}`).test(st) && (table === undefined || st.includes(`\`${table}\``)));
  if (found.length !== 1) throw new Error(`${feature}/${file} holds ${found.length} ${verb} statements${table ? ` of ${table}` : ''}, not one`);
  return found[0];
}
