/**
 * The compiled modules (once per process, synchronously, from the inlined bytes) and
 * their instances over one {@linkcode WasmHeap}.
 *
 * @module
 */
import { decodeBase64, WasmHeap } from "./_heap.ts";
import { F32_RELAXED_WASM, F32_WASM, F64_WASM } from "./_wasm_bytes.ts";

type P = number;
/** The exports of kernels_f64.c (pointers are byte offsets). */
export interface F64Kernels {
  gemm(r: number, k: number, n: number, A: P, B: P, C: P, scratch: P): void;
  gemmTN(r: number, k: number, n: number, A: P, B: P, C: P): void;
  gemmNT(r: number, k: number, n: number, A: P, B: P, C: P, scratch: P): void;
  gatherAdd(r: number, cols: number, W: P, tokens: P, m: number, out: P): void;
  scatterAdd(r: number, cols: number, dz: P, tokens: P, m: number, dW: P): void;
  fillRows(r: number, m: number, column: P, out: P): void;
  rowSumsAdd(r: number, m: number, src: P, out: P): void;
  tanhBackward(n: number, da: P, a: P, dz: P): void;
  sigmoidBackward(n: number, ds: P, s: P, dz: P): void;
  mul(n: number, a: P, b: P, out: P): void;
  mulAdd(n: number, a: P, b: P, out: P): void;
  axpy(n: number, alpha: number, x: P, y: P): void;
  sgdStep(n: number, p: P, g: P, v: P, lr: number, mu: number, nesterov: number, wd: number): void;
  adagradStep(n: number, p: P, g: P, h: P, lr: number, eps: number): void;
  rmspropStep(n: number, p: P, g: P, s: P, lr: number, rho: number, eps: number): void;
  adamStep(
    n: number,
    p: P,
    g: P,
    m: P,
    v: P,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
    c1: number,
    c2: number,
    shrink: number,
  ): void;
  __heap_base: WebAssembly.Global;
}

/** The exports of kernels_f32.c (float32 products into float64 outputs, float64 polynomial tanh, σ, softmax). */
export interface F32Kernels {
  gemm32(r: number, k: number, n: number, A: P, B: P, C: P, scratch: P): void;
  gemmTN32(r: number, k: number, n: number, A: P, B: P, C: P, scratch: P): void;
  gemmNT32(r: number, k: number, n: number, A: P, B: P, C: P, scratch: P): void;
  tanhApprox(n: number, z: P, out: P): void;
  sigmoidApprox(n: number, z: P, out: P): void;
  softmaxColumnsApprox(r: number, m: number, z: P, yHat: P, logNorm: P, work: P): void;
}

/**
 * A module with one function `(v128, v128, v128) → f32x4.relaxed_madd`: it validates
 * exactly when the runtime has relaxed SIMD.
 */
const RELAXED_PROBE = Uint8Array.of(
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x08,
  0x01,
  0x60,
  0x03,
  0x7b,
  0x7b,
  0x7b,
  0x01,
  0x7b,
  0x03,
  0x02,
  0x01,
  0x00,
  0x0a,
  0x0d,
  0x01,
  0x0b,
  0x00,
  0x20,
  0x00,
  0x20,
  0x01,
  0x20,
  0x02,
  0xfd,
  0x85,
  0x02,
  0x0b,
); // deno-fmt-ignore

/** True when the runtime validates `f32x4.relaxed_madd`. */
export function hasRelaxedSimd(): boolean {
  return WebAssembly.validate(RELAXED_PROBE);
}

let f64Module: WebAssembly.Module | undefined;
const f32Modules: Map<boolean, WebAssembly.Module> = new Map();

/** A heap and the float64 kernels over it. */
export function instantiateF64(): { heap: WasmHeap; f64: F64Kernels } {
  f64Module ??= new WebAssembly.Module(decodeBase64(F64_WASM) as Uint8Array<ArrayBuffer>);
  // the instance needs the memory first; its heap base is the same in every instance
  const memoryFirst = new WasmHeap(0);
  const f64 = new WebAssembly.Instance(f64Module, { env: { memory: memoryFirst.memory } })
    .exports as unknown as F64Kernels;
  memoryFirst.reserve(Number(f64.__heap_base.value));
  return { heap: memoryFirst, f64 };
}

/** The float32 kernels over an existing heap, relaxed (fused multiply-add) when `relaxed`. */
export function instantiateF32(heap: WasmHeap, relaxed: boolean): F32Kernels {
  let module = f32Modules.get(relaxed);
  if (module === undefined) {
    const bytes = decodeBase64(relaxed ? F32_RELAXED_WASM : F32_WASM) as Uint8Array<ArrayBuffer>;
    f32Modules.set(relaxed, module = new WebAssembly.Module(bytes));
  }
  return new WebAssembly.Instance(module, { env: { memory: heap.memory } }).exports as unknown as F32Kernels;
}
