/**
 * The cost of an operation, estimated with its variables, before it runs.
 *
 * graphql-armor's cost limit runs as a validation rule, where variables are unknown: it multiplies
 * by a page size written in the document (`first: 500`) but counts `first: $n` as 1, so passing the
 * size as a variable bypassed the limit; and its refusal read "Syntax Error". This one runs once
 * the operation is resolved, with the request's variables (defaults included), and refuses with
 * BAD_USER_INPUT, reason QUERY_TOO_COSTLY.
 *
 * It reads the variables as sent, their JSON shape, and does not coerce them: execution coerces
 * them once, and coercing them here as well cost as much again (30 ms of CPU for an aidReport of
 * 1,000 records, `npx tsx bench/query-cost.ts`). The cost reads only page sizes and list lengths,
 * which coercion does not change (a single value where a list is declared counts as the list of
 * one execution makes of it); a page size given by a variable that is not an Int is left to
 * execution, which refuses it, as are other variables that do not coerce.
 *
 * The weights are armor's, so limits configured for it keep their meaning: a scalar costs 1, an
 * object 2 plus 1.5 × each child; a field's cost is multiplied by its page size (`first`/`last`,
 * with the schema's default when omitted), by the length of an `ids` list, or by the number of
 * `representations` a federation router's `_entities` asks for (each is one entity resolved, so
 * 1,000 of them cost as 1,000 look-ups, not one).
 *
 * Beyond armor: a list without a page size (a household's `members`, a case's `meetings`) is
 * multiplied by an assumed size (UNSIZED_LIST_SIZE), so nesting lists costs what it multiplies;
 * armor counted each once. Every item of a list in a field's other arguments, at any depth of its
 * input (`aidReport(input: { records: [...] })`), adds INPUT_ITEM_COST whatever the field selects,
 * so a write's cost follows what it writes and cannot be lowered by selecting less. Aliases repeat
 * it: aidReport sent 20 times in one document with 1,000 records each costs 20 × 1,000 items. A
 * household's or a person's live `findings` add LIVE_FINDINGS_COST each, for the department reads
 * they make whatever they select.
 */
import type http from 'node:http';
import { finished } from 'node:stream';
import { DEPARTMENT_CODES } from '../domain/departments';
import { MAX_REPORT_BATCH } from '../domain/reported-aid/validate';
import type { HubPlugin } from './plugins';
import {
  BREAK,
  getNamedType,
  GraphQLError,
  isCompositeType,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  Kind,
  typeFromAST,
  type FieldNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type DocumentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  visit,
} from 'graphql';

const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_FACTOR = 1.5;
/** A fragment spread again inside itself (validation refuses cycles; this only bounds the walk). */
const RECURSION_COST = 1000;
/**
 * Each item of an input list (a reported record, a decision, a delivery id): a record written is
 * checked against the household's aid and written in a transaction, work of the order of twenty
 * fields read. At the default limit (100,000) one document carries at most five full batches of
 * aidReport's 1,000 records, however they are split over aliases.
 */
export const INPUT_ITEM_COST = 20;
/**
 * What a household's or a person's live `findings` cost beyond what they select, per household or
 * person asked about: to compute them the hub reads every department (aid, hospital settlements,
 * certificates, the student roll, the monitored roll) and its own spells and approvals for the
 * household's people, then runs every rule. That work follows the number of people asked about, not
 * the fields selected, and a page of them is read at once: `householdsInRegion(first: 480)` asking
 * for findings, about 1,500 people and IN lists of 4,600 ID-number forms per department statement,
 * took about 1 s of the hub's CPU and some 0.5 s of the departments' (most of theirs planning those
 * lists), 3 to 7 s on a loaded machine, where departments answering late were reported unavailable
 * (docs/performance.md, Session 32). With this charge such a page is refused before anything runs:
 * at the default limit (100,000) `householdsInRegion` computes findings for at most 185 households
 * a request, `households(ids:)` for at most 420.
 */
export const LIVE_FINDINGS_COST = 120;
/** The fields computing findings at request time (resolvers/findings/live.ts), by parent type; Scan.findings reads stored ones. */
const LIVE_FINDINGS_PARENTS = new Set(['Household', 'Person']);

