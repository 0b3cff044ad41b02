/**
 * Consistency checks of a checkpoint's contents, through its cell: the parameters (the
 * cell's names and shapes), every shape against the sizes, the vocabulary against n_x
 * and n_y, and all of it against what the caller expects. Throws a RangeError/TypeError
 * whose message says what differs.
 *
 * @module
 */
import { describe, Matrix } from "../../math/matrix.ts";
import type { CellSizes, RecurrentCell } from "../../cells/recurrent_cell.ts";
import type { ParamSet } from "../../cells/types.ts";
import { Vocab } from "../text/vocab.ts";
import type { VocabData } from "../text/vocab.ts";

/** The parts of a checkpoint that are checked. */
export interface CheckedCheckpoint {
  cell: RecurrentCell;
  paramNames?: unknown;
  config: unknown;
  vocab: unknown;
  params: unknown;
  trainer: unknown;
}

/** What the caller expects. */
export interface CheckpointExpectation {
  vocab?: Vocab | VocabData;
  sizes?: Partial<{ nx: number; na: number; ny: number }>;
  streams?: number;
}

/** Throws when the checkpoint is inconsistent or differs from `expect`. */
export function checkCheckpoint(data: CheckedCheckpoint, expect: CheckpointExpectation): void {
  const config = data.config as Record<string, unknown> | null;
  if (config === null || typeof config !== "object") {
    throw new TypeError(`'config' must be an object: got ${describe(config)}`);
  }
  const sizes = config.sizes as Record<string, unknown> | null;
  if (sizes === null || typeof sizes !== "object") {
    throw new TypeError(`'config.sizes' must be an object { nx, na, ny }: got ${describe(sizes)}`);
  }
  const m = config.streams;
  if (typeof m !== "number" || !Number.isInteger(m) || m < 1) {
    throw new RangeError(`'config.streams' must be an integer >= 1: current value is ${String(m)}`);
  }
  if (typeof config.seed !== "number" || !Number.isSafeInteger(config.seed)) {
    throw new RangeError(`'config.seed' must be a safe integer: current value is ${String(config.seed)}`);
  }
  const { cell } = data;
  const model = (data.params ?? (data.trainer as { params?: ParamSet } | null)?.params ?? null) as
    | ParamSet
    | null;
  if (model === null) {
    if (data.trainer !== null && data.trainer !== undefined) {
      throw new TypeError("'trainer.params' is missing");
    }
    if (expect.sizes !== undefined) throw new RangeError("the checkpoint holds no parameters");
    if (data.vocab !== null && data.vocab !== undefined) Vocab.fromData(data.vocab as VocabData);
    return;
  }
  const cellSizes = checkModel(cell, model, "params");
  const { nx, na, ny } = cellSizes;
  if (data.paramNames !== undefined && data.paramNames !== null) {
    const names = cell.paramNames(model);
    if (JSON.stringify(data.paramNames) !== JSON.stringify(names)) {
      throw new RangeError(
        `the file names the parameters ${describeNames(data.paramNames)} but the "${cell.kind}" cell has ${
          describeNames(names)
        }`,
      );
    }
  }
  for (const [key, value] of [["nx", nx], ["na", na], ["ny", ny]] as const) {
    if (sizes[key] !== value) {
      throw new RangeError(
        `the parameters have ${key} = ${value} but 'config.sizes.${key}' is ${String(sizes[key])}`,
      );
    }
  }
  const vocab = data.vocab === null || data.vocab === undefined
    ? null
    : Vocab.fromData(data.vocab as VocabData);
  if (vocab !== null && (vocab.size !== nx || vocab.size !== ny)) {
    throw new RangeError(
      `the vocabulary has ${vocab.size} characters but the model has nx = ${nx} and ny = ${ny}`,
    );
  }
  if (data.trainer !== null && data.trainer !== undefined) checkTrainer(data.trainer, cell, cellSizes, m);
  if (expect.vocab !== undefined && vocab === null) {
    throw new RangeError("the checkpoint holds no vocabulary (a model of numbers)");
  }
  if (expect.vocab !== undefined && !vocab!.equals(expect.vocab)) {
    throw new RangeError(
      `the vocabulary differs from the expected one: ${vocabDifference(vocab!, expect.vocab)}`,
    );
  }
  for (const key of ["nx", "na", "ny"] as const) {
    const want = expect.sizes?.[key], have = { nx, na, ny }[key];
    if (want !== undefined && want !== have) {
      throw new RangeError(`the model has ${key} = ${have}, expected ${want}`);
    }
  }
  if (expect.streams !== undefined && expect.streams !== m) {
    throw new RangeError(`the run has ${m} parallel streams, expected ${expect.streams}`);
  }
}

/** The cell's sizes of `params`, its parameter names checked against the object's own keys. */
function checkModel(cell: RecurrentCell, params: ParamSet, what: string): CellSizes {
  if (params === null || typeof params !== "object") {
    throw new TypeError(`'${what}' must be an object of named matrices: got ${describe(params)}`);
  }
  const sizes = cell.sizes(params);
  const names = cell.paramNames(params), keys = Object.keys(params);
  const extra = keys.filter((k) => !names.includes(k));
  if (extra.length > 0) {
    throw new RangeError(
      `'${what}' has ${describeNames(extra)}, which the "${cell.kind}" cell does not have (it has ${
        describeNames(names)
      })`,
    );
  }
  return sizes;
}

function describeNames(names: unknown): string {
  return Array.isArray(names) ? names.join(", ") : describe(names);
}

