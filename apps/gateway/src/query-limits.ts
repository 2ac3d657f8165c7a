import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  getOperationAST,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  Lexer,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  Source,
  TokenKind,
  type ValueNode,
} from 'graphql';
import type { Logger } from 'pino';
import { DEFAULT_PAGE_SIZE, type ErrorCode } from '@offboarding/platform';

// Query limits computed in time linear in the document: the document is parsed with a token cap,
// its aliases and directives are counted once over the text, and depth and cost are measured with
// every fragment measured once (memoized), never inlined, so a fragment spread 2^22 times through
// a chain of fragments costs as much to measure as the chain's text. The checks run on the HTTP
// request before Apollo Server parses and validates it, so no document reaches graphql-js's
// standard validation rules (field merging is super-linear) or the query planner unchecked.

export interface QueryLimits {
  /** Lexical tokens in the document; the parser stops at this many. */
  maxTokens: number;
  /** Deepest field nesting allowed (introspection fields do not count). */
  maxDepth: number;
  /** Aliased fields per document. */
  maxAliases: number;
  /** Directives per document. */
  maxDirectives: number;
  /** Fragment spreads per document. */
  maxFragmentSpreads: number;
  /** Fields per document that repeat a response name in their own selection set. */
  maxRepeatedFields: number;
  /** Objects the operation may return; see `measureOperation`. */
  maxCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxTokens: 4000,
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 50,
  maxFragmentSpreads: 100,
  maxRepeatedFields: 30,
  maxCost: 5000,
};

/** Items a plain list (not a connection, no `first`) is assumed to hold: the default page size. */
export const ASSUMED_LIST_SIZE = DEFAULT_PAGE_SIZE;

/** The error codes a limit refusal carries. */
export type LimitCode = Extract<ErrorCode, 'QUERY_TOO_LARGE' | 'QUERY_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'QUERY_TOO_COMPLEX'>;

/** What an operation asks for, as the limits count it; returned to clients in `extensions.cost`. */
export interface QueryMeasure {
  /** Objects the operation may return (a connection page counts its `first`, a single object one, scalars nothing). */
  cost: number;
  /** Deepest field nesting. */
  depth: number;
}

/** A refusal: answered before validation with HTTP 400 and the measure that exceeded its limit. */
export class QueryLimitError extends GraphQLError {
  constructor(code: LimitCode, message: string, details: Record<string, number>) {
    super(message, { extensions: { code, ...details, http: { status: 400 } } });
  }
}

/** A selection set's cost per instance of its parent: `fixed`, plus `perItem` for each item of the connection page it sits in. */
interface SetMeasure {
  depth: number;
  fixed: number;
  perItem: number;
}

const EMPTY: SetMeasure = { depth: 0, fixed: 0, perItem: 0 };

function isConnection(type: GraphQLNamedType | undefined): boolean {
  return Boolean(type && isObjectType(type) && type.name.endsWith('Connection') && type.getFields().edges);
}

function isEdge(type: GraphQLNamedType | undefined): boolean {
  return Boolean(type && isObjectType(type) && type.name.endsWith('Edge') && type.getFields().node);
}

/** What the document's text holds, each node counted once (fragments are not expanded). */
export interface DocumentCounts {
  aliases: number;
  directives: number;
  fragmentSpreads: number;
  /** Fields that repeat a response name already selected in the same selection set (its inline fragments included). */
  repeatedFields: number;
}

/**
 * One pass over the document's text. Besides aliases and directives it counts what makes
 * graphql-js's field-merging validation expensive (every pair of same-named fields in a selection
 * set, every pair of fragments spread into one, is compared): fragment spreads, and fields that
 * repeat a name in their selection set.
 */
export function countDocument(document: DocumentNode): DocumentCounts {
  const counts: DocumentCounts = { aliases: 0, directives: 0, fragmentSpreads: 0, repeatedFields: 0 };
  const selectionSet = (set: SelectionSetNode): void => {
    const names = new Set<string>();
    const collect = (selections: SelectionSetNode): void => {
      for (const selection of selections.selections) {
        counts.directives += selection.directives?.length ?? 0;
        if (selection.kind === Kind.FIELD) {
          if (selection.alias) counts.aliases += 1;
          const name = (selection.alias ?? selection.name).value;
          if (names.has(name)) counts.repeatedFields += 1;
          else names.add(name);
          if (selection.selectionSet) selectionSet(selection.selectionSet);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          // Merged into the enclosing set's fields by validation and execution alike.
          collect(selection.selectionSet);
        } else counts.fragmentSpreads += 1;
      }
    };
    collect(set);
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
    counts.directives += definition.directives?.length ?? 0;
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      for (const variable of definition.variableDefinitions ?? []) counts.directives += variable.directives?.length ?? 0;
    }
    selectionSet(definition.selectionSet);
  }
  return counts;
}