/**
 * The root fields that name households or persons, each naming as many as its size: `households`'
 * `ids`, `householdsInRegion`'s page, a router's `_entities` representations (households), one for
 * `household`, `householdByMember`, `person` and `socialAssistanceStanding` (a legal-aid office's
 * question about one applicant). Each one named is read from the hub and, for what it
 * selects, from every department, and put on the audit trail: 10 aliases of `households(ids:)` with
 * 500 ids each cost 15,000 selecting `id`, far within the limit, and read 5,000 households, wrote
 * 5,000 audit rows and, selecting `aidSummary`, held the hub 13 to 18 s, other clients' answers
 * with it (docs/performance.md, Session 39, households per operation). Their sum over the
 * operation's root fields and aliases is bounded by MAX_HOUSEHOLDS_PER_OPERATION. Households and
 * persons reached through another answer (a case's household, a household's members) are not
 * counted: the field that names them is (a page of cases is bounded by its cost).
 */
const NAMING_TYPES = new Set(['Household', 'Person', 'HouseholdConnection', '_Entity', 'SocialAssistanceStanding']);

/** Arguments whose length multiplies the field's selection instead (see operationCost). */
const MULTIPLYING_LISTS = new Set(['ids', 'representations']);

function isObjectLike(type: unknown): type is { getFields(): Record<string, import('graphql').GraphQLField<unknown, unknown>> } {
  return typeof (type as { getFields?: unknown })?.getFields === 'function';
}

/** A 32-bit integer, as graphql-js's Int accepts from JSON. */
function isGraphQLInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;
}

/**
 * An argument's value as the request wrote it: literals as written, variables as sent (the JSON
 * shape, not coerced: lists keep their lengths, which is all the cost reads), a variable's or the
 * argument's default where none was given. Variables are coerced once, by execution.
 */
function rawValue(node: ValueNode, variables: ReadonlyMap<string, unknown>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables.get(node.name.value);
    case Kind.LIST:
      return node.values.map((v) => rawValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, rawValue(f.value, variables)]));
    case Kind.INT:
      return Number(node.value);
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    default:
      return node.value;
  }
}

/**
 * The items of every list in an argument value of `type`, at any depth, read by the type: a single
 * value where a list is declared counts as the list of one execution makes of it; keys the input
 * type does not define count nothing (execution refuses them before anything runs).
 */
function inputListItems(value: unknown, type: GraphQLInputType): number {
  if (value === null || value === undefined) return 0;
  if (isNonNullType(type)) return inputListItems(value, type.ofType);
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    let n = items.length;
    for (const item of items) n += inputListItems(item, type.ofType);
    return n;
  }
  if (!isInputObjectType(type) || typeof value !== 'object' || Array.isArray(value)) return 0;
  let n = 0;
  for (const field of Object.values(type.getFields())) {
    const v = Object.hasOwn(value, field.name) ? (value as Record<string, unknown>)[field.name] : undefined;
    n += inputListItems(v === undefined ? field.defaultValue : v, field.type);
  }
  return n;
}

/**
 * What a list without a page size is counted as: an assumed size, not a maximum. Nothing in the
 * schema stops a household's aid, a case's history or a finding's records from growing, and
 * counting each such list once made `households(ids:) { members { person { aid { … } findings {
 * records { … } } } } }` cheap on paper, each level of nesting multiplying the work but not the
 * cost. Five, about what one household's members, a case's meetings or a finding's records are; a
 * list of departments counts as many as there are (DEPARTMENT_CODES), which is its bound. A longer
 * list is still read whole: what the assumption bounds is nesting, which multiplies it.
 */
export const UNSIZED_LIST_SIZE = 5;
/** A page whose size was left out and has no default in the schema: the resolvers' default (50, 20 for monthlyComparisons). */
export const OMITTED_PAGE_SIZE = 50;

function isListField(type: GraphQLOutputType): boolean {
  return isNonNullType(type) ? isListField(type.ofType) : isListType(type);
}

/**
 * How many times a field's selection is counted: its page size (`first`/`last`), the length of its
 * `ids` or `representations`; a page-sized field given no size and having no default, the resolvers'
 * default; a list given no size, UNSIZED_LIST_SIZE. A connection's `edges` are its page, counted at
 * the connection's field, so once; a list of departments, how many there are. Null when a size given by a variable is not an Int (execution refuses it).
 */
