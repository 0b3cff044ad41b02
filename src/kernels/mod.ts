/**
 * Kernels: the backend interface that every step of the cell math and every optimizer
 * update goes through, the plain TypeScript reference backend, and the registry that
 * picks a backend per run.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createBackend } from "./mod.ts";
 * const backend = createBackend("js");
 * const out = backend.alloc(2);
 * backend.tanh(Float64Array.of(0, 0), out);
 * assertEquals([...out], [0, 0]);
 * ```
 *
 * @module
 */
export type { Backend, BackendName } from "./backend.ts";
export { createJsBackend } from "./js_backend.ts";
export {
  backendNames,
  checkBackend,
  createBackend,
  DEFAULT_BACKEND,
  ONLINE_BACKEND,
  registerBackend,
} from "./create_backend.ts";
export type { BackendChoice } from "./create_backend.ts";
export { resident } from "./resident.ts";
export { openArena } from "./arena.ts";
export type { Arena } from "./arena.ts";
export * from "./wasm/mod.ts";