/**
 * Depth and cost of one operation. Cost is the number of objects the operation may return: a
 * single object counts 1 per parent, a connection counts its page (`first`, from the literal or
 * the variable's value, else the default page of 20) for its edges and their nodes together,
 * its own object and `pageInfo` nothing, a plain list 20 items, scalars nothing; a selection
 * below a list counts once per item. Each fragment is measured once and reused wherever it is
 * spread, so the work is linear in the document however often fragments fan out.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> = {},
): { cost: number; depth: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
  }
  const measured = new Map<string, SetMeasure>();
  const inProgress = new Set<string>();

  const intValue = (value: ValueNode | undefined): number | null => {
    if (!value) return null;
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const given = variables[value.name.value];
      if (typeof given === 'number') return given;
      if (given === undefined) return intValue(defaults.get(value.name.value));
    }
    return null;
  };

  /** Items per parent of a list or connection field: its `first`, else the default page. */
  const pageOf = (field: FieldNode): number => {
    const first = intValue(field.arguments?.find((argument) => argument.name.value === 'first')?.value);
    return first === null ? ASSUMED_LIST_SIZE : Math.max(0, first);
  };

  const fragment = (name: string): SetMeasure => {
    const known = measured.get(name);
    if (known) return known;
    const definition = fragments.get(name);
    // A cycle or an unknown fragment: validation refuses both; measuring stops here.
    if (!definition || inProgress.has(name)) return EMPTY;
    inProgress.add(name);
    const result = selectionSet(definition.selectionSet, schema.getType(definition.typeCondition.name.value) ?? undefined);
    inProgress.delete(name);
    measured.set(name, result);
    return result;
  };

  const field = (node: FieldNode, parent: GraphQLNamedType | undefined): SetMeasure => {
    if (node.name.value.startsWith('__')) return EMPTY;
    const fields = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields() : undefined;
    const definition: GraphQLField<unknown, unknown> | undefined = fields?.[node.name.value];
    if (!node.selectionSet) return { depth: 1, fixed: 0, perItem: 0 };
    const type = definition ? getNamedType(definition.type) : undefined;
    const child = selectionSet(node.selectionSet, type);
    const depth = 1 + child.depth;
    // The wrappers of a connection: its edges are its page's items (counted per item by the
    // connection), a node is its edge's item, pageInfo comes with the page.
    if (isConnection(parent) && node.name.value === 'edges') return { depth, fixed: 0, perItem: 1 + child.fixed };
    if ((isEdge(parent) && node.name.value === 'node') || (isConnection(parent) && node.name.value === 'pageInfo')) {
      return { depth, fixed: child.fixed, perItem: 0 };
    }
    if (isConnection(type)) return { depth, fixed: child.fixed + pageOf(node) * child.perItem, perItem: 0 };
    if (definition && isListType(getNullableType(definition.type)) && isCompositeType(type)) {
      return { depth, fixed: pageOf(node) * (1 + child.fixed), perItem: 0 };
    }
    return { depth, fixed: 1 + child.fixed, perItem: 0 };
  };

  const selectionSet = (set: SelectionSetNode, parent: GraphQLNamedType | undefined): SetMeasure => {
    let depth = 0;
    let fixed = 0;
    let perItem = 0;
    for (const selection of set.selections) {
      let part: SetMeasure;
      if (selection.kind === Kind.FIELD) part = field(selection, parent);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : undefined;
        part = selectionSet(selection.selectionSet, condition ?? parent);
      } else part = fragment(selection.name.value);
      depth = Math.max(depth, part.depth);
      fixed += part.fixed;
      perItem += part.perItem;
    }
    return { depth, fixed, perItem };
  };

  const root = schema.getRootType(operation.operation);
  const result = selectionSet(operation.selectionSet, root ?? undefined);
  return { cost: result.fixed, depth: result.depth };
}

