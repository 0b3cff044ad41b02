/**
 * Optimizers whose state is plain data: SGD (momentum, Nesterov), Adagrad, RMSProp,
 * Adam and AdamW, one update rule per file behind this registry. Formulas follow
 * PyTorch's documented update rules; the element-wise updates run on the run's kernel
 * backend.
 *
 * @module
 */
import type { Backend } from "../kernels/backend.ts";
import { createJsBackend } from "../kernels/js_backend.ts";
import { adagrad } from "./adagrad.ts";
import { adam, adamw } from "./adam.ts";
import type { Optimizer, OptimizerOptions, OptimizerState, UpdateRule } from "./optimizer.ts";
import { rmsprop } from "./rmsprop.ts";
import { sgd } from "./sgd.ts";

export type { Optimizer, OptimizerOptions, OptimizerState, UpdateRule } from "./optimizer.ts";

/** The update rules by type: one file each. */
const RULES: ReadonlyMap<string, UpdateRule> = new Map<string, UpdateRule>(
  ([sgd, adagrad, rmsprop, adam, adamw] as UpdateRule[]).map((rule) => [rule.type, rule]),
);

/**
 * Creates an optimizer with fresh state.
 *
 * @param options The optimizer and its hyper-parameters.
 * @param backend The kernel backend the updates run on (its memory holds the moments). @default {the "js" backend}
 * @returns The optimizer.
 * @throws {RangeError} When the type is unknown or a hyper-parameter is out of range.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { createOptimizer } from "../../mod.ts";
 * const opt = createOptimizer({ type: "sgd", learningRate: 0.5 });
 * const value = Float64Array.of(1), grad = Float64Array.of(2);
 * opt.step([{ name: "w", value, grad }], opt.learningRate);
 * assert(value[0] === 0);
 * ```
 */
export function createOptimizer(options: OptimizerOptions, backend: Backend = createJsBackend()): Optimizer {
  const rule = ruleOf(options);
  const full = rule.withDefaults(options as never) as Required<OptimizerOptions>;
  let state: OptimizerState = { type: full.type, t: 0, slots: {} };
  const buffer = (name: string, n: number): Float64Array => {
    let b = state.slots[name];
    if (b === undefined) state.slots[name] = b = backend.alloc(n);
    return b;
  };
  return {
    options: full,
    learningRate: full.learningRate,
    step(slots, lr) {
      state.t += 1;
      for (const { name, value, grad } of slots) {
        rule.step(
          backend,
          value,
          grad,
          (suffix) => buffer(`${name}.${suffix}`, value.length),
          lr,
          state.t,
          full,
        );
      }
    },
    getState() {
      return copyState(state);
    },
    setState(next) {
      if (next === null || typeof next !== "object" || next.type !== full.type) {
        throw new TypeError(
          `Cannot restore the ${full.type} optimizer from a state of type ${(next as OptimizerState)?.type}`,
        );
      }
      if (!Number.isInteger(next.t) || next.t < 0) {
        throw new RangeError(
          `Cannot restore the optimizer as 't' must be an integer >= 0: current value is ${next.t}`,
        );
      }
      if (next.slots === null || typeof next.slots !== "object") {
        throw new TypeError(
          `Cannot restore the optimizer as 'slots' must be an object of Float64Arrays: got ${next.slots}`,
        );
      }
      for (const [key, value] of Object.entries(next.slots)) {
        if (!(value instanceof Float64Array)) {
          throw new TypeError(`Cannot restore the optimizer as slot '${key}' is not a Float64Array`);
        }
        // a NaN, or a negative mean square under a square root, would go straight into the parameters
        const squares = rule.squareBuffers.some((suffix) => key.endsWith(`.${suffix}`));
        for (let k = 0; k < value.length; k++) {
          const v = value[k];
          if (!Number.isFinite(v) || (squares && v < 0)) {
            throw new RangeError(
              `Cannot restore the optimizer as slot '${key}' must hold finite values${
                squares ? " >= 0" : ""
              }: value ${k} is ${v}`,
            );
          }
        }
      }
      // copied into the backend's memory, where the update kernels read them
      const slots: Record<string, Float64Array> = {};
      for (const [key, value] of Object.entries(next.slots)) {
        (slots[key] = backend.alloc(value.length)).set(value);
      }
      state = { type: next.type, t: next.t, slots };
    },
  };
}

function copyState(s: OptimizerState): OptimizerState {
  const slots: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(s.slots)) slots[k] = v.slice();
  return { type: s.type, t: s.t, slots };
}

function ruleOf(options: OptimizerOptions): UpdateRule {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `Cannot create an optimizer from ${String(options)}: expected { type, learningRate, ... }`,
    );
  }
  const rule = RULES.get((options as { type: string }).type);
  if (rule === undefined) {
    throw new RangeError(
      `Cannot create an optimizer as 'type' must be one of ${
        [...RULES.keys()].join(", ")
      }: current value is ${(options as { type: unknown }).type}`,
    );
  }
  return rule;
}
