import { createHash } from 'node:crypto';
import { type DocumentNode, type FragmentDefinitionNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { InvalidInputError } from '../errors/domain-error';

/** The HTTP header a client names a mutation's idempotency key in (Stripe's, and the IETF draft's). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Visible ASCII, 1 to 255 characters: a UUID, or whatever unique string the client keeps. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The key a request names, or null when it names none. A malformed key is refused rather than
 * ignored: a client that believes it is protected must hear that it is not.
 */
export function idempotencyKeyOf(headers: Record<string, string | string[] | undefined> | undefined): string | null {
  const value = headers?.[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return null;
  if (Array.isArray(value) || !KEY.test(value)) {
    throw new InvalidInputError('Idempotency-Key', 'send one header of 1 to 255 visible ASCII characters, e.g. a UUID');
  }
  return value;
}

/**
 * The "same input" test of a retry: the mutation's name and its arguments as GraphQL coerced them,
 * with object keys sorted and null taken as absent, so the spelling of a query does not matter.
 */
export function mutationFingerprint(operation: string, args: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify({ operation, args: canonical(args) }))
    .digest('hex');
}

function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .filter((key) => record[key] !== null && record[key] !== undefined)
      .sort()
      .map((key) => [key, canonical(record[key])]),
  );
}

/** The fragments a document defines, by name (what GraphQLResolveInfo.fragments holds). */
export function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

/** How many fields the root of an operation selects (fragments expanded, aliases counted apart). */
export function rootFieldCount(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): number {
  const keys = new Set<string>();
  const visited = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename') keys.add((selection.alias ?? selection.name).value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments[selection.name.value];
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return keys.size;
}

/** A keyed request must hold exactly one mutation, or a retry could not tell which outcome it asks for. */
export function assertOneKeyedMutation(count: number): void {
  if (count > 1) {
    throw new InvalidInputError('Idempotency-Key', `one key covers one mutation; this request has ${count}: send each with a key of its own`);
  }
}