/** Refuses a document whose text exceeds a limit (aliases, directives, fragment spreads, repeated fields). */
export function checkDocumentLimits(document: DocumentNode, limits: QueryLimits): DocumentCounts {
  const counts = countDocument(document);
  const { aliases, directives, fragmentSpreads, repeatedFields } = counts;
  if (aliases > limits.maxAliases) {
    throw new QueryLimitError('TOO_MANY_ALIASES', `the operation uses ${aliases} aliases; at most ${limits.maxAliases} are allowed`, {
      aliases,
      maxAliases: limits.maxAliases,
    });
  }
  if (directives > limits.maxDirectives) {
    throw new QueryLimitError('QUERY_TOO_COMPLEX', `the document uses ${directives} directives; at most ${limits.maxDirectives} are allowed`, {
      directives,
      maxDirectives: limits.maxDirectives,
    });
  }
  if (fragmentSpreads > limits.maxFragmentSpreads) {
    throw new QueryLimitError(
      'QUERY_TOO_COMPLEX',
      `the document spreads fragments ${fragmentSpreads} times; at most ${limits.maxFragmentSpreads} are allowed`,
      { fragmentSpreads, maxFragmentSpreads: limits.maxFragmentSpreads },
    );
  }
  if (repeatedFields > limits.maxRepeatedFields) {
    throw new QueryLimitError(
      'QUERY_TOO_COMPLEX',
      `the document selects ${repeatedFields} fields again in the same selection set; at most ${limits.maxRepeatedFields} repeats are allowed`,
      { repeatedFields, maxRepeatedFields: limits.maxRepeatedFields },
    );
  }
  return counts;
}

/** Refuses the operation that will run when it is too deep or may return too many objects with these variables. */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | undefined,
  limits: QueryLimits,
): QueryMeasure {
  // Without one operation to run (none named, or an ambiguous name) execution refuses it anyway.
  const operation = getOperationAST(document, operationName);
  const { cost, depth } = operation ? measureOperation(schema, document, operation, variables) : { cost: 0, depth: 0 };
  if (depth > limits.maxDepth) {
    throw new QueryLimitError('QUERY_TOO_DEEP', `the operation is ${depth} levels deep; at most ${limits.maxDepth} are allowed`, {
      depth,
      maxDepth: limits.maxDepth,
    });
  }
  if (cost > limits.maxCost) {
    throw new QueryLimitError(
      'QUERY_TOO_COMPLEX',
      `the operation could return ${formatCost(cost)} objects; at most ${limits.maxCost} are allowed (ask for smaller pages)`,
      { cost: Math.min(cost, Number.MAX_SAFE_INTEGER), maxCost: limits.maxCost },
    );
  }
  return { cost, depth };
}

/** Every limit on a parsed document: its text first, then the operation that will run. */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | undefined,
  limits: QueryLimits,
): QueryMeasure {
  checkDocumentLimits(document, limits);
  return checkOperationLimits(schema, document, operationName, variables, limits);
}

function formatCost(cost: number): string {
  return cost > 1e15 ? 'more than 10^15' : String(cost);
}

/** Brackets (selection sets, argument lists, list and object values) a document may nest. */
export const MAX_NESTING = 64;
/** Longer documents (a large string argument) are parsed each time rather than kept. */
const MAX_REMEMBERED_LENGTH = 20_000;

/**
 * Parses with the token cap and checks the document's text, remembering the last (short)
 * documents that passed, by their text, so a page sent again is not parsed again here.
 */
export class DocumentLimits {
  private readonly passed = new Map<string, DocumentNode>();

  constructor(
    private readonly limits: QueryLimits,
    private readonly capacity = 500,
  ) {}

  /** The parsed document; QueryLimitError when a limit is exceeded, graphql's GraphQLError on a syntax error. */
  parse(query: string): DocumentNode {
    const known = this.passed.get(query);
    if (known) {
      // Most recently used last: Map keeps insertion order.
      this.passed.delete(query);
      this.passed.set(query, known);
      return known;
    }
    this.scan(query);
    const document = parse(query, { maxTokens: this.limits.maxTokens, noLocation: true });
    checkDocumentLimits(document, this.limits);
    if (query.length <= MAX_REMEMBERED_LENGTH) {
      this.passed.set(query, document);
      if (this.passed.size > this.capacity) this.passed.delete(this.passed.keys().next().value!);
    }
    return document;
  }

