/**
 * Checkpoints: one atomic, checksummed file format for the library, the CLI and the live learner.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { CHECKPOINT_VERSION } from "./mod.ts";
 * assert(CHECKPOINT_VERSION >= 1);
 * ```
 *
 * @module
 */
export * from "./checkpoint.ts";
export * from "./checkpoint_lock.ts";
export * from "./periodic_saver.ts";
