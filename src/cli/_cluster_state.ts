/**
 * Reading a cluster's committed state from outside the pool (the demo's report, tests):
 * each partition's floor, and each feed's state from the segment its floor names.
 *
 * @module
 */
import type { KV, ObjectStore } from "../io/nats/nats_deps.ts";
import { readFloor } from "./_cluster_floor.ts";
import { loadSegment } from "./_cluster_segment.ts";
import type { SegmentExtra } from "./_cluster_segment.ts";
import type { FeedLearnerState } from "./_cluster_feed.ts";

/** Every partition's floor (the stream sequence its checkpoints cover; 0 when none). */
export async function readFloors(floors: KV, partitions: number): Promise<number[]> {
  const all = [];
  for (let p = 0; p < partitions; p++) all.push((await readFloor(floors, p)).record.floor);
  return all;
}

/** Every feed's committed state, by key. */
export async function readFeedStates(
  floors: KV,
  store: ObjectStore,
  partitions: number,
): Promise<Map<string, FeedLearnerState>> {
  const states = new Map<string, FeedLearnerState>();
  for (let p = 0; p < partitions; p++) {
    const { record } = await readFloor(floors, p);
    const segments = new Map<string, Promise<SegmentExtra>>();
    for (const [key, { object }] of Object.entries(record.feeds)) {
      if (!segments.has(object)) segments.set(object, loadSegment(store, object, p));
      const state = (await segments.get(object)!).feeds[key];
      if (state === undefined) throw new Error(`segment ${object} does not hold feed ${key}`);
      states.set(key, state);
    }
  }
  return states;
}
