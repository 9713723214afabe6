/**
 * Applies access/policy.ts to an executable schema: every object field's resolver is wrapped, once,
 * when the schema is built (resolvers/index.ts). Resolvers themselves stay free of access checks.
 *
 * - Query/Mutation fields: the caller's roles and stated purpose are checked against ROOT_RULES;
 *   subjects named in arguments are recorded for the audit even when the call is refused; region
 *   arguments must lie in the caller's scope; each personal object returned gets a view (FULL in
 *   scope, LIMITED outside it for a duplicate check, otherwise refused).
 * - Fields of personal types: shown, masked or refused by their declared visibility in that view.
 * - Anything undeclared is closed (FORBIDDEN, NO_ACCESS_RULE).
 * - Every list argument anywhere is capped at `maxListSize` (BAD_USER_INPUT, LIST_TOO_LONG).
 */
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  responsePathAsArray,
  GraphQLError,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { checkIdNumber, maskIdNumber } from '../domain/id-number';
import { divisionLevel, divisionPrefix, isDivisionCode } from '../domain/division-code';
import { scrub } from '../domain/privacy';
import { HUB_ID } from '../domain/hub-id';
import { badInput, expectedError } from './errors';
import { checkCall, decideField, inScope, outOfScope, viewOf, type FieldDecision, type Refusal, type View } from './decide';
import { personRegion, ROOT_RULES, TYPE_RULES, type ArgumentKind, type ObjectRegion, type PersonalTypeRule, type ReadRule, type RootRule, type Subject, type Visibility } from './policy';
import { unknownRegion, type RegionRow } from '../db/household/loaders';
import type { AccessContext } from './context';
import { forbidden, unauthenticated, type AccessSession } from './session';

type Resolver = GraphQLFieldResolver<unknown, AccessContext>;

function isPromise<T>(v: unknown): v is Promise<T> {
  return typeof (v as { then?: unknown })?.then === 'function';
}

/**
 * A refused entry of a list, as graphql-js would locate it (locatedError: the field's nodes, the
 * entry's path, the refusal's message and extensions), built here and without a stack trace
 * (expectedError). graphql-js returns an error that has its path as it is; one without, it wraps in
 * a new GraphQLError, whose stack (captured, then formatted through tsx's source maps when the
 * wrapper takes the refusal's) cost each of 5,000 refused entries a formatting
 * (docs/performance.md, Session 38). Errors of other kinds, and those located already, pass as they are.
 */
type EntryError = (error: unknown, index: number) => unknown;

function entryErrors(info: Parameters<Resolver>[3]): EntryError {
  let fieldPath: (string | number)[] | null = null;
  return (error, index) => {
    if (!(error instanceof GraphQLError) || error.path !== undefined || error.nodes !== undefined || error.originalError !== undefined) return error;
    fieldPath ??= responsePathAsArray(info.path);
    return expectedError(error.message, { nodes: info.fieldNodes, path: [...fieldPath, index], extensions: error.extensions });
  };
}

/** Applies `fn` to each object a resolver returned, through promises and (nested) lists. */
function eachResult(value: unknown, fn: (obj: object) => unknown, located?: EntryError): unknown {
  if (isPromise(value)) return value.then((v) => eachResult(v, fn, located));
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      try {
        return eachResult(item, fn);
      } catch (err) {
        // One refused entry of a list becomes that entry's error, not the whole list's.
        return Promise.reject(located ? located(err, i) : err);
      }
    });
  }
  if (value === null || value === undefined || typeof value !== 'object') return value;
  return fn(value);
}

function mapScalars(value: unknown, fn: (s: string) => string): unknown {
  if (isPromise(value)) return value.then((v) => mapScalars(v, fn));
  if (Array.isArray(value)) return value.map((v) => mapScalars(v, fn));
  return typeof value === 'string' ? fn(value) : value;
}

const MASKS: Partial<Record<Visibility, (s: string) => string>> = {
  ID_NUMBER: maskIdNumber,
  REFERENCE: scrub,
};

