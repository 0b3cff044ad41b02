/**
 * Online learning: predict-then-learn (prequential), metrics, normalisation and the live learner.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { Normalizer } from "./mod.ts";
 * assert(new Normalizer(2) instanceof Normalizer);
 * ```
 *
 * @module
 */
export * from "./normalizer.ts";
export * from "./metrics.ts";
export * from "./prequential.ts";
export * from "./live_learner.ts";
export * from "./forecast/mod.ts";
