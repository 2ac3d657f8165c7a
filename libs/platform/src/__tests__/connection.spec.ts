import {
  decodeCursor,
  decodeSequenceCursor,
  DomainError,
  encodeCursor,
  encodeSequenceCursor,
  keysetAfter,
  MAX_PAGE_SIZE,
  pageRequest,
  toConnection,
} from '../index';

const row = (n: number) => ({ createdAt: new Date(Date.UTC(2026, 0, n)), id: `00000000-0000-4000-8000-00000000000${n}` });

describe('cursor pagination', () => {
  it('round-trips keyset and sequence cursors', () => {
    expect(decodeCursor(encodeCursor(row(3)))).toEqual(row(3));
    expect(decodeSequenceCursor(encodeSequenceCursor(42))).toBe(42);
  });

  it.each(['', 'not-base64!', Buffer.from('{"a":1}').toString('base64url'), encodeSequenceCursor(1)])(
    'refuses %p as a keyset cursor with BAD_USER_INPUT on `after`',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(DomainError);
      try {
        decodeCursor(cursor);
      } catch (error) {
        expect(error).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'after' } });
      }
    },
  );

  it('refuses a keyset cursor where a sequence cursor is expected', () => {
    expect(() => decodeSequenceCursor(encodeCursor(row(1)))).toThrow(/after/);
  });

  it.each([0, -1, MAX_PAGE_SIZE + 1, 2.5])('refuses first = %p', (first) => {
    expect(() => pageRequest(first, null)).toThrow(/first: must be between 1 and 100/);
  });

  it('defaults the page size and passes the cursor on for the listing to decode', () => {
    expect(pageRequest(undefined, undefined)).toEqual({ first: 20, after: null });
    const cursor = encodeCursor(row(2));
    expect(keysetAfter(pageRequest(5, cursor))).toEqual(row(2));
  });

  it('builds edges, page info and uses the extra row only to say another page exists', () => {
    const rows = [row(1), row(2), row(3)];
    const page = toConnection(rows, { first: 2, after: null }, 7, (r) => r.id);
    expect(page.edges.map((edge) => edge.node)).toEqual([row(1).id, row(2).id]);
    expect(page.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: encodeCursor(row(1)),
      endCursor: encodeCursor(row(2)),
    });
    expect(page.totalCount).toBe(7);

    const last = toConnection([row(3)], { first: 2, after: encodeCursor(row(2)) }, 3, (r) => r.id);
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const empty = toConnection([], { first: 2, after: null }, 0, (r: { id: string }) => r.id);
    expect(empty.pageInfo).toMatchObject({ startCursor: null, endCursor: null, hasNextPage: false });
  });
});
