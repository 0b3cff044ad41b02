/**
 * The default backend is "wasm-f64": these tests are the proof that switching the default
 * from "js" changes no result, not even a bit (the PyTorch fixtures through bptt(), a
 * resumed run, and 400 SGD windows of train() on both backends).
 */
import { assert, assertEquals, assertLess } from "@std/assert";
import { from } from "rxjs";
import { bptt } from "../../src/cells/bptt.ts";
import type { BpttResult } from "../../src/cells/bptt.ts";
import { gruCell } from "../../src/cells/gru/gru_cell.ts";
import { lstmCell } from "../../src/cells/lstm/lstm_cell.ts";
import { initParams } from "../../src/cells/rnn/params.ts";
import type { RecurrentCell } from "../../src/cells/recurrent_cell.ts";
import type { GradSet } from "../../src/cells/types.ts";
import { createBackend, DEFAULT_BACKEND } from "../../src/kernels/create_backend.ts";
import { fromRows, Matrix } from "../../src/math/matrix.ts";
import { Random } from "../../src/math/random.ts";
import type { Sample } from "../../src/stream/forward_steps.ts";
import { train } from "../../src/stream/train.ts";
import type { TrainerSnapshot, TrainOptions } from "../../src/stream/train.ts";
import { assertBitEqual } from "../_bit_equal.ts";
import { fixture, paramsOf, relError } from "../_fixture.ts";
import { gatedFixture, gatedParamsOf } from "../_gated_fixture.ts";

const TOL = 1e-9;

Deno.test("createBackend() with no name creates DEFAULT_BACKEND, the exact wasm-f64 backend", () => {
  assertEquals(DEFAULT_BACKEND, "wasm-f64");
  const backend = createBackend();
  assertEquals(backend.name, "wasm-f64");
  assert(backend.exact);
});

/** Every number of a bptt() result, relative to a reference (loss, aLast, yHats, gradients, da0). */
function worstError(r: BpttResult<GradSet>, want: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(want)) {
    const got = k === "da0" ? r.da0 : k in r.grads ? r.grads[k] : (r as unknown as Record<string, Matrix>)[k];
    out[k] = relError(got as Matrix | number, v as number[][] | number);
  }
  return out;
}

Deno.test("bptt() on wasm-f64 reproduces every PyTorch fixture case within 1e-9, bit for bit equal to js", async (t) => {
  await t.step("the vanilla RNN (every bptt case)", () => {
    assert(fixture.bptt.length > 0);
    for (const c of fixture.bptt) {
      const run = (backend: string) =>
        bptt(paramsOf(c), c.xs.map(fromRows), c.ys.map(fromRows), { a0: fromRows(c.a0), backend });
      const wasm = run("wasm-f64");
      const errors = worstError(wasm, { loss: c.loss, aLast: c.aLast, ...c.grads });
      c.yHats.forEach((yh, s) => errors[`yHats[${s}]`] = relError(wasm.yHats[s], yh));
      for (const [k, e] of Object.entries(errors)) assertLess(e, TOL, `${c.name}: ${k}`);
      assertBitEqual(wasm, run("js"), c.name);
    }
  });
  for (const kind of ["gru", "lstm"] as const) {
    await t.step(`the ${kind.toUpperCase()} cell (every bptt case)`, () => {
      const cases = gatedFixture.bptt.filter((c) => c.cell === kind);
      assert(cases.length > 0);
      for (const c of cases) {
        const run = (backend: string) =>
          bptt(gatedParamsOf(c), c.xs.map(fromRows), c.ys.map(fromRows), {
            cell: (kind === "gru" ? gruCell() : lstmCell()) as unknown as RecurrentCell,
            a0: fromRows(c.a0),
            c0: c.c0 === undefined ? undefined : fromRows(c.c0),
            backend,
          });
        const wasm = run("wasm-f64");
        const want: Record<string, unknown> = { loss: c.loss, aLast: c.aLast, ...c.grads };
        if (c.cLast !== undefined) want.cLast = c.cLast;
        for (const [k, e] of Object.entries(worstError(wasm, want))) assertLess(e, TOL, `${c.name}: ${k}`);
        assertBitEqual(wasm, run("js"), c.name);
      }
    });
  }
});

/** n samples of m streams over dense inputs (odd sizes: every SIMD remainder path runs) and token targets. */
function denseSamples(n: number, sizes: { nx: number; ny: number }, m: number, seed: number): Sample[] {
  const random = new Random(seed);
  return Array.from({ length: n }, () => {
    const x = new Matrix(sizes.nx, m);
    for (let q = 0; q < x.data.length; q++) x.data[q] = random.normal();
    return { x, y: Array.from({ length: m }, () => random.int(sizes.ny)) };
  });
}

/** The parameters after each window (copies) and each window's loss, for a run of train(). */
function run(samples: Sample[], options: TrainOptions): { losses: number[]; params: Float64Array[] } {
  const losses: number[] = [];
  let params: Float64Array[] = [];
  from(samples).pipe(train(options)).subscribe((e) => {
    losses.push(e.loss);
    params = Object.values(e.params).map((p) => (p as Matrix).data.slice());
  });
  return { losses, params };
}

Deno.test("train() runs 400 SGD windows on js and on wasm-f64 to identical bits", () => {
  const sizes = { nx: 7, na: 19, ny: 5 }, m = 6, k1 = 4;
  const samples = denseSamples(400 * k1, sizes, m, 11);
  const options: TrainOptions = {
    params: initParams(sizes, { seed: 12 }),
    k1,
    k2: 6,
    optimizer: { type: "sgd", learningRate: 0.05 },
    clip: { value: 5 },
  };
  const js = run(samples, { ...options, backend: "js" });
  const wasm = run(samples, { ...options, backend: "wasm-f64" });
  const byDefault = run(samples, options);
  assertEquals(js.losses.length, 400);
  assertBitEqual(wasm, js);
  assertBitEqual(byDefault, js);
  // and it learned something: the run is not a trivially constant one
  assertLess(js.losses[399], js.losses[0]);
});

Deno.test("train() on the default backend resumes bit for bit from a snapshot, and records the backend", () => {
  const sizes = { nx: 5, na: 13, ny: 4 }, m = 3, k1 = 3;
  const samples = denseSamples(60 * k1, sizes, m, 21);
  const options: TrainOptions = {
    params: initParams(sizes, { seed: 22 }),
    k1,
    k2: 5,
    optimizer: { type: "adam", learningRate: 0.01 },
  };
  const whole = run(samples, options);
  let snapshot: TrainerSnapshot | undefined;
  from(samples.slice(0, 30 * k1)).pipe(train(options)).subscribe((e) => snapshot = e.snapshot());
  assertEquals(snapshot!.backend, DEFAULT_BACKEND);
  const rest = run(samples.slice(30 * k1), { resume: snapshot });
  assertBitEqual(rest.losses, whole.losses.slice(30));
  assertBitEqual(rest.params, whole.params);
});
