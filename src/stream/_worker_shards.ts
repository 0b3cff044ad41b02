/**
 * The calling thread's side of `train({ workers })`: the Web Workers that compute shards
 * 1…n−1, their shared areas, and synchronous requests (post, then `Atomics.wait` with a
 * timeout on the worker's status word, then read the reply with `receiveMessageOnPort`).
 *
 * @module
 */
import type { CellSpec, ParamSlot } from "../cells/recurrent_cell.ts";
import type { ParamSet } from "../cells/types.ts";
import type { Matrix } from "../math/matrix.ts";
import type { CheckedSample } from "./_check_sample.ts";
import type { ColumnRange } from "./_columns.ts";
import type { StepRecord } from "./forward_steps.ts";
import { slotsLength, stepStride, writeSlots, writeStep } from "./_shard_protocol.ts";
import type { ShardMessage, ShardReply } from "./_shard_protocol.ts";
import { fromWire, toWire } from "./_wire.ts";

/** The worker module (it needs read permission where it is a file). */
const WORKER_URL = new URL("./_shard_worker.ts", import.meta.url);

/** Workers started and not yet terminated, over all subscriptions (tests check teardown with it). */
let live = 0;

/** How many workers of `train({ workers })` are running now. */
export function liveWorkers(): number {
  return live;
}

type Receive = (port: MessagePort) => { message: unknown } | undefined;

/** `receiveMessageOnPort` of `node:worker_threads`, without a static import (browsers have none). */
function receiver(): Receive | null {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const module = process?.getBuiltinModule?.("node:worker_threads") as
      | { receiveMessageOnPort?: Receive }
      | undefined;
    return typeof module?.receiveMessageOnPort === "function" ? module.receiveMessageOnPort : null;
  } catch {
    return null;
  }
}

/**
 * Why this runtime cannot run `train({ workers })`, or null when it can: it needs Web
 * Workers, SharedArrayBuffer, a calling thread allowed to block in `Atomics.wait`, and
 * `receiveMessageOnPort` (Deno has them all; a browser's main thread may not block).
 */
export function workersUnsupported(): string | null {
  if (typeof Worker !== "function") return "this runtime has no Web Worker";
  if (typeof SharedArrayBuffer !== "function") return "this runtime has no SharedArrayBuffer";
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return "this thread may not block in Atomics.wait (a browser's main thread)";
  }
  if (receiver() === null) return "this runtime has no receiveMessageOnPort (node:worker_threads)";
  return null;
}

/** Options of {@linkcode WorkerShards}. */
export interface WorkerShardsOptions {
  spec: CellSpec;
  backend: string;
  k1: number;
  k2: number;
  startIndex: number;
  nx: number;
  ny: number;
  /** The calling thread's live parameters. */
  params: ParamSet;
  /** Their slots (value arrays), in the cell's order. */
  slots: readonly ParamSlot[];
  /** Every shard's columns; shard 0 is the calling thread's, the others get a worker each. */
  ranges: readonly ColumnRange[];
  /** Per shard, its state before its first step (undefined: zeros). */
  a0s: readonly (Matrix | undefined)[];
  /** Per shard, its part of a resumed ring (undefined: none). */
  histories: readonly (StepRecord<unknown>[] | undefined)[];
  /** Milliseconds to wait for any reply. */
  timeout: number;
}

interface Handle {
  worker: Worker;
  port: MessagePort;
  status: Int32Array;
  inputs: Float64Array;
  grads: Float64Array;
  range: ColumnRange;
  seq: number;
  /** The message of an error event the worker raised (known once the event loop ran). */
  failure: string | null;
}

/** A window's result from one worker. */
export interface WorkerWindow {
  /** The window's loss over the worker's columns. */
  loss: number;
  /** Its gradients, flat in slot order (a view of the shared area: valid until the next window). */
  grads: Float64Array;
  /** Its newest state. */
  aLast: Matrix;
}

/** The workers of one `train({ workers })` subscription. */
export class WorkerShards {
  readonly #options: WorkerShardsOptions;
  readonly #receive: Receive;
  readonly #params: Float64Array;
  readonly #handles: Handle[] = [];

