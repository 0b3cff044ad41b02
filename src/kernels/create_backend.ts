/**
 * Backends by name: the one place a run's kernel backend is chosen.
 *
 * @module
 */
import { describe } from "../math/matrix.ts";
import type { Backend, BackendName } from "./backend.ts";
import { createJsBackend } from "./js_backend.ts";
import { createWasmF32Backend } from "./wasm/wasm_f32_backend.ts";
import { createWasmF64Backend } from "./wasm/wasm_f64_backend.ts";

/** A backend, or the name of a built-in one. */
export type BackendChoice = string | Backend;

/**
 * The backend a run takes when none is named: `"wasm-f64"`, float64 WebAssembly SIMD,
 * bit-identical to the `"js"` reference (same summation order, no fused multiply-add)
 * and about 2–3× faster. `"js"` stays available by name everywhere.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createBackend, DEFAULT_BACKEND } from "./mod.ts";
 * assertEquals(createBackend().name, DEFAULT_BACKEND);
 * ```
 */
export const DEFAULT_BACKEND: BackendName = "wasm-f64";

/**
 * The default backend of the online learners (`prequential()`, `LiveLearner`, `main.ts live`):
 * `"js"`. Their models are small (one column, tens of units), where a step is latency-bound
 * and the plain TypeScript kernels run ~1.6× faster than one WebAssembly call per kernel
 * (measured: prequential at n_a = 32, 2 features: 19–20k events/s on js, 11–12k on
 * wasm-f64). The two are bit-identical, so the choice changes no result.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ONLINE_BACKEND } from "./mod.ts";
 * assertEquals(ONLINE_BACKEND, "js");
 * ```
 */
export const ONLINE_BACKEND: BackendName = "js";

const FACTORIES: Map<string, () => Backend> = new Map<string, () => Backend>([
  ["js", createJsBackend],
  ["wasm-f64", createWasmF64Backend],
  ["wasm-f32", () => createWasmF32Backend()],
]);

/**
 * Registers a backend factory under a name (the WebAssembly backends register themselves
 * this way); the name can then be given to `train({ backend })` and `--backend`.
 *
 * @param name The backend's name.
 * @param factory Creates a fresh backend instance (one per run).
 * @throws {TypeError} When the name is empty or the factory is not a function.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { backendNames, createJsBackend, registerBackend } from "./mod.ts";
 * registerBackend("js-copy", createJsBackend);
 * assert(backendNames().includes("js-copy"));
 * ```
 */
export function registerBackend(name: string, factory: () => Backend): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(
      `Cannot register a backend as 'name' must be a non-empty string: got ${describe(name)}`,
    );
  }
  if (typeof factory !== "function") {
    throw new TypeError(
      `Cannot register backend "${name}" as 'factory' must be a function: got ${describe(factory)}`,
    );
  }
  FACTORIES.set(name, factory);
}

/**
 * The names of the registered backends.
 *
 * @returns The names, `"js"` first.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { backendNames } from "./mod.ts";
 * assert(backendNames()[0] === "js");
 * ```
 */
export function backendNames(): string[] {
  return [...FACTORIES.keys()];
}

/**
 * Checks a backend choice without creating the backend (no WebAssembly module is
 * instantiated, no memory reserved), as the stages do when they are created.
 *
 * @param choice A name, or a backend object.
 * @param fn The caller's name, for messages (e.g. `"train()"`).
 * @returns The backend's name.
 * @throws {RangeError} When the name is not a registered backend.
 * @throws {TypeError} When the choice is neither a string nor a backend object.
 *
 * @example Usage
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { checkBackend } from "./mod.ts";
 * assertEquals(checkBackend("wasm-f64"), "wasm-f64");
 * assertThrows(() => checkBackend("x"), RangeError, "current value is x");
 * ```
 */
export function checkBackend(choice: BackendChoice = DEFAULT_BACKEND, fn = "createBackend()"): string {
  if (typeof choice === "string") {
    if (!FACTORIES.has(choice)) {
      throw new RangeError(
        `Cannot create ${fn} as 'backend' must be one of ${
          backendNames().map((n) => `"${n}"`).join(", ")
        }: current value is ${choice}`,
      );
    }
    return choice;
  }
  if (
    choice === null || typeof choice !== "object" || typeof choice.gemm !== "function" ||
    typeof choice.alloc !== "function"
  ) {
    throw new TypeError(
      `Cannot create ${fn} as 'backend' must be a backend name or a Backend object: got ${describe(choice)}`,
    );
  }
  return choice.name;
}

/**
 * A fresh backend for one run: `"js"` (the plain TypeScript reference), `"wasm-f64"`
 * (the default, bit-identical to `"js"`), `"wasm-f32"` or another registered name; a
 * Backend object is checked and returned as it is.
 *
 * @param choice A name, or a backend object. @default {DEFAULT_BACKEND, "wasm-f64"}
 * @param fn The caller's name, for messages (e.g. `"train()"`).
 * @returns The backend.
 * @throws {RangeError} When the name is not a registered backend.
 * @throws {TypeError} When the choice is neither a string nor a backend object.
 *
 * @example Usage
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { createBackend } from "./mod.ts";
 * assertEquals(createBackend("js").name, "js");
 * assertThrows(() => createBackend("x"), RangeError, "current value is x");
 * ```
 */
export function createBackend(choice: BackendChoice = DEFAULT_BACKEND, fn = "createBackend()"): Backend {
  checkBackend(choice, fn);
  if (typeof choice === "string") return FACTORIES.get(choice)!();
  return choice;
}
