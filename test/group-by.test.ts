/** domain/group-by.ts and db/batch.ts's groupByKey built on it: order kept, one entry per key. */
import { groupByKey } from '../db/batch';
import { groupBy } from '../domain/group-by';

const rows = [
  { k: 'b', n: 1 },
  { k: 'a', n: 2 },
  { k: 'b', n: 3 },
];

describe('groupBy', () => {
  it('keeps keys in first-seen order and each group in the order the items came', () => {
    const groups = groupBy(rows, (r) => r.k);
    expect([...groups.keys()]).toEqual(['b', 'a']);
    expect(groups.get('b')!.map((r) => r.n)).toEqual([1, 3]);
    expect(groups.get('a')!.map((r) => r.n)).toEqual([2]);
  });
});

describe('groupByKey', () => {
  it('answers one list per key asked, in key order, empty where no row came back', () => {
    expect(groupByKey(['a', 'c', 'b'], rows, (r) => r.k).map((list) => list.map((r) => r.n))).toEqual([[2], [], [1, 3]]);
  });
});
