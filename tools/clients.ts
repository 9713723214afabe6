/**
 * API clients: create, list, rotate, revoke.
 *
 *   npm run clients -- create --name rencheng-civil-affairs --department CIVIL_AFFAIRS \
 *       --scope 370811 --roles READER,CASEWORKER [--expires 2026-12-31 | --expires-in 90d] [--require-officer]
 *   npm run clients -- list
 *   npm run clients -- require-officer rencheng-civil-affairs [--off]
 *   npm run clients -- rotate rencheng-civil-affairs [--expires … | --expires-in … | --no-expiry]
 *   npm run clients -- revoke rencheng-civil-affairs
 *
 * Every change (all but list) is written to the audit chain in its own transaction, naming the
 * operator (`--by`, else account@host) and the client: access/admin-audit.ts.
 * The database is DATABASE_URL, or the private server `npm start` is running. A token is printed
 * once, at create and rotate; the hub keeps only its SHA-256. Revocation and rotation take effect
 * on the next request.
 */
import { charityRegistrationProblem, registerCharity } from '../db/reported-aid/store';
import { ClientSpecError, createClient, listClients, revokeClient, rotateClient, setRequireOfficer, validateSpec, type ClientInfo, type ClientSpec } from '../access/clients';
import { activeRoleOffices, PURPOSES_BY_ROLE, ROLES, rolesNotForOffice, type Role } from '../access/policy';
import { ConfigError } from '../db/config';
import { dbTime, hubDbOf, type AccessDb } from '../db/access/db';
import { divisionHeld, UNKNOWN_DIVISION_MESSAGE } from '../db/household/region-pages';
import { CLIENT_OFFICE_CODES, type OfficeCode as DepartmentCode } from '../domain/departments';
import { checkCreditCode } from '../domain/credit-code';
import { isIsoDate } from '../domain/dates';
import { readDbNow, shownDbInstant as shown } from '../db/instants';
import { lockingTransaction } from '../db/locking';
import { createdOperation, recordAdministration, rotatedOperation } from '../access/admin-audit';
import { runSubcommand, unknownCommand, UsageError, type Print, type Subcommand, type SubcommandSpec } from './command-args';
import { operatorArg } from './operator-arg';
import { runAgainstHub } from './run-against-hub';

export const USAGE = `usage: npm run clients -- <command>
  create --name NAME --department ${CLIENT_OFFICE_CODES.join('|')}
         --scope DIVISION_CODE --roles ROLE[,ROLE…] [--expires YYYY-MM-DD | --expires-in 90d]
         [--require-officer]   (every request must name its officer: X-Officer)
         [--credit-code 统一社会信用代码 --organisation NAME]   (a CHARITY client: required)
  list
  require-officer NAME [--off]
  rotate NAME [--expires YYYY-MM-DD | --expires-in 90d | --no-expiry]
  revoke NAME
every command but list: [--by OPERATOR]   (the operator the audit trail names; default: account@host)
roles: ${ROLES.map((r) => `${r} (${PURPOSES_BY_ROLE[r].join(', ')})`).join('; ')}`;

/** An RFC 3339 instant with an explicit offset, e.g. 2027-03-31T18:00:00+08:00. */
const INSTANT = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An expiry as the command line gives it, judged for its form alone (expiryOf); `keep`: none given. */
type Expiry = { kind: 'keep' } | { kind: 'never' } | { kind: 'at'; at: Date; raw: string } | { kind: 'in'; ms: number };

/**
 * The form of an expiry: only a calendar date, or an instant with its offset, or a count of days or
 * hours above 0 (`new Date()` took 2026-02-30 as 2 March and "5" as May 2001; `--expires-in 0d`
 * made a token expired on arrival). Needs no database: judged before one is looked for.
 */
