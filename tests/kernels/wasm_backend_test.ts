import { assert, assertEquals, assertThrows } from "@std/assert";
import { createWasmF32Backend, createWasmF64Backend } from "../../src/kernels/wasm/mod.ts";
import { hasRelaxedSimd } from "../../src/kernels/wasm/_instance.ts";
import { CLANG_VERSION } from "../../src/kernels/wasm/_wasm_bytes.ts";
import { buildWasm, bytesModule, clangVersion } from "../../tools/build_wasm.ts";
import { createJsBackend } from "../../src/kernels/js_backend.ts";
import { Random } from "../../src/math/random.ts";

Deno.test("createWasmF64Backend() keeps every view valid while its memory grows past 64 MiB", async () => {
  const backend = createWasmF64Backend();
  await backend.ready();
  const first = backend.alloc(4);
  first.set([1, 2, 3, 4]);
  const big: Float64Array[] = [];
  for (let i = 0; i < 9; i++) big.push(backend.alloc(1 << 20)); // 9 × 8 MiB
  assert(first.buffer.byteLength < big[8].buffer.byteLength, "the memory grew");
  assertEquals([...first], [1, 2, 3, 4]);
  big[8][5] = 7;
  backend.axpy(2, first, big[8].subarray(0, 4));
  backend.axpy(1, big[8].subarray(5, 9), first);
  assertEquals([...big[8].subarray(0, 4)], [2, 4, 6, 8]);
  assertEquals([...first], [8, 2, 3, 4]);
});

Deno.test("createWasmF64Backend() gives every instance its own zero-filled memory", () => {
  const a = createWasmF64Backend(), b = createWasmF64Backend();
  const x = a.alloc(3), y = b.alloc(3);
  assert(x.buffer !== y.buffer);
  assertEquals([...x, ...y], [0, 0, 0, 0, 0, 0]);
  a.fillRows(3, 1, Float64Array.of(1, 2, 3), x);
  assertEquals([...y], [0, 0, 0]);
});

Deno.test("createWasmF32Backend() refuses relaxed SIMD only where the runtime lacks it", () => {
  if (hasRelaxedSimd()) assertEquals(createWasmF32Backend({ relaxed: true }).name, "wasm-f32");
  else assertThrows(() => createWasmF32Backend({ relaxed: true }), RangeError, "no relaxed SIMD");
  assertEquals(createWasmF32Backend({ relaxed: false }).exact, false);
});

const clang = await clangVersion();
Deno.test({
  name: clang === null
    ? "_wasm_bytes.ts matches a fresh build (SKIPPED: clang is not installed; apt-get install -y clang lld)"
    : clang !== CLANG_VERSION
    ? `_wasm_bytes.ts matches a fresh build (SKIPPED: clang is "${clang}", the bytes were built by "${CLANG_VERSION}")`
    : "_wasm_bytes.ts matches a fresh build of src/kernels/wasm/*.c",
  ignore: clang === null || clang !== CLANG_VERSION,
  async fn() {
    const committed = await Deno.readTextFile(
      new URL("../../src/kernels/wasm/_wasm_bytes.ts", import.meta.url),
    );
    assert(committed === bytesModule(await buildWasm()), "stale bytes: run deno task build:wasm");
  },
});

/** Units in the last place between two float64 of the same sign (0 when both are NaN, ∞ for other mismatches). */
function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (Object.is(a, b)) return 0;
  if (a === b || Math.sign(a) !== Math.sign(b)) return Infinity; // +0 vs −0, or opposite signs
  const bits = new BigInt64Array(Float64Array.of(a, b).buffer);
  const d = bits[0] - bits[1];
  return Number(d < 0n ? -d : d);
}

