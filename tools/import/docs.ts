/**
 * The column reference of examples/import/README.md, rendered from the specs so that the
 * documentation cannot drift from what the validator checks (a test compares the two).
 * `npx tsx tools/import.ts --docs` prints it; `--docs --write` puts it in the README in place of
 * the one there (withColumnReference).
 */
import { DEPARTMENT_NAMES } from '../../domain/departments';
import { TABLE_SPECS, type ColumnType, type TableSpec } from './spec';
import { FUTURE_MARGIN_DAYS, LATEST_DATE, MIN_YEAR, orList } from './validate';

export const DOCS_BEGIN = '<!-- BEGIN generated column reference: npx tsx tools/import.ts --docs -->';
export const DOCS_END = '<!-- END generated column reference -->';

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function describeType(type: ColumnType): string {
  switch (type.kind) {
    case 'text':
      return `text, at most ${type.maxLength} characters`;
    case 'digits':
      return `${orList(type.lengths)} digits`;
    case 'code':
      return `code: ${type.codes
        .map(([k, v]) => (k === v ? `\`${k}\`` : `\`${k}\` ${v}`))
        .join(', ')}`;
    case 'int':
      return `${type.max === Number.MAX_SAFE_INTEGER ? `whole number ≥ ${type.min}` : `whole number ${type.min}–${type.max}`} (thousands separators allowed)`;
    case 'fen':
      return 'fen: whole number ≥ 0 (thousands separators allowed)';
    case 'yuan':
      return `yuan: ≥ 0, at most ${type.scale} decimals, at most ${type.precision - type.scale} digits before the point (thousands separators allowed)`;
    case 'bool':
      return '`1` yes or `0` no';
    case 'date':
      return 'date YYYY-MM-DD';
    case 'month':
      return 'month YYYY-MM';
    case 'idNumber':
      return 'ID number (18 characters, check character verified)';
    case 'certNo':
      return 'disability certificate number: ID number + category digit 1–7 + level digit 1–4';
    case 'schoolYear':
      return 'school year YYYY-YYYY (consecutive years)';
    case 'year':
      return 'year YYYY';
  }
}

function where(spec: TableSpec): string {
  return spec.target === 'HUB' ? "the hub's own database" : `the ${spec.target} (${DEPARTMENT_NAMES[spec.target]}) front-end database`;
}

export function renderTableDoc(spec: TableSpec): string {
  const lines = [
    `### \`${spec.table}.csv\``,
    '',
    `${spec.doc} Loads table \`${spec.table}\` in ${where(spec)}. Key: ${spec.primaryKey.map((c) => `\`${c}\``).join(' + ')}.`,
    '',
    '| column | required | type | meaning |',
    '|---|---|---|---|',
    ...spec.columns.map((c) => `| \`${c.name}\` | ${c.required ? 'yes' : ''} | ${escapeCell(describeType(c.type))} | ${escapeCell(c.doc)} |`),
  ];
  const rules = [
    ...spec.periods.map((p) => `\`${p.end}\` is not before \`${p.start}\``),
    ...spec.requiredWhen.map((r) => `\`${r.column}\` is required when \`${r.when.column}\` is ${r.when.values.map((v) => `\`${v}\``).join(' or ')}`),
    ...spec.crossRules.map((r) => r.doc),
    ...spec.uniqueKeys.map((k) => `${k.map((c) => `\`${c}\``).join(' + ')} is unique`),
  ];
  if (rules.length > 0) lines.push('', 'Rules:', ...rules.map((r) => `- ${r}`));
  return lines.join('\n');
}

export function renderColumnReference(): string {
  return [
    DOCS_BEGIN,
    '',
    `Dates are written year first (YYYY-MM-DD, or as a spreadsheet saves them: 2026/3/1, 2026-3-1, 2026.3.1, 20260301, 2026年3月1日; stored as YYYY-MM-DD) and must exist in the calendar (years from ${MIN_YEAR}); a date that only ends a period (an "end" in a table's checks) is at most ${LATEST_DATE}, any other at most today plus ${FUTURE_MARGIN_DAYS} days (\`TOO_LATE\`). Months are written year first too (YYYY-MM, or 2026/3, 2026-3, 2026年3月, 202603; stored as YYYY-MM; not 2026.10, which Excel keeps as the number 2026.1), whole numbers and amounts with or without thousands separators (1,234). An empty cell is NULL; "required" columns may not be empty.`,
    '',
    TABLE_SPECS.map(renderTableDoc).join('\n\n'),
    '',
    DOCS_END,
  ].join('\n');
}

/**
 * The README with its column reference replaced by the current one: everything from the BEGIN
 * marker to the END marker, both included; the rest is left as it is. A README without the two
 * markers, in that order, is refused rather than appended to.
 */
export function withColumnReference(readme: string): string {
  const begin = readme.indexOf(DOCS_BEGIN);
  const end = readme.indexOf(DOCS_END);
  if (begin < 0 || end < begin) throw new Error(`the README has no column reference to replace: it needs the line ${DOCS_BEGIN} and, after it, ${DOCS_END}`);
  return readme.slice(0, begin) + renderColumnReference() + readme.slice(end + DOCS_END.length);
}
