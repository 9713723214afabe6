/** Apollo plugins of the hub's own. */
import type {
  ApolloServerPlugin,
  GraphQLRequestContext,
  GraphQLRequestContextDidResolveOperation,
  GraphQLRequestContextExecutionDidStart,
  GraphQLRequestContextWillSendResponse,
  GraphQLRequestContextDidEncounterErrors,
  GraphQLRequestListener,
} from '@apollo/server';
import { getOperationAST, Kind, parse, type DocumentNode, type GraphQLSchema, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Logger } from 'pino';
import type { AuditStore, Outcome } from '../access/audit';
import { loggableError } from '../domain/privacy';
import { DEPARTMENT_NAMES, type DepartmentCode } from '../domain/departments';
import { statementScope } from '../db/instrument';
import type { HubContext } from '../resolvers/context';

/**
 * A request listener of one of the hub's own plugins. Its hooks answer at once unless they have
 * something to wait for (a promise only then), and a refusal is thrown: Apollo 5 makes a promise
 * for every hook of every plugin's listener (a `Promise.all` over them per hook, an `await` per
 * listener for `responseForOperation`), so the hub's plugins are one plugin to Apollo (hubPlugin).
 */
export interface HubRequestListener {
  didResolveOperation?(ctx: GraphQLRequestContextDidResolveOperation<HubContext>): void;
  /** Never an execution listener: the hub hooks no field. */
  executionDidStart?(ctx: GraphQLRequestContextExecutionDidStart<HubContext>): void;
  willSendResponse?(ctx: GraphQLRequestContextWillSendResponse<HubContext>): void | Promise<void>;
  /** Called with the errors Apollo is about to format (server/app.ts errorLogPlugin). */
  didEncounterErrors?(ctx: GraphQLRequestContextDidEncounterErrors<HubContext>): void;
}

/** One of the hub's own plugins, run inside hubPlugin. */
export interface HubPlugin {
  serverWillStart?(): Promise<{ serverWillStop(): Promise<void> }>;
  requestDidStart?(ctx: GraphQLRequestContext<HubContext>): HubRequestListener;
}

const SETTLED: Promise<void> = Promise.resolve();

/**
 * Calls one hook of every listener, in order: a throw is that listener's rejection and the others
 * still run. A member after one that returns a promise is called once that promise has settled, so
 * it sees what that member did: the request counter after the audit append sees the answer withheld
 * when the append failed (Apollo calls plugins' hooks at once, each before the previous settles).
 * Settles when all have, rejecting with the first member's rejection.
 */
function callEach<K extends keyof HubRequestListener>(listeners: readonly HubRequestListener[], hook: K, ctx: Parameters<NonNullable<HubRequestListener[K]>>[0], from = 0): Promise<void> {
  for (let i = from; i < listeners.length; i++) {
    let settled: void | Promise<void>;
    try {
      settled = (listeners[i][hook] as ((c: typeof ctx) => void | Promise<void>) | undefined)?.call(listeners[i], ctx);
    } catch (err) {
      settled = Promise.reject(err);
    }
    if (settled) {
      return settled.then(
        () => callEach(listeners, hook, ctx, i + 1),
        (err: unknown) => callEach(listeners, hook, ctx, i + 1).then(() => Promise.reject(err), () => Promise.reject(err)),
      );
    }
  }
  return SETTLED;
}

/**
 * The hub's own plugins as one Apollo plugin: each hook of the request calls the members' in the
 * order given (so the first sees a request before the others and the last sees the response as
 * they left it), with one promise for all of them, not two or three per member.
 */
export function hubPlugin(members: readonly HubPlugin[]): ApolloServerPlugin<HubContext> {
  // The members that hook requests (two of the hub's only stop jobs at shutdown).
  const perRequest = members.filter((m) => m.requestDidStart);
  return {
    async serverWillStart() {
      const started = await Promise.all(members.map((m) => m.serverWillStart?.()));
      return {
        async serverWillStop() {
          await Promise.all(started.map((s) => s?.serverWillStop()));
        },
      };
    },
    requestDidStart(ctx) {
      const listeners: HubRequestListener[] = [];
      for (const m of perRequest) {
        const listener = m.requestDidStart!(ctx);
        if (listener) listeners.push(listener);
      }
      // Methods, not arrow properties, and no closure named in this file's per-request code: tsx
      // (esbuild's keepNames) names each named closure again as it is made (test/keep-names.test.ts).
      const hooks: GraphQLRequestListener<HubContext> = {
        didResolveOperation(c) {
          return callEach(listeners, 'didResolveOperation', c);
        },
        executionDidStart(c) {
          return callEach(listeners, 'executionDidStart', c);
        },
        willSendResponse(c) {
          return callEach(listeners, 'willSendResponse', c);
        },
        didEncounterErrors(c) {
          return callEach(listeners, 'didEncounterErrors', c);
        },
      };
      return Promise.resolve(hooks);
    },
  };
}

