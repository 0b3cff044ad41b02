/**
 * Stacked recurrent layers (any mix of GRU, LSTM and tanh RNN layers) with an optional
 * learned embedding for token inputs and one output head on the top layer, as a
 * {@linkcode RecurrentCell} of kind `"stack"`.
 *
 * @module
 */
import { describe } from "../../math/matrix.ts";
import { checkHead } from "../checks.ts";
import { gruLayer } from "../gru/gru_layer.ts";
import { headedCell } from "../headed_cell.ts";
import type { HeadedCache } from "../headed_cell.ts";
import type { RecurrentLayer } from "../layer.ts";
import { lstmLayer } from "../lstm/lstm_layer.ts";
import type { RecurrentCell } from "../recurrent_cell.ts";
import type { GradSet, Head, ParamSet } from "../types.ts";
import { rnnLayer } from "./rnn_layer.ts";
import { stackLayer } from "./stack_layer.ts";
import type { StackStepCache } from "./stack_layer.ts";

/** The kinds of layer a stack can hold. */
export type StackLayerKind = "gru" | "lstm" | "rnn";

/** One layer of {@linkcode StackedCellOptions.layers}: its kind and units. */
export interface StackLayerSpec {
  /** The layer's kind. */
  cell: StackLayerKind;
  /** Its units n_a. */
  size: number;
}

/** Options for {@linkcode stackedCell} (also its spec, less `kind`). */
export interface StackedCellOptions {
  /** The layers, bottom first: sizes (of kind `cell`) or `{ cell, size }`. At least one. */
  layers: readonly (number | StackLayerSpec)[];
  /** The kind of the layers given as sizes. @default {"gru"} */
  cell?: StackLayerKind;
  /** Size n_e of a learned embedding `E` (n_e×n_x) in front of the first layer; null for none. @default {null} */
  embed?: number | null;
  /** The output head on the top layer. @default {"softmax"} */
  head?: Head;
}

/** The per-step cache of a stacked cell. */
export type StackedCache = HeadedCache<StackStepCache>;

const LAYERS: Record<StackLayerKind, () => RecurrentLayer> = {
  gru: gruLayer,
  lstm: lstmLayer,
  rnn: rnnLayer,
};

/**
 * Stacked layers with one head: `E` (with `embed`), then layer 1 reads `E·x` (or `x`),
 * layer i + 1 reads layer i's `a`, and `ŷ = softmax(Wya·a_top + by)`. Parameter names carry
 * the 1-based layer index (`Wra_1`, `Wfa_2`, …, then `Wya`, `by`); the carried state is every
 * layer's state stacked, bottom first (an LSTM layer contributes `[a; c]`). `init()` takes the
 * layer sizes from the options: its `na` must equal the top layer's size.
 *
 * @param options The layers, the embedding and the head.
 * @returns The cell, kind `"stack"`; its `spec()` holds `layers` (as `{ cell, size }`), `embed` and `head`.
 * @throws {RangeError} When the layers are empty, a size or `embed` is not an integer >= 1, or a kind or the head is unknown.
 * @throws {TypeError} When `layers` is not an array.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { bptt } from "../bptt.ts";
 * import { stackedCell } from "./stacked_cell.ts";
 * const cell = stackedCell({ layers: [{ cell: "gru", size: 6 }, { cell: "lstm", size: 5 }], embed: 3 });
 * const params = cell.init({ nx: 4, na: 5, ny: 4 }, { seed: 1 });
 * const { loss, grads } = bptt(params, [[0], [1]], [[1], [2]], { cell });
 * assert(loss > 0 && grads.dE.shape === "3x4" && cell.sizes(params).state === 6 + 10);
 * ```
 */
export function stackedCell(options: StackedCellOptions): RecurrentCell<ParamSet, GradSet, StackedCache> {
  const fn = "create stackedCell()";
  const head = checkHead(fn, options?.head ?? "softmax");
  const { layers, cell = "gru", embed = null } = options ?? {};
  if (!Array.isArray(layers)) {
    throw new TypeError(
      `Cannot ${fn} as 'layers' must be an array of sizes or { cell, size }: got ${describe(layers)}`,
    );
  }
  if (layers.length === 0) {
    throw new RangeError(`Cannot ${fn} as 'layers' must hold at least one layer: got none`);
  }
  const kindOk = (k: unknown): k is StackLayerKind => typeof k === "string" && k in LAYERS;
  if (!kindOk(cell)) {
    throw new RangeError(
      `Cannot ${fn} as 'cell' must be "gru", "lstm" or "rnn": current value is ${String(cell)}`,
    );
  }
  const specs: StackLayerSpec[] = layers.map((entry, i) => {
    const spec = typeof entry === "number" ? { cell, size: entry } : entry;
    if (!kindOk(spec?.cell)) {
      throw new RangeError(
        `Cannot ${fn} as 'layers[${i}].cell' must be "gru", "lstm" or "rnn": current value is ${
          String(spec?.cell)
        }`,
      );
    }
    if (!Number.isInteger(spec.size) || spec.size < 1) {
      throw new RangeError(
        `Cannot ${fn} as 'layers[${i}]' size must be an integer >= 1: current value is ${spec.size}`,
      );
    }
    return { cell: spec.cell, size: spec.size };
  });
  if (embed !== null && (!Number.isInteger(embed) || embed < 1)) {
    throw new RangeError(
      `Cannot ${fn} as 'embed' must be an integer >= 1 or null: current value is ${embed}`,
    );
  }
  const stack = stackLayer(specs.map((s) => ({ layer: LAYERS[s.cell](), size: s.size })), embed);
  return headedCell<ParamSet, GradSet, StackStepCache>(stack, { kind: "stack", head, layers: specs, embed });
}
