/**
 * The RNN core in a plain loop, for benchmarks: one TBPTT window is k forward steps
 * (loss at every step), k backward steps, then one SGD update `p -= lr·g` of every
 * parameter and a reset of the gradients to zero. It uses the same unchecked,
 * allocation-free step math as the streaming trainer's hot path (`forwardInto`,
 * `lossOf`, `backwardInto` with preallocated caches and work buffers), so it is the
 * reference that pipeline benchmarks compare against.
 *
 * @module
 */
import { allocCache, allocWork, backwardInto, forwardInto, lossOf } from "../src/cells/rnn/_rnn_math.ts";
import type { Backend } from "../src/kernels/backend.ts";
import { createJsBackend } from "../src/kernels/js_backend.ts";
import type { Input, StepCache, Target } from "../src/cells/rnn/_rnn_math.ts";
import { Matrix } from "../src/math/matrix.ts";
import { initParams, PARAM_NAMES, zeroGrads } from "../src/cells/rnn/params.ts";
import type { RnnGrads, RnnParams } from "../src/cells/rnn/params.ts";
import { Random } from "../src/math/random.ts";

/** Sizes and data of a plain-loop workload. */
export interface PlainLoopOptions {
  /** n_x: input size (vocabulary size for token inputs). */
  nx: number;
  /** n_a: hidden size. */
  na: number;
  /** n_y: output classes. */
  ny: number;
  /** m: parallel streams (columns). @default {1} */
  m?: number;
  /** k: steps per window (forward k, backward k, loss at every step). @default {25} */
  k?: number;
  /** Token inputs (a one-hot gather) when true, dense standard-normal inputs when false. @default {true} */
  tokens?: boolean;
  /** Seed of the parameters and the data. @default {0} */
  seed?: number;
  /** The kernel backend. @default {a new "js" backend} */
  backend?: Backend;
  /** SGD learning rate. @default {0.01} */
  learningRate?: number;
  /** How many distinct windows of data to cycle through. @default {4} */
  dataWindows?: number;
}

/** A ready-to-run plain loop. */
export interface PlainLoop {
  /** Runs one window (forward k, backward k, SGD update, zero grads); returns the window's summed loss. */
  runWindow(): number;
  /** Steps per window (k). */
  readonly steps: number;
  /** Columns per step (m). */
  readonly columns: number;
  /** Floating-point operations of the matrix products per step (see {@linkcode matmulFlopsPerStep}). */
  readonly flopsPerStep: number;
  /** The parameters being trained. */
  readonly params: RnnParams;
}

/**
 * Floating-point operations of the matrix products in one training step, counting
 * each multiply-add as 2 flops: forward Waa·aPrev, Wax·x, Wya·a; backward dWya += dz2·aᵀ,
 * Wyaᵀ·dz2, dWax += dz1·xᵀ, dWaa += dz1·aPrevᵀ, Waaᵀ·dz1. Token inputs make the two
 * Wax products a gather and a scatter, which are not counted:
 * `2·m·(3·na² + 3·ny·na + (tokens ? 0 : 2·na·nx))`.
 * Element-wise work (tanh, softmax, dz1), bias sums and the SGD update are not counted.
 */
export function matmulFlopsPerStep(nx: number, na: number, ny: number, m: number, tokens: boolean): number {
  return 2 * m * (3 * na * na + 3 * ny * na + (tokens ? 0 : 2 * na * nx));
}

/** Builds a plain training loop over synthetic data of the given sizes. */
export function makePlainLoop(options: PlainLoopOptions): PlainLoop {
  const { nx, na, ny, m = 1, k = 25, tokens = true, seed = 0, learningRate = 0.01, dataWindows = 4 } =
    options;
  const random = new Random(seed);
  const backend = options.backend ?? createJsBackend();
  // parameters, gradients, caches and inputs live in the backend's memory (a WebAssembly
  // backend then passes them by offset, with no copy per step)
  const resident = (m: Matrix): Matrix => {
    const r = new Matrix(m.rows, m.cols, backend.alloc(m.data.length));
    r.data.set(m.data);
    return r;
  };
  const params = residentAll(initParams({ nx, na, ny }, { random }), resident);
  const grads = residentAll(zeroGrads(params), resident);
  const head = "softmax";
  const L = k * dataWindows;
  const xs: Input[] = [], ys: Target[] = [];
  for (let t = 0; t < L; t++) {
    if (tokens) {
      const x = new Int32Array(m);
      for (let j = 0; j < m; j++) x[j] = random.int(nx);
      xs.push(x);
    } else {
      const x = new Matrix(nx, m, backend.alloc(nx * m));
      for (let q = 0; q < x.data.length; q++) x.data[q] = random.normal();
      xs.push(x);
    }
    const y = new Int32Array(m);
    for (let j = 0; j < m; j++) y[j] = random.int(ny);
    ys.push(y);
  }
  const caches: StepCache[] = [];
  for (let t = 0; t < k; t++) caches.push(allocCache(na, ny, m, backend));
  const work = allocWork(na, ny, m, backend);
  let daNext = backend.alloc(na * m), daPrev = backend.alloc(na * m);
  let a = new Matrix(na, m, backend.alloc(na * m));
  let offset = 0;
  const pairs = PARAM_NAMES.map((name) => {
    const gname = `d${name}` as keyof RnnGrads;
    return [params[name].data, grads[gname].data] as const;
  });
  const runWindow = (): number => {
    let loss = 0;
    for (let t = 0; t < k; t++) {
      forwardInto(params, xs[offset + t], a, null, caches[t], head, backend);
      loss += lossOf(caches[t], ys[offset + t], head);
      a = caches[t].a;
    }
    daNext.fill(0);
    for (let t = k - 1; t >= 0; t--) {
      backwardInto(params, caches[t], ys[offset + t], daNext, grads, work, daPrev, head, backend);
      const swap = daNext;
      daNext = daPrev;
      daPrev = swap;
    }
    for (const [p, g] of pairs) {
      for (let q = 0; q < p.length; q++) {
        p[q] -= learningRate * g[q];
        g[q] = 0;
      }
    }
    offset = (offset + k) % L;
    return loss;
  };
  return { runWindow, steps: k, columns: m, flopsPerStep: matmulFlopsPerStep(nx, na, ny, m, tokens), params };
}

/** A copy of every matrix of a record, through `place`. */
function residentAll<T extends object>(record: T, place: (m: Matrix) => Matrix): T {
  const out = { ...record } as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) if (value instanceof Matrix) out[key] = place(value);
  return out as T;
}

/** B1: min-char-rnn size, one stream, token inputs and targets. */
export const B1: PlainLoopOptions = { nx: 65, na: 100, ny: 65, m: 1, k: 25, tokens: true, seed: 1 };
/** B2: dense work, 32 streams, standard-normal inputs and token targets. */
export const B2: PlainLoopOptions = { nx: 128, na: 256, ny: 128, m: 32, k: 32, tokens: false, seed: 2 };