/**
 * What a DEPARTMENT_UNAVAILABLE error says. A department that answered with records the hub cannot
 * read (UNREADABLE_ROWS) did answer, and its other records are in the response: it was told that
 * the department "did not answer" and that its records were missing. One whose server refused the
 * hub's statement (STATEMENT_REFUSED) answered too, with the refusal.
 */
function unavailableMessage(department: DepartmentCode, reason: string | null): string {
  const who = `${department} (${DEPARTMENT_NAMES[department]})`;
  if (reason === 'UNREADABLE_ROWS') return `${who} answered with records the hub cannot read (UNREADABLE_ROWS): those records are missing from this response, its others are shown`;
  // Its server is up and refused the statement (a table or column renamed, a grant revoked): "did
  // not answer" sent the reader to the network.
  if (reason === 'STATEMENT_REFUSED') return `${who} refused the hub's read (STATEMENT_REFUSED: its database no longer has a table, column or grant the hub reads); its records are missing from this response`;
  return `${who} did not answer (${reason}); its records are missing from this response`;
}

/**
 * A department that failed does not null the answer: its data is simply missing, `sources` says
 * so, and one DEPARTMENT_UNAVAILABLE error per department tells the caller the answer is partial.
 */
export function departmentUnavailablePlugin(): HubPlugin {
  return {
    requestDidStart() {
      return {
        willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || contextValue.unavailable.size === 0) return;
          const errors = [...contextValue.unavailable.values()].map((o) => ({
            message: unavailableMessage(o.department, o.reason),
            extensions: { code: 'DEPARTMENT_UNAVAILABLE', department: o.department, reason: o.reason },
          }));
          const single = response.body.singleResult;
          single.errors = [...(single.errors ?? []), ...errors];
        },
      };
    },
  };
}

/**
 * Outside production, each response carries `extensions.sqlStatements`: the statements the
 * request cost, per source. The bench reads it; callers can see what a query costs. An answer that
 * reads as a refusal or as "not found" carries none (readsAsRefusedOrMissing).
 */
export function statementCountPlugin(): HubPlugin {
  return {
    requestDidStart() {
      return {
        willSendResponse({ response, document, operation }) {
          const counter = statementScope.getStore();
          if (response.body.kind !== 'single' || !counter) return;
          const single = response.body.singleResult;
          if (readsAsRefusedOrMissing(single, document && operation ? listsOfOneIdKeys(document, operation) : EMPTY_KEYS)) return;
          single.extensions = { ...single.extensions, sqlStatements: { total: counter.total, bySource: Object.fromEntries(counter.bySource) } };
        },
      };
    },
  };
}

/**
 * Root fields that list what one id names, so that an empty list is also the answer for an id
 * unknown or out of reach: `charityNeedsOfCase(caseId:)` lists no needs of a case of another county
 * (its needs are left out, access/policy.ts) as of a case that does not exist.
 */
const LISTS_OF_ONE_ID: ReadonlySet<string> = new Set(['charityNeedsOfCase']);
const EMPTY_KEYS: ReadonlySet<string> = new Set();

/** The response keys (alias or name) under which the operation asks a root field of LISTS_OF_ONE_ID, through fragments. */
function listsOfOneIdKeys(document: DocumentNode, operation: OperationDefinitionNode): ReadonlySet<string> {
  if (operation.operation !== 'query') return EMPTY_KEYS;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const keys = new Set<string>();
  addListOfOneIdKeys(operation.selectionSet, fragments, keys, new Set());
  return keys;
}

function addListOfOneIdKeys(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, keys: Set<string>, seenFragments: Set<string>): void {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (LISTS_OF_ONE_ID.has(s.name.value)) keys.add((s.alias ?? s.name).value);
    } else if (s.kind === Kind.INLINE_FRAGMENT) addListOfOneIdKeys(s.selectionSet, fragments, keys, seenFragments);
    else if (!seenFragments.has(s.name.value)) {
      seenFragments.add(s.name.value);
      const f = fragments.get(s.name.value);
      if (f) addListOfOneIdKeys(f.selectionSet, fragments, keys, seenFragments);
    }
  }
}