function selectionMultiplier(parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, largestPage: number): number | null {
  let sized = false;
  let size = 1;
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value === undefined || value === null) continue;
    if (!isGraphQLInt(value)) return null;
    sized = true;
    // A page over the largest is refused by its field (OUT_OF_RANGE, with min and max) before it reads anything.
    size = Math.max(size, Math.min(value, largestPage));
  }
  for (const name of MULTIPLYING_LISTS) {
    const value = args[name];
    if (value === undefined || value === null) continue;
    sized = true;
    size = Math.max(size, Array.isArray(value) ? value.length : 1);
  }
  if (sized) return size;
  if (field.args.some((a) => a.name === 'first' || a.name === 'last')) return OMITTED_PAGE_SIZE;
  if (!isListField(field.type)) return 1;
  if (field.name === 'edges' && parent.name.endsWith('Connection')) return 1;
  if (getNamedType(field.type).name === 'Department') return DEPARTMENT_CODES.length;
  return UNSIZED_LIST_SIZE;
}

/** The estimated cost, or null when a page size given by a variable is not an Int (execution will refuse it itself). */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  rawVariables: Record<string, unknown> | undefined,
  counted?: { inputItems: number; households?: number },
  liveFindingsCost = LIVE_FINDINGS_COST,
  largestPage = Number.POSITIVE_INFINITY,
): number | null {
  // A map, not an object: a variable named `constructor` or `toString` that was not sent is absent,
  // not Object.prototype's (which is no Int, and would have skipped the estimate).
  const variables = new Map(Object.entries(rawVariables ?? {}));
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (variables.get(name) === undefined && def.defaultValue) variables.set(name, rawValue(def.defaultValue, new Map()));
  }
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!root) return 0;
  const visiting = new Set<string>();
  // Each fragment's cost, once: a fragment spread twice, whose fragment spreads the next twice, …
  // is a walk that doubles with every fragment (forty of them, in 400 tokens, held the event loop
  // for days), though the sum it finds is simply twice the next fragment's. A fragment's cost
  // depends only on its own selection, the variables and whether it sits at the root.
  const fragmentCosts = new Map<string, number>();
  let refused = false;

  const argumentsOf = (field: GraphQLField<unknown, unknown>, sel: FieldNode): Record<string, unknown> => {
    const args: Record<string, unknown> = {};
    for (const arg of field.args) {
      const node = sel.arguments?.find((a) => a.name.value === arg.name);
      const value = node ? rawValue(node.value, variables) : undefined;
      // An explicit null takes the default too: the resolvers read a null page size as their default.
      args[arg.name] = value === undefined || value === null ? (arg.defaultValue ?? value) : value;
    }
    return args;
  };

  const selectionCost = (set: SelectionSetNode, parent: GraphQLCompositeType, topLevel: boolean): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        if (name.startsWith('__')) continue; // introspection and __typename: free, as in armor
        const field = isObjectLike(parent) ? parent.getFields()[name] : undefined;
        if (!field) continue; // validation has refused unknown fields already
        const child = getNamedType(field.type);
        const args = field.args.length > 0 ? argumentsOf(field, sel) : {};
        let cost = SCALAR_COST;
        if (sel.selectionSet && isCompositeType(child)) {
          const size = selectionMultiplier(parent, field, args, largestPage);
          if (size === null) {
            refused = true;
            return 0;
          }
          cost = (OBJECT_COST + selectionCost(sel.selectionSet, child, false)) * size;
        }
        if (topLevel && counted?.households !== undefined && NAMING_TYPES.has(child.name)) {
          const named = selectionMultiplier(parent, field, args, largestPage);
          if (named === null) {
            refused = true;
            return 0;
          }
          // A list over the largest is refused by its field (LIST_TOO_LONG, with its max) before it reads anything, as a page over it is.
          counted.households += Math.min(named, largestPage);
        }
        if (name === 'findings' && LIVE_FINDINGS_PARENTS.has(parent.name)) cost += liveFindingsCost;
        for (const arg of field.args) {
          if (MULTIPLYING_LISTS.has(arg.name)) continue;
          const items = inputListItems(args[arg.name], arg.type);
          if (counted) counted.inputItems += items;
          cost += INPUT_ITEM_COST * items;
        }
        total += topLevel ? cost : DEPTH_FACTOR * cost;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType | undefined) : parent;
        if (type) total += selectionCost(sel.selectionSet, type, topLevel);
      } else {
        const name = sel.name.value;
        const fragment = fragments[name];
        if (!fragment) continue;
        if (visiting.has(name)) {
          total += RECURSION_COST;
          continue;
        }
        const type = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
        if (!type) continue;
        const key = `${topLevel ? 'root' : 'nested'} ${name}`;
        let fragmentCost = fragmentCosts.get(key);
        if (fragmentCost === undefined) {
          visiting.add(name);
          fragmentCost = selectionCost(fragment.selectionSet, type, topLevel);
          visiting.delete(name);
          fragmentCosts.set(key, fragmentCost);
        }
        total += fragmentCost;
      }
    }
    return total;
  };
  const cost = selectionCost(operation.selectionSet, root, true);
  return refused ? null : cost;
}