// ----- Argument handling ---------------------------------------------------------------------------

function containsList(type: GraphQLInputType, seen = new Set<string>()): boolean {
  if (isNonNullType(type)) return containsList(type.ofType, seen);
  if (isListType(type)) return true;
  if (isInputObjectType(type)) {
    if (seen.has(type.name)) return false;
    seen.add(type.name);
    return Object.values(type.getFields()).some((f) => containsList(f.type, seen));
  }
  return false;
}

/** `boundByField`: list paths the field bounds itself (RootRule.listsBoundByField), left uncapped. */
function capArgs(args: Record<string, unknown>, max: number, boundByField: readonly string[] = []): void {
  for (const [name, value] of Object.entries(args)) capLists(value, name, max, boundByField);
}

function capLists(value: unknown, path: string, max: number, boundByField: readonly string[]): void {
  if (Array.isArray(value)) {
    if (value.length > max && !boundByField.includes(path)) throw badInput(path, 'LIST_TOO_LONG', `at most ${max} items in ${path}`, { max });
    value.forEach((v, i) => capLists(v, `${path}[${i}]`, max, boundByField));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) capLists(v, `${path}.${k}`, max, boundByField);
  }
}

/** Values at a path such as `idNumber`, `ids[]` or `input.members[].idNumber`. */
function valuesAt(value: unknown, path: string[]): unknown[] {
  if (value === null || value === undefined) return [];
  if (path.length === 0) return [value];
  const [head, ...rest] = path;
  const many = head.endsWith('[]');
  const key = many ? head.slice(0, -2) : head;
  const next = (value as Record<string, unknown>)[key];
  if (many) return Array.isArray(next) ? next.flatMap((v) => valuesAt(v, rest)) : [];
  return valuesAt(next, rest);
}

interface ArgumentFacts {
  subjects: Subject[];
  regions: string[];
}

/** A root rule's argument paths (RootRule.args), split once when the schema is wrapped. */
type ArgumentSpec = readonly (readonly [path: string[], kind: ArgumentKind])[];

function argumentSpec(spec: Record<string, ArgumentKind> | undefined): ArgumentSpec {
  return Object.entries(spec ?? {}).map(([path, kind]) => [path.split('.'), kind] as const);
}

/**
 * The arguments with each division code a rule names (a REGION argument) trimmed, as README's
 * Texts say of every single-line text, before the scope check reads them and the resolver is given
 * them: both see one value. Trimmed in the resolver alone, " 370826" was no division code to the
 * check, which let it past, and a division outside the scope to the resolver. A changed value goes
 * into a copy along its path: a variable's value may be shared by several fields.
 */
function trimmedRegions(spec: ArgumentSpec, args: Record<string, unknown>): Record<string, unknown> {
  let trimmed = args;
  for (const [path, kind] of spec) if (kind === 'REGION') trimmed = trimmedAt(trimmed, path) as Record<string, unknown>;
  return trimmed;
}

function trimmedAt(value: unknown, path: readonly string[]): unknown {
  if (path.length === 0) return typeof value === 'string' ? trimmedText(value) : value;
  if (value === null || typeof value !== 'object') return value;
  const [head, ...rest] = path;
  const many = head.endsWith('[]');
  const key = many ? head.slice(0, -2) : head;
  const next = (value as Record<string, unknown>)[key];
  let changed: unknown = next;
  if (!many) changed = trimmedAt(next, rest);
  else if (Array.isArray(next)) {
    const items = next.map((v) => trimmedAt(v, rest));
    if (items.some((v, i) => v !== next[i])) changed = items;
  }
  return changed === next ? value : { ...(value as Record<string, unknown>), [key]: changed };
}

/** The text without whitespace at either end; the same string when it has none (so no copy is made). */
function trimmedText(text: string): string {
  const trimmed = text.trim();
  return trimmed === text ? text : trimmed;
}

