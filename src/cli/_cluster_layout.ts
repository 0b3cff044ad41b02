/**
 * The cluster's names: feeds are partitioned by key (`feeds.<partition>.<key>`), one
 * durable pull consumer per partition, a KV bucket of leases and members, a KV bucket of
 * partition floors, and an Object Store of feed checkpoints.
 *
 * @module
 */
import { fnv1a } from "../io/text/fnv1a.ts";

/** The default number of partitions (divisible by 1, 2, 3, 4 and 6 workers). */
export const DEFAULT_PARTITIONS = 12;

/** The partition of a feed. */
export function partitionOf(key: string, partitions: number): number {
  return parseInt(fnv1a(key), 16) % partitions;
}

/** The subject a feed's events are published on. */
export function feedSubject(key: string, partitions: number): string {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) {
    throw new RangeError(
      `Cannot publish feed as its key must be letters, digits, '_' or '-': current value is ${key}`,
    );
  }
  return `feeds.${partitionOf(key, partitions)}.${key}`;
}

/** The buckets and consumers of a stream's cluster. */
export function clusterNames(stream: string): { leases: string; floors: string; checkpoints: string } {
  return { leases: `${stream}-leases`, floors: `${stream}-floors`, checkpoints: `${stream}-ckpt` };
}