/**
 * Whether an answer reads as a refusal or as "not found": a FORBIDDEN error, a root field null
 * with no error of its own (case(id), finding(id), scan(id) out of reach read as missing), a root
 * field listing what one id names answered with an empty list (`listsOfOneId`: charityNeedsOfCase
 * of a case out of reach, as of a missing case), or a root payload's userError `…_NOT_FOUND`
 * (CASE_NOT_FOUND, CONSENT_NOT_FOUND … answer an id out of reach as one that does not exist). Such
 * an answer carries no statement count: a person held in another county, refused, cost a statement
 * more than an ID number the hub does not hold, and the count told them apart (a case of another
 * county whose household had asked charities for help listed its needs in 3 statements, a missing
 * case in 1). The test looks only at what the answer shows (never at what the request held back),
 * so the count's absence says nothing the answer does not already say.
 */
function readsAsRefusedOrMissing(
  result: { data?: Record<string, unknown> | null; errors?: readonly { path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[] },
  listsOfOneId: ReadonlySet<string>,
): boolean {
  const errors = result.errors ?? [];
  if (errors.some((e) => e.extensions?.code === 'FORBIDDEN')) return true;
  const erred = new Set(errors.map((e) => e.path?.[0]));
  return Object.entries(result.data ?? {}).some(([key, value]) => {
    if (value === null || value === undefined) return !erred.has(key);
    if (Array.isArray(value)) return value.length === 0 && listsOfOneId.has(key);
    const userErrors = (value as { userErrors?: unknown }).userErrors;
    return Array.isArray(userErrors) && userErrors.some((e: { code?: unknown }) => typeof e?.code === 'string' && e.code.endsWith('_NOT_FOUND'));
  });
}

/** What became of a GraphQL request, for its audit rows. */
export function outcomeOf(result: { data?: Record<string, unknown> | null; errors?: readonly { extensions?: Record<string, unknown> }[] } | null): Outcome {
  const errors = result?.errors ?? [];
  if (errors.length === 0) return 'OK';
  const answered = Object.values(result?.data ?? {}).some((v) => v !== null && v !== undefined);
  if (answered) return 'PARTIAL';
  return errors.some((e) => e.extensions?.code === 'FORBIDDEN') ? 'DENIED' : 'FAILED';
}

/** The most root fields text an audit row holds (access_log.root_fields). */
const ROOT_FIELDS_MAX = 255;

/**
 * What an operation asks for, for its audit rows: its root fields as schema coordinates
 * (`Query.person, Query.caller`), in the order written, each once, through fragments; the field's own
 * name, never its alias or arguments (caller's text that may hold an ID number). The document has
 * been validated (it ran), so every name is the schema's. Cut after the last whole field that fits
 * in ROOT_FIELDS_MAX, with `, …`; a first field too long alone is cut within its name, with `…`.
 */
export function rootFieldsOf(document: DocumentNode, operation: OperationDefinitionNode): string {
  return rootFieldsText(rootFieldNames(document, operation));
}

/** The root fields of `operation` as schema coordinates, in the order written, each once, through fragments. */
function rootFieldNames(document: DocumentNode, operation: OperationDefinitionNode): Set<string> {
  const type = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' }[operation.operation];
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const names = new Set<string>();
  addRootFields(operation.selectionSet, type, fragments, names, new Set());
  return names;
}

/** The fields an introspecting operation may ask of a root type (they are not among its fields). */
const META_ROOT_FIELDS: Readonly<Record<string, readonly string[]>> = { Query: ['__typename', '__schema', '__type'], Mutation: ['__typename'] };

/**
 * The root fields of a GraphQL request refused before it ran (PURPOSE_NOT_ALLOWED, access/http.ts),
 * as rootFieldsOf gives them for one that ran, from its `query` and `operationName` alone: parsed as
 * Apollo parses it (at most `maxTokens` tokens), the operation Apollo would run, and only when every
 * root field it names, through fragments, is one of the schema's root type, since the document was
 * never validated: a name the schema does not have is the caller's text (it could be an ID number)
 * and is never recorded. Null for a request without a query text (a persisted query sent by its hash
 * alone), one that does not parse, names no single operation to run, or names a field the schema
 * does not have.
 */
export function refusedRootFields(schema: GraphQLSchema, query: unknown, operationName: unknown, maxTokens: number): string | null {
  if (typeof query !== 'string' || (operationName !== undefined && operationName !== null && typeof operationName !== 'string')) return null;
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens });
  } catch {
    return null;
  }
  const operation = getOperationAST(document, operationName ?? undefined);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return null;
  const fields = root.getFields();
  const names = rootFieldNames(document, operation);
  for (const name of names) {
    const field = name.slice(name.indexOf('.') + 1);
    if (!Object.hasOwn(fields, field) && !META_ROOT_FIELDS[root.name]?.includes(field)) return null;
  }
  return names.size === 0 ? null : rootFieldsText(names);
}