function argumentFacts(spec: ArgumentSpec, args: Record<string, unknown>): ArgumentFacts {
  const facts: ArgumentFacts = { subjects: [], regions: [] };
  for (const [path, kind] of spec) {
    for (const value of valuesAt(args, path)) {
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      const text = String(value);
      if (kind === 'PERSON_ID') {
        // Only a valid ID number names a subject; the resolver refuses the others as bad input.
        const check = checkIdNumber(text);
        if (check.ok) facts.subjects.push({ kind: 'PERSON', idNumber: check.idNumber });
      } else if (kind === 'HOUSEHOLD_ID') {
        if (HUB_ID.test(text)) facts.subjects.push({ kind: 'HOUSEHOLD', householdId: Number(text) });
      } else if (isDivisionCode(text)) {
        facts.regions.push(text);
      }
    }
  }
  return facts;
}

async function subjectRegion(subject: Subject, ctx: AccessContext): Promise<string | null> {
  if (subject.kind === 'PERSON') return personRegion(subject.idNumber, ctx);
  return (await ctx.loaders.hub.householdById.load(subject.householdId))?.regionCode ?? null;
}

/** The county (6-digit division) a region lies in, for the LIMITED view. */
async function countyOf(region: RegionRow | null, ctx: AccessContext): Promise<RegionRow | null> {
  if (!region || region.code.length <= 6) return region;
  const code = region.code.slice(0, 6);
  return (await ctx.loaders.hub.regionByCode.load(code)) ?? unknownRegion(code);
}

// ----- Views -------------------------------------------------------------------------------------------

function sessionOf(ctx: AccessContext): AccessSession {
  const session = ctx.access;
  if (!session?.caller) throw unauthenticated();
  return session;
}

/** The view of an object reached other than through a root field or a same-subject field. */
function computedView(rule: PersonalTypeRule, obj: object, ctx: AccessContext, session: AccessSession): View | Promise<View> {
  const known = session.views.get(obj);
  if (known !== undefined) return known;
  // A type without a region of its own is only ever seen through its parent's view.
  const region = rule.region ? rule.region(obj, ctx) : null;
  if (!isPromise<ObjectRegion>(region)) return settledView(region, rule, obj, session);
  const pending = region.then((r) => settledView(r, rule, obj, session));
  session.views.set(obj, pending);
  return pending;
}

// The functions below run for every request (or every object) and are module functions, not
// closures named inside their caller: under `npm start` tsx (esbuild's keepNames) defines the name
// of every named closure each time it is made (test/keep-names.test.ts).

function settledView(region: ObjectRegion, rule: PersonalTypeRule, obj: object, session: AccessSession): View {
  const view = rule.region && readable(rule, obj, session) ? viewOf(session.caller!, session.purpose, region) : 'NONE';
  session.views.set(obj, view);
  if (rule.subjects) session.record(rule.subjects(obj), view === 'NONE');
  return view;
}

/** Whether the caller may read this object at all, beyond its region (PersonalTypeRule.readableBy). */
function readable(rule: PersonalTypeRule, obj: object, session: AccessSession): boolean {
  return rule.readableBy === undefined || rule.readableBy.test(obj, session.caller!);
}

/** Gives the objects a same-subject field returned their parent's view (and records their subjects). */
function inheritView(value: unknown, view: View, rule: PersonalTypeRule | null, session: AccessSession): unknown {
  return eachResult(value, (obj) => {
    if (!session.views.has(obj)) {
      session.views.set(obj, view);
      if (rule?.subjects) session.record(rule.subjects(obj), false);
    }
    return obj;
  });
}

// ----- Wrappers ------------------------------------------------------------------------------------------

function closedField(what: string): Resolver {
  return (_source, _args, ctx) => {
    sessionOf(ctx);
    throw forbidden({ reason: 'NO_ACCESS_RULE', message: `${what} has no declared access rule, so it is closed` });
  };
}

