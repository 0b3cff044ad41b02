/**
 * SGD with optional momentum (PyTorch's form), Nesterov momentum and L2 weight decay.
 *
 * @module
 */
import { checkHyper } from "./optimizer.ts";
import type { OptimizerOptions, UpdateRule } from "./optimizer.ts";

/** The options of {@linkcode sgd}. */
export type SgdOptions = Extract<OptimizerOptions, { type: "sgd" }>;

/**
 * SGD: `g' = g + λp`; with momentum μ > 0, `v ← μv + g'` and `p ← p − lr·(nesterov ? g' + μv : v)`;
 * otherwise `p ← p − lr·g'`.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createJsBackend } from "../kernels/js_backend.ts";
 * import { sgd } from "./sgd.ts";
 * const p = Float64Array.of(1), buffers: Record<string, Float64Array> = {};
 * const options = sgd.withDefaults({ type: "sgd", learningRate: 0.5 });
 * sgd.step(createJsBackend(), p, Float64Array.of(2), (s) => buffers[s] ??= new Float64Array(1), 0.5, 1, options);
 * assertEquals(p[0], 0);
 * ```
 */
export const sgd: UpdateRule<SgdOptions> = {
  type: "sgd",
  squareBuffers: [],
  withDefaults(options) {
    const { learningRate = 0.1, momentum = 0, nesterov = false, weightDecay = 0 } = options;
    checkHyper("sgd", "learningRate", learningRate, learningRate >= 0);
    checkHyper("sgd", "momentum", momentum, momentum >= 0 && momentum < 1);
    checkHyper("sgd", "weightDecay", weightDecay, weightDecay >= 0);
    if (nesterov && momentum === 0) {
      throw new RangeError(
        `Cannot create the sgd optimizer as 'nesterov' needs 'momentum' > 0: current value is 0`,
      );
    }
    return { type: "sgd", learningRate, momentum, nesterov: Boolean(nesterov), weightDecay };
  },
  step(k, p, g, buffer, lr, _t, { momentum, nesterov, weightDecay }) {
    k.sgdStep(p, g, momentum === 0 ? null : buffer("velocity"), lr, momentum, nesterov, weightDecay);
  },
};