function expiryOf(values: { expires?: string; 'expires-in'?: string; 'no-expiry'?: boolean }): Expiry {
  // One of them was taken and the others dropped in silence (`--expires 2027-01-01 --no-expiry` gave a date).
  const given = (['expires', 'expires-in', 'no-expiry'] as const).filter((o) => values[o] !== undefined);
  if (given.length > 1) throw new UsageError(`CONFLICTING_OPTIONS: ${given.map((o) => `--${o}`).join(' and ')} exclude each other: give one`);
  if (values['no-expiry']) return { kind: 'never' };
  if (values.expires !== undefined) {
    const raw = values.expires;
    const instant = INSTANT.exec(raw);
    if (!(isIsoDate(raw) || (instant && isIsoDate(instant[1])))) throw new UsageError(`MALFORMED_EXPIRY: --expires: not a date (YYYY-MM-DD) or an instant with its offset: ${JSON.stringify(raw)}`);
    const at = instant ? new Date(raw) : new Date(`${raw}T23:59:59.999+08:00`);
    if (Number.isNaN(at.getTime())) throw new UsageError(`MALFORMED_EXPIRY: --expires: not a date (YYYY-MM-DD) or an instant with its offset: ${JSON.stringify(raw)}`);
    return { kind: 'at', at, raw };
  }
  if (values['expires-in'] !== undefined) {
    const m = /^(\d+)([dh])$/.exec(values['expires-in']);
    if (!m || Number(m[1]) === 0) throw new UsageError('MALFORMED_EXPIRY: --expires-in: a number of days or hours above 0, e.g. 90d or 12h');
    return { kind: 'in', ms: Number(m[1]) * (m[2] === 'd' ? 86_400_000 : 3_600_000) };
  }
  return { kind: 'keep' };
}

/**
 * An expiry as DATETIME text (UTC), null for none, undefined when none was given: a date means the
 * end of that day in China (UTC+8). Only a time still to come: a past expiry created a client whose
 * token never worked (listed EXPIRED at once). `now` is the hub database's (readDbNow), the clock
 * that judges the token's expiry: counted from the operator's machine, a clock an hour slow made
 * --expires-in 1h a token expired on arrival, and let a past --expires through.
 */
function expiryAt(expiry: Expiry, now: Date): string | null | undefined {
  if (expiry.kind === 'keep') return undefined;
  if (expiry.kind === 'never') return null;
  if (expiry.kind === 'in') return dbTime(new Date(now.getTime() + expiry.ms));
  if (expiry.at.getTime() <= now.getTime()) throw new UsageError(`EXPIRY_PASSED: --expires: ${expiry.raw} has passed; the token would never work`);
  return dbTime(expiry.at);
}

/** The expiry the options give, judged whole (its form, then whether it is still to come by `now`). */
export function parseExpiry(values: { expires?: string; 'expires-in'?: string; 'no-expiry'?: boolean }, now: Date): string | null | undefined {
  return expiryAt(expiryOf(values), now);
}

function describe(c: ClientInfo): string {
  // A role stored before its office was barred from it (ROLE_OFFICES) is ignored by the hub: said so.
  const ignored = rolesNotForOffice(c.roles, c.department);
  return [c.name, c.status, c.department, c.regionScope, c.roles.join(','), ignored.length > 0 ? `ROLE_NOT_FOR_DEPARTMENT: ${ignored.join(',')} ignored` : '', c.requireOfficer ? 'officer required' : '', `created ${shown(c.createdAt)}`, c.expiresAt ? `expires ${shown(c.expiresAt)}` : 'no expiry', c.revokedAt ? `revoked ${shown(c.revokedAt)}` : '']
    .filter(Boolean)
    .join('  ');
}

const OPTIONS = {
  name: { type: 'string' },
  department: { type: 'string' },
  scope: { type: 'string' },
  roles: { type: 'string' },
  expires: { type: 'string' },
  'expires-in': { type: 'string' },
  'no-expiry': { type: 'boolean' },
  'require-officer': { type: 'boolean' },
  off: { type: 'boolean' },
  'credit-code': { type: 'string' },
  organisation: { type: 'string' },
  by: { type: 'string' },
} as const;

/** What each command takes (runSubcommand refuses the rest): the usage's lines. */
const COMMANDS = {
  create: { options: ['name', 'department', 'scope', 'roles', 'expires', 'expires-in', 'no-expiry', 'require-officer', 'credit-code', 'organisation', 'by'], positionals: 0 },
  list: { options: [], positionals: 0 },
  'require-officer': { options: ['off', 'by'], positionals: 1 },
  rotate: { options: ['expires', 'expires-in', 'no-expiry', 'by'], positionals: 1 },
  revoke: { options: ['by'], positionals: 1 },
} as const;

/** A command with its values judged (clientsArgs): what it runs with. */
type ClientsArgs =
  | { command: 'create'; spec: Omit<ClientSpec, 'expiresAt'>; expiry: Expiry; organisation: { creditCode: string; name: string } | null; by: string }
  | { command: 'list' }
  | { command: 'rotate'; name: string; expiry: Expiry; by: string }
  | { command: 'require-officer'; name: string; required: boolean; by: string }
  | { command: 'revoke'; name: string; by: string };