  /**
   * Starts one worker per shard after the first and posts each its set-up; does not wait.
   *
   * @throws {Error} When the worker module may not be read (Deno's read permission).
   */
  constructor(options: WorkerShardsOptions) {
    this.#options = options;
    const why = workersUnsupported();
    if (why !== null) throw new TypeError(`Cannot start the workers of train() as ${why}`);
    this.#receive = receiver()!;
    checkReadable(WORKER_URL);
    const paramsBuffer = new SharedArrayBuffer(8 * slotsLength(options.slots));
    this.#params = new Float64Array(paramsBuffer);
    const initial = toWire(options.params);
    try {
      for (let s = 1; s < options.ranges.length; s++) this.#start(s, paramsBuffer, initial);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  #start(s: number, paramsBuffer: SharedArrayBuffer, initial: unknown): void {
    const options = this.#options;
    const { nx, ny, k1, slots } = options;
    const range = options.ranges[s], w = range.to - range.from;
    const status = new SharedArrayBuffer(8), inputs = new SharedArrayBuffer(8 * k1 * stepStride(nx, ny, w));
    const grads = new SharedArrayBuffer(8 * slotsLength(slots));
    const channel = new MessageChannel();
    const worker = new Worker(WORKER_URL, { type: "module" });
    live++;
    const handle: Handle = {
      worker,
      port: channel.port1,
      status: new Int32Array(status),
      inputs: new Float64Array(inputs),
      grads: new Float64Array(grads),
      range,
      seq: 0,
      failure: null,
    };
    this.#handles.push(handle);
    worker.onerror = (e: ErrorEvent) => {
      // keep the process alive (an unhandled worker error ends it): the next wait reports it
      e.preventDefault();
      handle.failure ??= e.message;
    };
    const message: ShardMessage = {
      cmd: "init",
      seq: ++handle.seq,
      port: channel.port2,
      status,
      params: paramsBuffer,
      inputs,
      grads,
      spec: options.spec,
      backend: options.backend,
      k1,
      k2: options.k2,
      startIndex: options.startIndex,
      columns: w,
      nx,
      ny,
      initial,
      a0: options.a0s[s] === undefined ? null : toWire(options.a0s[s]),
      history: options.histories[s] === undefined ? null : toWire(options.histories[s]),
    };
    worker.postMessage(message, [channel.port2]);
  }

  /** Publishes the live parameters and each worker's columns of `samples`, and starts the window on every worker. */
  dispatch(samples: readonly CheckedSample[]): void {
    const { nx, ny } = this.#options;
    writeSlots(this.#options.slots, "value", this.#params);
    for (const h of this.#handles) {
      samples.forEach((sample, step) => writeStep(h.inputs, step, sample, h.range, nx, ny));
      this.#post(h, { cmd: "window", seq: h.seq + 1, steps: samples.length });
    }
  }

  /** Waits for worker `s` (shard s ≥ 1) to finish the window started by {@linkcode dispatch}. */
  collect(s: number): WorkerWindow {
    const h = this.#handles[s - 1];
    const r = this.#wait(h, h.seq);
    return { loss: r.loss!, grads: h.grads, aLast: fromWire<Matrix>(r.aLast) };
  }

  /** Worker `s`'s ring, oldest first (copies), as of its newest window. */
  history(s: number): StepRecord<unknown>[] {
    const h = this.#handles[s - 1];
    this.#post(h, { cmd: "history", seq: h.seq + 1 });
    return fromWire<StepRecord<unknown>[]>(this.#wait(h, h.seq).history);
  }

  /** Terminates every worker. */
  close(): void {
    for (const h of this.#handles) {
      h.worker.terminate();
      h.port.close();
      live--;
    }
    this.#handles.length = 0;
  }

  #post(h: Handle, message: ShardMessage): void {
    h.seq = message.seq;
    // the worker checks this store before it reads what was written above it
    Atomics.store(h.status, 1, message.seq);
    h.worker.postMessage(message);
  }

  #wait(h: Handle, seq: number): ShardReply {
    const { timeout } = this.#options;
    const deadline = performance.now() + timeout;
    for (;;) {
      const got = this.#receive(h.port);
      if (got !== undefined) {
        const reply = got.message as ShardReply;
        if (reply.error !== undefined) throw this.#failed(h, reply.error);
        // an earlier reply (the set-up's, read by the first window's wait) carries nothing more
        if (reply.seq === seq) return reply;
        continue;
      }
      if (h.failure !== null) throw this.#failed(h, { name: "Error", message: h.failure });
      const done = Atomics.load(h.status, 0), left = deadline - performance.now();
      if (left <= 0) throw this.#timedOut(h);
      // the reply is posted before the status is stored: a status >= seq with no message yet is a short race
      Atomics.wait(h.status, 0, done, done >= seq ? 1 : left);
    }
  }

  #name(h: Handle): string {
    const n = this.#options.ranges.length;
    return `train() worker ${this.#handles.indexOf(h) + 1} of ${n - 1} (columns ${h.range.from} to ${
      h.range.to - 1
    } of ${this.#options.ranges[n - 1].to})`;
  }

  #failed(h: Handle, error: { name: string; message: string }): Error {
    const Kind = error.name === "RangeError" ? RangeError : error.name === "TypeError" ? TypeError : Error;
    return new Kind(`${this.#name(h)} failed: ${error.message}`);
  }

  #timedOut(h: Handle): Error {
    const path = WORKER_URL.protocol === "file:" ? decodeURIComponent(WORKER_URL.pathname) : WORKER_URL.href;
    return new Error(
      `${
        this.#name(h)
      } did not answer within ${this.#options.timeout} ms ('workerTimeout'): if it never started, ` +
        `it may lack permission to load its module ${path} (Deno: --allow-read for it; --allow-import for a remote one)`,
    );
  }
}

/** Throws when Deno may not read the worker module (without it the worker silently never starts). */
function checkReadable(url: URL): void {
  const deno = (globalThis as {
    Deno?: { permissions?: { querySync?(d: { name: "read"; path: string }): { state: string } } };
  }).Deno;
  if (url.protocol !== "file:" || typeof deno?.permissions?.querySync !== "function") return;
  const path = decodeURIComponent(url.pathname);
  const { state } = deno.permissions.querySync({ name: "read", path });
  if (state !== "granted") {
    throw new Error(
      `Cannot start the workers of train() as reading their module ${path} must be allowed: the read permission is ${state} (run Deno with --allow-read for it)`,
    );
  }
}