/**
 * The largest page size with which a refused operation fits `maxCost`: every page of it
 * (`first`/`last`) held to that size, as operationCost costs a page over `largestPage`. Null where
 * no page size makes it fit (its cost comes from an `ids` list, input items or a selection too
 * costly for a page of one). A refusal that said only "ask for fewer fields or smaller pages" left a
 * sync to find its page by trial: a county's households with their members and aid fit pages of
 * about 100, not the 500 a page may hold (docs/integration.md). The cost grows with the page size,
 * so a binary search finds it in at most log2(largestPage) walks, each bounded as the first was
 * (fragments costed once).
 */
export function largestFittingPage(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  rawVariables: Record<string, unknown> | undefined,
  maxCost: number,
  largestPage: number,
): number | null {
  const fits = (page: number) => {
    const cost = operationCost(schema, operation, fragments, rawVariables, undefined, LIVE_FINDINGS_COST, page);
    return cost !== null && Math.ceil(cost) <= maxCost;
  };
  if (!fits(1)) return null;
  let low = 1;
  let high = Number.isFinite(largestPage) ? largestPage : 2_147_483_647;
  if (fits(high)) return null;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle;
  }
  return low;
}

/** The arguments that scale a field's cost (see operationCost). */
const SIZE_ARGUMENTS = new Set(['first', 'last', 'ids', 'representations']);

function mentionsVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(mentionsVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((f) => mentionsVariable(f.value));
  return false;
}

/** Whether a type can hold a list: a list itself, or an input object with one in a field at any depth. */
function holdsList(type: GraphQLInputType, seen = new Set<string>()): boolean {
  if (isNonNullType(type)) return holdsList(type.ofType, seen);
  if (isListType(type)) return true;
  if (!isInputObjectType(type) || seen.has(type.name)) return false;
  seen.add(type.name);
  return Object.values(type.getFields()).some((f) => holdsList(f.type, seen));
}

/**
 * Whether the operation's cost varies with its variables: a page size or `ids` list anywhere in
 * the document given by a variable, or a variable that can hold a list (its items are costed).
 */
function costVariesWithVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, document: DocumentNode): boolean {
  const listVariable = (operation.variableDefinitions ?? []).some((def) => {
    const type = typeFromAST(schema, def.type);
    return type !== undefined && isInputType(type) && holdsList(type);
  });
  return listVariable || sizedByVariables(document);
}

