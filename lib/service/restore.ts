import type { RestorePoint } from '../analytics/pipeline.js';
import type { CommittedOffset } from '../io/ports.js';
import type { CommitSnapshot } from './commit-tracker.js';

/**
 * What a commit carries besides the offset, in Kafka's per-partition metadata string: the watermark at
 * the snapshot and how far the partition had been read, so that a restarted job knows which re-read
 * records it already published results for.
 */
interface CommitMetadata {
  /** The watermark; null for none yet. */
  readonly w: number | null;
  /** The next offset that had not been read. */
  readonly r: number;
}

export function commitEntries(snapshot: CommitSnapshot): Array<{ partition: number; offset: number; metadata: string }> {
  const w = Number.isFinite(snapshot.watermark) ? snapshot.watermark : null;
  return [...snapshot.partitions].map(([partition, { offset, readUpTo }]) => ({
    partition,
    offset,
    metadata: JSON.stringify({ w, r: readUpTo } satisfies CommitMetadata),
  }));
}

/** The restore point from the group's committed offsets, or undefined for a fresh start. */
export function restorePoint(committed: readonly CommittedOffset[]): RestorePoint | undefined {
  const readUpTo = new Map<number, number>();
  let watermark = Infinity;
  for (const c of committed) {
    const meta = parse(c.metadata);
    if (c.offset < 0 || meta === undefined) continue;
    readUpTo.set(c.partition, meta.r);
    if (meta.w !== null) watermark = Math.min(watermark, meta.w);
  }
  if (readUpTo.size === 0) return undefined;
  return {
    watermark: Number.isFinite(watermark) ? watermark : -Infinity,
    seenBefore: (source) => source.offset < (readUpTo.get(source.partition) ?? 0),
  };
}

function parse(metadata: string | null): CommitMetadata | undefined {
  if (metadata === null || metadata === '') return undefined;
  try {
    const value = JSON.parse(metadata) as Partial<CommitMetadata>;
    if (typeof value.r === 'number' && (value.w === null || typeof value.w === 'number')) return { w: value.w ?? null, r: value.r };
  } catch {
    // Written by something else: start without a restore point rather than fail.
  }
  return undefined;
}
