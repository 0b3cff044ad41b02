/**
 * The cluster's JetStream resources, created when missing (idempotent, so publishers and
 * every worker can call it): one stream per partition, the leases and floors KV buckets,
 * and the Object Store of checkpoint segments.
 *
 * @module
 */
import { jetstreamManager, Kvm, Objm } from "../io/nats/nats_deps.ts";
import type { JetStreamManager, KV, NatsConnection, ObjectStore } from "../io/nats/nats_deps.ts";
import { clusterNames, partitionStream } from "./_cluster_layout.ts";

/** The buckets a worker uses. */
export interface ClusterStores {
  /** Leases (`lease.<p>`) and members (`member.<id>`); entries expire after the lease TTL. */
  leases: KV;
  /** Partition floors (`floor.<p>`): each the partition's checkpoint manifest, written by compare-and-set. */
  floors: KV;
  /** Checkpoint segments. */
  store: ObjectStore;
}

/** Creates the partition streams (`feeds.<p>.>` each) when missing. */
export async function ensureFeedStreams(
  jsm: JetStreamManager,
  stream: string,
  partitions: number,
): Promise<void> {
  for (let p = 0; p < partitions; p++) {
    const name = partitionStream(stream, p);
    const exists = await jsm.streams.info(name).then(() => true, () => false);
    if (exists) continue;
    await jsm.streams.add({ name, subjects: [`feeds.${p}.>`] }).catch(async (error) => {
      // another member created it in the meantime: fine; anything else is an error
      if (!(await jsm.streams.info(name).then(() => true, () => false))) throw error;
    });
  }
}

/** Creates the partition streams and the buckets when missing, and opens them. */
export async function ensureClusterStores(
  nc: NatsConnection,
  stream: string,
  partitions: number,
  leaseTtl: number,
): Promise<ClusterStores> {
  await ensureFeedStreams(await jetstreamManager(nc), stream, partitions);
  const names = clusterNames(stream);
  const kvm = new Kvm(nc);
  const leases = await kvm.create(names.leases, { ttl: leaseTtl });
  const floors = await kvm.create(names.floors);
  const store = await new Objm(nc).create(names.checkpoints);
  return { leases, floors, store };
}
