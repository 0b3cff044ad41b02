/**
 * The checks every gated cell (GRU, LSTM) passes in the same way, shared by gru/gru_cell_test.ts and
 * lstm/lstm_cell_test.ts: the PyTorch float64 fixtures through bptt() and through forwardSteps() →
 * tbptt(), finite differences for every parameter and initial state, and a reset column.
 */
import { assert, assertEquals, assertLess } from "@std/assert";
import { gradCheck } from "../../src/cells/grad_check.ts";
import type { RecurrentCell } from "../../src/cells/recurrent_cell.ts";
import type { Head, ParamSet } from "../../src/cells/types.ts";
import { createJsBackend } from "../../src/kernels/js_backend.ts";
import { Matrix } from "../../src/math/matrix.ts";
import { bpttErrors, gatedFixture, randomSequence, tbpttErrors } from "../_gated_fixture.ts";

/** Relative error per element (absolute where the reference is below 1e-12), as tests/_fixture.ts. */
export const TOL = 1e-9;

/** A gated cell under test. */
export interface GatedSubject {
  /** Its kind in the fixture. */
  kind: "gru" | "lstm";
  /** The cell with a head. */
  cell(options?: { head?: Head }): RecurrentCell;
  /** Every parameter name, in order. */
  names: readonly string[];
  /** What bptt() reports besides the gradients (loss, aLast, da0, and the LSTM's cLast, dc0). */
  reported: readonly string[];
}

/** Steps through every bptt() case of the fixture for the subject: each quantity within TOL. */
export async function bpttMatchesTorch(t: Deno.TestContext, s: GatedSubject): Promise<void> {
  const cases = gatedFixture.bptt.filter((c) => c.cell === s.kind);
  assertEquals(cases.length, 5);
  for (const c of cases) {
    await t.step(`${c.name} (m=${c.m}, T=${c.xs.length}, ${c.targets} targets)`, () => {
      const { rel } = bpttErrors(s.cell(), c);
      // every reported quantity and every gradient, nothing missing and nothing extra
      assertEquals(Object.keys(rel).sort(), [...s.reported, ...s.names.map((n) => `d${n}`)].sort());
      for (const [k, e] of Object.entries(rel)) assertLess(e, TOL, k);
    });
  }
}

/** Steps through every TBPTT(k1, k2) case of the fixture for the subject: each window within TOL. */
export async function tbpttMatchesTorch(t: Deno.TestContext, s: GatedSubject): Promise<void> {
  for (const c of gatedFixture.tbptt.filter((c) => c.cell === s.kind)) {
    await t.step(`${c.name} (k1=${c.k1}, k2=${c.k2}, m=${c.m}, L=${c.L})`, () => {
      const { t: ts, worst } = tbpttErrors(s.cell(), c);
      assertEquals(ts, c.windows.map((w) => w.t));
      worst.forEach((e, i) => assertLess(e, TOL, `window at t=${ts[i]}`));
    });
  }
}

/**
 * Steps through dense and token inputs, one-hot, soft, raw and token targets and both heads
 * (n_x 4, n_a 3, n_y 5, m 2, T 4, biases 0.1): gradCheck() must cover every parameter and every
 * initial state in `initial`, within 1e-6.
 */
export async function gradientsMatchFiniteDifferences(
  t: Deno.TestContext,
  s: GatedSubject,
  initial: { a0: Matrix; c0?: Matrix },
): Promise<void> {
  const variants = [
    { inputs: "dense", targets: "onehot", head: "softmax" },
    { inputs: "tokens", targets: "tokens", head: "softmax" },
    { inputs: "dense", targets: "soft", head: "softmax" },
    { inputs: "tokens", targets: "raw", head: "softmax" },
    { inputs: "dense", targets: "raw", head: "linear" },
  ] as const;
  for (const v of variants) {
    await t.step(`${v.inputs} inputs, ${v.targets} targets, ${v.head} head`, () => {
      const cell = s.cell({ head: v.head });
      const params = cell.init({ nx: 4, na: 3, ny: 5 }, { seed: 3 });
      for (const name of s.names.filter((n) => n.startsWith("b"))) params[name].data.fill(0.1);
      const { xs, ys } = randomSequence({ nx: 4, ny: 5, m: 2, T: 4 }, v);
      const { entries, maxRelError } = gradCheck(params, xs, ys, { cell, ...initial });
      assertEquals(Object.keys(entries).sort(), [...s.names, ...Object.keys(initial)].sort());
      assertLess(maxRelError, 1e-6);
    });
  }
}

/**
 * One step of two columns (n_x 3, n_a 4, n_y 3) from `prev`, column 1 reset: its new state equals a
 * step from zero, and the backward step passes nothing back through it (and something through column 0).
 *
 * @returns The cell, its parameters and `prev` (the whole state, `state`×2), for a bptt() check.
 */
export function resetColumnStartsFromZero(
  s: GatedSubject,
): { cell: RecurrentCell; params: ParamSet; prev: Matrix } {
  const cell = s.cell();
  const params = cell.init({ nx: 3, na: 4, ny: 3 }, { seed: 2 });
  const rows = cell.sizes(params).state;
  const runtime = cell.bind(createJsBackend());
  const prev = new Matrix(rows, 2, Float64Array.from({ length: 2 * rows }, (_, q) => 0.5 - q / 10));
  const withReset = runtime.allocCache(params, 2), fromZero = runtime.allocCache(params, 2);
  runtime.forward(params, Int32Array.of(1, 2), prev, Uint8Array.of(0, 1), withReset);
  runtime.forward(params, Int32Array.of(1, 2), new Matrix(rows, 2), null, fromZero);
  for (let i = 0; i < rows; i++) {
    assertEquals(cell.stateOf(withReset).get(i, 1), cell.stateOf(fromZero).get(i, 1));
  }
  const dPrev = new Float64Array(2 * rows);
  runtime.backward(params, withReset, Int32Array.of(0, 0), null, cell.zeroGrads(params), dPrev);
  for (let i = 0; i < rows; i++) {
    assertEquals(dPrev[i * 2 + 1], 0);
    assert(dPrev[i * 2] !== 0);
  }
  return { cell, params, prev };
}
