import { expect } from 'chai';
import type { GroupMember, GroupView } from '../../lib/io/ports.js';
import { GroupWatch } from '../../lib/console/group-watch.js';

/** A group view answering from a script: each question takes the next answer (or error). */
function scripted(answers: Array<{ state: string; members: GroupMember[] } | Error>): GroupView & { closed: boolean } {
  const view = {
    closed: false,
    describe: async () => {
      const next = answers.shift();
      if (next === undefined) throw new Error('no more answers');
      if (next instanceof Error) throw next;
      return next;
    },
    close: async () => {
      view.closed = true;
    },
  };
  return view;
}

const member = (memberId: string, partitions: Record<string, number[]>): GroupMember => ({ memberId, clientId: 'stream-processor', host: '/10.0.0.1', partitions });

describe('GroupWatch (the console\'s view of the group)', () => {
  it('holds nothing before the first answer, then the last answer, replaced (not accumulated)', async () => {
    const watch = new GroupWatch(scripted([{ state: 'Stable', members: [member('a', { orders: [0, 1] }), member('b', { orders: [2] })] }, { state: 'Stable', members: [member('a', { orders: [0, 1, 2] })] }]), () => 1_000);
    expect(watch.report).to.deep.equal({ state: null, members: [], at: null, error: null });
    await watch.ask();
    expect(watch.report.members.map((m) => m.memberId)).to.deep.equal(['a', 'b']);
    await watch.ask();
    expect(watch.report).to.deep.equal({ state: 'Stable', members: [member('a', { orders: [0, 1, 2] })], at: 1_000, error: null });
  });

  it('keeps the last answer while the broker is away, with why it could not ask, and closes its view on stop', async () => {
    let now = 1_000;
    const view = scripted([{ state: 'Stable', members: [member('a', { orders: [0] })] }, new Error('Connection error: ECONNREFUSED')]);
    const watch = new GroupWatch(view, () => now);
    await watch.ask();
    now = 5_000;
    await watch.ask();
    expect(watch.report).to.deep.equal({ state: 'Stable', members: [member('a', { orders: [0] })], at: 1_000, error: 'Connection error: ECONNREFUSED' });
    await watch.stop();
    expect(view.closed).to.equal(true);
  });
});