/** The name a command acts on, or ARGUMENT_REQUIRED. */
function clientName(command: string, name: string | undefined): string {
  if (!name) throw new UsageError(`ARGUMENT_REQUIRED: ${command} needs the client name`);
  return name;
}

/**
 * A command's values judged, all that need no database: a name or option left out, the client's
 * spec (validateSpec), a charity's organisation, the form of an expiry, `--by`. Run before the hub
 * database is looked for (answerSubcommandLine) as well as before the command runs (runSubcommand):
 * with no hub to find, `clients revoke` with no name was answered DATABASE_REQUIRED.
 */
function clientsArgs({ command, rest: [name], values }: Subcommand<typeof OPTIONS>): ClientsArgs {
  if (command === 'create' || command === 'rotate') roleOfficesInForce();
  switch (command) {
    case 'create': {
      if (!values.name || !values.department || !values.scope || !values.roles) throw new UsageError('ARGUMENT_REQUIRED: create needs --name, --department, --scope and --roles');
      // Read as the API reads it (checkCreditCode: full width, lower case, spaces around), stored in the form the hub keys it.
      // Kept for a CHARITY client only: beside another office's they were dropped in silence. A
      // client given the CHARITY role is refused for that instead (CHARITY_ROLE_DEPARTMENT, validateSpec).
      const charityOnly = (['credit-code', 'organisation'] as const).find((o) => values[o] !== undefined);
      const charityRole = values.roles.split(',').some((r) => r.trim().toUpperCase() === 'CHARITY');
      if (charityOnly && !charityRole && values.department.toUpperCase() !== 'CHARITY') throw new UsageError(`CONFLICTING_OPTIONS: --${charityOnly} registers a CHARITY client's organisation: it does not go with --department ${values.department}`);
      const credit = values['credit-code'] === undefined ? null : checkCreditCode(values['credit-code']);
      if (values.department.toUpperCase() === 'CHARITY' && (!credit?.ok || !values.organisation)) {
        throw new UsageError('CHARITY_ORGANISATION_REQUIRED: a CHARITY client needs --credit-code (a valid 统一社会信用代码) and --organisation');
      }
      // The organisation as it will be registered, judged before anything is stored: refused after
      // the client was made (a name over 64 characters, a blank one), the client stood with no
      // organisation and its token, never printed, was lost (exit 1).
      const organisation = values.department.toUpperCase() === 'CHARITY' && credit?.ok && values.organisation ? { creditCode: credit.creditCode, name: values.organisation } : null;
      const organisationProblem = organisation ? charityRegistrationProblem(organisation.creditCode, organisation.name) : null;
      if (organisationProblem) throw new UsageError(`MALFORMED_ORGANISATION: --organisation: ${organisationProblem}`);
      const spec = {
        name: values.name,
        department: values.department.toUpperCase() as DepartmentCode,
        regionScope: values.scope,
        roles: values.roles.split(',').map((r) => r.trim().toUpperCase()) as Role[],
        requireOfficer: values['require-officer'] === true,
      };
      validateSpec(spec);
      return { command, spec, expiry: expiryOf(values), organisation, by: operatorArg(values.by, 'MALFORMED_BY') };
    }
    case 'list':
      return { command };
    case 'rotate':
      return { command, name: clientName(command, name), expiry: expiryOf(values), by: operatorArg(values.by, 'MALFORMED_BY') };
    case 'require-officer':
      return { command, name: clientName(command, name), required: values.off !== true, by: operatorArg(values.by, 'MALFORMED_BY') };
    case 'revoke':
      return { command, name: clientName(command, name), by: operatorArg(values.by, 'MALFORMED_BY') };
    default:
      throw unknownCommand(command);
  }
}

/**
 * AIDHUB_ROLE_OFFICES read as `npm start` reads it, before a client is made or a token issued: a
 * bad value is refused with its code (`error: UNKNOWN_ROLE: …`, exit 2), as the hub refuses to start.
 */
function roleOfficesInForce(): void {
  try {
    activeRoleOffices();
  } catch (err) {
    throw err instanceof ConfigError ? new UsageError(`${err.code}: ${err.message}`) : err;
  }
}

/** The tool's arguments: judged whole before the hub database is looked for (runAgainstHub), and again by clientsCommand. */
export const CLIENTS_COMMAND_LINE: SubcommandSpec<typeof OPTIONS, ClientsArgs> = { usage: USAGE, options: OPTIONS, usageErrors: [ClientSpecError], commands: COMMANDS, judge: clientsArgs };

