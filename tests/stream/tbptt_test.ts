import { assert, assertEquals, assertLess } from "@std/assert";
import { from } from "rxjs";
import { bptt, cloneParams, forwardSteps, fromRows, initParams, train } from "../../mod.ts";
import type { RnnGrads, TbpttWindow } from "../../mod.ts";
import { tbptt } from "../../mod.ts";
import { fixture, paramsOf, relError, tokensOf } from "../_fixture.ts";

const TOL = 1e-9;
const GRADS = ["dWax", "dWaa", "dba", "dWya", "dby"] as const;

interface Seen {
  t: number;
  loss: number;
  depth: number;
  aLast: number[];
  grads: Record<keyof RnnGrads, Float64Array>;
}

function collect(w: TbpttWindow): Seen {
  const grads = {} as Seen["grads"];
  for (const k of GRADS) grads[k] = w.grads[k].data.slice(); // grads are reused: copy
  return { t: w.t, loss: w.loss, depth: w.depth, aLast: Array.from(w.aLast.data), grads };
}

Deno.test("tbptt() matches every PyTorch TBPTT(k1, k2) window within 1e-9", async (t) => {
  for (const c of fixture.tbptt) {
    await t.step(`${c.name} (k1=${c.k1}, k2=${c.k2}, m=${c.m}, L=${c.L})`, () => {
      const params = paramsOf(c);
      const seen: Seen[] = [];
      from(c.xs.map((x, i) => ({ x: fromRows(x), y: fromRows(c.ys[i]) })))
        .pipe(forwardSteps({ params, a0: fromRows(c.a0) }), tbptt({ params, k1: c.k1, k2: c.k2 }))
        .subscribe((w) => seen.push(collect(w)));
      assertEquals(seen.map((s) => s.t), c.windows.map((w) => w.t));
      c.windows.forEach((ref, i) => {
        const got = seen[i];
        assertEquals(got.depth, Math.min(c.k2, ref.t));
        assertLess(relError(got.loss, ref.loss), TOL, `loss at t=${ref.t}`);
        assertLess(relError(Float64Array.from(got.aLast), ref.aLast), TOL, `aLast at t=${ref.t}`);
        for (const k of GRADS) assertLess(relError(got.grads[k], ref.grads[k]), TOL, `${k} at t=${ref.t}`);
      });
    });
  }
});

Deno.test("tbptt() gives the same windows from token samples as from one-hot matrices", () => {
  const c = fixture.tbptt.find((c) => c.name === "k1-less-than-k2")!;
  const run = (tokens: boolean): Seen[] => {
    const params = paramsOf(c);
    const out: Seen[] = [];
    from(
      c.xs.map((x, i) =>
        tokens ? { x: tokensOf(x), y: tokensOf(c.ys[i]) } : { x: fromRows(x), y: fromRows(c.ys[i]) }
      ),
    )
      .pipe(forwardSteps({ params, a0: fromRows(c.a0) }), tbptt({ params, k1: c.k1, k2: c.k2 }))
      .subscribe((w) => out.push(collect(w)));
    return out;
  };
  const dense = run(false), tokens = run(true);
  assertEquals(dense.length, tokens.length);
  dense.forEach((d, i) => {
    assertLess(relError(tokens[i].loss, d.loss), 1e-13);
    for (const k of GRADS) {
      assertLess(relError(tokens[i].grads[k], Array.from(d.grads[k]).map((v) => [v])), 1e-12);
    }
  });
});

Deno.test("train() with learning rate 0 reports the PyTorch window losses and leaves parameters unchanged", () => {
  for (const c of fixture.tbptt) {
    const params = paramsOf(c);
    const losses: number[] = [];
    let last = cloneParams(params);
    from(c.xs.map((x, i) => ({ x: fromRows(x), y: fromRows(c.ys[i]) })))
      .pipe(train({
        params,
        k1: c.k1,
        k2: c.k2,
        reduction: "sum",
        optimizer: { type: "sgd", learningRate: 0 },
        a0: fromRows(c.a0),
      }))
      .subscribe((e) => {
        losses.push(e.loss);
        last = cloneParams(e.params);
      });
    c.windows.forEach((w, i) => assertLess(relError(losses[i], w.loss), TOL));
    assertEquals(losses.length, c.windows.length);
    for (const k of ["Wax", "Waa", "ba", "Wya", "by"] as const) assertEquals(last[k].data, params[k].data);
  }
});

Deno.test("tbptt() with k1 = k2 = T over a sequence of length T equals bptt()", async (t) => {
  for (const c of fixture.bptt.filter((c) => c.T > 1)) {
    await t.step(c.name, () => {
      const params = paramsOf(c);
      const seen: Seen[] = [];
      from(c.xs.map((x, i) => ({ x: fromRows(x), y: fromRows(c.ys[i]) })))
        .pipe(forwardSteps({ params, a0: fromRows(c.a0) }), tbptt({ params, k1: c.T, k2: c.T }))
        .subscribe((w) => seen.push(collect(w)));
      const ref = bptt(params, c.xs.map(fromRows), c.ys.map(fromRows), { a0: fromRows(c.a0) });
      assertEquals(seen.length, 1);
      assertEquals(seen[0].loss, ref.loss);
      for (const k of GRADS) assertEquals(seen[0].grads[k], ref.grads[k].data);
    });
  }
});

Deno.test("train() is deterministic: same seed, same stream, bit-identical parameters", () => {
  const run = () => {
    const params = initParams({ nx: 7, na: 12, ny: 7 }, { seed: 11 });
    let out = params;
    const samples = Array.from(
      { length: 300 },
      (_, i) => ({ x: [(i * 3) % 7, (i * 5) % 7], y: [(i * 3 + 1) % 7, (i * 5 + 2) % 7] }),
    );
    from(samples).pipe(train({ params, k1: 5, k2: 9, optimizer: { type: "adam", learningRate: 0.01 } }))
      .subscribe((e) => out = cloneParams(e.params));
    return out;
  };
  const a = run(), b = run();
  for (const k of ["Wax", "Waa", "ba", "Wya", "by"] as const) assertEquals(a[k].data, b[k].data);
  assert(a.Waa.data.some((v, i) => v !== initParams({ nx: 7, na: 12, ny: 7 }, { seed: 11 }).Waa.data[i]));
});
