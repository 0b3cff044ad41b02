import { assertLess } from "@std/assert";
import { bptt, fromRows } from "../../mod.ts";
import { fixture, paramsOf, relError, tokensOf } from "../_fixture.ts";

const TOL = 1e-9;

Deno.test("bptt() reproduces every PyTorch float64 autograd case within 1e-9", async (t) => {
  for (const c of fixture.bptt) {
    await t.step(`${c.name} (m=${c.m}, T=${c.T}, ${c.inputs} inputs, ${c.targets} targets)`, () => {
      const r = bptt(paramsOf(c), c.xs.map(fromRows), c.ys.map(fromRows), { a0: fromRows(c.a0) });
      assertLess(relError(r.loss, c.loss), TOL, "loss");
      assertLess(relError(r.aLast, c.aLast), TOL, "aLast");
      c.yHats.forEach((yh, t) => assertLess(relError(r.yHats[t], yh), TOL, `yHats[${t}]`));
      for (const k of ["dWax", "dWaa", "dba", "dWya", "dby"] as const) {
        assertLess(relError(r.grads[k], c.grads[k]), TOL, k);
      }
      assertLess(relError(r.da0, c.grads.da0), TOL, "da0");
    });
  }
});

Deno.test("bptt() gives the same result with token inputs and targets as with one-hot matrices", async (t) => {
  for (const c of fixture.bptt.filter((c) => c.inputs === "onehot" && c.targets === "onehot")) {
    await t.step(c.name, () => {
      const r = bptt(paramsOf(c), c.xs.map(tokensOf), c.ys.map(tokensOf), { a0: fromRows(c.a0) });
      assertLess(relError(r.loss, c.loss), TOL, "loss");
      for (const k of ["dWax", "dWaa", "dba", "dWya", "dby"] as const) {
        assertLess(relError(r.grads[k], c.grads[k]), TOL, k);
      }
      assertLess(relError(r.da0, c.grads.da0), TOL, "da0");
    });
  }
});
