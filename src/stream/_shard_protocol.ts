/**
 * What the calling thread and the workers of `train({ workers })` share: the messages, the
 * layout of a worker's input area (its columns of one window's samples), and the flat
 * layout of parameters and gradients (the cell's slots, in their fixed order).
 *
 * @module
 */
import type { ParamSlot } from "../cells/recurrent_cell.ts";
import type { CellSpec } from "../cells/recurrent_cell.ts";
import { Matrix } from "../math/matrix.ts";
import type { CheckedSample } from "./_check_sample.ts";
import type { ColumnRange } from "./_columns.ts";

/** Sets up a worker's shard. */
export interface InitMessage {
  cmd: "init";
  seq: number;
  /** Where replies go (read on the calling thread with `receiveMessageOnPort`). */
  port: MessagePort;
  /**
   * Int32 `[0]`: the seq of the newest reply, stored after it is posted (the calling thread
   * waits on it); `[1]`: the seq of the newest request, stored after its shared data is written.
   */
  status: SharedArrayBuffer;
  /** The parameters, flat in slot order (the calling thread writes them before each window). */
  params: SharedArrayBuffer;
  /** The shard's samples of one window ({@linkcode stepStride} values per step). */
  inputs: SharedArrayBuffer;
  /** The shard's window gradients, flat in slot order. */
  grads: SharedArrayBuffer;
  spec: CellSpec;
  backend: string;
  k1: number;
  k2: number;
  /** Index of the shard's first step. */
  startIndex: number;
  /** The shard's columns. */
  columns: number;
  nx: number;
  ny: number;
  /** The starting parameters (wire form): their shapes, and values until the first window. */
  initial: unknown;
  /** The shard's state before its first step (wire form), or null for zeros. */
  a0: unknown;
  /** The shard's part of a resumed ring (wire form), or null. */
  history: unknown;
}

/** Runs one window on `steps` samples of the input area. */
export interface WindowMessage {
  cmd: "window";
  seq: number;
  steps: number;
}

/** Asks for the shard's ring (its part of `history()`). */
export interface HistoryMessage {
  cmd: "history";
  seq: number;
}

/** A message to a worker. */
export type ShardMessage = InitMessage | WindowMessage | HistoryMessage;

/** A worker's reply, on its port. */
export interface ShardReply {
  seq: number;
  /** Set when the request failed: the error's class name and message. */
  error?: { name: string; message: string };
  /** A window's loss (summed over the shard's steps and columns). */
  loss?: number;
  /** A window's newest state (wire form). */
  aLast?: unknown;
  /** The ring's records, oldest first (wire form). */
  history?: unknown;
}

/** Values per step in an input area: a header of 3, then x (n_x·w), y (n_y·w) and reset (w). */
export function stepStride(nx: number, ny: number, w: number): number {
  return 3 + (nx + ny + 1) * w;
}

/** Writes the columns `range` of a checked sample (m columns) as step `step` of an input area. */
export function writeStep(
  area: Float64Array,
  step: number,
  sample: CheckedSample,
  range: ColumnRange,
  nx: number,
  ny: number,
): void {
  const { from, to } = range, w = to - from, m = sample.m;
  const base = step * stepStride(nx, ny, w);
  const put = (at: number, v: Matrix | Int32Array | Uint8Array, rows: number) => {
    if (v instanceof Matrix) {
      for (let i = 0; i < rows; i++) area.set(v.data.subarray(i * m + from, i * m + to), at + i * w);
    } else {
      for (let j = from; j < to; j++) area[at + j - from] = v[j];
    }
  };
  area[base] = sample.x instanceof Matrix ? 1 : 0;
  area[base + 1] = sample.y === null ? 2 : sample.y instanceof Matrix ? 1 : 0;
  area[base + 2] = sample.reset === null ? 0 : 1;
  put(base + 3, sample.x, nx);
  if (sample.y !== null) put(base + 3 + nx * w, sample.y, ny);
  if (sample.reset !== null) put(base + 3 + (nx + ny) * w, sample.reset, 1);
}

/** Step `step` of an input area as a sample of w columns (new arrays: the stages keep them). */
export function readStep(
  area: Float64Array,
  step: number,
  nx: number,
  ny: number,
  w: number,
): { x: Matrix | Int32Array; y: Matrix | Int32Array | null; reset?: Uint8Array } {
  const base = step * stepStride(nx, ny, w);
  const take = (at: number, dense: boolean, rows: number): Matrix | Int32Array =>
    dense ? new Matrix(rows, w, area.slice(at, at + rows * w)) : Int32Array.from(area.subarray(at, at + w));
  const x = take(base + 3, area[base] === 1, nx);
  const y = area[base + 1] === 2 ? null : take(base + 3 + nx * w, area[base + 1] === 1, ny);
  if (area[base + 2] === 0) return { x, y };
  const at = base + 3 + (nx + ny) * w;
  return { x, y, reset: Uint8Array.from(area.subarray(at, at + w)) };
}

/** Values of all slots together. */
export function slotsLength(slots: readonly ParamSlot[]): number {
  return slots.reduce((n, s) => n + s.value.length, 0);
}

/** Copies the slots' values (`"value"`) or gradients (`"grad"`) into a flat area, in slot order. */
export function writeSlots(slots: readonly ParamSlot[], field: "value" | "grad", area: Float64Array): void {
  let at = 0;
  for (const slot of slots) {
    area.set(slot[field], at);
    at += slot[field].length;
  }
}

/** Copies a flat area into the slots' values, in slot order. */
export function readValues(area: Float64Array, slots: readonly ParamSlot[]): void {
  let at = 0;
  for (const slot of slots) {
    slot.value.set(area.subarray(at, at + slot.value.length));
    at += slot.value.length;
  }
}