/** Whether a page size or `ids` list anywhere in the document is given by a variable. */
function sizedByVariables(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      if (SIZE_ARGUMENTS.has(node.name.value) && mentionsVariable(node.value)) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * The cost of each client's operations running now in this process, its findings exports among
 * them (RouteBudget). A client may run any one operation within the per-query limit; a second
 * while the first still runs is refused once the two together pass `max` (MAX_QUERY_COST_IN_FLIGHT). Per process, like the work it bounds (its
 * event loop, its connection pools): behind several replicas a client may have this much in flight
 * on each, as the per-minute limit's insurance does while Redis is away. Costs are rounded up to
 * whole units so what is taken is given back exactly.
 */
export class CostInFlight {
  private readonly held = new Map<string, number>();
  constructor(readonly max: number) {}

  /** Takes `cost` for `client`, or answers what it already holds when that and `cost` together pass the limit. */
  take(client: string, cost: number): { ok: true } | { ok: false; inFlight: number } {
    const now = this.held.get(client) ?? 0;
    if (now > 0 && now + cost > this.max) return { ok: false, inFlight: now };
    this.held.set(client, now + cost);
    return { ok: true };
  }

  release(client: string, cost: number): void {
    const left = (this.held.get(client) ?? 0) - cost;
    if (left > 0) this.held.set(client, left);
    else this.held.delete(client);
  }

  /** What a client holds now (0 for none); clients holding nothing are not kept. */
  inFlight(client: string): number {
    return this.held.get(client) ?? 0;
  }

  /** Clients with an operation running. */
  get clients(): number {
    return this.held.size;
  }
}

/**
 * A client's HTTP routes that do a query's work per request, in the same budget as its GraphQL
 * operations: the findings export (GET /exports/scans/:id/findings.csv) and the meeting brief
 * (GET /cases/:id/brief) each take `cost` of the process's CostInFlight for as long as they run
 * (takeRouteCost). Without it one client could open dozens of whole-county exports at once, each
 * reading, auditing and writing a page of 500 findings after another, or dozens of briefs, each
 * reading a case's whole dossier from the hub and every department, past every cost limit (only the
 * per-minute one applied).
 */
export interface RouteBudget {
  inFlight: CostInFlight;
  /**
   * What one request takes: the costliest operation a client may send (MAX_QUERY_COST). An export
   * reads its scan a full page at a time for as long as it runs; a brief reads what a `case(id:)`
   * selecting its whole dossier would (the household's people at every department, its other cases,
   * the meetings and slips), in an amount its parameters do not tell before it is read.
   */
  cost: number;
  /** Told of every refusal (the metrics count them as GraphQL's). */
  onRefused?: () => void;
}

/** The cost in flight a route's request took: `release` says its handler has ended. */
export interface RouteCostTaken {
  release(): void;
}

/**
 * Takes a route's cost of the client's cost in flight for one request (RouteBudget), once its
 * parameters are read and before any statement or audit row. One that would pass the limit is
 * refused 429 RATE_LIMITED, reason QUERY_COST_IN_FLIGHT, with Retry-After: 1 (set here, the body
 * sent by `refuse`, as the route sends its other refusals), and null is answered. The cost is given
 * back, once, when both the handler has called `release` (the answer sent, an error, a refusal such
 * as 404 after it was taken) and the response has ended: sent whole, or its connection gone. So a
 * client that goes away mid-work holds it until the work stops, and one that reads nothing holds
 * it while the answer waits in the hub's memory. Without a budget or a client (the access layer off)
 * nothing is taken.
 */
export function takeRouteCost(
  budget: RouteBudget | null | undefined,
  clientId: string | number | null | undefined,
  res: http.ServerResponse,
  refuse: (message: string, extensions: { cost: number; inFlight: number; maxCostInFlight: number }) => void,
): RouteCostTaken | null {
  if (!budget || clientId === undefined || clientId === null) return { release: () => {} };
  const client = String(clientId);
  const { inFlight, cost } = budget;
  const took = inFlight.take(client, cost);
  if (!took.ok) {
    budget.onRefused?.();
    res.setHeader('Retry-After', '1');
    refuse(costInFlightMessage(took.inFlight, cost, inFlight.max), { cost, inFlight: took.inFlight, maxCostInFlight: inFlight.max });
    return null;
  }
  let ends = 2;
  const ended = () => {
    ends -= 1;
    if (ends === 0) inFlight.release(client, cost);
  };
  // Finished or closed (a premature close is an error here, and an end all the same).
  finished(res, () => ended());
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      ended();
    },
  };
}

/** The refusal's message, for an operation, an export or a brief: what the client holds (its queries, exports and briefs), what this one takes, the limit. */
export function costInFlightMessage(inFlight: number, cost: number, max: number): string {
  return `This client's queries, exports and briefs running now cost ${costText(inFlight)}; with this one (${costText(cost)}) they would pass this hub's limit of ${costText(max)} at once: wait for them to finish, or send fewer at a time`;
}

