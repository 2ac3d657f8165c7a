import {
  type ASTNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  type GraphQLField,
  GraphQLList,
  type GraphQLNamedType,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export interface QueryLimits {
  /** Deepest field nesting allowed (introspection fields do not count). */
  maxDepth: number;
  /** Aliased fields per document. */
  maxAliases: number;
  /** Estimated fields resolved: each field counts 1, times the page sizes of the lists above it. */
  maxCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 30, maxCost: 5000 };

/** Page size assumed for a list or connection whose `first` is a variable or absent. */
const ASSUMED_PAGE_SIZE = { literalMissing: 20, variable: 100 } as const;

/** The error code a limit refusal carries (kept through Apollo's validation wrapper as `extensions.limit`). */
export type LimitCode = 'QUERY_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'QUERY_TOO_COMPLEX';

function refusal(context: ValidationContext, code: LimitCode, message: string, node: ASTNode): void {
  context.reportError(new GraphQLError(message, { nodes: [node], extensions: { code, limit: code } }));
}

/** Walks selection sets with fragments inlined; `visit` sees each field with its depth and multiplier. */
function walk(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  depth: number,
  multiplier: number,
  visit: (field: FieldNode, definition: GraphQLField<unknown, unknown> | undefined, depth: number, multiplier: number) => number | false,
  seen: Set<string>,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const fields = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields() : undefined;
      const definition = fields?.[selection.name.value];
      const childMultiplier = visit(selection, definition, depth, multiplier);
      if (childMultiplier === false || !selection.selectionSet) continue;
      walk(context, selection.selectionSet, definition ? getNamedType(definition.type) : undefined, depth + 1, childMultiplier, visit, seen);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const typeName = selection.typeCondition?.name.value;
      const type = typeName ? context.getSchema().getType(typeName) : parent;
      walk(context, selection.selectionSet, type ?? parent, depth, multiplier, visit, seen);
    } else {
      const name = selection.name.value;
      // A fragment spread twice on one path is measured once per spread, but never recursively.
      if (seen.has(name)) continue;
      const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(name);
      if (!fragment) continue;
      const type = context.getSchema().getType(fragment.typeCondition.name.value);
      walk(context, fragment.selectionSet, type ?? parent, depth, multiplier, visit, new Set([...seen, name]));
    }
  }
}

function rootType(schema: GraphQLSchema, operation: 'query' | 'mutation' | 'subscription'): GraphQLNamedType | undefined {
  return (operation === 'query' ? schema.getQueryType() : operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType()) ?? undefined;
}

/** How many items a field returns per parent: its `first` argument for lists and connections, else 1. */
function pageSizeOf(field: FieldNode, definition: GraphQLField<unknown, unknown> | undefined): number {
  // A connection's `first` is its page size; the edges list under it adds nothing.
  if (!definition || field.name.value === 'edges') return 1;
  const type = getNullableType(definition.type);
  const named = getNamedType(definition.type);
  const isList = type instanceof GraphQLList || (isCompositeType(named) && named.name.endsWith('Connection'));
  if (!isList) return 1;
  const first = field.arguments?.find((argument) => argument.name.value === 'first');
  if (!first) return ASSUMED_PAGE_SIZE.literalMissing;
  if (first.value.kind === Kind.INT) return Math.max(1, Number(first.value.value));
  return ASSUMED_PAGE_SIZE.variable;
}

/** Depth, alias and cost limits as graphql-js validation rules: refused before anything executes. */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const depthAndCost: ValidationRule = (context) => ({
    OperationDefinition(operation) {
      let deepest = 0;
      let cost = 0;
      walk(
        context,
        operation.selectionSet,
        rootType(context.getSchema(), operation.operation),
        1,
        1,
        (field, definition, depth, multiplier) => {
          if (field.name.value.startsWith('__')) return false;
          deepest = Math.max(deepest, depth);
          cost += multiplier;
          return multiplier * pageSizeOf(field, definition);
        },
        new Set(),
      );
      if (deepest > limits.maxDepth) {
        refusal(context, 'QUERY_TOO_DEEP', `the operation is ${deepest} levels deep; at most ${limits.maxDepth} are allowed`, operation);
      }
      if (cost > limits.maxCost) {
        refusal(context, 'QUERY_TOO_COMPLEX', `the operation could resolve about ${cost} fields; at most ${limits.maxCost} are allowed (ask for smaller pages)`, operation);
      }
      return false;
    },
  });
  const aliases: ValidationRule = (context) => {
    let count = 0;
    return {
      Field(field) {
        if (field.alias) count += 1;
      },
      Document: {
        leave(document) {
          if (count > limits.maxAliases) refusal(context, 'TOO_MANY_ALIASES', `the operation uses ${count} aliases; at most ${limits.maxAliases} are allowed`, document);
        },
      },
    };
  };
  return [depthAndCost, aliases];
}