async function argumentView(rule: RootRule, facts: ArgumentFacts, ctx: AccessContext, session: AccessSession): Promise<View> {
  const scope = session.caller!.regionScope;
  const regions = await Promise.all(facts.subjects.map((s) => subjectRegion(s, ctx)));
  // A missing household (no region) is the resolver's to answer when the rule says so and the caller could see any household.
  const missingAnswered = rule.missingHouseholdAnswered && regions.includes(null) && (await coversEveryHousehold(scope, ctx));
  if (regions.length > 0 && regions.every((r) => inScope(scope, r) || (r === null && missingAnswered))) return 'FULL';
  return viewOf(session.caller!, session.purpose, null, rule.outOfScope);
}

/**
 * Whether the scope is a province or a city and no household of the hub lies outside it
 * (RootRule.missingHouseholdAnswered). A county or township is never taken to cover them all.
 */
async function coversEveryHousehold(scope: string, ctx: AccessContext): Promise<boolean> {
  if (!isDivisionCode(scope) || !['PROVINCE', 'CITY'].includes(divisionLevel(scope))) return false;
  return !(await ctx.loaders.hub.householdOutsideDivision.load(divisionPrefix(scope)));
}

/** Whether the hub holds every subject named, each inside the scope (RootRule.notFoundOutOfScope). */
async function heldInScope(subjects: readonly Subject[], scope: string, ctx: AccessContext): Promise<boolean> {
  if (subjects.length === 0) return false;
  const held = await Promise.all(
    subjects.map(async (s) => {
      const found = s.kind === 'PERSON' ? await ctx.loaders.hub.personByIdNumber.load(s.idNumber) : await ctx.loaders.hub.householdById.load(s.householdId);
      return found !== null && inScope(scope, await subjectRegion(s, ctx));
    }),
  );
  return held.every(Boolean);
}

/** coversEveryHousehold, and for a look-up by ID number also every person the hub holds. */
async function coversEverySubject(scope: string, subjects: readonly Subject[], ctx: AccessContext): Promise<boolean> {
  if (!(await coversEveryHousehold(scope, ctx))) return false;
  return !subjects.some((s) => s.kind === 'PERSON') || !(await ctx.loaders.hub.personOutsideDivision.load(divisionPrefix(scope)));
}

/**
 * RootRule.notFoundOutOfScope: a null answer, or a null entry of a list, refused exactly as a
 * subject outside the scope is (same code, reason and message), unless that null tells the caller
 * nothing about what lies outside its scope.
 */
function notFoundRefused(result: unknown, what: string, rule: RootRule, facts: ArgumentFacts, ctx: AccessContext, session: AccessSession, located: EntryError): unknown {
  const caller = session.caller!;
  // Shown the LIMITED view outside its scope, the caller learns existence by design: null stays the answer.
  if (viewOf(caller, session.purpose, null, rule.outOfScope) !== 'NONE') return result;
  return Promise.resolve(result).then(async (value) => {
    if (Array.isArray(value)) {
      // An entry is null only for an id the hub does not hold: none is held in any scope.
      if (!value.some(missing) || (await coversEverySubject(caller.regionScope, facts.subjects, ctx))) return value;
      // Entries answer the ids in order (one subject each), so only a refused entry's subject is
      // audited as refused: the households served beside it were served.
      const one = value.length === facts.subjects.length;
      return value.map((v, i) => (missing(v) ? Promise.reject(located(notFound(one ? [facts.subjects[i]] : facts.subjects, what, session), i)) : v));
    }
    if (!missing(value)) return value;
    if ((await heldInScope(facts.subjects, caller.regionScope, ctx)) || (await coversEverySubject(caller.regionScope, facts.subjects, ctx))) return value;
    throw notFound(facts.subjects, what, session);
  });
}

function missing(v: unknown): boolean {
  return v === null || v === undefined;
}

/** A null answer refused as out of scope (notFoundRefused), its subjects audited as refused. */
function notFound(subjects: readonly Subject[], what: string, session: AccessSession): GraphQLError {
  session.record(subjects, true);
  return forbidden(outOfScope(what));
}