/**
 * The same refusal in Chinese, for the meeting brief (GET /cases/:id/brief), whose every other
 * refusal is a Chinese page: its 429 was the one English line on it. Costs as costText groups them.
 */
export function costInFlightMessageZh(inFlight: number, cost: number, max: number): string {
  const zh = (n: number) => (n < COST_WRITTEN_UP_TO ? grouped.format(n) : `超过 ${grouped.format(COST_WRITTEN_UP_TO)}`);
  return `本客户端正在运行的查询、导出和会议材料的开销合计 ${zh(inFlight)}，加上本次（${zh(cost)}）将超过本平台同时运行的上限 ${zh(max)}：请等前面的完成后再试，或减少同时发送的请求`;
}

export interface QueryCostLimits {
  maxCost: number;
  /** Per client, of its operations running at once in this process; absent: no such limit. */
  maxCostInFlight?: number;
  /** Told of every refusal for cost in flight (the metrics count them). */
  onCostInFlightRefused?: () => void;
  /**
   * The largest page any field serves (`first`/`last`): a larger one is costed as this, since its
   * field refuses it (OUT_OF_RANGE, with both bounds) before reading anything. Costed as asked, a
   * `first: 2000` was refused QUERY_TOO_COSTLY, "ask for fewer fields or smaller pages", where the
   * same page of 500 was served: the caller was not told the page's bound. Absent: no bound.
   */
  largestPage?: number;
  /**
   * The households and persons one operation may name over all its root fields and aliases
   * (NAMING_TYPES; MAX_HOUSEHOLDS_PER_OPERATION); absent: no such limit.
   */
  maxHouseholds?: number;
}

/** The document's fragments by name. */
function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const found: Record<string, FragmentDefinitionNode> = {};
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) found[def.name.value] = def;
  return found;
}

/** The largest cost a refusal's message writes out: past it, `more than` this (costText). */
export const COST_WRITTEN_UP_TO = 1e15;
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * A cost as a refusal's message writes it: in groups of three (`154,484,604,857`), as the docs write
 * the limit. In plain digits a cost of 12 digits or more was withheld from the message as a possible
 * ID number (access/redact.ts), and the caller read "estimated cost is (withheld)". From
 * COST_WRITTEN_UP_TO on it is `more than 1,000,000,000,000,000`: six groups or more hold 18 digits,
 * which may spell a valid ID number and be masked. `extensions.cost` carries the exact number.
 */
export function costText(cost: number): string {
  return cost < COST_WRITTEN_UP_TO ? grouped.format(cost) : `more than ${grouped.format(COST_WRITTEN_UP_TO)}`;
}

/**
 * Refuses an operation whose estimated cost is above `maxCost`, before anything runs, and one that
 * would take its client's operations running at once past `maxCostInFlight` (RATE_LIMITED, reason
 * QUERY_COST_IN_FLIGHT, HTTP 429 with Retry-After: one expensive query each is served, a burst of
 * them sent at once is not, however many per-minute requests the client has left).
 *
 * Apollo keeps each parsed document, so the same query text brings the same operation node. When
 * no page size or `ids` list in it is a variable and no variable can hold a list, its cost is the
 * same for every request: once
 * found within the limit it is remembered for that node, and later requests skip the walk. A cost
 * above the limit is never remembered (such a request is refused, or, with a page size given by a
 * variable that is not an Int, left to execution's own error, as before).
 */
