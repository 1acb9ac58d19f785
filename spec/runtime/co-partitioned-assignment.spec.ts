import { expect } from 'chai';
import fc from 'fast-check';
import { coPartitionedAssignment } from '../../lib/runtime/co-partitioned-assignment.js';

const TOPICS = new Map([
  ['orders', 3],
  ['g-orders-by-customer-repartition', 3],
  ['g-hourly-partials-repartition', 1],
]);

describe('the co-partitioned assignment of the group', () => {
  it('gives partition p of the input and of the orders-by-customer topic to one member, and the partials to the least loaded', () => {
    const assignment = coPartitionedAssignment(['b', 'a'], TOPICS);
    expect(Object.fromEntries(assignment)).to.deep.equal({
      a: { 'g-orders-by-customer-repartition': [0, 2], orders: [0, 2] },
      b: { 'g-orders-by-customer-repartition': [1], orders: [1], 'g-hourly-partials-repartition': [0] },
    });
  });

  it('gives every member an entry, those beyond the partitions an empty one', () => {
    const assignment = coPartitionedAssignment(['a', 'b', 'c', 'd', 'e'], TOPICS);
    expect([...assignment.keys()]).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(assignment.get('e')).to.deep.equal({});
    expect(assignment.get('d')).to.deep.equal({ 'g-hourly-partials-repartition': [0] });
  });

  it('for any members and partition counts: each partition once, partition numbers of the widest topics together, loads within one number apart', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 7 }), fc.integer({ min: 1, max: 12 }), (members, partitions) => {
        const topics = new Map([
          ['in', partitions],
          ['by-customer', partitions],
          ['partials', 1],
        ]);
        const assignment = coPartitionedAssignment(members, topics);
        const owners = new Map<string, string[]>();
        for (const [member, byTopic] of assignment) {
          for (const [topic, list] of Object.entries(byTopic)) for (const p of list) owners.set(`${topic}:${p}`, [...(owners.get(`${topic}:${p}`) ?? []), member]);
        }
        expect(owners.size).to.equal(2 * partitions + 1);
        for (const list of owners.values()) expect(list).to.have.length(1);
        for (let p = 0; p < partitions; p++) expect(owners.get(`in:${p}`)).to.deep.equal(owners.get(`by-customer:${p}`));
        const numbers = [...assignment.values()].map((byTopic) => (byTopic.in ?? []).length);
        expect(Math.max(...numbers) - Math.min(...numbers)).to.be.at.most(1);
      }),
    );
  });

  it('does not depend on the order the members are listed in', () => {
    const one = coPartitionedAssignment(['m-2', 'm-1', 'm-3'], TOPICS);
    const other = coPartitionedAssignment(['m-3', 'm-2', 'm-1'], TOPICS);
    expect(Object.fromEntries(one)).to.deep.equal(Object.fromEntries(other));
  });
});
