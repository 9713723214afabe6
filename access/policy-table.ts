/** Markdown tables of the access policy, for docs/access.md (kept equal by a test). */
import { HUB_LEDGER_SOURCES, OFFICE_CODES } from '../domain/departments';
import {
  charityClientProblem,
  HEALTH_DETAIL,
  ID_NUMBERS_IN_CLEAR,
  OUT_OF_SCOPE_PURPOSES,
  PURPOSE_DESCRIPTIONS,
  PURPOSES,
  PURPOSES_BY_ROLE,
  roleMayState,
  ROLE_DESCRIPTIONS,
  ROLE_OFFICES,
  ROLES,
  ROOT_RULES,
  ROUTE_RULES,
  TYPE_RULES,
  type Purpose,
  type Role,
  type RootRule,
  type Visibility,
} from './policy';

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const code = (s: string) => `\`${s}\``;
const list = (xs: readonly string[]) => xs.map(code).join(', ');

/** The purposes for which each role of ID_NUMBERS_IN_CLEAR shows ID numbers: those it may state. */
const IN_CLEAR_PURPOSES = ID_NUMBERS_IN_CLEAR.map((r) => `${code(r)}: ${PURPOSES_BY_ROLE[r].join(', ')}`).join('; ');

const IN_SCOPE_CELL: Record<Visibility, string> = {
  ANY: 'shown',
  IN_SCOPE: 'shown',
  ID_NUMBER: `in clear for ${list(ID_NUMBERS_IN_CLEAR)}, each for the purposes it serves (${IN_CLEAR_PURPOSES}); masked (370811\\*\\*\\*\\*\\*\\*\\*\\*123X) for other roles and purposes`,
  REFERENCE: `shown; an ID number inside it masked unless the caller has ${list(ID_NUMBERS_IN_CLEAR)} for the stated purpose`,
  HEALTH: `only for ${list(HEALTH_DETAIL.departments)} callers or purpose ${list(HEALTH_DETAIL.purposes)}, never for purpose ${list(HEALTH_DETAIL.withheldFor)}; otherwise FORBIDDEN (\`HEALTH_DETAIL\`)`,
  REGION: 'shown',
};

const OUT_OF_SCOPE_CELL: Record<Visibility, string> = {
  ANY: 'shown',
  IN_SCOPE: 'FORBIDDEN (`LIMITED_VIEW`)',
  ID_NUMBER: 'masked',
  REFERENCE: 'FORBIDDEN (`LIMITED_VIEW`)',
  HEALTH: 'FORBIDDEN (`LIMITED_VIEW`)',
  REGION: 'the county only, not the village or township',
};

function outOfScopeCell(rule: RootRule): string {
  if (rule.purposes === null) return '— (returns no personal data)';
  if (rule.scope === 'HUB') return 'answered: any person the hub holds, whatever the caller’s scope (`scope: HUB`; this field only)';
  if (rule.argumentSubjectsInScope && rule.missingHouseholdAnswered) return 'refused: the subject named must be in scope (a household id that does not exist: not found, to a province- or city-wide caller whose scope covers every household)';
  if (rule.argumentSubjectsInScope) return 'refused: the subject named must be in scope';
  if (rule.viewFromArguments) return `the named subject’s view: LIMITED with ${list(OUT_OF_SCOPE_PURPOSES)}, otherwise refused`;
  switch (rule.outOfScope) {
    case 'LIMITED':
      return `LIMITED view with ${list(OUT_OF_SCOPE_PURPOSES)}, otherwise refused`;
    case 'OMIT':
      return 'left out of the list';
    case 'DENY':
      return 'refused (`OUT_OF_SCOPE`)';
    case 'HIDE':
      return 'null, as for an id that does not exist';
  }
}

/** The departments a client holding `role` may belong to (`npm run clients` refuses the others: a charity's roles). */
function holdersOf(role: Role): string[] {
  return OFFICE_CODES.filter((d) => !HUB_LEDGER_SOURCES.includes(d as never) && charityClientProblem(d, [role]) === null);
}

/** A purpose a role may state, with the departments it is narrowed to where some of the role's holders may not state it (roleMayState). */
function statedBy(role: Role, purpose: Purpose): string {
  const holders = holdersOf(role);
  const may = holders.filter((d) => roleMayState(role, purpose, d, ROLE_OFFICES));
  return may.length === holders.length ? code(purpose) : `${code(purpose)} (${may.length === 0 ? 'no department' : `of ${list(may)} only`})`;
}

