/**
 * Adagrad.
 *
 * @module
 */
import { checkHyper } from "./optimizer.ts";
import type { OptimizerOptions, UpdateRule } from "./optimizer.ts";

/** The options of {@linkcode adagrad}. */
export type AdagradOptions = Extract<OptimizerOptions, { type: "adagrad" }>;

/**
 * Adagrad: `h ← h + g²`, `p ← p − lr·g / (√h + ε)`.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { createJsBackend } from "../kernels/js_backend.ts";
 * import { adagrad } from "./adagrad.ts";
 * const p = Float64Array.of(1), buffers: Record<string, Float64Array> = {};
 * const options = adagrad.withDefaults({ type: "adagrad" });
 * adagrad.step(createJsBackend(), p, Float64Array.of(2), (s) => buffers[s] ??= new Float64Array(1), 0.1, 1, options);
 * assert(Math.abs(p[0] - 0.9) < 1e-8 && buffers.sumSquares[0] === 4);
 * ```
 */
export const adagrad: UpdateRule<AdagradOptions> = {
  type: "adagrad",
  squareBuffers: ["sumSquares"],
  withDefaults(options) {
    const { learningRate = 0.1, epsilon = 1e-8 } = options;
    checkHyper("adagrad", "learningRate", learningRate, learningRate >= 0);
    checkHyper("adagrad", "epsilon", epsilon, epsilon > 0);
    return { type: "adagrad", learningRate, epsilon };
  },
  step(k, p, g, buffer, lr, _t, { epsilon }) {
    k.adagradStep(p, g, buffer("sumSquares"), lr, epsilon);
  },
};
