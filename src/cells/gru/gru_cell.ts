/**
 * The GRU (PyTorch's `torch.nn.GRUCell`) with an output head, as a {@linkcode RecurrentCell}:
 * its state is `a` (n_a×m).
 *
 * @module
 */
import type { Matrix } from "../../math/matrix.ts";
import { checkHead } from "../checks.ts";
import { headedCell } from "../headed_cell.ts";
import type { HeadedCache } from "../headed_cell.ts";
import type { RecurrentCell } from "../recurrent_cell.ts";
import type { Head } from "../types.ts";
import { gruLayer } from "./gru_layer.ts";
import type { GruStepCache } from "./gru_layer.ts";

/** The parameters of the GRU cell (n_a units, n_x inputs, n_y outputs). */
export type GruParams = {
  /** Reset gate, recurrent weights, n_a×n_a. */
  Wra: Matrix;
  /** Reset gate, input weights, n_a×n_x. */
  Wrx: Matrix;
  /** Reset gate bias, n_a×1. */
  br: Matrix;
  /** Update gate, recurrent weights, n_a×n_a. */
  Wza: Matrix;
  /** Update gate, input weights, n_a×n_x. */
  Wzx: Matrix;
  /** Update gate bias, n_a×1. */
  bz: Matrix;
  /** Candidate, recurrent weights (inside `r ⊙ (·)`), n_a×n_a. */
  Wna: Matrix;
  /** Candidate, input weights, n_a×n_x. */
  Wnx: Matrix;
  /** Candidate, recurrent bias (inside `r ⊙ (·)`), n_a×1. */
  bna: Matrix;
  /** Candidate, input bias, n_a×1. */
  bnx: Matrix;
  /** Hidden-to-output weights, n_y×n_a. */
  Wya: Matrix;
  /** Output bias, n_y×1. */
  by: Matrix;
};

/** Gradients of the GRU cell, `"d" + name`, shaped like {@linkcode GruParams}. */
export type GruGrads = { [K in keyof GruParams as `d${K}`]: Matrix };

/** The per-step cache of the GRU cell. */
export type GruCache = HeadedCache<GruStepCache>;

/** Options for {@linkcode gruCell}. */
export interface GruCellOptions {
  /** The output head: softmax with cross-entropy, or linear with squared error. @default {"softmax"} */
  head?: Head;
}

/**
 * The GRU cell: `r = σ(Wra·a + Wrx·x + br)`, `z = σ(Wza·a + Wzx·x + bz)`,
 * `n = tanh(Wnx·x + bnx + r ⊙ (Wna·a + bna))`, `a' = (1 − z) ⊙ n + z ⊙ a`, then
 * `ŷ = softmax(Wya·a' + by)` (or `ŷ = Wya·a' + by` for the linear head).
 *
 * @param options The head.
 * @returns The cell, kind `"gru"`.
 * @throws {RangeError} When the head is unknown.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { bptt } from "../bptt.ts";
 * import { gruCell } from "./gru_cell.ts";
 * const cell = gruCell({ head: "softmax" });
 * const params = cell.init({ nx: 4, na: 5, ny: 4 }, { seed: 1 });
 * const { loss, grads } = bptt(params, [[0], [1]], [[1], [2]], { cell });
 * assert(loss > 0 && grads.dWna.shape === "5x5" && cell.spec().kind === "gru");
 * ```
 */
export function gruCell(options: GruCellOptions = {}): RecurrentCell<GruParams, GruGrads, GruCache> {
  const head = checkHead("create gruCell()", options?.head ?? "softmax");
  return headedCell<GruParams, GruGrads, GruStepCache>(gruLayer(), { kind: "gru", head });
}
