/**
 * The root fields an audit row records (server/plugins.ts rootFieldsOf), cut to the 255 characters
 * access_log.root_fields holds: after the last whole field with `, …`, and a first field too long
 * alone within its name, never a list that begins with a comma.
 */
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { rootFieldsOf } from '../server/plugins';

function rootFields(source: string): string {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return rootFieldsOf(document, operation);
}

it('cuts a long list after its last whole field', () => {
  const names = Array.from({ length: 40 }, (_, i) => `field${String(i).padStart(2, '0')}`);
  const text = rootFields(`{ ${names.join(' ')} }`);
  expect(text.length).toBeLessThanOrEqual(255);
  expect(text.endsWith(', …')).toBe(true);
  const kept = text.slice(0, -3).split(', ');
  expect(kept).toEqual(names.slice(0, kept.length).map((n) => `Query.${n}`));
});

it('cuts a first field too long alone within its name, with no leading comma', () => {
  const name = `f${'a'.repeat(299)}`;
  const text = rootFields(`mutation { ${name} other }`);
  expect(text).toBe(`Mutation.${name}`.slice(0, 254) + '…');
  expect(text).toHaveLength(255);
});
