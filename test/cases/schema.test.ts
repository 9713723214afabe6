/** schema/cases.graphql: described throughout, and its error codes are exactly the domain's. */
import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, visit, type ASTNode } from 'graphql';
import { CASE_ERROR_CODES } from '../../domain/cases/errors';
import { DEADLINE_KINDS } from '../../domain/cases/deadlines';
import { CASE_STATES } from '../../domain/cases/state-machine';

const doc = parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'cases.graphql'), 'utf8'));

function enumValues(name: string): string[] {
  for (const d of doc.definitions) if (d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === name) return d.values!.map((v) => v.name.value);
  throw new Error(`no enum ${name}`);
}

describe('schema/cases.graphql', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    const missing: string[] = [];
    const described = new Set<string>([Kind.OBJECT_TYPE_DEFINITION, Kind.INPUT_OBJECT_TYPE_DEFINITION, Kind.ENUM_TYPE_DEFINITION, Kind.SCALAR_TYPE_DEFINITION, Kind.FIELD_DEFINITION, Kind.INPUT_VALUE_DEFINITION, Kind.ENUM_VALUE_DEFINITION]);
    visit(doc, {
      enter(node: ASTNode, _key, _parent, _path, ancestors) {
        if (!described.has(node.kind) || ('description' in node && node.description)) return;
        const names = [...(ancestors as ASTNode[]), node].filter((a): a is ASTNode & { name: { value: string } } => !!a && typeof a === 'object' && 'name' in a && !!a.name);
        missing.push(names.map((a) => a.name.value).join('.'));
      },
    });
    expect(missing).toEqual([]);
  });

  it('lists exactly the domain’s error codes, states and deadline kinds', () => {
    expect(enumValues('CaseErrorCode')).toEqual([...CASE_ERROR_CODES]);
    expect(enumValues('CaseState')).toEqual([...CASE_STATES]);
    expect(enumValues('DeadlineKind')).toEqual([...DEADLINE_KINDS]);
  });
});
