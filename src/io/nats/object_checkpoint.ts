/**
 * Checkpoints in a JetStream Object Store: the library's checkpoint bytes (format
 * version, SHA-256, lossless payload) stored as one object, which the Object Store
 * splits into chunks and checks with its own SHA-256 digest.
 *
 * @module
 */
import { loadCheckpoint, saveCheckpoint } from "../checkpoint/checkpoint.ts";
import type { CheckpointData, LoadedCheckpoint } from "../checkpoint/checkpoint.ts";
import type { ObjectStore } from "./nats_deps.ts";

/** Options of {@linkcode saveObjectCheckpoint} and {@linkcode loadObjectCheckpoint}. */
export interface ObjectCheckpointOptions {
  /** The directory of the scratch file that the bytes pass through. @default {the system's temp dir} */
  dir?: string;
}

/**
 * Writes a checkpoint as the object `name` (replacing the previous one at once: readers
 * see the old object or the new one).
 *
 * @param store The Object Store.
 * @param name The object's name (e.g. the feed's key).
 * @param data The checkpoint's contents.
 * @param options The scratch directory.
 * @returns A promise of the bytes stored.
 * @throws {CheckpointError} When the data is inconsistent.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { saveObjectCheckpoint } from "./object_checkpoint.ts";
 * assert(typeof saveObjectCheckpoint === "function");
 * ```
 */
export async function saveObjectCheckpoint(
  store: ObjectStore,
  name: string,
  data: CheckpointData,
  options: ObjectCheckpointOptions = {},
): Promise<number> {
  const path = await Deno.makeTempFile({ prefix: "rxrnn-ckpt-", dir: options.dir });
  try {
    await saveCheckpoint(path, data);
    const bytes = await Deno.readFile(path);
    await store.putBlob({ name }, bytes);
    return bytes.length;
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}

/**
 * Reads the checkpoint stored as the object `name`, checked like a file (checksum,
 * version, shapes).
 *
 * @param store The Object Store.
 * @param name The object's name.
 * @param options The scratch directory.
 * @returns A promise of the checkpoint, or null when there is no such object.
 * @throws {CheckpointError} When the stored bytes are not a usable checkpoint.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadObjectCheckpoint } from "./object_checkpoint.ts";
 * assert(typeof loadObjectCheckpoint === "function");
 * ```
 */
export async function loadObjectCheckpoint(
  store: ObjectStore,
  name: string,
  options: ObjectCheckpointOptions = {},
): Promise<LoadedCheckpoint | null> {
  const bytes = await store.getBlob(name);
  if (bytes === null) return null;
  const path = await Deno.makeTempFile({ prefix: "rxrnn-ckpt-", dir: options.dir });
  try {
    await Deno.writeFile(path, bytes);
    return await loadCheckpoint(path);
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}
