/**
 * Checkpoints: one file with a format version, a checksum and a lossless JSON payload
 * (model config, vocabulary, parameters, trainer snapshot, data-stream position),
 * written atomically and checked completely before anything is returned.
 *
 * File layout: a header line `rxrnn-checkpoint <version>`, a line
 * `sha256 <64 hex digits> <payload bytes>`, then the UTF-8 JSON payload, whose typed
 * arrays are base64 of their bytes (values come back bit for bit).
 *
 * Version 2 names the model: the cell's spec (`{ kind, head, … }`, rebuilt with
 * `createCell()`), its parameter names, and the kernel backend's name; the parameters
 * are named matrices that the cell checks. A version-1 file (the vanilla RNN, before
 * cells were named) is read as `{ kind: "rnn", head: "softmax" }` on the `"js"` backend.
 * The library, `main.ts train` and the live trainer all write this one format.
 *
 * @module
 */
import { decodeValue, encodeValue } from "./codec.ts";
import { checkCheckpoint } from "./_check.ts";
import { readHead, writeAtomic } from "./_file.ts";
import { createCell } from "../../cells/create_cell.ts";
import type { CellSpec, RecurrentCell } from "../../cells/recurrent_cell.ts";
import type { ParamSet } from "../../cells/types.ts";
import type { Matrix } from "../../math/matrix.ts";
import type { OptimizerState } from "../../optim/optimizers.ts";
import type { StepRecord } from "../../stream/forward_steps.ts";
import type { TrainerSnapshot } from "../../stream/train.ts";
import type { Vocab, VocabData } from "../text/vocab.ts";

/** The format version this build writes (it also reads version 1). */
export const CHECKPOINT_VERSION = 2;

const MAGIC = "rxrnn-checkpoint";
/** The header is read first, in this many bytes at most (it is about 100). */
const HEAD_BYTES = 256;
/** The largest payload read by default: 1 GiB. */
const DEFAULT_MAX_BYTES = 2 ** 30;

/** Settings of the model and run kept in a checkpoint; any other plain-data fields are kept too. */
export interface CheckpointConfig {
  /** `{ nx, na, ny }`; must match the parameters. */
  sizes: { nx: number; na: number; ny: number };
  /** Number of parallel streams m; must match the trainer's hidden state. */
  streams: number;
  /** The run's seed. */
  seed: number;
  /** Anything else (plain data: numbers, strings, arrays, objects, typed arrays). */
  [key: string]: unknown;
}

/** A trainer's state as a checkpoint checks it: `train()`'s snapshot, or the same fields from any driver of the stages. */
export interface CheckpointTrainer {
  /** The run's settings; k1 and k2 are checked. */
  config: { k1: number; k2: number };
  /** The parameters, checked by the cell. */
  params: ParamSet;
  /** The optimizer's state; its slots must name parameters. */
  optimizer: OptimizerState;
  /** The state after the last step, `sizes.state` × m. */
  hidden: Matrix;
  /** The newest ≤ k2 step records, oldest first. */
  history: readonly StepRecord<unknown>[];
  /** Running totals (integers >= 0). */
  counters: object;
}

/** What a checkpoint holds. */
export interface CheckpointData {
  /** The cell (or its spec). @default {the trainer's `cell`, else `{ kind: "rnn", head: "softmax" }`} */
  // deno-lint-ignore no-explicit-any
  cell?: RecurrentCell<any, any, any> | CellSpec;
  /** The kernel backend's name. @default {the trainer's `backend`, else "js"} */
  backend?: string;
  /** Sizes, streams, seed and other settings. */
  config: CheckpointConfig;
  /** The vocabulary (its size is n_x = n_y); null for a model of numbers. @default {null} */
  vocab?: VocabData | null;
  /** The parameters (stored once when they are the trainer snapshot's own); null when the model lives elsewhere (e.g. `extra`). @default {null} */
  params?: ParamSet | null;
  /** The whole trainer state, to resume exactly; null for a model only. */
  trainer?: CheckpointTrainer | null;
  /** The data stream's position (plain data), checked by the stream when restored. */
  stream?: unknown;
  /** Other plain data: counters, the held-out split's identity, the data source. */
  extra?: Record<string, unknown>;
}