/** Cut after the last whole field that fits in ROOT_FIELDS_MAX (rootFieldsOf). */
function rootFieldsText(names: ReadonlySet<string>): string {
  let text = '';
  for (const name of names) {
    const next = text === '' ? name : `${text}, ${name}`;
    if (next.length > ROOT_FIELDS_MAX - 3) {
      // A first name too long alone: its start, never a list that begins with a comma.
      return text === '' ? `${name.slice(0, ROOT_FIELDS_MAX - 1)}…` : `${text}, …`;
    }
    text = next;
  }
  return text;
}

/**
 * Adds the fields of `set` to `names` as `type.field`, through inline fragments and named ones (each
 * once: `seenFragments`). A module function, not a closure in rootFieldsOf: that runs on every
 * request, and tsx names each closure it makes (test/keep-names.test.ts).
 */
function addRootFields(set: SelectionSetNode, type: string, fragments: ReadonlyMap<string, FragmentDefinitionNode>, names: Set<string>, seenFragments: Set<string>): void {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) names.add(`${type}.${s.name.value}`);
    else if (s.kind === Kind.INLINE_FRAGMENT) addRootFields(s.selectionSet, type, fragments, names, seenFragments);
    else if (!seenFragments.has(s.name.value)) {
      seenFragments.add(s.name.value);
      const f = fragments.get(s.name.value);
      if (f) addRootFields(f.selectionSet, type, fragments, names, seenFragments);
    }
  }
}

/**
 * The audit trail of GraphQL requests: once a request has run, one row per data subject it touched
 * (or one subject-less row) is appended before the response leaves. If the append fails the
 * response is replaced: no data goes out unrecorded. Requests that never ran (parse or validation
 * errors, refused limits) read nothing and write no row.
 */
export function auditPlugin(audit: AuditStore, logger: Logger): HubPlugin {
  return {
    async serverWillStart() {
      // apollo.stop() drains the HTTP server first, so every request has appended by now.
      return { serverWillStop: () => audit.close() };
    },
    requestDidStart() {
      let executed = false;
      return {
        executionDidStart({ contextValue }) {
          executed = true;
          // Its rows will be appended before the answer leaves: the chain head is taken now, while
          // the data are read, so the append after them is one round trip.
          if (contextValue.access?.caller) audit.expect();
        },
        async willSendResponse({ response, contextValue, operationName, queryHash, operation, document }) {
          const session = contextValue.access;
          if (!executed || !session?.caller) return;
          const result = response.body.kind === 'single' ? response.body.singleResult : null;
          const outcome: Outcome = result ? outcomeOf(result) : 'FAILED';
          try {
            await audit.append({
              requestId: session.requestId,
              caller: session.caller,
              purpose: session.purpose,
              caseReference: session.caseReference,
              officer: session.officer,
              channel: 'GRAPHQL',
              operation: operationName ?? null,
              operationHash: queryHash ?? null,
              rootFields: operation && document ? rootFieldsOf(document, operation) : null,
              subjects: [...session.subjects.values()].map((s) => ({ subject: s.subject, outcome: s.denied ? 'DENIED' : outcome, disclosed: s.disclosed ?? null })),
              outcome,
            }, true);
          } catch (err) {
            const e = err as Error;
            (contextValue.logger ?? logger).error({ err: loggableError(e) }, 'audit append failed; response withheld');
            response.http.status = 503;
            response.body = {
              kind: 'single',
              singleResult: { errors: [{ message: 'The access could not be recorded, so nothing is returned', extensions: { code: 'INTERNAL_SERVER_ERROR', reason: 'AUDIT_UNAVAILABLE' } }] },
            };
          }
        },
      };
    },
  };
}