Deno.test("createWasmF32Backend() computes tanh, sigmoid and softmax within 8 ulp of Math.tanh, Math.exp, Math.log", async (t) => {
  const backend = createWasmF32Backend();
  const random = new Random(11);
  // normal, log-uniform over 2⁻⁶⁰…2⁶⁰ and uniform over the whole range of e^x, both signs
  const z = new Float64Array(60000);
  for (let q = 0; q < z.length; q++) {
    const kind = q % 3, sign = random.int(2) === 0 ? -1 : 1;
    z[q] = kind === 0
      ? 3 * random.normal()
      : kind === 1
      ? sign * 2 ** (120 * random.next() - 60)
      : 1500 * random.next() - 750;
  }
  const out = backend.alloc(z.length);
  const worst = (f: (x: number) => number): number => {
    let max = 0;
    for (let q = 0; q < z.length; q++) max = Math.max(max, ulpDistance(out[q], f(z[q])));
    return max;
  };
  await t.step("tanh", () => {
    backend.tanh(z, out);
    const max = worst(Math.tanh);
    assert(max <= 8, `tanh is ${max} ulp from Math.tanh`);
  });
  await t.step("sigmoid", () => {
    backend.sigmoid(z, out);
    const max = worst((x) => 1 / (1 + Math.exp(-x)));
    assert(max <= 8, `sigmoid is ${max} ulp from 1 / (1 + Math.exp(−z))`);
  });
  await t.step("softmaxColumns", () => {
    const r = 6, m = z.length / r, yHat = backend.alloc(r * m), logNorm = backend.alloc(m);
    const zs = z.map((x) => x / 20); // columns with a spread of magnitudes, not only one dominant row
    backend.softmaxColumns(r, m, zs, yHat, logNorm);
    const js = createJsBackend(), yRef = new Float64Array(r * m), lRef = new Float64Array(m);
    js.softmaxColumns(r, m, zs, yRef, lRef);
    let maxY = 0, maxL = 0;
    for (let q = 0; q < r * m; q++) maxY = Math.max(maxY, ulpDistance(yHat[q], yRef[q]));
    for (let j = 0; j < m; j++) {
      let max = -Infinity;
      for (let i = 0; i < r; i++) max = Math.max(max, zs[i * m + j]);
      // logNorm = max + log Σ: its error scales with |max| + |log Σ|
      maxL = Math.max(
        maxL,
        Math.abs(logNorm[j] - lRef[j]) / ((Math.abs(max) + Math.abs(lRef[j] - max)) * 2 ** -52),
      );
    }
    assert(maxY <= 8, `softmax is ${maxY} ulp from the reference`);
    assert(maxL <= 8, `logNorm is ${maxL} ulp of |max| + |log Σ| from the reference`);
  });
});

Deno.test("createWasmF32Backend()'s tanh, sigmoid and softmax keep the special values of the reference", () => {
  const backend = createWasmF32Backend(), js = createJsBackend();
  const special = Float64Array.of(
    0,
    -0,
    NaN,
    Infinity,
    -Infinity,
    5e-324,
    -1e-310,
    1e-200,
    19,
    -25,
    709,
    -709,
    746,
    -746,
  );
  for (const op of ["tanh", "sigmoid"] as const) {
    const out = backend.alloc(special.length), ref = new Float64Array(special.length);
    backend[op](special, out);
    js[op](special, ref);
    for (let q = 0; q < special.length; q++) {
      assert(ulpDistance(out[q], ref[q]) <= 8, `${op}(${special[q]}) is ${out[q]}, the reference ${ref[q]}`);
    }
  }
  // columns: one −∞ entry, all −∞ (NaN, as the reference), a NaN, a +∞, and ties
  const z = Float64Array.of(
    -Infinity,
    -Infinity,
    1,
    Infinity,
    2,
    0,
    -Infinity,
    NaN,
    3,
    0,
    2,
    -Infinity,
    -Infinity,
    2,
    0,
  );
  const r = 3, m = 5, yHat = backend.alloc(r * m), logNorm = backend.alloc(m);
  const yRef = new Float64Array(r * m), lRef = new Float64Array(m);
  backend.softmaxColumns(r, m, z, yHat, logNorm);
  js.softmaxColumns(r, m, z, yRef, lRef);
  for (let q = 0; q < r * m; q++) {
    assert(ulpDistance(yHat[q], yRef[q]) <= 8, `yHat[${q}] is ${yHat[q]}, the reference ${yRef[q]}`);
  }
  for (let j = 0; j < m; j++) {
    assert(ulpDistance(logNorm[j], lRef[j]) <= 8, `logNorm[${j}] is ${logNorm[j]}, the reference ${lRef[j]}`);
  }
});
