/**
 * Checkpoints: one file with a format version, a checksum and a lossless JSON payload
 * (model config, vocabulary, parameters, trainer snapshot, data-stream position),
 * written atomically and checked completely before anything is returned.
 *
 * File layout: a header line `rxrnn-checkpoint <version>`, a line
 * `sha256 <64 hex digits> <payload bytes>`, then the UTF-8 JSON payload, whose typed
 * arrays are base64 of their bytes (values come back bit for bit).
 *
 * @module
 */
import { decodeValue, encodeValue } from "./codec.ts";
import { checkCheckpoint } from "./_check.ts";
import type { RnnParams, RnnSizes } from "../../cells/rnn/params.ts";
import type { TrainerSnapshot } from "../../stream/train.ts";
import type { Vocab, VocabData } from "../text/vocab.ts";

/** The format version this build writes and reads. */
export const CHECKPOINT_VERSION = 1;

const MAGIC = "rxrnn-checkpoint";

/** Settings of the model and run kept in a checkpoint; any other plain-data fields are kept too. */
export interface CheckpointConfig {
  /** `{ nx, na, ny }`; must match the parameters. */
  sizes: RnnSizes;
  /** Number of parallel streams m; must match the trainer's hidden state. */
  streams: number;
  /** The run's seed. */
  seed: number;
  /** Anything else (plain data: numbers, strings, arrays, objects, typed arrays). */
  [key: string]: unknown;
}

/** What a checkpoint holds. */
export interface CheckpointData {
  /** Sizes, streams, seed and other settings. */
  config: CheckpointConfig;
  /** The vocabulary (its size is n_x = n_y). */
  vocab: VocabData;
  /** The parameters (stored once when they are the trainer snapshot's own). */
  params: RnnParams;
  /** The whole trainer state, to resume exactly; null for a model only. */
  trainer?: TrainerSnapshot | null;
  /** The data stream's position (plain data), checked by the stream when restored. */
  stream?: unknown;
  /** Other plain data: counters, the held-out split's identity, the data source. */
  extra?: Record<string, unknown>;
}

/** A loaded checkpoint: the data and its format version. */
export interface LoadedCheckpoint extends CheckpointData {
  /** The file's format version. */
  version: number;
  /** The trainer state (null when the file has none). */
  trainer: TrainerSnapshot | null;
  /** The other plain data ({} when none). */
  extra: Record<string, unknown>;
}

/** What the caller expects of a checkpoint; a difference is a load error. */
export interface LoadCheckpointOptions {
  /** The vocabulary the caller works with. */
  vocab?: Vocab | VocabData;
  /** Some or all of the sizes. */
  sizes?: Partial<RnnSizes>;
  /** The number of parallel streams. */
  streams?: number;
}

