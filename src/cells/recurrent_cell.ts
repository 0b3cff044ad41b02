/**
 * The seam between the stream stages and the math. A cell is described once
 * ({@linkcode RecurrentCell}: sizes, checks, parameter names, how to rebuild it from a
 * checkpoint) and bound to a kernel backend per subscription ({@linkcode CellRuntime}:
 * caches, scratch buffers, forward and backward), so two runs never share a buffer and
 * every step goes through the run's backend.
 *
 * The state a cell carries from step to step is one matrix of `sizes.state` rows per
 * column: `a` for the vanilla RNN and the GRU, `a` stacked over `c` for the LSTM, every
 * layer's state stacked for a stacked model. The stages never look inside it: they carry
 * it forward, hand `dNext` (its gradient) backward, and detach it at a window's start.
 *
 * Caches are plain data (matrices, typed arrays, numbers, null, plain objects), so a
 * checkpoint can store the last k2 steps and a run resumes bit for bit.
 *
 * @module
 */
import type { Backend } from "../kernels/backend.ts";
import type { Matrix } from "../math/matrix.ts";
import type { GradSet, Head, Input, ParamSet, Target } from "./types.ts";

/** One trainable tensor with its gradient, as an optimizer sees it. */
export interface ParamSlot {
  /** A stable name, used for optimizer state (e.g. `"Wax"`). */
  name: string;
  /** The values, updated in place. */
  value: Float64Array;
  /** The gradient of the same length. */
  grad: Float64Array;
}

/** The sizes a cell reads off its parameters. */
export interface CellSizes {
  /** n_x: input features (vocabulary size for token inputs). */
  nx: number;
  /** n_a: hidden units (of the top layer for a stacked model). */
  na: number;
  /** n_y: outputs (classes for the softmax head). */
  ny: number;
  /** Rows of the carried state per column (n_a for the RNN and the GRU, 2·n_a for the LSTM). */
  state: number;
}

/** Plain data that names a cell and its settings (kept in checkpoints): `{ kind, head, … }`. */
export interface CellSpec {
  /** The cell's kind: `"rnn"`, `"gru"`, `"lstm"`, or a registered custom kind. */
  kind: string;
  /** The output head. */
  head: Head;
  /** Anything else the kind needs to rebuild the cell (layers, embedding): plain data. */
  [key: string]: unknown;
}

/** Options of {@linkcode RecurrentCell.init}. */
export interface CellInitOptions {
  /** `"xavier"` (Glorot uniform) or the document's `"randn"`·scale. @default {"xavier"} */
  init?: "xavier" | "randn";
  /** Seed of the generator. @default {0} */
  seed?: number;
}

/**
 * A recurrent cell as the stream stages use it: a stateless description, safe to share.
 *
 * @typeParam P The parameters (named matrices).
 * @typeParam G The gradients (`"d" + name` for each parameter).
 * @typeParam C The per-step cache (plain data).
 */
export interface RecurrentCell<P extends ParamSet = ParamSet, G extends GradSet = GradSet, C = unknown> {
  /** The kind, as in {@linkcode CellSpec}. */
  readonly kind: string;
  /** The output head. */
  readonly head: Head;
  /** The plain-data description that rebuilds this cell (see `createCell`). */
  spec(): CellSpec;
  /** The parameter names in a fixed order (gradients are `"d" + name`). */
  paramNames(params: P): string[];
  /** Checks the parameters (types, shapes, finite values) and returns the sizes; throws a RangeError/TypeError naming the value. */
  sizes(params: P): CellSizes;
  /** Fresh parameters for the given sizes. */
  init(sizes: { nx: number; na: number; ny: number }, options?: CellInitOptions): P;
  /** Canonical input for batch m, or throws a RangeError/TypeError naming the value. */
  input(x: unknown, params: P, m: number): Input;
  /** Canonical target for batch m, or throws a RangeError/TypeError naming the value. */
  target(y: unknown, params: P, m: number): Target;
  /** Zero gradients shaped like `params`. */
  zeroGrads(params: P): G;
  /** The trainable tensors paired with their gradients, in a fixed order. */
  slots(params: P, grads: G): ParamSlot[];
  /** The state after the step (`sizes.state` × m): what the next step starts from. */
  stateOf(cache: C): Matrix;
  /** The step's prediction ŷ (n_y×m). */
  outputOf(cache: C): Matrix;
  /** The head's pre-activation z2 = Wya·a + by (n_y×m): logits for sampling with a temperature. */
  logitsOf(cache: C): Matrix;
  /** The cell bound to a backend, with its own scratch buffers: one per subscription. */
  bind(backend: Backend): CellRuntime<P, G, C>;
}

/**
 * A cell bound to one backend, owning its scratch buffers: create one per subscription
 * with {@linkcode RecurrentCell.bind}.
 *
 * @typeParam P The parameters.
 * @typeParam G The gradients.
 * @typeParam C The per-step cache.
 */
export interface CellRuntime<P extends ParamSet = ParamSet, G extends GradSet = GradSet, C = unknown> {
  /** The backend every kernel call goes to. */
  readonly backend: Backend;
  /** A fresh cache for batch m, in the backend's memory. */
  allocCache(params: P, m: number): C;
  /** Forward step into `cache` from `statePrev` (`sizes.state` × m); reset columns start from zero. */
  forward(params: P, x: Input, statePrev: Matrix, reset: Uint8Array | null, cache: C): void;
  /** The step's loss against `y`, summed over columns. */
  loss(cache: C, y: Target): number;
  /**
   * Backward step: adds the step's gradients into `grads` and overwrites `dPrev` with ∂L/∂statePrev.
   * `y` null = no loss at this step; `dNext` (∂L/∂state from later steps) null = zero.
   */
  backward(
    params: P,
    cache: C,
    y: Target | null,
    dNext: Float64Array | null,
    grads: G,
    dPrev: Float64Array,
  ): void;
}
