/**
 * Checkpoint segments: one Object Store object per partition checkpoint (not one per
 * feed), holding the states of the feeds that changed since the last one, in the
 * project's checkpoint format (version, SHA-256, lossless payload; the Object Store
 * chunks it and checks its own digest). A segment's name is never reused: it carries the
 * partition, the writing holding's generation and a counter, so a stale holder cannot
 * overwrite what a newer one wrote, and a reader never sees an object change under it.
 *
 * @module
 */
import { loadObjectCheckpoint, saveObjectCheckpoint } from "../io/nats/object_checkpoint.ts";
import type { ObjectStore } from "../io/nats/nats_deps.ts";
import type { LiveLearnerOptions } from "../online/live_learner.ts";
import type { FeedLearner, FeedLearnerState } from "./_cluster_feed.ts";

/** Feeds per segment at most (a partition with more changed feeds writes several). */
export const SEGMENT_FEEDS = 64;

/** How long a segment read may take before it is an error (a read can wait forever on an object deleted under it). */
const LOAD_TIMEOUT_MS = 30_000;

/** What a segment holds besides the model's settings. */
export interface SegmentExtra {
  /** The partition. */
  partition: number;
  /** The generation (fencing token) of the holding that wrote it. */
  generation: number;
  /** Per feed key: the feed's state. */
  feeds: Record<string, FeedLearnerState>;
}

/** The name of a holding's `n`-th segment of partition `p`. */
export function segmentName(p: number, generation: number, n: number): string {
  return `p${p}.g${generation}.${n}`;
}

/** The generation a segment name carries (NaN for another name). */
export function segmentGeneration(name: string, p: number): number {
  const match = /^p(\d+)\.g(\d+)\.\d+$/.exec(name);
  return match !== null && Number(match[1]) === p ? Number(match[2]) : NaN;
}

/** Writes the feeds' states as the segment `name`; returns the bytes stored. */
export function saveSegment(
  store: ObjectStore,
  name: string,
  feeds: readonly FeedLearner[],
  p: number,
  generation: number,
  options: LiveLearnerOptions,
): Promise<number> {
  const { features, hiddenSize = 32, seed = 0 } = options;
  const f = features.length;
  const extra: SegmentExtra = { partition: p, generation, feeds: {} };
  for (const feed of feeds) extra.feeds[feed.key] = feed.state();
  return saveObjectCheckpoint(store, name, {
    cell: feeds[0]?.learner.cell ?? { kind: "rnn", head: "linear" },
    backend: "js",
    config: {
      sizes: { nx: f, na: hiddenSize, ny: f },
      streams: 1,
      seed,
      data: "cluster-segment",
      features: [...features],
    },
    extra: extra as unknown as Record<string, unknown>,
  });
}

/**
 * Reads the segment `name` of partition `p`.
 *
 * @throws {Error} When it is missing, not a segment of `p`, or the read takes longer than 30 s.
 */
export async function loadSegment(store: ObjectStore, name: string, p: number): Promise<SegmentExtra> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Cannot load checkpoint segment ${name}: no answer in ${LOAD_TIMEOUT_MS} ms`)),
      LOAD_TIMEOUT_MS,
    );
  });
  try {
    const loaded = await Promise.race([loadObjectCheckpoint(store, name), timeout]);
    if (loaded === null) throw new Error(`Cannot load checkpoint segment ${name}: it is missing`);
    const extra = loaded.extra as unknown as Partial<SegmentExtra>;
    if (extra.partition !== p || typeof extra.feeds !== "object" || extra.feeds === null) {
      throw new Error(`Cannot load checkpoint segment ${name}: it is not a segment of partition ${p}`);
    }
    return extra as SegmentExtra;
  } finally {
    clearTimeout(timer);
  }
}