function rootField(what: string, rule: RootRule | undefined, resolve: Resolver, returns: PersonalTypeRule | null, capped: boolean): Resolver {
  const spec = argumentSpec(rule?.args);
  const trimsRegions = spec.some(([, kind]) => kind === 'REGION');
  return (source, given, ctx, info) => {
    const session = sessionOf(ctx);
    const caller = session.caller!;
    const args = trimsRegions ? trimmedRegions(spec, given) : given;
    const facts = argumentFacts(spec, args);
    const refusal = checkCall(rule, what, caller, session.purpose);
    if (refusal) {
      session.record(facts.subjects, true);
      throw forbidden(refusal);
    }
    const allowed = rule!;
    if (facts.regions.some((r) => !inScope(caller.regionScope, r))) {
      session.record(facts.subjects, true);
      throw forbidden(outOfScope(what));
    }
    if (capped) capArgs(args, ctx.config.maxListSize, allowed.listsBoundByField);

    // A field answered for the hub's whole area (RootRule.scope HUB) holds its subjects to no region scope.
    const needsArgumentRegions = allowed.scope !== 'HUB' && (allowed.argumentSubjectsInScope || allowed.viewFromArguments) && facts.subjects.length > 0;
    if (!needsArgumentRegions) return rootResult(null, what, allowed, resolve, returns, facts, session, source, args, ctx, info);
    return argumentView(allowed, facts, ctx, session).then((view) => {
      if (view === 'NONE' || (allowed.argumentSubjectsInScope && view !== 'FULL')) {
        session.record(facts.subjects, true);
        throw forbidden(outOfScope(what));
      }
      return rootResult(allowed.viewFromArguments ? view : null, what, allowed, resolve, returns, facts, session, source, args, ctx, info);
    });
  };
}

/** A root field's answer, its subjects audited, each object it returns given its view (`argView` when the arguments gave one). */
function rootResult(argView: View | null, what: string, allowed: RootRule, resolve: Resolver, returns: PersonalTypeRule | null, facts: ArgumentFacts, session: AccessSession, source: unknown, args: Record<string, unknown>, ctx: AccessContext, info: Parameters<Resolver>[3]): unknown {
  session.record(facts.subjects, false);
  let result = resolve(source, args, ctx, info);
  const located = entryErrors(info);
  if (allowed.notFoundOutOfScope) result = notFoundRefused(result, what, allowed, facts, ctx, session, located);
  if (!returns) return result;
  if (argView) return inheritView(result, argView, returns, session);
  if (allowed.outOfScope === 'OMIT') {
    // Lists only: what lies outside the scope is left out, not refused.
    return Promise.resolve(result).then(async (list) => {
      if (!Array.isArray(list)) return eachResult(list, (obj) => Promise.resolve(admit(obj, what, allowed, returns, ctx, session)).then((v) => (v === null ? null : obj)));
      const items = await Promise.all(list);
      const views = await Promise.all(items.map((obj) => (obj && typeof obj === 'object' ? admit(obj, what, allowed, returns, ctx, session) : null)));
      return items.filter((obj, i) => obj === null || obj === undefined || views[i] !== null);
    });
  }
  return eachResult(
    result,
    (obj) => {
      const view = admit(obj, what, allowed, returns, ctx, session);
      return isPromise(view) ? view.then((v) => (v === null ? null : obj)) : view === null ? null : obj;
    },
    located,
  );
}

/** The view of one object a root field returned, from its own region; null when it is to be left out. */
function admit(obj: object, what: string, allowed: RootRule, returns: PersonalTypeRule, ctx: AccessContext, session: AccessSession): View | null | Promise<View | null> {
  if (!returns.region) return admitted(null, obj, what, allowed, returns, session);
  const region = returns.region(obj, ctx);
  return isPromise<ObjectRegion>(region) ? region.then((r) => admitted(r, obj, what, allowed, returns, session)) : admitted(region, obj, what, allowed, returns, session);
}

