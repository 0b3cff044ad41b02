/**
 * Checkpoints in a JetStream Object Store: the library's checkpoint bytes (format
 * version, SHA-256, lossless payload) stored as one object, which the Object Store
 * splits into chunks and checks with its own SHA-256 digest. The bytes go from memory to
 * the store and back: no scratch file (the store is the durable copy).
 *
 * @module
 */
import { decodeCheckpoint, encodeCheckpoint } from "../checkpoint/checkpoint.ts";
import type { CheckpointData, LoadCheckpointOptions, LoadedCheckpoint } from "../checkpoint/checkpoint.ts";
import type { ObjectStore } from "./nats_deps.ts";

/**
 * Writes a checkpoint as the object `name` (replacing the previous one at once: readers
 * see the old object or the new one).
 *
 * @param store The Object Store.
 * @param name The object's name (e.g. the feed's key).
 * @param data The checkpoint's contents.
 * @returns A promise of the bytes stored.
 * @throws {CheckpointError} When the data is inconsistent.
 *
 * @example Usage
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { CheckpointError } from "../checkpoint/checkpoint.ts";
 * import type { ObjectStore } from "./nats_deps.ts";
 * import { saveObjectCheckpoint } from "./object_checkpoint.ts";
 * // inconsistent data is refused before the store is touched
 * const store = {} as ObjectStore;
 * const config = { sizes: { nx: 1, na: 1, ny: 1 }, streams: 0, seed: 1 };
 * await assertRejects(() => saveObjectCheckpoint(store, "feed.a", { config }), CheckpointError);
 * ```
 */
export async function saveObjectCheckpoint(
  store: ObjectStore,
  name: string,
  data: CheckpointData,
): Promise<number> {
  const bytes = await encodeCheckpoint(data, JSON.stringify(name));
  await store.putBlob({ name }, bytes);
  return bytes.length;
}

/**
 * Reads the checkpoint stored as the object `name`, checked like a file (checksum,
 * version, shapes, and what the caller expects).
 *
 * @param store The Object Store.
 * @param name The object's name.
 * @param expect What the caller expects (cell, sizes, streams, largest payload).
 * @returns A promise of the checkpoint, or null when there is no such object.
 * @throws {CheckpointError} When the stored bytes are not a usable checkpoint.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import type { ObjectStore } from "./nats_deps.ts";
 * import { loadObjectCheckpoint } from "./object_checkpoint.ts";
 * // a store without the object: null
 * const store = { getBlob: () => Promise.resolve(null) } as unknown as ObjectStore;
 * assertEquals(await loadObjectCheckpoint(store, "feed.none"), null);
 * ```
 */
export async function loadObjectCheckpoint(
  store: ObjectStore,
  name: string,
  expect: LoadCheckpointOptions = {},
): Promise<LoadedCheckpoint | null> {
  const bytes = await store.getBlob(name);
  if (bytes === null) return null;
  return await decodeCheckpoint(bytes, expect, JSON.stringify(name));
}
