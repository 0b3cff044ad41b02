import { assert, assertEquals, assertThrows } from "@std/assert";
import { createBackend, openArena } from "../../src/kernels/mod.ts";
import { Matrix } from "../../src/math/matrix.ts";
import { OneStepLearner } from "../../src/model/_learner.ts";
import { rnnCell } from "../../src/cells/rnn/rnn_cell.ts";
import { resident } from "../../src/kernels/resident.ts";

Deno.test("openArena() gives its blocks back: the next arena reuses them, zero-filled", () => {
  const backend = createBackend("wasm-f64");
  const first = openArena(backend);
  const a = first.backend.alloc(100), b = first.backend.alloc(7);
  a.fill(3);
  b.fill(4);
  first.release();
  first.release(); // idempotent
  const second = openArena(backend);
  const b2 = second.backend.alloc(7), a2 = second.backend.alloc(100);
  assertEquals([a2.byteOffset, b2.byteOffset].sort(), [a.byteOffset, b.byteOffset].sort());
  assert(a2.every((v) => v === 0) && b2.every((v) => v === 0));
  // the kernels are the parent's and take the parent's arrays with no copy
  const C = second.backend.alloc(1);
  second.backend.gemm(1, 2, 1, Float64Array.of(1, 2), Float64Array.of(3, 4), C);
  assertEquals(C[0], 11);
});

Deno.test("openArena() over js (no free) releases nothing and keeps working", () => {
  const arena = openArena(createBackend("js"));
  const a = arena.backend.alloc(3);
  arena.release();
  assertEquals(a.length, 3);
  assertThrows(() => openArena(null as never), TypeError, "must be a Backend");
});

Deno.test("WasmHeap.free() refuses foreign, unaligned and doubly freed arrays", () => {
  const backend = createBackend("wasm-f64");
  const a = backend.alloc(4);
  assertThrows(() => backend.free!(new Float64Array(4)), RangeError, "Cannot free");
  assertThrows(() => backend.free!(a.subarray(1)), RangeError, "Cannot free");
  backend.free!(a);
  assertThrows(() => backend.free!(a), RangeError, "freed already");
});

Deno.test("learnOne() and reset() in a loop keep a WebAssembly backend's memory bounded", () => {
  // each closed subscription used to leave its caches, gradients and optimizer slots behind:
  // a model of this size ran out of the 1 GiB memory after a few thousand cycles
  for (const name of ["wasm-f64", "wasm-f32"]) {
    const backend = createBackend(name);
    const cell = rnnCell();
    const params = resident(cell.init({ nx: 5, na: 16, ny: 5 }, { seed: 1 }), backend);
    const learner = new OneStepLearner(cell, params, backend, {
      optimizer: { type: "adam", learningRate: 0.01 },
      clip: { norm: 5 },
      reduction: "mean",
      k2: 4,
    });
    let state: Matrix | null = null;
    const top = (): number => backend.alloc(12345).byteOffset; // a size nothing else uses: the bump pointer
    const cycles = (n: number) => {
      for (let i = 0; i < n; i++) {
        state = learner.step(Int32Array.of(i % 5), Int32Array.of((i + 1) % 5) as never, state).state;
        if (i % 3 === 2) {
          learner.close();
          state = null;
        }
      }
    };
    cycles(30);
    const after30 = top();
    cycles(300);
    const after330 = top();
    assertEquals(after330 - after30, 12345 * 8 + 8, `${name}: the heap grew by more than the probe`);
    assertEquals(learner.updates, 330);
  }
});
