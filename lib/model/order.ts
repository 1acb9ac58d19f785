import * as t from 'io-ts';

/** The largest epoch millisecond of the UTC year 9999: 9999-12-31T23:59:59.999Z. */
export const MAX_TIMESTAMP = 253_402_300_799_999;

interface NonEmptyStringBrand {
  readonly NonEmptyString: unique symbol;
}
/** A string with at least one character; compared exactly, never trimmed. */
export const NonEmptyString = t.brand(
  t.string,
  (s): s is t.Branded<string, NonEmptyStringBrand> => s.length > 0,
  'NonEmptyString',
);

interface AmountBrand {
  readonly Amount: unique symbol;
}
/** Money as given: finite and not negative (`1e999` parses to Infinity and is refused here). */
export const Amount = t.brand(
  t.number,
  (n): n is t.Branded<number, AmountBrand> => Number.isFinite(n) && n >= 0,
  'Amount',
);

interface EpochMillisBrand {
  readonly EpochMillis: unique symbol;
}
/** Event time: whole epoch milliseconds from 1970 to the end of 9999 (`1.0e12` counts as whole). */
export const EpochMillis = t.brand(
  t.number,
  (n): n is t.Branded<number, EpochMillisBrand> => Number.isInteger(n) && n >= 0 && n <= MAX_TIMESTAMP,
  'EpochMillis',
);

/** An order event. Unknown fields are accepted and ignored (`t.type` does not strip, we never read them). */
export const Order = t.type({
  orderId: NonEmptyString,
  customerId: NonEmptyString,
  amount: Amount,
  timestamp: EpochMillis,
  items: t.array(t.string),
});
export type Order = t.TypeOf<typeof Order>;

/** What each codec name means, for dead-letter details a person can act on. */
export const EXPECTATIONS: Readonly<Record<string, string>> = {
  NonEmptyString: 'a non-empty string',
  Amount: 'a finite number >= 0',
  EpochMillis: `an integer epoch-millisecond timestamp from 0 to ${MAX_TIMESTAMP}`,
  string: 'a string',
  'Array<string>': 'an array of strings',
};