function admitted(region: ObjectRegion, obj: object, what: string, allowed: RootRule, returns: PersonalTypeRule, session: AccessSession): View | null {
  const view = readable(returns, obj, session) ? viewOf(session.caller!, session.purpose, region, allowed.outOfScope) : 'NONE';
  if (view === 'NONE' && allowed.outOfScope === 'OMIT') return null;
  if (returns.subjects) session.record(returns.subjects(obj), view === 'NONE');
  // Out of reach reads as not found: a refusal would tell the caller the id exists.
  if (view === 'NONE' && allowed.outOfScope === 'HIDE') return null;
  if (view === 'NONE') throw forbidden(outOfScope(what));
  session.views.set(obj, view);
  return view;
}

/**
 * Each request decides each read rule once per thing it guards (a type, or a field with a narrower
 * rule): the rule is checked on every field of every personal object, and one rule guards several
 * types, whose refusals each name their own. The decisions are kept on the session
 * (AccessSession.readDecisions), by a slot each guarded thing is given as the schema is wrapped:
 * an index, where a map of the sessions and one by name cost two look-ups a field.
 */
const guardSlots = new Map<string, number>();

function guardSlot(guarded: string): number {
  let slot = guardSlots.get(guarded);
  if (slot === undefined) guardSlots.set(guarded, (slot = guardSlots.size));
  return slot;
}

function readRefusal(read: ReadRule, guarded: string, slot: number, session: AccessSession): Refusal | null {
  let refusal = session.readDecisions[slot];
  if (refusal === undefined) session.readDecisions[slot] = refusal = checkCall(read, guarded, session.caller!, session.purpose);
  return refusal;
}

/**
 * How a field of a visibility shows in a view is the same for every field of the request (the
 * caller and purpose are the request's), refusals aside, which name the field: decided once a
 * request for each visibility and view (AccessSession.fieldDecisions), by the slot below.
 */
const VISIBILITY_SLOT: Record<Visibility, number> = { ANY: 0, IN_SCOPE: 2, ID_NUMBER: 4, REFERENCE: 6, HEALTH: 8, REGION: 10 };

function fieldDecision(visibility: Visibility, slot: number, view: View, what: string, session: AccessSession): FieldDecision {
  // NONE refuses every field (naming it): never kept.
  if (view === 'NONE') return decideField(visibility, view, session.caller!, session.purpose, what);
  const at = view === 'FULL' ? slot : slot + 1;
  const known = session.fieldDecisions[at];
  if (known !== undefined) return known;
  const decision = decideField(visibility, view, session.caller!, session.purpose, what);
  if (decision.show !== 'REFUSED') session.fieldDecisions[at] = decision;
  return decision;
}

/** A personal field's value in the view its object has: shown, masked, coarsened or refused. */
function showField(
  view: View,
  what: string,
  visibility: Visibility,
  slot: number,
  ofObject: NonNullable<PersonalTypeRule['fieldsOfObject']>[string]['narrow'] | undefined,
  resolve: Resolver,
  inherits: { rule: PersonalTypeRule | null } | null,
  capped: boolean,
  session: AccessSession,
  source: unknown,
  args: Record<string, unknown>,
  ctx: AccessContext,
  info: Parameters<Resolver>[3],
): unknown {
  const decision = fieldDecision(visibility, slot, view, what, session);
  if (decision.show === 'REFUSED') throw forbidden(decision.refusal);
  const narrowed = ofObject?.(source, session.caller!);
  if (narrowed?.refused) throw forbidden({ reason: 'OTHER_DEPARTMENT_DATA', message: narrowed.refused });
  if (capped) capArgs(args, ctx.config.maxListSize);
  let result = resolve(source, args, ctx, info);
  const keep = narrowed?.keep;
  if (keep) result = Promise.resolve(result).then((list) => (Array.isArray(list) ? list.filter((v) => typeof v !== 'string' || keep(v)) : list));
  const mask = MASKS[visibility];
  if (decision.show === 'MASKED' && mask) result = mapScalars(result, mask);
  if (decision.show === 'COARSE') result = Promise.resolve(result).then((r) => countyOf(r as RegionRow | null, ctx));
  if (inherits) result = inheritView(result, view, inherits.rule, session);
  return result;
}

