/**
 * Optimizers (one update rule per file behind a registry) and gradient clipping.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { createOptimizer } from "./mod.ts";
 * assert(createOptimizer({ type: "adam" }).learningRate === 0.002);
 * ```
 *
 * @module
 */
export * from "./optimizer.ts";
export * from "./optimizers.ts";
export * from "./sgd.ts";
export * from "./adagrad.ts";
export * from "./rmsprop.ts";
export * from "./adam.ts";
export * from "./clip.ts";
