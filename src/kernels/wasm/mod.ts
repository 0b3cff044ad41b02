/**
 * The WebAssembly backends, built into `createBackend()`: `"wasm-f64"` (float64 SIMD,
 * bit-identical to `"js"`) and the opt-in `"wasm-f32"` (float32 products, polynomial
 * tanh / sigmoid / softmax). Both load
 * synchronously from bytes inlined in the source, so a URL import needs no permission.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createBackend } from "../mod.ts";
 * import "./mod.ts";
 * const backend = createBackend("wasm-f64");
 * const out = backend.alloc(2);
 * backend.axpy(2, Float64Array.of(1, 2), out);
 * assertEquals([...out], [2, 4]);
 * ```
 *
 * @module
 */

export { createWasmF64Backend } from "./wasm_f64_backend.ts";
export { createWasmF32Backend } from "./wasm_f32_backend.ts";
export type { WasmF32BackendOptions } from "./wasm_f32_backend.ts";
