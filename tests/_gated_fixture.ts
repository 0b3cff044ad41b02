/**
 * Loads the PyTorch float64 reference for the gated cells (tests/fixtures/torch_gated_reference.json,
 * made by /work/shared/tools/make_gated_fixtures.py) and compares results in the style of _fixture.ts.
 */
import { from } from "rxjs";
import { fromRows, Matrix } from "../mod.ts";
import { bptt } from "../src/cells/bptt.ts";
import type { RecurrentCell } from "../src/cells/recurrent_cell.ts";
import type { GradSet, ParamSet } from "../src/cells/types.ts";
import { forwardSteps } from "../src/stream/forward_steps.ts";
import { tbptt } from "../src/stream/tbptt.ts";
import type { TbpttWindow } from "../src/stream/tbptt.ts";
import { Random } from "../src/math/random.ts";
import { relError } from "./_fixture.ts";

type Rows = number[][];
export interface GatedBpttCase {
  name: string;
  cell: "gru" | "lstm";
  nx: number;
  na: number;
  ny: number;
  m: number;
  targets: "onehot" | "soft" | "raw";
  params: Record<string, Rows>;
  a0: Rows;
  c0?: Rows;
  xs: Rows[];
  ys: Rows[];
  loss: number;
  aLast: Rows;
  cLast?: Rows;
  grads: Record<string, Rows>;
}
export interface GatedTbpttCase {
  name: string;
  cell: "gru" | "lstm";
  nx: number;
  na: number;
  ny: number;
  m: number;
  L: number;
  k1: number;
  k2: number;
  params: Record<string, Rows>;
  xs: Rows[];
  ys: Rows[];
  windows: { t: number; loss: number; aLast: Rows; grads: Record<string, Rows> }[];
}

export const gatedFixture: { bptt: GatedBpttCase[]; tbptt: GatedTbpttCase[] } = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/torch_gated_reference.json", import.meta.url)),
);

/** The case's parameters as matrices. */
export function gatedParamsOf(c: { params: Record<string, Rows> }): ParamSet {
  return Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, fromRows(v)]));
}

/** Largest element-wise absolute error. */
export function absError(actual: Matrix | Float64Array | number, expected: Rows | number): number {
  const a = typeof actual === "number" ? [actual] : actual instanceof Matrix ? actual.data : actual;
  const e = typeof expected === "number" ? [expected] : expected.flat();
  if (a.length !== e.length) return Infinity;
  let worst = 0;
  for (let k = 0; k < e.length; k++) worst = Math.max(worst, Math.abs(a[k] - e[k]));
  return worst;
}

/** Runs bptt() on a case and returns the largest relative (absolute near 0) and absolute error per quantity. */
export function bpttErrors(
  cell: RecurrentCell,
  c: GatedBpttCase,
): { rel: Record<string, number>; abs: Record<string, number> } {
  const r = bptt(gatedParamsOf(c), c.xs.map(fromRows), c.ys.map(fromRows), {
    cell,
    a0: fromRows(c.a0),
    c0: c.c0 === undefined ? undefined : fromRows(c.c0),
  });
  const got: Record<string, Matrix | number> = { loss: r.loss, aLast: r.aLast, da0: r.da0 };
  if (r.cLast !== undefined) got.cLast = r.cLast;
  if (r.dc0 !== undefined) got.dc0 = r.dc0;
  for (const [k, v] of Object.entries(r.grads)) got[k] = v;
  const want: Record<string, Rows | number> = { loss: c.loss, aLast: c.aLast, ...c.grads };
  if (c.cLast !== undefined) want.cLast = c.cLast;
  const rel: Record<string, number> = {}, abs: Record<string, number> = {};
  for (const [k, v] of Object.entries(want)) {
    rel[k] = k in got ? relError(got[k], v) : Infinity;
    abs[k] = k in got ? absError(got[k], v) : Infinity;
  }
  if (Object.keys(got).length !== Object.keys(want).length) rel.extra = Infinity;
  return { rel, abs };
}

/** Streams a TBPTT case through forwardSteps() → tbptt() and returns the worst relative error per window. */
export function tbpttErrors(cell: RecurrentCell, c: GatedTbpttCase): { t: number[]; worst: number[] } {
  const params = gatedParamsOf(c);
  const seen: { t: number; worst: number }[] = [];
  let index = 0;
  from(c.xs.map((x, i) => ({ x: fromRows(x), y: fromRows(c.ys[i]) })))
    .pipe(forwardSteps({ params, cell }), tbptt({ params, cell, k1: c.k1, k2: c.k2 }))
    .subscribe((w: TbpttWindow<GradSet, unknown>) => {
      const ref = c.windows[index++];
      if (ref === undefined) return void seen.push({ t: w.t, worst: Infinity });
      // the LSTM's state is [a; c]: the reference holds the a part
      const aPart = w.aLast.data.subarray(0, c.na * c.m);
      let worst = Math.max(relError(w.loss, ref.loss), relError(aPart, ref.aLast));
      for (const [k, v] of Object.entries(ref.grads)) worst = Math.max(worst, relError(w.grads[k], v));
      seen.push({ t: w.t, worst });
    });
  return { t: seen.map((s) => s.t), worst: seen.map((s) => s.worst) };
}

/** A seeded random sequence for finite-difference checks: dense or token inputs, one-hot/soft/raw targets. */
export function randomSequence(
  sizes: { nx: number; ny: number; m: number; T: number },
  kind: { inputs: "dense" | "tokens"; targets: "onehot" | "soft" | "raw" | "tokens" },
  seed = 7,
): { xs: (Matrix | Int32Array)[]; ys: (Matrix | Int32Array)[] } {
  const { nx, ny, m, T } = sizes;
  const random = new Random(seed);
  const dense = (rows: number, f: () => number): Matrix => {
    const out = new Matrix(rows, m);
    for (let q = 0; q < out.data.length; q++) out.data[q] = f();
    return out;
  };
  const tokens = (n: number): Int32Array =>
    Int32Array.from({ length: m }, () => Math.floor(random.next() * n));
  const oneHot = (n: number): Matrix => {
    const t = tokens(n), out = new Matrix(n, m);
    t.forEach((v, j) => out.data[v * m + j] = 1);
    return out;
  };
  const soft = (): Matrix => {
    const out = dense(ny, () => random.next() + 0.05);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let i = 0; i < ny; i++) s += out.data[i * m + j];
      for (let i = 0; i < ny; i++) out.data[i * m + j] /= s;
    }
    return out;
  };
  const xs = Array.from(
    { length: T },
    () => kind.inputs === "dense" ? dense(nx, () => random.normal()) : tokens(nx),
  );
  const ys = Array.from(
    { length: T },
    () =>
      kind.targets === "tokens"
        ? tokens(ny)
        : kind.targets === "onehot"
        ? oneHot(ny)
        : kind.targets === "soft"
        ? soft()
        : dense(ny, () => random.normal()),
  );
  return { xs, ys };
}