export function accessTables(): string {
  const purposes = table(
    ['Purpose (`X-Purpose`)', 'Meaning'],
    PURPOSES.map((p) => [code(p), PURPOSE_DESCRIPTIONS[p]]),
  );
  const roles = table(
    ['Role', 'May state purposes', 'Meant for'],
    ROLES.map((r) => [code(r), PURPOSES_BY_ROLE[r].map((p) => statedBy(r, p)).join(', '), ROLE_DESCRIPTIONS[r]]),
  );
  const offices = table(
    ['Role', 'For', 'Held only by clients of', 'Why'],
    ROLE_OFFICES.map((e) => [code(e.role), e.purpose ? `purpose ${code(e.purpose)}` : 'every purpose', list(e.offices), e.basis]),
  );
  const roots = table(
    ['Field', 'Roles', 'Purposes', 'Subjects outside the caller’s scope'],
    Object.entries(ROOT_RULES).flatMap(([type, fields]) =>
      Object.entries(fields).map(([name, rule]) => [
        code(`${type}.${name}`),
        list(rule.roles) + (rule.departments ? ` of ${list(rule.departments)}` : '') + (rule.workOf ? ` (${code(rule.workOf)}’s work whatever the purpose: only where the office may hold the role for it)` : ''),
        rule.purposes === null ? 'none needed' : list(rule.purposes),
        outOfScopeCell(rule),
      ]),
    ),
  );
  const visibility = table(
    ['Field', 'In the caller’s region scope (FULL view)', `Outside it, purpose ${list(OUT_OF_SCOPE_PURPOSES)} (LIMITED view)`],
    Object.entries(TYPE_RULES).flatMap(([type, rule]) =>
      rule.kind === 'PERSONAL'
        ? Object.entries(rule.fields).map(([field, v]) => {
            const narrower = [rule.healthOnlyFor?.[field]?.note, rule.fieldsOfObject?.[field]?.note].filter((n) => n !== undefined);
            return [code(`${type}.${field}`), [IN_SCOPE_CELL[v], ...narrower].join('; '), OUT_OF_SCOPE_CELL[v]];
          })
        : [],
    ),
  );
  const readers = table(
    ['Personal type', 'Read by roles', 'For purposes', 'Fields with a narrower rule'],
    Object.entries(TYPE_RULES).flatMap(([type, rule]) =>
      rule.kind === 'PERSONAL'
        ? [[code(type) + (rule.readableBy ? ` (${rule.readableBy.note})` : ''), list(rule.readBy.roles), list(rule.readBy.purposes), Object.entries(rule.fieldReadBy ?? {}).map(([f, r]) => `${code(f)}: ${list(r.roles)}${r.purposes.join() === rule.readBy.purposes.join() ? '' : ` for ${list(r.purposes)}`}${r.departments ? ` of ${list(r.departments)}` : ''}`).join('; ') || '—']]
        : [],
    ),
  );
  const open = table(
    ['Type', 'Every field shown because'],
    Object.entries(TYPE_RULES).flatMap(([type, rule]) => (rule.kind === 'OPEN' ? [[code(type), rule.why]] : [])),
  );
  const routes =
    ROUTE_RULES.length === 0
      ? '_No non-GraphQL routes are declared; any other path answers 403 `NO_ACCESS_RULE`._'
      : table(
          ['Route', 'Roles', 'Purposes', 'What'],
          ROUTE_RULES.map((r) => [code(`${r.method} ${r.path.source}`), list(r.roles), r.purposes === null ? 'none needed' : list(r.purposes), r.description]),
        );
  return [
    '### Purposes',
    purposes,
    '### Roles',
    roles,
    '### Which offices may hold a role',
    'The defaults; a site widens them with `AIDHUB_ROLE_OFFICES` (above). A role or purpose not listed is open to every office, the role `CHARITY` aside (department `CHARITY` alone).',
    offices,
    '### Queries and mutations',
    roots,
    '### Who reads each personal type, however it is reached',
    'A root field checks its own roles and purposes; an object reached through another (a scan’s findings’ households, a slip’s case) is checked against its type’s rule on every field, so that no data gets around the rule of the root field that would serve it.',
    readers,
    '### Fields of personal types',
    visibility,
    '### Types without personal data of their own',
    open,
    '### Other routes',
    routes,
  ].join('\n\n');
}
