/**
 * One feed's learner in the cluster: a LiveLearner (vanilla cell) for the feed's single
 * series and the last stream sequence it applied. Applying is idempotent by stream
 * sequence: an event at or below the last applied sequence is skipped, so a redelivered
 * event never changes the model twice. Its state goes into checkpoint segments
 * (`_cluster_segment.ts`).
 *
 * @module
 */
import { LiveLearner } from "../online/live_learner.ts";
import type { LiveLearnerOptions, LiveLearnerState, LiveOutcome } from "../online/live_learner.ts";

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

/** What a feed's checkpoint holds. */
export interface FeedLearnerState {
  /** The learner's state. */
  learner: LiveLearnerState;
  /** The last stream sequence applied. */
  lastSeq: number;
  /** Events applied. */
  applied: number;
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

  /** Applies the event at stream sequence `seq` unless it was applied already; returns the outcome, or null when skipped. */
  apply(seq: number, event: FeedEvent): LiveOutcome | null {
    if (seq <= this.lastSeq) return null;
    const outcome = this.learner.observe(this.key, event.v, event.l);
    this.lastSeq = seq;
    this.applied++;
    this.dirty = true;
    return outcome;
  }

  /** The state to checkpoint. */
  state(): FeedLearnerState {
    return { learner: this.learner.getState(), lastSeq: this.lastSeq, applied: this.applied };
  }
}
