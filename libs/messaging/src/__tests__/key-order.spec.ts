import { publishableRows } from '../key-order';

const row = (seq: number, key: string) => ({ seq: BigInt(seq), key });
const seqs = (rows: { seq: bigint }[]) => rows.map((r) => Number(r.seq));

describe('publishableRows (per-key order across relays)', () => {
  it('publishes a whole batch when nothing older is unsent elsewhere', () => {
    const batch = [row(3, 'a'), row(1, 'a'), row(2, 'b')];
    expect(seqs(publishableRows(batch, new Map()))).toEqual([1, 2, 3]);
  });

  it('holds back every row of a key whose oldest unsent row another relay holds', () => {
    const batch = [row(10, 'a'), row(11, 'b'), row(12, 'a')];
    expect(seqs(publishableRows(batch, new Map([['a', 4n]])))).toEqual([11]);
  });

  it('publishes rows older than the gap and holds back those after it', () => {
    // Rows 1 and 5 are ours, row 3 (same key) is held by another relay.
    const batch = [row(1, 'a'), row(5, 'a'), row(6, 'b')];
    expect(seqs(publishableRows(batch, new Map([['a', 3n]])))).toEqual([1, 6]);
  });

  it('is unaffected by newer unsent rows of the key', () => {
    expect(seqs(publishableRows([row(1, 'a'), row(2, 'a')], new Map([['a', 9n]])))).toEqual([1, 2]);
  });

  it('compares sequence numbers beyond the safe integer range exactly', () => {
    const big = 2n ** 60n;
    const batch = [{ seq: big + 1n, key: 'a' }];
    expect(publishableRows(batch, new Map([['a', big]]))).toEqual([]);
    expect(publishableRows(batch, new Map([['a', big + 2n]]))).toEqual(batch);
  });
});
