/**
 * An arena over a backend: the arrays a subscription allocates, given back together when
 * it ends, so that a backend shared by many short subscriptions (a model's
 * `learnOne()` between `reset()`s) does not grow without bound.
 *
 * @module
 */
import type { Backend } from "./backend.ts";

/** A backend whose allocations are recorded, and the call that gives them all back. */
export interface Arena {
  /** The backend: every kernel is the parent's, `alloc` records what it hands out. */
  readonly backend: Backend;
  /** Gives every array allocated through {@linkcode Arena.backend} back (a no-op on a backend without `free`); they must not be used afterwards. Idempotent. */
  release(): void;
}

/**
 * Opens an arena over `backend`: pass `arena.backend` to the stages of one subscription
 * and call `arena.release()` at its teardown. Kernels see the same memory as the parent's,
 * so arrays of the parent (resident parameters) are still taken with no copy.
 *
 * @param backend The parent backend.
 * @returns The arena.
 * @throws {TypeError} When `backend` has no `alloc` function.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { createBackend, openArena } from "./mod.ts";
 * const backend = createBackend("wasm-f64");
 * const first = openArena(backend);
 * const at = first.backend.alloc(64).byteOffset;
 * first.release();
 * assert(openArena(backend).backend.alloc(64).byteOffset === at); // the block is reused
 * ```
 */
export function openArena(backend: Backend): Arena {
  if (backend === null || typeof backend !== "object" || typeof backend.alloc !== "function") {
    throw new TypeError(
      `Cannot open an arena as 'backend' must be a Backend: current value is ${
        backend === null ? "null" : typeof backend
      }`,
    );
  }
  let held: Float64Array[] = [];
  const child: Backend = Object.create(backend);
  Object.defineProperty(child, "alloc", {
    value: (length: number): Float64Array => {
      const a = backend.alloc(length);
      held.push(a);
      return a;
    },
  });
  return {
    backend: child,
    release(): void {
      const free = backend.free;
      const all = held;
      held = [];
      if (free === undefined) return;
      for (const a of all) free.call(backend, a);
    },
  };
}
