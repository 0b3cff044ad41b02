/**
 * Every kernel of every registered backend against the `"js"` reference, on odd sizes,
 * one column and many, with outputs that start non-zero (accumulation), inputs that must
 * come back unchanged, aliasing where the interface allows it, and arrays outside the
 * backend's memory, inside it, and inside it at an offset that is not 16-byte aligned.
 *
 * Tolerances: an `exact` backend matches bit for bit (the WebAssembly float64 kernels
 * sum in the reference's order). `"wasm-f32"` matches bit for bit except in the
 * products of m > 1, whose error per element is within `(len + 4)·2⁻²³·Σ|a·b|`, and in
 * tanh, sigmoid and softmax (float64 polynomials), within 8 units in the last place:
 * `8·2⁻⁵²·|reference|`, and for log-normalizers `max + log Σ` within `8·2⁻⁵²·(|max| + |log Σ|)`.
 */
import { assert } from "@std/assert";
import "../../src/kernels/wasm/mod.ts";
import { createWasmF32Backend } from "../../src/kernels/wasm/mod.ts";
import { hasRelaxedSimd } from "../../src/kernels/wasm/_instance.ts";
import { backendNames, createBackend, createJsBackend } from "../../src/kernels/mod.ts";
import type { Backend } from "../../src/kernels/mod.ts";
import { Random } from "../../src/math/random.ts";

const SIZES = [1, 3, 5, 65, 100, 127, 129];
const INNER = [1, 5, 129];
const COLUMNS = [1, 2, 3, 5, 32];

type Place = "outside" | "inside" | "inside, offset by 8 bytes";
const PLACES: Place[] = ["outside", "inside", "inside, offset by 8 bytes"];

/** A kernel call on a list of arrays; `product` gives the summed length when the call is a matrix product. */
interface Case {
  label: string;
  arrays: Float64Array[];
  run(b: Backend, x: Float64Array[]): void;
  /** A function of e^x (tanh, sigmoid, softmax): a non-exact backend may use its own, to 8 ulp. */
  transcendental?: boolean;
  product?: {
    len: number;
    A: number;
    B: number;
    C: number;
    op: "gemm" | "gemmTN" | "gemmNT";
    r: number;
    k: number;
    n: number;
  };
}

function randomArray(random: Random, n: number, positive = false): Float64Array {
  const a = new Float64Array(n);
  for (let q = 0; q < n; q++) a[q] = positive ? Math.abs(random.normal()) + 0.01 : random.normal();
  return a;
}

function place(b: Backend, a: Float64Array, where: Place): Float64Array {
  if (where === "outside") return a.slice();
  const inside = where === "inside" ? b.alloc(a.length) : b.alloc(a.length + 1).subarray(1);
  inside.set(a);
  return inside;
}

function productCases(random: Random): Case[] {
  const cases: Case[] = [];
  for (const op of ["gemm", "gemmTN", "gemmNT"] as const) {
    for (const r of SIZES) {
      for (const k of INNER) {
        for (const n of COLUMNS) {
          const [a, b, c] = op === "gemm"
            ? [r * k, k * n, r * n]
            : op === "gemmTN"
            ? [r * k, r * n, k * n]
            : [r * n, k * n, r * k];
          const len = op === "gemm" ? k : op === "gemmTN" ? r : n;
          cases.push({
            label: `${op}(${r}, ${k}, ${n})`,
            arrays: [randomArray(random, a), randomArray(random, b), randomArray(random, c)],
            run: (be, x) => be[op](r, k, n, x[0], x[1], x[2]),
            product: { len, A: 0, B: 1, C: 2, op, r, k, n },
          });
        }
      }
    }
  }
  return cases;
}

function tokenCases(random: Random): Case[] {
  const cases: Case[] = [];
  for (const r of SIZES) {
    for (const m of [1, 3, 32]) {
      const cols = 65;
      const tokens = new Int32Array(m);
      for (let j = 0; j < m; j++) tokens[j] = j % 4 === 3 ? tokens[0] : random.int(cols); // repeats
      const W = randomArray(random, r * cols), z = randomArray(random, r * m);
      cases.push(
        {
          label: `gatherAdd(${r}, ${m})`,
          arrays: [W, z],
          run: (b, x) => b.gatherAdd(r, cols, x[0], tokens, x[1]),
        },
        {
          label: `scatterAdd(${r}, ${m})`,
          arrays: [z, W],
          run: (b, x) => b.scatterAdd(r, cols, x[0], tokens, x[1]),
        },
        {
          label: `fillRows(${r}, ${m})`,
          arrays: [randomArray(random, r), z],
          run: (b, x) => b.fillRows(r, m, x[0], x[1]),
        },
        {
          label: `rowSumsAdd(${r}, ${m})`,
          arrays: [z, randomArray(random, r)],
          run: (b, x) => b.rowSumsAdd(r, m, x[0], x[1]),
        },
        {
          label: `softmaxColumns(${r}, ${m})`,
          arrays: [randomArray(random, r * m), randomArray(random, r * m), randomArray(random, m)],
          run: (b, x) => b.softmaxColumns(r, m, x[0], x[1], x[2]),
          transcendental: true,
        },
      );
    }
  }
  return cases;
}

