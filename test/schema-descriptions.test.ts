/**
 * Introspection is off in production, so the descriptions in schema/*.graphql are an integrator's
 * documentation of the API: every type, field, argument, enum value, input field and directive the
 * hub serves has one. Built from the same SDL the hub loads (loadTypeDefs, as buildSchema does).
 */
import {
  buildASTSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  parse,
  type GraphQLSchema,
} from 'graphql';
import { loadTypeDefs } from '../resolvers/type-defs';

const blank = (d: string | null | undefined): boolean => !d || d.trim() === '';

/** Every element of the schema (other than GraphQL's own) that has no description, by its coordinate. */
export function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    if (blank(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (blank(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (blank(value.description)) missing.push(`${type.name}.${value.name}`);
    }
  }
  for (const directive of schema.getDirectives()) {
    if (isSpecifiedDirective(directive)) continue;
    if (blank(directive.description)) missing.push(`@${directive.name}`);
    for (const arg of directive.args) if (blank(arg.description)) missing.push(`@${directive.name}(${arg.name}:)`);
  }
  return missing.sort();
}

describe('schema descriptions', () => {
  const schema = buildASTSchema(parse(loadTypeDefs().join('\n')));

  it('describe every type, field, argument, enum value, input field and directive', () => {
    expect(undescribed(schema)).toEqual([]);
  });

  it('are checked: an undescribed field, argument and enum value are found', () => {
    const bare = buildASTSchema(parse('"q" type Query { "f" f(a: Int): E g: Int } "e" enum E { "x" X Y }'));
    expect(undescribed(bare)).toEqual(['E.Y', 'Query.f(a:)', 'Query.g']);
  });
});
