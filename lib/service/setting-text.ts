import * as t from 'io-ts';

/**
 * How the text of a flag or an environment variable becomes a setting's value, strictly: `0x10`, ` 60000`,
 * `1e3`, `007`, `+5` or `''` are not numbers here, though `Number()` takes them all. Text that is not of
 * the setting's kind is left as text, for its codec to refuse with the setting's name and what it expects.
 */

/** What a setting's text must look like, read off its codec. */
export type TextSyntax = 'integer' | 'decimal' | 'boolean' | 'text';

/**
 * `integer` for a codec refined from `t.Int`, `decimal` from `t.number`, `boolean` from `t.boolean`; any
 * other codec (strings, `t.keyof` enums) takes the text as it is.
 */
export function textSyntax(codec: t.Mixed): TextSyntax {
  for (let c: t.Mixed = codec; ; c = (c as t.RefinementType<t.Mixed>).type) {
    if (c === t.Int) return 'integer';
    if (c === t.number) return 'decimal';
    if (c === t.boolean) return 'boolean';
    if (!(c instanceof t.RefinementType)) return 'text';
  }
}

/** Decimal digits with an optional '-', no leading zeros (`007` could be octal to some tools), no '+'. */
const INTEGER = /^(?:0|-?[1-9][0-9]*)$/;
/** As INTEGER, with an optional fraction of at least one digit (`1.5`, `0.01`; not `.5`, `5.`, `1e3`). */
const DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/** A decimal integer within the safe integer range, else undefined. */
export function parseInteger(text: string): number | undefined {
  if (!INTEGER.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A plain decimal number (finite; `-0` refused as the typo it would be), else undefined. */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) && !(n === 0 && text.startsWith('-')) ? n : undefined;
}

/** `true` or `false`, exactly, else undefined. */
export function parseBoolean(text: string): boolean | undefined {
  return text === 'true' ? true : text === 'false' ? false : undefined;
}

/** A flag's or environment variable's text as the value its codec checks. */
export function fromText(codec: t.Mixed, text: string): unknown {
  const syntax = textSyntax(codec);
  const value = syntax === 'integer' ? parseInteger(text) : syntax === 'decimal' ? parseDecimal(text) : syntax === 'boolean' ? parseBoolean(text) : text;
  return value ?? text;
}