function checkTrainer(trainer: unknown, cell: RecurrentCell, model: CellSizes, m: number): void {
  const { nx, na, ny, state } = model;
  const t = trainer as Record<string, unknown>;
  if (t === null || typeof t !== "object") {
    throw new TypeError(`'trainer' must be an object: got ${describe(t)}`);
  }
  const config = t.config as Record<string, unknown> | null;
  if (config === null || typeof config !== "object") {
    throw new TypeError("'trainer.config' must be an object");
  }
  const { k1, k2 } = config;
  if (
    typeof k1 !== "number" || !Number.isInteger(k1) || k1 < 1 || typeof k2 !== "number" ||
    !Number.isInteger(k2) || k2 < k1
  ) {
    throw new RangeError(
      `'trainer.config' must have integers 1 <= k1 <= k2: k1 is ${String(k1)}, k2 is ${String(k2)}`,
    );
  }
  const sizes = checkModel(cell, t.params as ParamSet, "trainer.params");
  if (sizes.nx !== nx || sizes.na !== na || sizes.ny !== ny) {
    throw new RangeError(
      `the trainer's parameters are ${sizes.na}x${sizes.nx}x${sizes.ny}, the model's ${na}x${nx}x${ny}`,
    );
  }
  matrix("trainer.hidden", t.hidden, state, m);
  const optimizer = t.optimizer as Record<string, unknown> | null;
  if (optimizer === null || typeof optimizer !== "object" || typeof optimizer.type !== "string") {
    throw new TypeError("'trainer.optimizer' must be an object { type, t, slots }");
  }
  if (typeof optimizer.t !== "number" || !Number.isInteger(optimizer.t) || optimizer.t < 0) {
    throw new RangeError(
      `'trainer.optimizer.t' must be an integer >= 0: current value is ${String(optimizer.t)}`,
    );
  }
  const slots = optimizer.slots as Record<string, unknown> | null;
  if (slots === null || typeof slots !== "object") {
    throw new TypeError("'trainer.optimizer.slots' must be an object");
  }
  const params = t.params as ParamSet;
  const names = cell.paramNames(params);
  for (const [key, slot] of Object.entries(slots)) {
    const name = key.slice(0, key.lastIndexOf("."));
    if (!names.includes(name)) {
      throw new RangeError(`'trainer.optimizer.slots.${key}' names no parameter`);
    }
    const size = params[name].data.length;
    if (!(slot instanceof Float64Array) || slot.length !== size) {
      throw new RangeError(
        `'trainer.optimizer.slots.${key}' must be a Float64Array of ${size} values: got ${describe(slot)}`,
      );
    }
  }
  const history = t.history;
  if (!Array.isArray(history) || history.length > k2) {
    throw new RangeError(
      `'trainer.history' must be an array of at most k2 = ${k2} steps: got ${describe(history)}`,
    );
  }
  history.forEach((record, i) => {
    const what = `trainer.history[${i}]`;
    const c = record?.cache;
    if (c === null || typeof c !== "object") throw new TypeError(`'${what}.cache' must be an object`);
    if (c.x !== undefined) tokensOrMatrix(`${what}.cache.x`, c.x, nx, m);
    if (record.y !== null) tokensOrMatrix(`${what}.y`, record.y, ny, m);
    let stateOf: unknown, outputOf: unknown;
    try {
      stateOf = cell.stateOf(c);
      outputOf = cell.outputOf(c);
    } catch (error) {
      throw new TypeError(
        `'${what}.cache' is not a "${cell.kind}" cell's step cache: ${(error as Error).message}`,
      );
    }
    matrix(`${what}.cache (its state)`, stateOf, state, m);
    matrix(`${what}.cache (its output)`, outputOf, ny, m);
  });
  const counters = t.counters as Record<string, unknown> | null;
  if (counters === null || typeof counters !== "object") {
    throw new TypeError("'trainer.counters' must be an object");
  }
  for (const [key, value] of Object.entries(counters)) {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new RangeError(
        `'trainer.counters.${key}' must be an integer >= 0: current value is ${String(value)}`,
      );
    }
  }
}

function matrix(what: string, value: unknown, rows: number, cols: number): void {
  if (!(value instanceof Matrix)) throw new TypeError(`'${what}' must be a Matrix: got ${describe(value)}`);
  if (value.rows !== rows || value.cols !== cols) {
    throw new RangeError(`'${what}' has shape ${value.shape}, expected ${rows}x${cols}`);
  }
}

function tokensOrMatrix(what: string, value: unknown, n: number, m: number): void {
  if (value instanceof Matrix) return matrix(what, value, n, m);
  if (!(value instanceof Int32Array) || value.length !== m) {
    throw new RangeError(
      `'${what}' must be ${m} token indices or a ${n}x${m} Matrix: got ${describe(value)}`,
    );
  }
  for (let j = 0; j < m; j++) {
    if (value[j] < 0 || value[j] >= n) {
      throw new RangeError(`'${what}[${j}]' must be in [0, ${n}): current value is ${value[j]}`);
    }
  }
}

function vocabDifference(have: Vocab, want: Vocab | VocabData): string {
  const other = Vocab.fromData({ chars: [...want.chars] });
  if (have.size !== other.size) return `${have.size} characters in the checkpoint, ${other.size} expected`;
  const i = have.chars.findIndex((ch, k) => ch !== other.chars[k]);
  return `token ${i} is ${JSON.stringify(have.chars[i])} in the checkpoint, ${
    JSON.stringify(other.chars[i])
  } expected`;
}
