/**
 * One writer per checkpoint path: an exclusive advisory lock on `<path>.lock`, held for a
 * whole run and freed by the system when the process ends (even by kill -9).
 *
 * @module
 */
import { CheckpointError } from "./checkpoint.ts";
import { dirName, isTemporaryOf } from "./_file.ts";

/** A held checkpoint lock. */
export interface CheckpointLock {
  /** The lock file's path (`<checkpoint>.lock`). */
  path: string;
  /** Frees the lock (the lock file stays; it holds no state). */
  release(): void;
  /** Frees the lock at the end of a `using` block. */
  [Symbol.dispose](): void;
}

/**
 * Takes the lock of the checkpoint at `path`, then removes the temporary files an earlier
 * writer left behind (killed in the middle of a save). Two trainers writing one path
 * would overwrite each other's checkpoints: the second is refused at once.
 *
 * @param path The checkpoint's path.
 * @returns A promise of the held lock.
 * @throws {CheckpointError} When another process (or this one) holds the lock, or the lock file cannot be created.
 *
 * @example Usage
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { lockCheckpoint } from "./checkpoint_lock.ts";
 * await Deno.mkdir(".tmp", { recursive: true });
 * const dir = await Deno.makeTempDir({ dir: ".tmp" });
 * const lock = await lockCheckpoint(`${dir}/model.ckpt`);
 * await assertRejects(() => lockCheckpoint(`${dir}/model.ckpt`));
 * lock.release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function lockCheckpoint(path: string): Promise<CheckpointLock> {
  const lockPath = `${path}.lock`;
  if (HELD.has(lockPath)) throw busy(path);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(lockPath, { read: true, write: true, create: true });
  } catch (error) {
    throw new CheckpointError(
      `Cannot lock checkpoint "${path}": ${(error as Error).message.split("\n")[0]}`,
      { cause: error },
    );
  }
  let locked = false;
  try {
    locked = await file.tryLock(true);
  } catch (error) {
    file.close();
    throw new CheckpointError(
      `Cannot lock checkpoint "${path}": ${(error as Error).message.split("\n")[0]}`,
      { cause: error },
    );
  }
  if (!locked) {
    file.close();
    throw busy(path);
  }
  HELD.add(lockPath);
  await removeStaleTemporaries(path);
  let released = false;
  const lock: CheckpointLock = {
    path: lockPath,
    [Symbol.dispose]: () => lock.release(),
    release() {
      if (released) return;
      released = true;
      HELD.delete(lockPath);
      try {
        file.unlockSync();
      } finally {
        file.close();
      }
    },
  };
  return lock;
}

/** Lock files held by this process (an flock is per open file, so the process tracks its own). */
const HELD = new Set<string>();

function busy(path: string): CheckpointError {
  return new CheckpointError(
    `Cannot lock checkpoint "${path}": another process is writing it (its lock "${path}.lock" is held)`,
  );
}

async function removeStaleTemporaries(path: string): Promise<void> {
  const dir = dirName(path);
  const prefix = dir === "." && !path.startsWith("./") ? "" : `${dir}/`;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (isTemporaryOf(path, entry.name) && !entry.isDirectory) {
        await Deno.remove(`${prefix}${entry.name}`).catch(() => {});
      }
    }
  } catch {
    // a directory that cannot be listed keeps its temporaries; saving does not need it
  }
}
