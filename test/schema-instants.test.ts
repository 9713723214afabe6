/** Every instant of the schema is one scalar, DateTime; a field named like an instant is one. */
import { buildASTSchema, getNamedType, isInputObjectType, isObjectType, parse, type GraphQLType } from 'graphql';
import { loadTypeDefs } from '../resolvers';

const schema = buildASTSchema(parse(loadTypeDefs().join('\n')));

function fieldsNamedAsInstants(): { field: string; type: string }[] {
  const found: { field: string; type: string }[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInputObjectType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.name === 'at' || /[a-z]At$/.test(field.name)) found.push({ field: `${type.name}.${field.name}`, type: String(getNamedType(field.type as GraphQLType)) });
    }
  }
  return found;
}

describe('instants', () => {
  it('are DateTime wherever a field is named as one (…At, at)', () => {
    const instants = fieldsNamedAsInstants();
    expect(instants.map((f) => f.field)).toEqual(expect.arrayContaining(['AccessLogEntry.at', 'FindingEvent.at', 'Scan.startedAt', 'Scan.finishedAt', 'Case.reportedAt']));
    expect(instants.filter((f) => f.type !== 'DateTime')).toEqual([]);
  });
});
