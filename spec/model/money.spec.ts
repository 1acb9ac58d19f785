import { expect } from 'chai';
import fc from 'fast-check';
import { addAmount, emptySum, roundDiv, roundedCents, toDecimal, toDollars } from '../../lib/model/money.js';

const sumOf = (amounts: number[]) => amounts.reduce((s, a) => addAmount(s, a), emptySum());

describe('money', () => {
  it('sums cents without drift: 0.1 + 0.2 is 0.3', () => {
    expect(toDollars(sumOf([0.1, 0.2]))).to.equal(0.3);
    expect(toDollars(sumOf(Array(1000).fill(0.01)))).to.equal(10);
  });

  it('averages with rounding half away from zero (examples of semantics §5)', () => {
    expect(toDollars(sumOf([1000, 200, 50, 0.5]), 4)).to.equal(312.63);
    expect(toDollars(sumOf([1, 1.01]), 2)).to.equal(1.01);
    expect(toDollars(sumOf([0.01, 0.02]), 2)).to.equal(0.02);
  });

  it('keeps amounts finer than a cent exact, then rounds the total', () => {
    expect(toDollars(sumOf([0.005]))).to.equal(0.01);
    expect(toDollars(sumOf([0.004]))).to.equal(0);
    expect(toDollars(sumOf([0.0049, 0.0001]))).to.equal(0.01);
    expect(toDollars(sumOf([1.005, 1.005]))).to.equal(2.01);
    expect(toDollars(sumOf([1e-7, 0.01]))).to.equal(0.01);
  });

  it('stays exact past 2^53 cents', () => {
    const big = 90_000_000_000_000; // 9e13 dollars: 9e15 cents, over 2^53 when doubled
    expect(roundedCents(sumOf([big, big, 0.01]))).to.equal(BigInt(big) * 200n + 1n);
    expect(toDollars(sumOf([45035996273704.96, 45035996273704.97]))).to.equal(90071992547409.94);
    expect(toDollars(sumOf([1e21]))).to.equal(1e21);
  });

  it('reads the decimal a JSON number stands for', () => {
    expect(toDecimal(1250.5)).to.deep.equal({ units: 12505n, scale: 1 });
    expect(toDecimal(1e-7)).to.deep.equal({ units: 1n, scale: 7 });
    expect(toDecimal(1e21)).to.deep.equal({ units: 10n ** 21n, scale: 0 });
  });

  it('divides integers rounding half away from zero', () => {
    expect(roundDiv(5, 2)).to.equal(3);
    expect(roundDiv(-5, 2)).to.equal(-3);
    expect(roundDiv(4, 3)).to.equal(1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), fc.integer({ min: 1, max: 10_000 }), (a, b) => {
        const exact = BigInt(a) * 2n;
        const q = BigInt(roundDiv(a, b));
        // q is the nearest integer to a/b, ties up: a/b - 1/2 < q <= a/b + 1/2, so -b <= 2a - 2bq < b
        const diff = exact - 2n * BigInt(b) * q;
        return diff < BigInt(b) && diff >= -BigInt(b);
      }),
    );
  });

  it('matches a plain bigint sum of cents for any amounts given to the cent', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { maxLength: 50 }), (cents) => {
        const total = cents.reduce((a, c) => a + BigInt(c), 0n);
        return roundedCents(sumOf(cents.map((c) => c / 100))) === total;
      }),
    );
  });
});
