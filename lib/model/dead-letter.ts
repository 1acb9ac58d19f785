import * as t from 'io-ts';
import type { SourcePosition } from './source.js';

export const DeadLetterReason = t.keyof({ too_large: null, not_json: null, invalid: null, late: null, too_far_ahead: null });
export type DeadLetterReason = t.TypeOf<typeof DeadLetterReason>;

/** A record the analytics could not use, kept whole so that nothing is lost. */
export interface DeadLetter {
  readonly kind: 'dead-letter';
  readonly reason: DeadLetterReason;
  /** What was wrong, naming the field where there is one. */
  readonly detail: string;
  readonly source: SourcePosition;
  /** The record exactly as it came in. */
  readonly raw: Uint8Array | string | null;
}

export const deadLetter = (
  reason: DeadLetterReason,
  detail: string,
  source: SourcePosition,
  raw: Uint8Array | string | null,
): DeadLetter => ({ kind: 'dead-letter', reason, detail, source: { partition: source.partition, offset: source.offset }, raw });

export const isDeadLetter = (e: { readonly kind: string }): e is DeadLetter => e.kind === 'dead-letter';
