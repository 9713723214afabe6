/** The README and docs/ as tests that hold their reference parts to the tree read them (test/readme-*.test.ts, test/docs-reference.test.ts). */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The text of a `## Title` section, up to the next `## `. */
export function readmeSection(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section ${title}`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** Each file of docs/, by its path (`docs/access.md`), with its text. */
export function docsFiles(): { file: string; text: string }[] {
  return fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => ({ file: `docs/${f}`, text: fs.readFileSync(path.join(ROOT, 'docs', f), 'utf8') }));
}

/** The rows of the Configuration table (`| \`NAME\` | meaning | default |`), as they are written. */
export function configurationRows(): string[] {
  return readmeSection('Configuration')
    .split('\n')
    .filter((l) => l.startsWith('| `'));
}

/** The variables a Configuration row's first cell names (`PORT`, `HOST` in one cell are two). */
export function rowVariables(row: string): string[] {
  return [...row.split('|')[1].matchAll(/`([A-Z][A-Z0-9_<>]*)(?:=[^`]*)?`/g)].map((m) => m[1]);
}

/** A cell's comma-separated items, commas inside parentheses or backticks aside. */
export function cellItems(cell: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of cell) {
    if (ch === '`') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    if (ch === ',' && depth === 0 && !quoted) {
      items.push(current.trim());
      current = '';
    } else current += ch;
  }
  items.push(current.trim());
  return items;
}
