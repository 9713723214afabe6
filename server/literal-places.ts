/**
 * Where in a document a literal value stands, told as a client names it: the argument and the place
 * inside it (`from`, `input.amountFen`, `records[1].grantDate`) and the field or directive that takes
 * it, or the variable whose default it is (`$d`, `$in.reportedAt`). A scalar of the hub's refusing a
 * literal (resolvers/scalars.ts) is reported by graphql-js's validation with that value's node only:
 * AST nodes have no parents, so the place is found by walking the request's document, once for all
 * of its refused literals, and only when some were refused.
 */
import { BREAK, Kind, visit, type ASTNode, type DocumentNode } from 'graphql';

export interface LiteralPlace {
  /** The argument and the place inside it; for a variable's default, `$name` and the place inside it. */
  argument: string;
  /** What the message names first: `Argument "from" of field "aid"`, `Variable "$d"`. */
  named: string;
}

/** The nodes from the document down to one, each with the key its parent holds it under (an index in a list). */
type Chain = ReadonlyArray<{ node: ASTNode; key: string | number | undefined }>;

/** The place of the chain's last node. */
function placeOf(chain: Chain): LiteralPlace | null {
  let holder: string | null = null;
  let variable: string | null = null;
  let argument: string | null = null;
  for (let i = 0; i < chain.length; i++) {
    const { node } = chain[i];
    switch (node.kind) {
      case Kind.FIELD:
        holder = `field "${node.name.value}"`;
        argument = null;
        variable = null;
        break;
      case Kind.DIRECTIVE:
        holder = `directive "@${node.name.value}"`;
        argument = null;
        variable = null;
        break;
      case Kind.VARIABLE_DEFINITION:
        variable = `$${node.variable.name.value}`;
        argument = variable;
        holder = null;
        break;
      case Kind.ARGUMENT:
        argument = node.name.value;
        break;
      case Kind.OBJECT_FIELD:
        if (argument !== null) argument += `.${node.name.value}`;
        break;
      case Kind.LIST:
        // The entry below it is held under its index.
        if (argument !== null && typeof chain[i + 1]?.key === 'number') argument += `[${chain[i + 1].key}]`;
        break;
      default:
        break;
    }
  }
  if (argument === null) return null;
  if (variable !== null) return { argument, named: `Variable "${argument}"` };
  return { argument, named: holder ? `Argument "${argument}" of ${holder}` : `Argument "${argument}"` };
}

/** The places of `literals` (value nodes of `document`, by identity); a node not found is left out. */
export function literalPlaces(document: DocumentNode, literals: ReadonlySet<ASTNode>): Map<ASTNode, LiteralPlace> {
  const places = new Map<ASTNode, LiteralPlace>();
  if (literals.size === 0) return places;
  const chain: Array<{ node: ASTNode; key: string | number | undefined }> = [];
  visit(document, {
    enter(node, key) {
      chain.push({ node, key });
      if (!literals.has(node)) return undefined;
      const place = placeOf(chain);
      if (place) places.set(node, place);
      if (places.size === literals.size) return BREAK;
      // A literal holds no other refused literal worth a place of its own: its value is refused whole.
      chain.pop();
      return false;
    },
    leave() {
      chain.pop();
    },
  });
  return places;
}