  /**
   * Counts tokens and bracket nesting with graphql's lexer, which is iterative: the parser is
   * recursive, and a document nested thousands of levels deep would exhaust its stack.
   */
  private scan(query: string): void {
    const lexer = new Lexer(new Source(query));
    let tokens = 0;
    let nesting = 0;
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens += 1;
      if (tokens > this.limits.maxTokens) {
        throw new QueryLimitError('QUERY_TOO_LARGE', `the document has more than ${this.limits.maxTokens} tokens; at most ${this.limits.maxTokens} are allowed`, {
          maxTokens: this.limits.maxTokens,
        });
      }
      if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.PAREN_L || token.kind === TokenKind.BRACKET_L) {
        nesting += 1;
        if (nesting > MAX_NESTING) {
          throw new QueryLimitError('QUERY_TOO_DEEP', `the document nests more than ${MAX_NESTING} levels of brackets`, { maxNesting: MAX_NESTING });
        }
      } else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.PAREN_R || token.kind === TokenKind.BRACKET_R) {
        nesting -= 1;
      }
    }
  }
}

/** The Apollo Server options that cap parsing: the parser stops at `maxTokens` tokens. */
export function parseOptions(limits: QueryLimits): { maxTokens: number } {
  return { maxTokens: limits.maxTokens };
}

/** The cap of a parse stopped by the token cap (graphql-js: "Document contains more that N tokens"), else null. */
export function tokenLimitOf(message: string): number | null {
  const match = /Document contains more (?:than|that) (\d+) tokens/.exec(message);
  return match ? Number(match[1]) : null;
}

/** What the limits measured for a request, on its GraphQL context. */
export interface QueryLimitsContext {
  queryMeasure?: QueryMeasure;
}

interface GraphQLRequestFields {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
}

function requestFields(req: Request): GraphQLRequestFields | null {
  const fields: unknown = req.method === 'GET' ? req.query : req.body;
  return fields && typeof fields === 'object' && !Array.isArray(fields) ? fields : null;
}

function variablesOf(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') {
    try {
      return variablesOf(JSON.parse(value) as unknown);
    } catch {
      return {};
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Checks every GraphQL request that carries a document before Apollo Server sees it: parsing
 * (with the token cap), the document's text and the operation's depth and cost, all linear in
 * the document; a refusal is answered here with 400 and the error's code. Requests without a
 * document (a persisted query's hash) and syntax errors are left to Apollo.
 */
export function queryLimitsMiddleware(schema: () => GraphQLSchema | null, limits: QueryLimits, logger: Logger) {
  const documents = new DocumentLimits(limits);
  return (req: Request, res: Response, next: NextFunction): void => {
    const fields = requestFields(req);
    const current = schema();
    if (!fields || typeof fields.query !== 'string' || !current) return next();
    try {
      const document = documents.parse(fields.query);
      const operationName = typeof fields.operationName === 'string' ? fields.operationName : undefined;
      res.locals.queryMeasure = checkOperationLimits(current, document, operationName, variablesOf(fields.variables), limits);
    } catch (error) {
      if (!(error instanceof QueryLimitError)) return next();
      logger.warn({ code: error.extensions.code, reason: error.message }, 'operation refused by the query limits');
      const { http: _http, ...extensions } = error.extensions;
      res.status(400).json({ errors: [{ message: error.message, extensions }] });
      return;
    }
    next();
  };
}

/**
 * Measures what the middleware could not (a persisted query sent by its hash alone) when the
 * operation is resolved, and tells the client its cost in `extensions.cost`.
 */
export function queryLimitsPlugin<TContext extends QueryLimitsContext>(limits: QueryLimits, logger: Logger): ApolloServerPlugin<TContext> {
  return {
    requestDidStart({ contextValue }) {
      let measure = contextValue.queryMeasure ?? null;
      return Promise.resolve({
        didResolveOperation({ schema, document, request }) {
          if (measure) return Promise.resolve();
          try {
            measure = checkQueryLimits(schema, document, request.operationName, request.variables, limits);
          } catch (error) {
            if (error instanceof QueryLimitError) logger.warn({ code: error.extensions.code, reason: error.message }, 'operation refused by the query limits');
            throw error;
          }
          return Promise.resolve();
        },
        willSendResponse({ response }) {
          if (!measure || response.body.kind !== 'single') return Promise.resolve();
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            cost: { requested: measure.cost, maximum: limits.maxCost, depth: measure.depth, maximumDepth: limits.maxDepth },
          };
          return Promise.resolve();
        },
      });
    },
  };
}