/** A loaded checkpoint: the data and its format version. */
export interface LoadedCheckpoint extends CheckpointData {
  /** The file's format version. */
  version: number;
  /** The cell, rebuilt from the file's spec (or the caller's, when given). */
  cell: RecurrentCell;
  /**
   * The kernel backend's name. `"js"` and `"wasm-f64"` are exact (bit-identical to each
   * other): a resume continues bit for bit on any machine. `"wasm-f32"` is not: its float32
   * products may round differently on another machine (relaxed SIMD fused multiply-add or
   * not), so a `"wasm-f32"` checkpoint resumes bit for bit only on the same runtime and CPU.
   */
  backend: string;
  /** The parameter names, in the cell's order. */
  paramNames: string[];
  /** The vocabulary (null for a model of numbers). */
  vocab: VocabData | null;
  /** The parameters (null when the file has none). */
  params: ParamSet | null;
  /** The trainer state as saved (a `TrainerSnapshot` for `train()`; null when the file has none). */
  trainer: TrainerSnapshot | null;
  /** The other plain data ({} when none). */
  extra: Record<string, unknown>;
}

/** What the caller expects of a checkpoint; a difference is a load error. */
export interface LoadCheckpointOptions {
  /** The cell (or its spec): another kind, head or parameter names is an error; a cell object is used as it is. */
  // deno-lint-ignore no-explicit-any
  cell?: RecurrentCell<any, any, any> | CellSpec;
  /** The vocabulary the caller works with. */
  vocab?: Vocab | VocabData;
  /** Some or all of the sizes. */
  sizes?: Partial<{ nx: number; na: number; ny: number }>;
  /** The number of parallel streams. */
  streams?: number;
  /** The largest payload (bytes) to read; a header announcing more is refused before reading. @default {2 ** 30} */
  maxBytes?: number;
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
 * Writes a checkpoint atomically: to a new temporary file with a unique name next to
 * `path` (created exclusively, never through a symlink), flushed to disk, renamed over
 * `path`, and the directory flushed, so a crash leaves either the old file or the new
 * one. A symlink at `path` is refused.
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
 * await Deno.mkdir(".tmp", { recursive: true });
 * const path = await Deno.makeTempFile({ dir: ".tmp" });
 * await saveCheckpoint(path, { config: { sizes: { nx: 4, na: 3, ny: 4 }, streams: 1, seed: 1 }, vocab: vocab.toData(), params });
 * const loaded = await loadCheckpoint(path, { vocab });
 * assert(loaded.params!.Waa.data.every((v, i) => Object.is(v, params.Waa.data[i])));
 * await Deno.remove(path);
 * ```
 */
export async function saveCheckpoint(path: string, data: CheckpointData): Promise<number> {
  const bytes = await encodeCheckpoint(data, `"${path}"`);
  try {
    await writeAtomic(path, [bytes]);
  } catch (error) {
    throw new CheckpointError(
      `Cannot save checkpoint "${path}": ${(error as Error).message.split("\n")[0]}`,
      { cause: error },
    );
  }
  return bytes.length;
}

/**
 * A checkpoint's bytes, exactly as {@linkcode saveCheckpoint} writes them to a file: for
 * storage that is not a file (a database, a download, a message).
 *
 * @param data The checkpoint's contents.
 * @param name What to call the checkpoint in messages. @default {"(bytes)"}
 * @returns A promise of the bytes (header, checksum line, payload).
 * @throws {CheckpointError} When the data is inconsistent or cannot be encoded.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint.ts";
 * import { initParams } from "../../cells/rnn/params.ts";
 * const params = initParams({ nx: 3, na: 2, ny: 3 }, { seed: 1 });
 * const bytes = await encodeCheckpoint({ config: { sizes: { nx: 3, na: 2, ny: 3 }, streams: 1, seed: 1 }, params });
 * const loaded = await decodeCheckpoint(bytes);
 * assert(loaded.params!.Wax.data.every((v, i) => Object.is(v, params.Wax.data[i])));
 * ```
 */
export async function encodeCheckpoint(data: CheckpointData, name = "(bytes)"): Promise<Uint8Array> {
  const { trainer = null, stream = null, extra = {}, vocab = null, params = null } = data;
  const shared = trainer !== null && params !== null && trainer.params === params;
  const named = trainer as { cell?: CellSpec; backend?: string; config?: { head?: string } } | null;
  let payload: Record<string, unknown> = {};
  try {
    const given = data.cell ?? named?.cell ?? { kind: "rnn", head: named?.config?.head ?? "softmax" };
    const cell = "bind" in given ? given as RecurrentCell : createCell(given as CellSpec, "saveCheckpoint()");
    const backend = data.backend ?? named?.backend ?? "js";
    if (typeof backend !== "string" || backend === "") {
      throw new TypeError(`'backend' must be a backend's name: got ${String(backend)}`);
    }
    const model = params ?? trainer?.params ?? null;
    payload = {
      version: CHECKPOINT_VERSION,
      cell: cell.spec(),
      paramNames: model === null ? null : cell.paramNames(model),
      backend,
      config: data.config,
      vocab,
      params,
      trainer: trainer === null ? null : shared ? { ...trainer, params: undefined } : trainer,
      sharedParams: shared,
      stream,
      extra,
    };
    checkCheckpoint({ ...payload, cell, trainer } as Parameters<typeof checkCheckpoint>[0], {});
  } catch (error) {
    throw new CheckpointError(`Cannot save checkpoint ${name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const body = new TextEncoder().encode(JSON.stringify(encodeValue(payload, "checkpoint")));
  const header = new TextEncoder().encode(
    `${MAGIC} ${CHECKPOINT_VERSION}\nsha256 ${await sha256(body)} ${body.length}\n`,
  );
  const bytes = new Uint8Array(header.length + body.length);
  bytes.set(header);
  bytes.set(body, header.length);
  return bytes;
}

/**
 * Reads and checks a checkpoint. Every check runs before anything is returned: a
 * missing, truncated or corrupted file (checksum), an unknown format version, a file
 * whose size differs from its header's (checked before the payload is read),
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
  const { maxBytes = DEFAULT_MAX_BYTES } = expect;
  let size = 0, head: Uint8Array = new Uint8Array(0);
  try {
    ({ size, head } = await readHead(path, HEAD_BYTES));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) fail("file not found", error);
    if (error instanceof Deno.errors.IsADirectory) fail("it is a directory", error);
    fail((error as Error).message.split("\n")[0], error);
  }
  if (size === 0) fail("the file is empty (truncated)");
  const first = head.indexOf(10);
  const second = first < 0 ? -1 : head.indexOf(10, first + 1);
  const line1 = new TextDecoder().decode(head.subarray(0, first < 0 ? Math.min(head.length, 40) : first));
  if (!line1.startsWith(`${MAGIC} `)) {
    if (first < 0 && `${MAGIC} `.startsWith(line1)) fail("the file is truncated (incomplete header)");
    fail("not an rxrnn checkpoint (unknown header)");
  }
  const versionText = line1.slice(MAGIC.length + 1);
  if (first < 0) {
    fail(head.length < size ? "corrupted header (too long)" : "the file is truncated (incomplete header)");
  }
  const version = Number(versionText);
  if (!/^\d+$/.test(versionText)) fail(`unreadable format version ${JSON.stringify(versionText)}`);
  if (version !== 1 && version !== CHECKPOINT_VERSION) {
    fail(
      `format version ${version} is not supported (this build reads versions 1 and ${CHECKPOINT_VERSION})`,
    );
  }
  if (second < 0) {
    fail(
      head.length < size
        ? "corrupted header (no checksum line)"
        : "the file is truncated (incomplete header)",
    );
  }
  const line2 = new TextDecoder().decode(head.subarray(first + 1, second));
  const match = /^sha256 ([0-9a-f]{64}) (\d+)$/.exec(line2);
  if (match === null) fail("corrupted header (no checksum line)");
  const [, , lengthText] = match!;
  // the header and the file's size are checked before a byte of the payload is read
  const expected = Number(lengthText), headerBytes = second + 1, total = headerBytes + expected;
  if (expected > maxBytes) {
    fail(`its header says ${expected} payload bytes, larger than the limit of ${maxBytes} bytes (maxBytes)`);
  }
  if (size < total) fail(`the file is truncated: ${size - headerBytes} of ${expected} payload bytes`);
  if (size > total) {
    fail(
      `corrupted: ${
        size - total
      } unexpected bytes after the payload (the file has ${size} bytes but its header says ${total})`,
    );
  }
  let bytes: Uint8Array = new Uint8Array(0);
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    fail((error as Error).message.split("\n")[0], error);
  }
  if (bytes.length !== total) fail(`the file changed while it was read (${bytes.length} of ${total} bytes)`);
  return await decodeCheckpoint(bytes, expect, `"${path}"`);
}

/**
 * Reads and checks a checkpoint's bytes (as {@linkcode encodeCheckpoint} makes them, or a
 * file's contents fetched from anywhere): every check of {@linkcode loadCheckpoint} runs.
 *
 * @param bytes The checkpoint's bytes.
 * @param expect What the caller expects (vocabulary, sizes, streams).
 * @param name What to call the checkpoint in messages. @default {"(bytes)"}
 * @returns A promise of the checkpoint's contents.
 * @throws {CheckpointError} When the bytes cannot be used; the message says why.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { CheckpointError, decodeCheckpoint } from "./checkpoint.ts";
 * const error = await decodeCheckpoint(new TextEncoder().encode("hello")).catch((e) => e);
 * assert(error instanceof CheckpointError && /not an rxrnn checkpoint/.test(error.message));
 * ```
 */
export async function decodeCheckpoint(
  bytes: Uint8Array,
  expect: LoadCheckpointOptions = {},
  name = "(bytes)",
): Promise<LoadedCheckpoint> {
  const fail = (why: string, cause?: unknown): never => {
    throw new CheckpointError(`Cannot load checkpoint ${name}: ${why}`, { cause });
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array: got ${typeof bytes}`);
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
  if (version !== 1 && version !== CHECKPOINT_VERSION) {
    fail(
      `format version ${version} is not supported (this build reads versions 1 and ${CHECKPOINT_VERSION})`,
    );
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
    trainer = { ...trainer, params: payload.params as TrainerSnapshot["params"] };
  }
  // version 1: the vanilla RNN (softmax head) on the JS backend, before cells were named
  const spec = (version === 1 ? { kind: "rnn", head: "softmax" } : payload.cell) as CellSpec;
  const backend = version === 1 ? "js" : payload.backend;
  if (spec === null || typeof spec !== "object" || typeof spec.kind !== "string") {
    fail("the file names no cell ('cell' must be an object { kind, head })");
  }
  if (typeof backend !== "string" || backend === "") fail("the file names no backend");
  const want = expect.cell === undefined
    ? undefined
    : "bind" in expect.cell
    ? (expect.cell as RecurrentCell).spec()
    : expect.cell as CellSpec;
  if (want !== undefined && (want.kind !== spec.kind || want.head !== spec.head)) {
    fail(
      `it holds a "${spec.kind}" cell with the ${spec.head} head, expected "${want.kind}" with the ${want.head} head`,
    );
  }
  let cell: RecurrentCell = undefined as unknown as RecurrentCell;
  try {
    cell = expect.cell !== undefined && "bind" in expect.cell
      ? expect.cell as RecurrentCell
      : createCell(spec, "loadCheckpoint()");
  } catch (error) {
    fail((error as Error).message, error);
  }
  const params = (payload.params ?? null) as ParamSet | null;
  const model = params ?? trainer?.params ?? null;
  const loaded: LoadedCheckpoint = {
    version,
    cell,
    backend: backend as string,
    paramNames: version === 1 || payload.paramNames == null
      ? model === null ? [] : cell.paramNames(model)
      : payload.paramNames as string[],
    config: payload.config as CheckpointConfig,
    vocab: (payload.vocab ?? null) as VocabData | null,
    params,
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
