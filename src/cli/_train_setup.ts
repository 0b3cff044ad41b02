/**
 * Setting up a `train` run: the trainer's options for a fresh or a resumed run (with
 * the checks that a checkpoint fits the data), and the checkpoint path's permissions.
 *
 * @module
 */
import type { LoadedCheckpoint } from "../io/checkpoint/checkpoint.ts";
import type { TrainOptions } from "../stream/train.ts";
import { UsageError } from "./_args.ts";
import type { RunConfig } from "./_run_config.ts";
import type { TrainData } from "./_train_data.ts";

/** The trainer's options for a fresh run. */
export function freshOptions(config: RunConfig, data: TrainData): TrainOptions {
  const n = data.vocab.size;
  return {
    sizes: { nx: n, na: config.hidden, ny: n },
    seed: config.seed,
    k1: config.k1,
    k2: config.k2,
    optimizer: config.optimizer,
    clip: config.clip,
    reduction: "mean",
  };
}

/** Checks that the checkpoint was made on this data and moves the stream to its position. */
export function resumeOptions(checkpoint: LoadedCheckpoint, data: TrainData, path: string): TrainOptions {
  if (checkpoint.vocab === null || !data.vocab.equals(checkpoint.vocab)) {
    throw new Error(`cannot resume from '${path}': its vocabulary differs from this data's`);
  }
  if (JSON.stringify(checkpoint.extra.data) !== JSON.stringify(data.identity)) {
    throw new Error(
      `cannot resume from '${path}': it was trained on other data (${JSON.stringify(checkpoint.extra.data)})`,
    );
  }
  try {
    data.stream.setState(checkpoint.stream);
  } catch (error) {
    throw new Error(`cannot resume from '${path}': ${(error as Error).message}`);
  }
  return { resume: checkpoint.trainer! };
}

/** Creates the checkpoint's directory now, so a missing permission fails before training. */
export async function prepareCheckpointPath(path: string): Promise<void> {
  if (isDirectory(path)) throw new UsageError(`--checkpoint '${path}' is a directory`);
  if (isSymlink(path)) {
    throw new Error(`the checkpoint '${path}' is a symbolic link (refusing to write through it)`);
  }
  const slash = path.lastIndexOf("/");
  // an existing directory is left alone: creating it again needs write access to it
  if (slash > 0 && !isDirectory(path.slice(0, slash))) {
    await Deno.mkdir(path.slice(0, slash), { recursive: true });
  }
  // the checkpoint, its temporaries (`<path>.<pid>.<hex>.tmp`) and its lock file
  for (const p of [path, `${path}.0.0.tmp`, `${path}.lock`]) {
    for (const name of ["read", "write"] as const) {
      const { state } = await Deno.permissions.query({ name, path: p });
      if (state !== "granted") {
        throw new Error(
          `no permission to ${name} the checkpoint '${p}': run Deno with --allow-${name} for it`,
        );
      }
    }
  }
}

function isSymlink(path: string): boolean {
  try {
    return Deno.lstatSync(path).isSymlink;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Before a run that does not continue the checkpoint at `path` writes there: copies an
 * existing file to `path.bak`, so an earlier run's learning is never overwritten.
 * Returns the copy's path, or null when there was nothing to keep.
 */
export async function keepEarlierCheckpoint(path: string): Promise<string | null> {
  const bak = `${path}.bak`;
  try {
    // a symlink would copy a file from elsewhere into the .bak, and be written through
    if ((await Deno.lstat(path)).isSymlink) {
      throw new Error(`'${path}' is a symbolic link (refusing to write through it)`);
    }
    if ((await Deno.lstat(bak).catch(() => null))?.isSymlink) {
      throw new Error(`'${bak}' is a symbolic link (refusing to write through it)`);
    }
    await Deno.copyFile(path, bak);
    return bak;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    if ((error as Error).message.includes("symbolic link")) throw error;
    throw new Error(
      `cannot keep the earlier checkpoint '${path}' as '${bak}': ${(error as Error).message.split("\n")[0]}`,
    );
  }
}
