/**
 * graphql-js 16 builds every executed field's arguments (`getArgumentValues`) into an
 * `Object.create(null)` object and returns a spread copy of it. V8 keeps a null-prototype object in
 * dictionary mode, so the copy cannot take its fast clone path: each one goes through the runtime
 * (`CloneObjectIC_Slow`, `Runtime_CopyDataProperties`), about 1 k instructions, and a household
 * query executes some 144 fields, nearly all of them with no arguments at all
 * (docs/performance.md, sessions 28 and 30).
 *
 * For a field that declares no arguments the function can only return a new empty plain object
 * (it loops over the declared arguments only; an argument the field does not declare is refused by
 * validation before execution), so that is returned directly. Any field that declares arguments
 * goes to graphql-js's own function, unchanged. `execute` reads the function from the module's
 * exports at each call, so replacing the export is enough; a graphql-js whose export is not a plain
 * writable property is left alone.
 */
import { createRequire } from 'node:module';
import type { GraphQLField } from 'graphql';

const graphqlRequire = createRequire(require.resolve('graphql'));

type GetArgumentValues = (def: Pick<GraphQLField<unknown, unknown>, 'args'>, node: unknown, variableValues?: unknown) => Record<string, unknown>;

let installed = false;

/** Makes graphql-js's `getArgumentValues` return `{}` at once for a field with no arguments. Idempotent. */
export function shortcutArgumentlessFields(): void {
  if (installed) return;
  const values = graphqlRequire('./execution/values.js') as { getArgumentValues: GetArgumentValues };
  const own = Object.getOwnPropertyDescriptor(values, 'getArgumentValues');
  if (!own || !own.writable || typeof own.value !== 'function') return;
  const original = own.value as GetArgumentValues;
  values.getArgumentValues = function getArgumentValues(def, node, variableValues) {
    return def.args.length === 0 ? {} : original(def, node, variableValues);
  };
  installed = true;
}