function elementCases(random: Random): Case[] {
  const cases: Case[] = [];
  for (const n of SIZES) {
    const v = (positive = false): Float64Array => randomArray(random, n, positive);
    const add = (label: string, arrays: Float64Array[], run: Case["run"], transcendental = false): number =>
      cases.push({ label: `${label} (n = ${n})`, arrays, run, transcendental });
    add("tanh", [v(), v()], (b, x) => b.tanh(x[0], x[1]), true);
    add("tanhBackward", [v(), v(), v()], (b, x) => b.tanhBackward(x[0], x[1], x[2]));
    add("sigmoid", [v(), v()], (b, x) => b.sigmoid(x[0], x[1]), true);
    add("sigmoidBackward", [v(), v(), v()], (b, x) => b.sigmoidBackward(x[0], x[1], x[2]));
    add("mul", [v(), v(), v()], (b, x) => b.mul(x[0], x[1], x[2]));
    add("mul, out aliasing a", [v(), v()], (b, x) => b.mul(x[0], x[1], x[0]));
    add("mul, out aliasing b", [v(), v()], (b, x) => b.mul(x[0], x[1], x[1]));
    add("mulAdd", [v(), v(), v()], (b, x) => b.mulAdd(x[0], x[1], x[2]));
    add("axpy", [v(), v()], (b, x) => b.axpy(-0.37, x[0], x[1]));
    add("sgdStep without momentum", [v(), v()], (b, x) => b.sgdStep(x[0], x[1], null, 0.1, 0, false, 0.01));
    add("sgdStep with momentum", [v(), v(), v()], (b, x) => b.sgdStep(x[0], x[1], x[2], 0.1, 0.9, false, 0));
    add("sgdStep, Nesterov", [v(), v(), v()], (b, x) => b.sgdStep(x[0], x[1], x[2], 0.1, 0.9, true, 0.01));
    add("adagradStep", [v(), v(), v(true)], (b, x) => b.adagradStep(x[0], x[1], x[2], 0.1, 1e-8));
    add("rmspropStep", [v(), v(), v(true)], (b, x) => b.rmspropStep(x[0], x[1], x[2], 0.01, 0.9, 1e-8));
    add(
      "adamStep",
      [v(), v(), v(), v(true)],
      (b, x) => b.adamStep(x[0], x[1], x[2], x[3], 0.001, 0.9, 0.999, 1e-8, 0.1, 0.001, 0.99),
    );
  }
  return cases;
}

/** `Σ|a·b|` per output element: the reference product of the absolute values, on zeros. */
function magnitude(c: NonNullable<Case["product"]>, arrays: Float64Array[]): Float64Array {
  const abs = (a: Float64Array): Float64Array => a.map(Math.abs);
  const out = new Float64Array(arrays[c.C].length);
  createJsBackend()[c.op](c.r, c.k, c.n, abs(arrays[c.A]), abs(arrays[c.B]), out);
  return out;
}

/** `|max_j| + |log Σ_j|` per column of a softmax case (`logNorm` is their sum): the scale of its error. */
function logNormScale(z: Float64Array, logNorm: Float64Array): Float64Array {
  const m = logNorm.length, out = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let max = -Infinity;
    for (let q = j; q < z.length; q += m) if (z[q] > max) max = z[q];
    out[j] = Math.abs(max) + Math.abs(logNorm[j] - max);
  }
  return out;
}

function check(backend: () => Backend, exact: boolean): void {
  const random = new Random(7);
  const cases = [...productCases(random), ...tokenCases(random), ...elementCases(random)];
  const js = createJsBackend();
  const backends = PLACES.map(() => backend());
  const ulps8 = 8 * 2 ** -52;
  for (const c of cases) {
    const expected = c.arrays.map((a) => a.slice());
    c.run(js, expected);
    const tolerant = !exact && c.product !== undefined && c.product.n > 1;
    const bound = tolerant ? magnitude(c.product!, c.arrays) : null;
    const approximate = !exact && c.transcendental === true;
    // a softmax case's last array is logNorm
    const logScale = approximate && c.arrays.length === 3 ? logNormScale(c.arrays[0], expected[2]) : null;
    for (const [w, where] of PLACES.entries()) {
      const b = backends[w];
      const actual = c.arrays.map((a) => place(b, a, where));
      c.run(b, actual);
      for (let i = 0; i < actual.length; i++) {
        const e = expected[i], a = actual[i];
        for (let q = 0; q < e.length; q++) {
          const ok = bound !== null && i === c.product!.C
            ? Math.abs(a[q] - e[q]) <= (c.product!.len + 4) * 2 ** -23 * bound[q] + 1e-300
            : approximate && i > 0
            ? Math.abs(a[q] - e[q]) <= ulps8 * (logScale !== null && i === 2 ? logScale[q] : Math.abs(e[q]))
            : Object.is(a[q], e[q]);
          assert(ok, `${c.label}, arrays ${where}: array ${i}[${q}] is ${a[q]}, the reference ${e[q]}`);
        }
      }
    }
  }
}

Deno.test("registered backends match the js reference kernel by kernel", async (t) => {
  for (const name of backendNames().filter((n) => n !== "js")) {
    await t.step(
      `${name} (${createBackend(name).exact ? "bit for bit" : "documented tolerance"})`,
      async () => {
        const backend = createBackend(name);
        await backend.ready();
        check(() => createBackend(name), backend.exact);
      },
    );
  }
});

Deno.test("wasm-f32 matches the js reference with plain and relaxed multiply-add", async (t) => {
  await t.step("plain", () => check(() => createWasmF32Backend({ relaxed: false }), false));
  await t.step({
    name: "relaxed",
    ignore: !hasRelaxedSimd(),
    fn: () => check(() => createWasmF32Backend({ relaxed: true }), false),
  });
});