export function queryCostPlugin(limits: QueryCostLimits, inFlight: CostInFlight | null = limits.maxCostInFlight ? new CostInFlight(limits.maxCostInFlight) : null): HubPlugin {
  const { maxCost } = limits;
  const largestPage = limits.largestPage ?? Number.POSITIVE_INFINITY;
  const maxHouseholds = limits.maxHouseholds ?? Number.POSITIVE_INFINITY;
  const withinLimit = new WeakMap<OperationDefinitionNode, { cost: number; households: number }>();
  return {
    requestDidStart() {
      let taken: { client: string; cost: number } | null = null;
      return {
        didResolveOperation({ schema, operation, document, request, contextValue }) {
          if (!operation) return;
          const known = withinLimit.get(operation);
          let cost = known?.cost ?? null;
          const counted = { inputItems: 0, households: known?.households ?? 0 };
          if (cost === null) {
            const estimate = operationCost(schema, operation, fragmentsOf(document), request.variables, counted, LIVE_FINDINGS_COST, largestPage);
            // A page size given by a variable that is not an Int: execution refuses it itself, before anything runs.
            if (estimate === null) return;
            cost = Math.ceil(estimate);
            if (cost <= maxCost && counted.households <= maxHouseholds && !costVariesWithVariables(schema, operation, document)) withinLimit.set(operation, { cost, households: counted.households });
          }
          if (cost > maxCost) {
            // A write of many input items (aidReport's records) is refused for their number, not for
            // what it selects: "fewer fields or smaller pages" sent its sender to change the wrong thing.
            const byItems = counted.inputItems * INPUT_ITEM_COST * 2 > cost;
            // Likewise a page of live findings: fewer fields would not make its department reads smaller.
            const byFindings = !byItems && (cost - (operationCost(schema, operation, fragmentsOf(document), request.variables, undefined, 0, largestPage) ?? cost)) * 2 > cost;
            // The page that fits, so a sync sets its page size once instead of halving it by trial.
            const maxFirst = byItems ? null : largestFittingPage(schema, operation, fragmentsOf(document), request.variables, maxCost, largestPage);
            const fitting = maxFirst === null ? '' : ` (with these fields a page of at most ${maxFirst} fits: maxFirst)`;
            const advice = byItems
              ? `it sends ${counted.inputItems} input items (${INPUT_ITEM_COST} each): send fewer at a time (a batch has its own limit too, aidReport's ${MAX_REPORT_BATCH} records)`
              : byFindings
                ? `findings are computed from every department's records of each household or person asked about (${LIVE_FINDINGS_COST} each): ask for the findings of fewer households at a time (a smaller page${fitting}), or run a region scan`
                : `ask for fewer fields or smaller pages${fitting}`;
            throw new GraphQLError(`The query's estimated cost is ${costText(cost)}, above this hub's limit of ${costText(maxCost)}: ${advice}`, {
              extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', cost, maxCost, inputItems: counted.inputItems, ...(maxFirst === null ? {} : { maxFirst }), http: { status: 400 } },
            });
          }
          if (counted.households > maxHouseholds) {
            // The cost's refusal, with what passed: a client that splits a costly query splits this one too.
            throw new GraphQLError(
              `The query names ${costText(counted.households)} households and persons over its fields and aliases, above this hub's limit of ${costText(maxHouseholds)} an operation: send them in several requests of at most ${costText(maxHouseholds)} (each household of households(ids:) or of a householdsInRegion page, each person or household asked for by itself, counts one)`,
              { extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', cost, maxCost, inputItems: counted.inputItems, households: counted.households, maxHouseholds, http: { status: 400 } } },
            );
          }
          const clientId = contextValue.access?.caller?.clientId;
          if (!inFlight || clientId === undefined || clientId === null) return;
          const client = String(clientId);
          const took = inFlight.take(client, cost);
          if (!took.ok) {
            limits.onCostInFlightRefused?.();
            throw new GraphQLError(
              costInFlightMessage(took.inFlight, cost, inFlight.max),
              { extensions: { code: 'RATE_LIMITED', reason: 'QUERY_COST_IN_FLIGHT', cost, inFlight: took.inFlight, maxCostInFlight: inFlight.max, http: { status: 429, headers: new Map([['retry-after', '1']]) } } },
            );
          }
          taken = { client, cost };
          // A query whose client goes away gives its cost back at once, not when its reads end
          // (server/client-gone.ts): its client's retry is not refused for it.
          contextValue.loaders.reads.onAbandon({
            requestAbandoned() {
              if (!taken) return;
              inFlight.release(taken.client, taken.cost);
              taken = null;
            },
          });
        },
        willSendResponse() {
          if (!taken) return;
          inFlight!.release(taken.client, taken.cost);
          taken = null;
        },
      };
    },
  };
}