/** Runs one command; returns the exit code. */
export function clientsCommand(argv: string[], db: AccessDb, print: Print): Promise<number> {
  return runSubcommand(argv, CLIENTS_COMMAND_LINE, print, async (args) => {
    switch (args.command) {
      case 'create': {
        const { organisation, by } = args;
        // A well-formed scope the hub holds nothing of yet is made, with a warning: it is a typo
        // (370811999), or a division whose households are still to come — on a new hub, before its
        // first import, none is held, and its first clients are made then (a refusal stopped that).
        const unheld = !(await divisionHeld(hubDbOf(db), args.spec.regionScope));
        const spec = { ...args.spec, expiresAt: expiryAt(args.expiry, await readDbNow(db)) ?? null };
        // A charity reports aid only with its organisation registered (db/reported-aid): the client,
        // its organisation and the audit entry in one transaction, so none is kept without the others.
        const { client, token, registration } = await lockingTransaction(hubDbOf(db), async (tx) => {
          const made = await createClient(tx, spec);
          let registration = null;
          if (made.client.department === 'CHARITY') {
            if (!organisation) throw new UsageError('CHARITY_ORGANISATION_REQUIRED: a CHARITY client needs --credit-code (统一社会信用代码) and --organisation');
            registration = await registerCharity(tx, made.client.name, organisation.creditCode, organisation.name);
          }
          const c = made.client;
          await recordAdministration(tx, by, c, createdOperation(c));
          return { ...made, registration };
        });
        print(`created ${describe(client)}`);
        // A code registered already: the client joins that organisation (reads its chains, corrects
        // its deliveries), and a name other than the code's renames it for all its clients. Both were
        // done without a word, so a code typed for one charity that is another's went unseen.
        if (registration && registration.otherClients.length > 0) {
          print(`warning: ORGANISATION_JOINED: ${organisation!.creditCode} is registered already (${registration.earlierName ?? organisation!.name}; clients ${registration.otherClients.join(', ')}): this client is one more client of that organisation, reading its entries and correcting its deliveries (another charity's code mistyped? \`revoke\` it)`);
        }
        if (registration?.earlierName != null && registration.earlierName !== organisation!.name) {
          print(`warning: ORGANISATION_RENAMED: ${organisation!.creditCode} was ${registration.earlierName}; it is ${organisation!.name} from now on, for all its clients`);
        }
        if (unheld) print(`warning: REGION_UNKNOWN: scope: ${UNKNOWN_DIVISION_MESSAGE}: ${args.spec.regionScope}; the client reads nothing there until the hub holds it (a typo? \`revoke\` it)`);
        print(`token (shown once; the hub keeps only its hash): ${token}`);
        return 0;
      }
      case 'list': {
        const clients = await listClients(db);
        if (clients.length === 0) print('no clients');
        for (const c of clients) print(describe(c));
        return 0;
      }
      case 'rotate': {
        const { name, by } = args;
        const expiresAt = expiryAt(args.expiry, await readDbNow(db));
        const { client, token } = await lockingTransaction(hubDbOf(db), async (tx) => {
          const made = await rotateClient(tx, name, expiresAt);
          await recordAdministration(tx, by, made.client, rotatedOperation(expiresAt));
          return made;
        });
        print(`rotated ${describe(client)}; the previous token no longer works`);
        print(`token (shown once; the hub keeps only its hash): ${token}`);
        return 0;
      }
      case 'require-officer': {
        const { name, required, by } = args;
        // Written to the audit chain only when it changes the client.
        const client = await lockingTransaction(hubDbOf(db), (tx) => setRequireOfficer(tx, name, required, (c) => recordAdministration(tx, by, c, `clients require-officer ${required ? 'on' : 'off'}`)));
        print(`${client.requireOfficer ? 'officer required' : 'officer optional'}: ${describe(client)}`);
        return 0;
      }
      case 'revoke': {
        const { name, by } = args;
        // Written to the audit chain only when it revokes (a client revoked already is left as it is).
        const revoked = await lockingTransaction(hubDbOf(db), (tx) => revokeClient(tx, name, (c) => recordAdministration(tx, by, c, 'clients revoke')));
        print(`revoked ${describe(revoked)}`);
        return 0;
      }
    }
  });
}

if (require.main === module) void runAgainstHub('clients', clientsCommand, { usage: USAGE, options: OPTIONS, positionals: true, subcommands: CLIENTS_COMMAND_LINE });
