import { expect } from 'chai';
import { Prng } from '../../lib/io/prng.js';
import { HeldOrdersGate, type HeldState } from '../../lib/runtime/held-orders-gate.js';

const STALL_MS = 1_000;

/** A gate over a switch that records what it was told. */
function gateOf(max: number) {
  const calls: string[] = [];
  const paused = new Set<number>();
  const gate = new HeldOrdersGate(
    max,
    STALL_MS,
    {
      pause: (p) => {
        calls.push(`pause ${p}`);
        paused.add(p);
      },
      resume: (p) => {
        paused.delete(p);
      },
    },
    (p, reason) => calls.push(`resume ${p} (${reason})`),
  );
  return { gate, calls, paused };
}

/** Partitions with these held counts; `processed`: what the tasks holding their orders have processed so far. */
const held = (counts: readonly number[], rereading: readonly number[] = [], processed = 0): HeldState[] =>
  counts.map((count, partition) => ({ partition, held: count, rereading: rereading.includes(partition), processed }));

describe('HeldOrdersGate', () => {
  it('pauses a partition once it has max orders held, and resumes it at half of that', () => {
    const { gate, calls } = gateOf(100);
    gate.update(held([99, 100]), 0);
    expect(calls).to.deep.equal(['pause 1']);
    gate.update(held([99, 51]), 10);
    expect(calls, 'still above half').to.deep.equal(['pause 1']);
    expect(gate.isPaused(1)).to.equal(true);
    gate.update(held([99, 50]), 20);
    expect(calls).to.deep.equal(['pause 1', 'resume 1 (half gone on)']);
    expect(gate.isPaused(1)).to.equal(false);
  });

  it('never pauses a source task re-reading what it had read before a restart: the others wait for its marks', () => {
    const { gate, calls } = gateOf(10);
    gate.update(held([50, 50], [0]), 0);
    expect(calls).to.deep.equal(['pause 1']);
  });

  it('resumes a partition whose holders have processed nothing for the stall time, and pauses it again only once half have gone on', () => {
    const { gate, calls } = gateOf(10);
    gate.update(held([12], [], 5), 0);
    // The tasks holding its orders process others' (the partitions they wait for are catching up): the wait starts again.
    gate.update(held([12], [], 6), 900);
    gate.update(held([12], [], 6), 1_800);
    expect(calls).to.deep.equal(['pause 0']);
    gate.update(held([12], [], 6), 1_900);
    expect(calls).to.deep.equal(['pause 0', 'resume 0 (no progress)']);
    // It reads on over the bound until half have gone on, then the bound holds again.
    gate.update(held([40], [], 6), 2_000);
    gate.update(held([6], [], 7), 2_100);
    expect(calls).to.have.length(2);
    gate.update(held([5], [], 8), 2_200);
    gate.update(held([10], [], 8), 2_300);
    expect(calls).to.deep.equal(['pause 0', 'resume 0 (no progress)', 'pause 0']);
  });

  it('resumes everything it paused on reset (a rebalance), and arms every partition again', () => {
    const { gate, calls } = gateOf(10);
    gate.update(held([10, 10, 0]), 0);
    gate.update(held([10, 10, 0]), STALL_MS);
    expect(calls).to.deep.equal(['pause 0', 'pause 1', 'resume 0 (no progress)', 'resume 1 (no progress)']);
    calls.length = 0;
    gate.update(held([10, 0, 0]), 2 * STALL_MS);
    gate.reset();
    gate.update(held([10, 0, 0]), 2 * STALL_MS);
    expect(calls).to.deep.equal(['pause 0']);
    gate.reset();
    expect(calls).to.deep.equal(['pause 0', 'resume 0 (rebalance)']);
  });

  it('never pauses a partition with nothing held, and pauses any other at the bound unless disarmed or re-reading (random held counts)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rng = new Prng(seed);
      const max = rng.int(1, 20);
      const { gate, paused } = gateOf(max);
      const counts = [0, 0, 0];
      let now = 0;
      for (let step = 0; step < 300; step++) {
        const p = rng.int(0, 2);
        // A paused partition only loses held orders; one that reads may gain or lose some.
        counts[p] = Math.max(0, counts[p]! + (paused.has(p) ? -rng.int(0, 1) : rng.int(-max, max)));
        now += rng.int(0, 600);
        const rereading = rng.chance(0.1) ? [p] : [];
        const wasPaused = new Set(paused);
        gate.update(held(counts, rereading), now);
        for (const q of [0, 1, 2]) {
          const where = `seed ${seed}, step ${step}, partition ${q} with ${counts[q]} held (max ${max})`;
          if (counts[q] === 0) expect(paused.has(q), where).to.equal(false);
          if (!wasPaused.has(q) && paused.has(q)) expect(counts[q]! >= max && !rereading.includes(q), where).to.equal(true);
          expect(gate.isPaused(q), where).to.equal(paused.has(q));
        }
      }
    }
  });
});
