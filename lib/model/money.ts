/**
 * Money summed without floating-point drift. Amounts given to the cent (nearly all of them) are added as
 * whole cents in a double, exact up to 2^53 cents; any other amount, or a sum too large for that, moves the
 * sum to a bigint of decimal units, exact for every amount a JSON number can hold.
 */

/** A running exact sum; mutate it only through {@link addAmount}. */
export interface MoneySum {
  /** Whole cents, always a safe integer. */
  cents: number;
  /** Whatever is not in `cents`, in units of 10^-scale; `0n` until needed. */
  units: bigint;
  /** Decimal places of `units`; at least 2. */
  scale: number;
}

export const emptySum = (): MoneySum => ({ cents: 0, units: 0n, scale: 2 });

/** Adds one amount to the sum, in place. */
export function addAmount(sum: MoneySum, amount: number): MoneySum {
  const cents = Math.round(amount * 100);
  if (Number.isSafeInteger(cents) && cents / 100 === amount) {
    const total = sum.cents + cents;
    if (Number.isSafeInteger(total)) {
      sum.cents = total;
      return sum;
    }
  }
  const { units, scale } = toDecimal(amount);
  const common = Math.max(scale, sum.scale);
  sum.units = rescale(sum.units, sum.scale, common) + rescale(units, scale, common);
  sum.scale = common;
  return sum;
}

/** The exact sum divided by `count`, rounded to whole cents half away from zero. */
export function roundedCents(sum: MoneySum, count = 1): bigint {
  if (sum.units === 0n) return BigInt(roundDiv(sum.cents, count));
  const exact = rescale(BigInt(sum.cents), 2, sum.scale) + sum.units;
  return roundDivBig(exact, BigInt(count) * 10n ** BigInt(sum.scale - 2));
}

/**
 * As a JSON number of dollars: the double nearest the rounded cents, whose shortest form has at most two
 * decimals. Below 2^53 cents, `cents / 100` is that double; above, a double cannot hold every cent, and
 * parsing the decimal keeps it to one rounding.
 */
export function toDollars(sum: MoneySum, count = 1): number {
  if (sum.units === 0n) return roundDiv(sum.cents, count) / 100;
  const cents = roundedCents(sum, count);
  const digits = (cents < 0n ? -cents : cents).toString().padStart(3, '0');
  return Number(`${cents < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`);
}

/** The decimal a JSON number stands for, from its shortest round-trip form (`1e-7`, `1250.5`). */
export function toDecimal(amount: number): { units: bigint; scale: number } {
  const [mantissa = '0', exponent = '0'] = String(amount).split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  const shift = fraction.length - Number(exponent);
  const digits = BigInt(whole + fraction);
  return shift >= 0 ? { units: digits, scale: shift } : { units: digits * 10n ** BigInt(-shift), scale: 0 };
}

function rescale(units: bigint, from: number, to: number): bigint {
  return to === from ? units : units * 10n ** BigInt(to - from);
}

/** a / b for integers, rounded half away from zero; exact while |a| < 2^53. */
export function roundDiv(a: number, b: number): number {
  const sign = a < 0 !== b < 0 ? -1 : 1;
  const n = Math.abs(a);
  const d = Math.abs(b);
  let q = Math.floor(n / d);
  let r = n - q * d;
  // The division above is a double; these steps make quotient and remainder exact.
  if (r < 0) {
    q -= 1;
    r += d;
  } else if (r >= d) {
    q += 1;
    r -= d;
  }
  return sign * (2 * r >= d ? q + 1 : q);
}

function roundDivBig(a: bigint, b: bigint): bigint {
  const negative = a < 0n !== b < 0n;
  const n = a < 0n ? -a : a;
  const d = b < 0n ? -b : b;
  const q = n / d;
  const rounded = 2n * (n - q * d) >= d ? q + 1n : q;
  return negative ? -rounded : rounded;
}

/** Adds another sum into `sum`, in place: partial sums of one window combine without losing a cent. */
export function addSum(sum: MoneySum, other: MoneySum): MoneySum {
  const cents = sum.cents + other.cents;
  if (Number.isSafeInteger(cents)) {
    sum.cents = cents;
  } else {
    // Past 2^53 cents: carry the other's cents over as decimal units instead.
    const common = Math.max(sum.scale, 2);
    sum.units = rescale(sum.units, sum.scale, common) + rescale(BigInt(other.cents), 2, common);
    sum.scale = common;
  }
  if (other.units !== 0n) {
    const common = Math.max(sum.scale, other.scale);
    sum.units = rescale(sum.units, sum.scale, common) + rescale(other.units, other.scale, common);
    sum.scale = common;
  }
  return sum;
}
