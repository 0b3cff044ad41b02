/**
 * Optimizers whose state is plain data: SGD (momentum, Nesterov), Adagrad, RMSProp,
 * Adam and AdamW. Formulas follow PyTorch's documented update rules.
 *
 * @module
 */
import type { ParamSlot } from "../cells/recurrent_cell.ts";
import type { Backend } from "../kernels/backend.ts";
import { createJsBackend } from "../kernels/js_backend.ts";

/** Options of an optimizer; `type` selects it. Every field but `type` has a default. */
export type OptimizerOptions =
  | {
    type: "sgd";
    /** @default {0.1} */
    learningRate?: number;
    /** Momentum μ (0 = plain SGD). @default {0} */
    momentum?: number;
    /** Nesterov momentum. @default {false} */
    nesterov?: boolean;
    /** L2 penalty added to the gradient. @default {0} */
    weightDecay?: number;
  }
  | {
    type: "adagrad";
    /** @default {0.1} */
    learningRate?: number;
    /** @default {1e-8} */
    epsilon?: number;
  }
  | {
    type: "rmsprop";
    /** @default {0.01} */
    learningRate?: number;
    /** Decay ρ of the squared-gradient average. @default {0.99} */
    decay?: number;
    /** @default {1e-8} */
    epsilon?: number;
  }
  | {
    type: "adam" | "adamw";
    /** @default {0.002} */
    learningRate?: number;
    /** @default {0.9} */
    beta1?: number;
    /** @default {0.999} */
    beta2?: number;
    /** @default {1e-8} */
    epsilon?: number;
    /** Decoupled weight decay (AdamW only). @default {0.01} */
    weightDecay?: number;
  };

/** An optimizer's whole state, as plain data (it goes into checkpoints). */
export interface OptimizerState {
  /** The optimizer type. */
  type: OptimizerOptions["type"];
  /** Number of updates applied. */
  t: number;
  /** Per-tensor buffers, keyed `"<param>.<buffer>"` (e.g. `"Wax.m"`). */
  slots: Record<string, Float64Array>;
}

/** An optimizer bound to its own state. */
export interface Optimizer {
  /** The options with every default filled in. */
  readonly options: Required<OptimizerOptions>;
  /** The base learning rate. */
  readonly learningRate: number;
  /** Applies one update to every slot with learning rate `lr`. */
  step(slots: readonly ParamSlot[], lr: number): void;
  /** A deep copy of the state. */
  getState(): OptimizerState;
  /** Restores a state from {@linkcode Optimizer.getState}; throws when it is malformed or holds a non-finite value. */
  setState(state: OptimizerState): void;
}

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
  const full = withDefaults(options);
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
      for (const { name, value: p, grad: g } of slots) {
        const n = p.length;
        switch (full.type) {
          case "sgd": {
            const { momentum, nesterov, weightDecay } = full as Required<OptimizerOptions & { type: "sgd" }>;
            const v = momentum === 0 ? null : buffer(`${name}.velocity`, n);
            backend.sgdStep(p, g, v, lr, momentum, nesterov, weightDecay);
            break;
          }
          case "adagrad": {
            const { epsilon } = full as Required<OptimizerOptions & { type: "adagrad" }>;
            backend.adagradStep(p, g, buffer(`${name}.sumSquares`, n), lr, epsilon);
            break;
          }
          case "rmsprop": {
            const { decay, epsilon } = full as Required<OptimizerOptions & { type: "rmsprop" }>;
            backend.rmspropStep(p, g, buffer(`${name}.meanSquare`, n), lr, decay, epsilon);
            break;
          }
          default: {
            const { beta1, beta2, epsilon, weightDecay } = full as Required<
              OptimizerOptions & { type: "adam" }
            >;
            const m = buffer(`${name}.m`, n), v = buffer(`${name}.v`, n);
            // bias corrections; AdamW first shrinks p by (1 − lr·λ)
            const c1 = 1 - beta1 ** state.t, c2 = 1 - beta2 ** state.t;
            const shrink = full.type === "adamw" ? 1 - lr * weightDecay : 1;
            backend.adamStep(p, g, m, v, lr, beta1, beta2, epsilon, c1, c2, shrink);
          }
        }
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
        const squares = /\.(v|sumSquares|meanSquare)$/.test(key);
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

function withDefaults(options: OptimizerOptions): Required<OptimizerOptions> {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `Cannot create an optimizer from ${String(options)}: expected { type, learningRate, ... }`,
    );
  }
  const check = (name: string, v: number, ok: boolean): number => {
    if (typeof v !== "number" || !Number.isFinite(v) || !ok) {
      throw new RangeError(
        `Cannot create the ${options.type} optimizer as '${name}' is out of range: current value is ${v}`,
      );
    }
    return v;
  };
  switch (options.type) {
    case "sgd": {
      const { learningRate = 0.1, momentum = 0, nesterov = false, weightDecay = 0 } = options;
      check("learningRate", learningRate, learningRate >= 0);
      check("momentum", momentum, momentum >= 0 && momentum < 1);
      check("weightDecay", weightDecay, weightDecay >= 0);
      if (nesterov && momentum === 0) {
        throw new RangeError(
          `Cannot create the sgd optimizer as 'nesterov' needs 'momentum' > 0: current value is 0`,
        );
      }
      return { type: "sgd", learningRate, momentum, nesterov: Boolean(nesterov), weightDecay };
    }
    case "adagrad": {
      const { learningRate = 0.1, epsilon = 1e-8 } = options;
      check("learningRate", learningRate, learningRate >= 0);
      check("epsilon", epsilon, epsilon > 0);
      return { type: "adagrad", learningRate, epsilon };
    }
    case "rmsprop": {
      const { learningRate = 0.01, decay = 0.99, epsilon = 1e-8 } = options;
      check("learningRate", learningRate, learningRate >= 0);
      check("decay", decay, decay >= 0 && decay < 1);
      check("epsilon", epsilon, epsilon > 0);
      return { type: "rmsprop", learningRate, decay, epsilon };
    }
    case "adam":
    case "adamw": {
      const { learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = options;
      const weightDecay = options.weightDecay ?? (options.type === "adamw" ? 0.01 : 0);
      check("learningRate", learningRate, learningRate >= 0);
      check("beta1", beta1, beta1 >= 0 && beta1 < 1);
      check("beta2", beta2, beta2 >= 0 && beta2 < 1);
      check("epsilon", epsilon, epsilon > 0);
      check("weightDecay", weightDecay, weightDecay >= 0);
      if (options.type === "adam" && weightDecay !== 0) {
        throw new RangeError(
          `Cannot create the adam optimizer with 'weightDecay' ${weightDecay}: use type "adamw"`,
        );
      }
      return { type: options.type, learningRate, beta1, beta2, epsilon, weightDecay };
    }
    default:
      throw new RangeError(
        `Cannot create an optimizer as 'type' must be one of sgd, adagrad, rmsprop, adam, adamw: current value is ${
          (options as { type: unknown }).type
        }`,
      );
  }
}
