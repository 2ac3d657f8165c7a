import { Directive, Field, Int, ObjectType } from '@nestjs/graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidInputError } from '../errors/domain-error';

// Relay-style cursor connections. Cursors are opaque to clients: a keyset position
// (creation time, id), so pages stay stable while rows are inserted.

@ObjectType({ description: 'Relay pagination state of a connection.' })
@Directive('@shareable')
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

type Constructor<T> = new (...args: never[]) => T;

/** Builds `<Name>Edge` and `<Name>Connection` object types for a node type. */
export function Connection<T>(node: Constructor<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeType implements Edge<T> {
    @Field(() => String, { description: 'Opaque cursor; pass it as `after` to continue.' })
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType({ isAbstract: true })
  abstract class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Number of nodes matching the filter, across all pages.' })
    totalCount!: number;
  }
  return ConnectionType;
}

export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export interface PageRequest {
  first: number;
  /** The opaque cursor as the client sent it; each listing decodes its own kind. */
  after: string | null;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const createdAt = new Date(value[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: value[1] };
    }
  } catch {
    // reported below as a bad cursor
  }
  throw new InvalidInputError('after', 'is not a cursor returned by this connection');
}

export function encodeSequenceCursor(sequence: number): string {
  return Buffer.from(JSON.stringify(['seq', sequence])).toString('base64url');
}

export function decodeSequenceCursor(cursor: string): number {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value[0] === 'seq' && Number.isSafeInteger(value[1])) return value[1] as number;
  } catch {
    // reported below as a bad cursor
  }
  throw new InvalidInputError('after', 'is not a cursor returned by this connection');
}

/** Validates `first`/`after` arguments into a page request. */
export function pageRequest(first: number | null | undefined, after: string | null | undefined): PageRequest {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new InvalidInputError('first', `must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return { first: size, after: after || null };
}

/** The keyset position after which a (creation time, id) ordered page starts. */
export function keysetAfter(request: PageRequest): KeysetPosition | null {
  return request.after === null ? null : decodeCursor(request.after);
}

/**
 * Turns rows fetched with `LIMIT first + 1` into a connection; the extra row only tells whether
 * another page exists. Rows are keyset-ordered by (creation time, id) unless `cursorOf` says else.
 */
export function toConnection<Row, Node>(
  rows: Row[],
  request: PageRequest,
  totalCount: number,
  toNode: (row: Row) => Node,
  cursorOf: (row: Row) => string = (row) => encodeCursor(row as KeysetPosition),
): ConnectionShape<Node> {
  const page = rows.slice(0, request.first);
  const edges = page.map((row) => ({ cursor: cursorOf(row), node: toNode(row) }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > request.first,
      hasPreviousPage: request.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * One page of a listing ordered by (created_at, id): counts the whole filter, continues after the
 * cursor, and fetches one extra row to learn whether another page exists.
 */
export async function keysetPage<Row extends KeysetPosition & ObjectLiteral>(
  query: SelectQueryBuilder<Row>,
  page: PageRequest,
): Promise<ConnectionShape<Row>> {
  const alias = query.alias;
  const totalCount = await query.getCount();
  const after = keysetAfter(page);
  if (after) {
    query.andWhere(`(${alias}.created_at, ${alias}.id) > (:afterCreatedAt, :afterId)`, {
      afterCreatedAt: after.createdAt,
      afterId: after.id,
    });
  }
  const rows = await query
    .orderBy(`${alias}.created_at`, 'ASC')
    .addOrderBy(`${alias}.id`, 'ASC')
    .take(page.first + 1)
    .getMany();
  return toConnection(rows, page, totalCount, (row) => row);
}
