/**
 * The optimizer types: options, state (plain data, for checkpoints) and the update rule
 * that each optimizer file implements.
 *
 * @module
 */
import type { ParamSlot } from "../cells/recurrent_cell.ts";
import type { Backend } from "../kernels/backend.ts";

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
 * One optimizer's update rule, as each file of this folder implements it; the registry in
 * `optimizers.ts` binds a rule to its state.
 *
 * @typeParam O The rule's options.
 */
export interface UpdateRule<O extends OptimizerOptions = OptimizerOptions> {
  /** The `type` it implements. */
  readonly type: O["type"];
  /** Buffer names whose values are squares (restored states must hold values >= 0 there). */
  readonly squareBuffers: readonly string[];
  /** The options with every default filled in; throws a RangeError naming a value out of range. */
  withDefaults(options: O): Required<O>;
  /**
   * Updates one tensor in place. `buffer(suffix)` returns the tensor's persistent buffer of that
   * name (zeros at first); `t` counts updates from 1.
   */
  step(
    backend: Backend,
    p: Float64Array,
    g: Float64Array,
    buffer: (suffix: string) => Float64Array,
    lr: number,
    t: number,
    options: Required<O>,
  ): void;
}

/** Throws a RangeError naming the optimizer, the option and the value unless `ok`; returns `v`. */
export function checkHyper(type: string, name: string, v: number, ok: boolean): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !ok) {
    throw new RangeError(
      `Cannot create the ${type} optimizer as '${name}' is out of range: current value is ${v}`,
    );
  }
  return v;
}
