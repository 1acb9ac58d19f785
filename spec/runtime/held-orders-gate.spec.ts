import { expect } from 'chai';
import { Prng } from '../../lib/io/prng.js';
import { HeldOrdersGate } from '../../lib/runtime/held-orders-gate.js';

/** A gate over a switch that records what it was told, and the held counts it is shown. */
function gateOf(max: number) {
  const calls: string[] = [];
  const paused = new Set<number>();
  const gate = new HeldOrdersGate(max, {
    pause: (p) => {
      calls.push(`pause ${p}`);
      paused.add(p);
    },
    resume: (p) => {
      calls.push(`resume ${p}`);
      paused.delete(p);
    },
  });
  return { gate, calls, paused };
}

describe('HeldOrdersGate', () => {
  it('pauses a partition once it has max orders held, and resumes it at half of that', () => {
    const { gate, calls } = gateOf(100);
    const held = new Map([[0, 99], [1, 100]]);
    gate.update([0, 1], (p) => held.get(p)!);
    expect(calls).to.deep.equal(['pause 1']);
    held.set(1, 51);
    gate.update([0, 1], (p) => held.get(p)!);
    expect(calls, 'still above half').to.deep.equal(['pause 1']);
    expect(gate.isPaused(1)).to.equal(true);
    held.set(1, 50);
    gate.update([0, 1], (p) => held.get(p)!);
    expect(calls).to.deep.equal(['pause 1', 'resume 1']);
    expect(gate.isPaused(1)).to.equal(false);
  });

  it('resumes everything it paused on reset (a rebalance), and tells the switch nothing else', () => {
    const { gate, calls } = gateOf(10);
    gate.update([0, 1, 2], (p) => (p === 2 ? 0 : 10));
    gate.reset();
    expect(calls).to.deep.equal(['pause 0', 'pause 1', 'resume 0', 'resume 1']);
    gate.reset();
    expect(calls).to.have.length(4);
  });

  it('never holds a partition with nothing held, so the partition the others wait for always reads (random held counts)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rng = new Prng(seed);
      const max = rng.int(1, 20);
      const { gate, paused } = gateOf(max);
      const held = [0, 0, 0];
      for (let step = 0; step < 200; step++) {
        const p = rng.int(0, 2);
        // A paused partition only loses held orders; one that reads may gain or lose some.
        held[p] = Math.max(0, held[p]! + (paused.has(p) ? -rng.int(0, max) : rng.int(-max, max)));
        gate.update([0, 1, 2], (q) => held[q]!);
        for (const q of [0, 1, 2]) {
          if (held[q] === 0) expect(paused.has(q), `seed ${seed}, step ${step}: partition ${q} paused with nothing held`).to.equal(false);
          if (held[q]! >= max) expect(paused.has(q), `seed ${seed}, step ${step}: partition ${q} reads with ${held[q]} held`).to.equal(true);
          expect(gate.isPaused(q)).to.equal(paused.has(q));
        }
      }
    }
  });
});
