/** Loads the PyTorch float64 reference (tests/fixtures/torch_rnn_reference.json) and compares results. */
import { fromRows, Matrix } from "../mod.ts";
import type { RnnParams } from "../mod.ts";

type Rows = number[][];
export interface BpttCase {
  name: string;
  nx: number;
  na: number;
  ny: number;
  m: number;
  T: number;
  inputs: "dense" | "onehot";
  targets: "onehot" | "soft" | "raw";
  params: Record<"Wax" | "Waa" | "ba" | "Wya" | "by", Rows>;
  a0: Rows;
  xs: Rows[];
  ys: Rows[];
  loss: number;
  aLast: Rows;
  yHats: Rows[];
  grads: Record<"dWax" | "dWaa" | "dba" | "dWya" | "dby" | "da0", Rows>;
}
export interface TbpttCase {
  name: string;
  nx: number;
  na: number;
  ny: number;
  m: number;
  L: number;
  k1: number;
  k2: number;
  params: BpttCase["params"];
  a0: Rows;
  xs: Rows[];
  ys: Rows[];
  windows: {
    t: number;
    loss: number;
    aLast: Rows;
    grads: Record<"dWax" | "dWaa" | "dba" | "dWya" | "dby", Rows>;
  }[];
}

export const fixture: { bptt: BpttCase[]; tbptt: TbpttCase[] } = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/torch_rnn_reference.json", import.meta.url)),
);

export function paramsOf(c: { params: BpttCase["params"] }): RnnParams {
  const p = c.params;
  return {
    Wax: fromRows(p.Wax),
    Waa: fromRows(p.Waa),
    ba: fromRows(p.ba),
    Wya: fromRows(p.Wya),
    by: fromRows(p.by),
  };
}

/** The column-wise argmax of a one-hot matrix, as token indices. */
export function tokensOf(rows: Rows): Int32Array {
  const m = fromRows(rows);
  const out = new Int32Array(m.cols);
  for (let j = 0; j < m.cols; j++) {
    let best = 0;
    for (let i = 1; i < m.rows; i++) if (m.get(i, j) > m.get(best, j)) best = i;
    out[j] = best;
  }
  return out;
}

/** Largest element-wise relative error, |a − b| / max(|b|, 1e-12)... scaled by the reference's magnitude. */
export function relError(actual: Matrix | Float64Array | number, expected: Rows | number): number {
  const a = typeof actual === "number" ? [actual] : actual instanceof Matrix ? actual.data : actual;
  const e = typeof expected === "number" ? [expected] : expected.flat();
  if (a.length !== e.length) return Infinity;
  let worst = 0;
  for (let k = 0; k < e.length; k++) {
    const err = Math.abs(a[k] - e[k]) / Math.max(Math.abs(e[k]), 1e-12);
    // values that are ~0 in the reference are compared absolutely
    worst = Math.max(worst, Math.abs(e[k]) < 1e-12 ? Math.abs(a[k] - e[k]) : err);
  }
  return worst;
}
