import { assert, assertEquals, assertThrows } from "@std/assert";
import { createWasmF32Backend, createWasmF64Backend } from "../../src/kernels/wasm/mod.ts";
import { hasRelaxedSimd } from "../../src/kernels/wasm/_instance.ts";
import { CLANG_VERSION } from "../../src/kernels/wasm/_wasm_bytes.ts";
import { buildWasm, bytesModule, clangVersion } from "../../tools/build_wasm.ts";

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
