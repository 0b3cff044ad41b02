/**
 * The cluster's names: feeds are partitioned by key (`feeds.<partition>.<key>`), one
 * JetStream stream per partition (`<stream>-p<partition>`, read by unfiltered consumers),
 * a KV bucket of leases and members, a KV bucket of partition floors (each the
 * partition's checkpoint manifest), and an Object Store of checkpoint segments.
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

/**
 * The stream that holds one partition's events. A stream per partition, not one stream
 * with a filtered consumer per partition: nats-server 2.9 recounts a filtered consumer's
 * pending messages by scanning the stream, which made the server, not the learners, the
 * bottleneck (docs/cluster.md).
 */
export function partitionStream(stream: string, p: number): string {
  return `${stream}-p${p}`;
}

/** The buckets of a stream's cluster. */
export function clusterNames(stream: string): { leases: string; floors: string; checkpoints: string } {
  return { leases: `${stream}-leases`, floors: `${stream}-floors`, checkpoints: `${stream}-ckpt` };
}