// Runs for every personal field of every object: no closure is made unless the object's view is
// still pending (a named closure per call also cost a property definition under tsx's keepNames).
function personalField(what: string, typeRule: PersonalTypeRule, fieldName: string, visibility: Visibility, read: ReadRule, guarded: string, resolve: Resolver, inherits: { rule: PersonalTypeRule | null } | null, capped: boolean): Resolver {
  const ofObject = typeRule.fieldsOfObject?.[fieldName]?.narrow;
  const healthOf = visibility === 'HEALTH' ? typeRule.healthOnlyFor?.[fieldName]?.test : undefined;
  const guard = guardSlot(guarded);
  const slot = VISIBILITY_SLOT[visibility];
  return (source, args, ctx, info) => {
    const session = sessionOf(ctx);
    // A field that is health detail only for some objects shows as IN_SCOPE for the others.
    const healthHere = !healthOf || healthOf(source, session.caller!);
    const shown: Visibility = healthHere ? visibility : 'IN_SCOPE';
    const shownSlot = healthHere ? slot : VISIBILITY_SLOT.IN_SCOPE;
    // However the object was reached, the caller must be one its type's data is read by.
    const refusal = readRefusal(read, guarded, guard, session);
    if (refusal) throw forbidden(refusal);
    const view = computedView(typeRule, source as object, ctx, session);
    if (isPromise<View>(view)) return view.then((v) => showField(v, what, shown, shownSlot, ofObject, resolve, inherits, capped, session, source, args, ctx, info));
    return showField(view, what, shown, shownSlot, ofObject, resolve, inherits, capped, session, source, args, ctx, info);
  };
}

function cappedField(resolve: Resolver): Resolver {
  return (source, args, ctx, info) => {
    capArgs(args, ctx.config.maxListSize);
    return resolve(source, args, ctx, info);
  };
}

/** The schema with every object field wrapped by the policy. */
export function applyAccessPolicy(schema: GraphQLSchema): GraphQLSchema {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t) => t).map((t) => t!.name));
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field: GraphQLFieldConfig<unknown, AccessContext>, fieldName: string, typeName: string) => {
      const what = `${typeName}.${fieldName}`;
      const resolve = (field.resolve ?? defaultFieldResolver) as Resolver;
      const capped = Object.values(field.args ?? {}).some((a) => containsList(a.type));
      const returnedRule = TYPE_RULES[getNamedType(field.type).name];
      const returnsPersonal = returnedRule?.kind === 'PERSONAL' ? returnedRule : null;

      if (roots.has(typeName)) return { ...field, resolve: rootField(what, ROOT_RULES[typeName]?.[fieldName], resolve, returnsPersonal, capped) };

      const typeRule = TYPE_RULES[typeName];
      if (!typeRule) return { ...field, resolve: closedField(what) };
      if (typeRule.kind === 'OPEN') return capped ? { ...field, resolve: cappedField(resolve) } : field;
      const visibility = typeRule.fields[fieldName];
      if (!visibility) return { ...field, resolve: closedField(what) };
      // A same-subject field passes this object's view on, whatever type it returns (unions included).
      const inherits = typeRule.sameSubject?.includes(fieldName) ? { rule: returnsPersonal } : null;
      const narrower = typeRule.fieldReadBy?.[fieldName];
      const guarded = narrower ? what : `data of type ${typeName}`;
      return { ...field, resolve: personalField(what, typeRule, fieldName, visibility, narrower ?? typeRule.readBy, guarded, resolve, inherits, capped) };
    },
  });
}