/** A checkpoint that cannot be read, or written: missing, truncated, corrupted, foreign or inconsistent. */
export class CheckpointError extends Error {
  /**
   * @param message What is wrong, naming the file.
   * @param options The underlying error, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CheckpointError";
  }
}

/**
 * Writes a checkpoint atomically: to `path + ".tmp"`, flushed to disk, then renamed over
 * `path`, so a crash leaves either the old file or the new one.
 *
 * @param path The file to write.
 * @param data The checkpoint's contents.
 * @returns A promise of the number of bytes written.
 * @throws {TypeError} When `data` holds something that cannot be encoded (a function, a class instance).
 * @throws {CheckpointError} When the data is inconsistent (shapes, vocabulary) or the file cannot be written.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * import { initParams } from "../../cells/rnn/params.ts";
 * import { Vocab } from "../text/vocab.ts";
 * const vocab = Vocab.fromText("abc");
 * const params = initParams({ nx: 4, na: 3, ny: 4 }, { seed: 1 });
 * const path = await Deno.makeTempFile({ dir: "." });
 * await saveCheckpoint(path, { config: { sizes: { nx: 4, na: 3, ny: 4 }, streams: 1, seed: 1 }, vocab: vocab.toData(), params });
 * const loaded = await loadCheckpoint(path, { vocab });
 * assert(loaded.params.Waa.data.every((v, i) => Object.is(v, params.Waa.data[i])));
 * await Deno.remove(path);
 * ```
 */
export async function saveCheckpoint(path: string, data: CheckpointData): Promise<number> {
  const { trainer = null, stream = null, extra = {} } = data;
  const shared = trainer !== null && trainer.params === data.params;
  const payload = {
    version: CHECKPOINT_VERSION,
    config: data.config,
    vocab: data.vocab,
    params: data.params,
    trainer: trainer === null ? null : shared ? { ...trainer, params: undefined } : trainer,
    sharedParams: shared,
    stream,
    extra,
  };
  try {
    checkCheckpoint({ ...payload, trainer }, {});
  } catch (error) {
    throw new CheckpointError(`Cannot save checkpoint "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  const body = new TextEncoder().encode(JSON.stringify(encodeValue(payload, "checkpoint")));
  const header = new TextEncoder().encode(
    `${MAGIC} ${CHECKPOINT_VERSION}\nsha256 ${await sha256(body)} ${body.length}\n`,
  );
  const tmp = `${path}.tmp`;
  try {
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      await writeAll(file, header);
      await writeAll(file, body);
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw new CheckpointError(`Cannot save checkpoint "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  return header.length + body.length;
}

/**
 * Reads and checks a checkpoint. Every check runs before anything is returned: a
 * missing, truncated or corrupted file (checksum), an unknown format version,
 * inconsistent shapes, or a vocabulary / sizes other than `expect` each give one
 * {@linkcode CheckpointError} with a clear message, and never a partial result.
 *
 * @param path The file to read.
 * @param expect What the caller expects (vocabulary, sizes, streams).
 * @returns A promise of the checkpoint's contents.
 * @throws {CheckpointError} When the file cannot be used; the message says why.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { CheckpointError, loadCheckpoint } from "./checkpoint.ts";
 * const error = await loadCheckpoint("no/such.ckpt").catch((e) => e);
 * assert(error instanceof CheckpointError && /not found/.test(error.message));
 * ```
 */
export async function loadCheckpoint(
  path: string,
  expect: LoadCheckpointOptions = {},
): Promise<LoadedCheckpoint> {
  const fail = (why: string, cause?: unknown): never => {
    throw new CheckpointError(`Cannot load checkpoint "${path}": ${why}`, { cause });
  };
  let bytes: Uint8Array = new Uint8Array(0);
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) fail("file not found", error);
    if (error instanceof Deno.errors.IsADirectory) fail("it is a directory", error);
    fail((error as Error).message, error);
  }
  if (bytes.length === 0) fail("the file is empty (truncated)");
  const first = bytes.indexOf(10);
  const second = first < 0 ? -1 : bytes.indexOf(10, first + 1);
  const line1 = new TextDecoder().decode(bytes.subarray(0, first < 0 ? Math.min(bytes.length, 40) : first));
  if (!line1.startsWith(`${MAGIC} `)) {
    if (first < 0 && `${MAGIC} `.startsWith(line1)) fail("the file is truncated (incomplete header)");
    fail("not an rxrnn checkpoint (unknown header)");
  }
  const versionText = line1.slice(MAGIC.length + 1);
  if (first < 0) fail("the file is truncated (incomplete header)");
  const version = Number(versionText);
  if (!/^\d+$/.test(versionText)) fail(`unreadable format version ${JSON.stringify(versionText)}`);
  if (version !== CHECKPOINT_VERSION) {
    fail(`format version ${version} is not supported (this build reads version ${CHECKPOINT_VERSION})`);
  }
  if (second < 0) fail("the file is truncated (incomplete header)");
  const line2 = new TextDecoder().decode(bytes.subarray(first + 1, second));
  const match = /^sha256 ([0-9a-f]{64}) (\d+)$/.exec(line2);
  if (match === null) fail("corrupted header (no checksum line)");
  const [, digest, lengthText] = match!;
  const body = bytes.subarray(second + 1), expected = Number(lengthText);
  if (body.length < expected) fail(`the file is truncated: ${body.length} of ${expected} payload bytes`);
  if (body.length > expected) fail(`corrupted: ${body.length - expected} unexpected bytes after the payload`);
  if (await sha256(body) !== digest) fail("checksum mismatch: the file is corrupted");
  let payload: Record<string, unknown> = {};
  try {
    const decoded = decodeValue(
      JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)),
      "checkpoint",
    );
    if (decoded === null || typeof decoded !== "object" || Array.isArray(decoded)) {
      throw new TypeError("not an object");
    }
    payload = decoded as Record<string, unknown>;
  } catch (error) {
    fail(`malformed payload: ${(error as Error).message}`, error);
  }
  if (payload.version !== version) {
    fail(`the payload's version ${payload.version} differs from the header's ${version}`);
  }
  let trainer = (payload.trainer ?? null) as TrainerSnapshot | null;
  if (trainer !== null && payload.sharedParams === true) {
    trainer = { ...trainer, params: payload.params as RnnParams };
  }
  const loaded: LoadedCheckpoint = {
    version,
    config: payload.config as CheckpointConfig,
    vocab: payload.vocab as VocabData,
    params: payload.params as RnnParams,
    trainer,
    stream: payload.stream ?? null,
    extra: (payload.extra ?? {}) as Record<string, unknown>,
  };
  try {
    checkCheckpoint(loaded, expect);
  } catch (error) {
    fail((error as Error).message, error);
  }
  return loaded;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}
