/**
 * Adam and AdamW (decoupled weight decay).
 *
 * @module
 */
import { checkHyper } from "./optimizer.ts";
import type { OptimizerOptions, UpdateRule } from "./optimizer.ts";

/** The options of {@linkcode adam} and {@linkcode adamw}. */
export type AdamOptions = Extract<OptimizerOptions, { type: "adam" | "adamw" }>;

function adamRule(type: "adam" | "adamw"): UpdateRule<AdamOptions> {
  return {
    type,
    squareBuffers: ["v"],
    withDefaults(options) {
      const { learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = options;
      const weightDecay = options.weightDecay ?? (type === "adamw" ? 0.01 : 0);
      checkHyper(type, "learningRate", learningRate, learningRate >= 0);
      checkHyper(type, "beta1", beta1, beta1 >= 0 && beta1 < 1);
      checkHyper(type, "beta2", beta2, beta2 >= 0 && beta2 < 1);
      checkHyper(type, "epsilon", epsilon, epsilon > 0);
      checkHyper(type, "weightDecay", weightDecay, weightDecay >= 0);
      if (type === "adam" && weightDecay !== 0) {
        throw new RangeError(
          `Cannot create the adam optimizer with 'weightDecay' ${weightDecay}: use type "adamw"`,
        );
      }
      return { type, learningRate, beta1, beta2, epsilon, weightDecay };
    },
    step(k, p, g, buffer, lr, t, { beta1, beta2, epsilon, weightDecay }) {
      // bias corrections c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ; AdamW first shrinks p by (1 − lr·λ)
      const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
      const shrink = type === "adamw" ? 1 - lr * weightDecay : 1;
      k.adamStep(p, g, buffer("m"), buffer("v"), lr, beta1, beta2, epsilon, c1, c2, shrink);
    },
  };
}

/**
 * Adam: `m ← β1·m + (1 − β1)g`, `v ← β2·v + (1 − β2)g²`, `p ← p − lr·(m/c1) / (√(v/c2) + ε)`.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { createJsBackend } from "../kernels/js_backend.ts";
 * import { adam } from "./adam.ts";
 * const p = Float64Array.of(1), buffers: Record<string, Float64Array> = {};
 * const options = adam.withDefaults({ type: "adam", learningRate: 0.1 });
 * adam.step(createJsBackend(), p, Float64Array.of(2), (s) => buffers[s] ??= new Float64Array(1), 0.1, 1, options);
 * assert(Math.abs(p[0] - 0.9) < 1e-6); // the first step moves by lr·sign(g)
 * ```
 */
export const adam: UpdateRule<AdamOptions> = adamRule("adam");

/**
 * AdamW: Adam with decoupled weight decay, `p ← p·(1 − lr·λ) − lr·(m/c1) / (√(v/c2) + ε)`.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { adamw } from "./adam.ts";
 * assert(adamw.withDefaults({ type: "adamw" }).weightDecay === 0.01);
 * ```
 */
export const adamw: UpdateRule<AdamOptions> = adamRule("adamw");
