/** Seeded random RNN problems (params, a0, inputs, targets) for the gradient and batch tests. */
import { initParams, Matrix, Random } from "../mod.ts";
import type { RnnParams } from "../mod.ts";

/** How a step's input is given: a dense n_x×m matrix, or m token indices. */
export type InputKind = "dense" | "tokens";
/**
 * How a step's target is given: class indices, a dense one-hot matrix, a column-wise
 * softmax of randn (soft labels), or raw randn (unnormalised, Σy ≠ 1).
 */
export type TargetKind = "tokens" | "onehot" | "soft" | "raw";

/** A complete input to bptt()/gradCheck(). */
export interface Problem {
  params: RnnParams;
  a0: Matrix;
  xs: (Matrix | Int32Array)[];
  ys: (Matrix | Int32Array)[];
  sizes: { nx: number; na: number; ny: number; m: number; T: number };
}

/** A matrix of standard normal draws times `scale`. */
export function randn(random: Random, rows: number, cols: number, scale = 1): Matrix {
  const out = new Matrix(rows, cols);
  for (let k = 0; k < out.data.length; k++) out.data[k] = random.normal() * scale;
  return out;
}

/** Column-wise softmax of a matrix (a new matrix). */
export function softmaxColumns(z: Matrix): Matrix {
  const out = new Matrix(z.rows, z.cols);
  for (let j = 0; j < z.cols; j++) {
    let max = -Infinity, sum = 0;
    for (let i = 0; i < z.rows; i++) max = Math.max(max, z.get(i, j));
    for (let i = 0; i < z.rows; i++) sum += Math.exp(z.get(i, j) - max);
    for (let i = 0; i < z.rows; i++) out.set(i, j, Math.exp(z.get(i, j) - max) / sum);
  }
  return out;
}

function tokens(random: Random, n: number, m: number): Int32Array {
  return Int32Array.from({ length: m }, () => random.int(n));
}

function oneHot(t: Int32Array, n: number): Matrix {
  const out = new Matrix(n, t.length);
  t.forEach((k, j) => out.set(k, j, 1));
  return out;
}

/** A target of the given kind for n_y classes and m columns. */
export function makeTarget(random: Random, kind: TargetKind, ny: number, m: number): Matrix | Int32Array {
  switch (kind) {
    case "tokens":
      return tokens(random, ny, m);
    case "onehot":
      return oneHot(tokens(random, ny, m), ny);
    case "soft":
      return softmaxColumns(randn(random, ny, m));
    case "raw":
      return randn(random, ny, m);
  }
}

/**
 * A random problem: sizes drawn from [2, 6] (T from [1, 5]) unless given, xavier
 * params with non-zero biases, and a non-zero a0 so every gradient is exercised.
 */
export function makeProblem(
  seed: number,
  m: number,
  inputKind: InputKind,
  targetKind: TargetKind,
  fixed: Partial<Problem["sizes"]> = {},
): Problem {
  const random = new Random(seed);
  const {
    nx = 2 + random.int(5),
    na = 2 + random.int(5),
    ny = 2 + random.int(5),
    T = 1 + random.int(5),
  } = fixed;
  const params = initParams({ nx, na, ny }, { random });
  params.ba = randn(random, na, 1, 0.3);
  params.by = randn(random, ny, 1, 0.3);
  const a0 = randn(random, na, m, 0.5);
  const xs = Array.from(
    { length: T },
    () => inputKind === "dense" ? randn(random, nx, m) : tokens(random, nx, m),
  );
  const ys = Array.from({ length: T }, () => makeTarget(random, targetKind, ny, m));
  return { params, a0, xs, ys, sizes: { nx, na, ny, m, T } };
}

/** Column j of a step's input or target, as a one-column value of the same kind. */
export function column(v: Matrix | Int32Array, j: number): Matrix | Int32Array {
  if (!(v instanceof Matrix)) return Int32Array.of(v[j]);
  const out = new Matrix(v.rows, 1);
  for (let i = 0; i < v.rows; i++) out.data[i] = v.get(i, j);
  return out;
}
