/**
 * Loads the PyTorch float64 reference for the gated cells (tests/fixtures/torch_gated_reference.json,
 * made by /work/shared/tools/make_gated_fixtures.py) and compares results in the style of _fixture.ts.
 */
import { fromRows, Matrix } from "../mod.ts";
import type { ParamSet } from "../src/cells/types.ts";

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
