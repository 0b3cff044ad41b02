/**
 * One feed's learner in the cluster: a LiveLearner (vanilla cell) for the feed's single
 * series, the last stream sequence it applied, and its checkpoint in the Object Store.
 * Applying is idempotent by stream sequence: an event at or below the last applied
 * sequence is skipped, so a redelivered event never changes the model twice.
 *
 * @module
 */
import { LiveLearner } from "../online/live_learner.ts";
import type { LiveLearnerOptions, LiveLearnerState } from "../online/live_learner.ts";
import { loadObjectCheckpoint, saveObjectCheckpoint } from "../io/nats/object_checkpoint.ts";
import type { ObjectStore } from "../io/nats/nats_deps.ts";

/** One event of a feed, as published. */
export interface FeedEvent {
  /** The feed's key. */
  k: string;
  /** The reading's values (humidity, temperature). */
  v: number[];
  /** The anomaly label (0/1). */
  l: number;
}

/** The model settings every worker (and the single-process reference) uses. */
export function clusterLearnerOptions(hidden = 8): LiveLearnerOptions {
  return { features: ["humidity", "temperature"], hiddenSize: hidden, k2: 4, seed: 7, warmup: 20 };
}

/** A feed's learner and its position. */
export class FeedLearner {
  /** The last stream sequence applied (0: none). */
  lastSeq: number;
  /** Events applied to the model (each exactly once). */
  applied: number;
  /** Whether it changed since its last checkpoint. */
  dirty = false;
  readonly learner: LiveLearner;

  constructor(readonly key: string, readonly options: LiveLearnerOptions, state?: FeedLearnerState) {
    this.learner = new LiveLearner(options, state?.learner);
    this.lastSeq = state?.lastSeq ?? 0;
    this.applied = state?.applied ?? 0;
  }

  /** Applies the event at stream sequence `seq`, unless it was applied already; returns whether it was. */
  apply(seq: number, event: FeedEvent): boolean {
    if (seq <= this.lastSeq) return false;
    this.learner.observe(this.key, event.v, event.l);
    this.lastSeq = seq;
    this.applied++;
    this.dirty = true;
    return true;
  }

  /** The state to checkpoint. */
  state(): FeedLearnerState {
    return { learner: this.learner.getState(), lastSeq: this.lastSeq, applied: this.applied };
  }

  /** Writes the checkpoint `feed.<key>`. */
  async save(store: ObjectStore, dir?: string): Promise<void> {
    const { features, hiddenSize = 32, seed = 0 } = this.options;
    const f = features.length;
    await saveObjectCheckpoint(store, `feed.${this.key}`, {
      cell: this.learner.cell,
      backend: "js",
      config: {
        sizes: { nx: f, na: hiddenSize, ny: f },
        streams: 1,
        seed,
        data: "cluster-feed",
        features: [...features],
      },
      extra: { feed: this.key, ...this.state() },
    }, { dir });
    this.dirty = false;
  }

  /** Reads the feed's checkpoint, or starts a fresh learner when it has none. */
  static async load(
    store: ObjectStore,
    key: string,
    options: LiveLearnerOptions,
    dir?: string,
  ): Promise<FeedLearner> {
    const loaded = await loadObjectCheckpoint(store, `feed.${key}`, { dir });
    if (loaded === null) return new FeedLearner(key, options);
    const extra = loaded.extra as unknown as FeedLearnerState & { feed: string };
    if (extra.feed !== key || typeof extra.lastSeq !== "number") {
      throw new Error(
        `Cannot load the checkpoint of feed ${JSON.stringify(key)}: it belongs to ${
          JSON.stringify(extra.feed)
        }`,
      );
    }
    return new FeedLearner(key, options, extra);
  }
}

/** What a feed's checkpoint holds besides the model's settings. */
export interface FeedLearnerState {
  /** The learner's state. */
  learner: LiveLearnerState;
  /** The last stream sequence applied. */
  lastSeq: number;
  /** Events applied. */
  applied: number;
}
