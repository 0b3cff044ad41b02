/**
 * RMSProp.
 *
 * @module
 */
import { checkHyper } from "./optimizer.ts";
import type { OptimizerOptions, UpdateRule } from "./optimizer.ts";

/** The options of {@linkcode rmsprop}. */
export type RmspropOptions = Extract<OptimizerOptions, { type: "rmsprop" }>;

/**
 * RMSProp: `s ← ρs + (1 − ρ)g²`, `p ← p − lr·g / (√s + ε)`.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { createJsBackend } from "../kernels/js_backend.ts";
 * import { rmsprop } from "./rmsprop.ts";
 * const p = Float64Array.of(1), buffers: Record<string, Float64Array> = {};
 * const options = rmsprop.withDefaults({ type: "rmsprop", decay: 0.75 });
 * rmsprop.step(createJsBackend(), p, Float64Array.of(2), (s) => buffers[s] ??= new Float64Array(1), 0.1, 1, options);
 * assert(buffers.meanSquare[0] === 1 && Math.abs(p[0] - 0.8) < 1e-8);
 * ```
 */
export const rmsprop: UpdateRule<RmspropOptions> = {
  type: "rmsprop",
  squareBuffers: ["meanSquare"],
  withDefaults(options) {
    const { learningRate = 0.01, decay = 0.99, epsilon = 1e-8 } = options;
    checkHyper("rmsprop", "learningRate", learningRate, learningRate >= 0);
    checkHyper("rmsprop", "decay", decay, decay >= 0 && decay < 1);
    checkHyper("rmsprop", "epsilon", epsilon, epsilon > 0);
    return { type: "rmsprop", learningRate, decay, epsilon };
  },
  step(k, p, g, buffer, lr, _t, { decay, epsilon }) {
    k.rmspropStep(p, g, buffer("meanSquare"), lr, decay, epsilon);
  },
};
