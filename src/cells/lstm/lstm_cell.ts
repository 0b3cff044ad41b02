/**
 * The LSTM (PyTorch's `torch.nn.LSTMCell`) with an output head, as a
 * {@linkcode RecurrentCell}: its state is `a` stacked over `c` (2·n_a×m).
 *
 * @module
 */
import type { Matrix } from "../../math/matrix.ts";
import { checkHead } from "../checks.ts";
import { headedCell } from "../headed_cell.ts";
import type { HeadedCache } from "../headed_cell.ts";
import type { RecurrentCell } from "../recurrent_cell.ts";
import type { Head } from "../types.ts";
import { lstmLayer } from "./lstm_layer.ts";
import type { LstmStepCache } from "./lstm_layer.ts";

/** The parameters of the LSTM cell (n_a units, n_x inputs, n_y outputs). */
export type LstmParams = {
  /** Forget gate, recurrent weights, n_a×n_a. */
  Wfa: Matrix;
  /** Forget gate, input weights, n_a×n_x. */
  Wfx: Matrix;
  /** Forget gate bias, n_a×1. */
  bf: Matrix;
  /** Input gate, recurrent weights, n_a×n_a. */
  Wia: Matrix;
  /** Input gate, input weights, n_a×n_x. */
  Wix: Matrix;
  /** Input gate bias, n_a×1. */
  bi: Matrix;
  /** Candidate cell, recurrent weights, n_a×n_a. */
  Wca: Matrix;
  /** Candidate cell, input weights, n_a×n_x. */
  Wcx: Matrix;
  /** Candidate cell bias, n_a×1. */
  bc: Matrix;
  /** Output gate, recurrent weights, n_a×n_a. */
  Woa: Matrix;
  /** Output gate, input weights, n_a×n_x. */
  Wox: Matrix;
  /** Output gate bias, n_a×1. */
  bo: Matrix;
  /** Hidden-to-output weights, n_y×n_a. */
  Wya: Matrix;
  /** Output bias, n_y×1. */
  by: Matrix;
};

/** Gradients of the LSTM cell, `"d" + name`, shaped like {@linkcode LstmParams}. */
export type LstmGrads = { [K in keyof LstmParams as `d${K}`]: Matrix };

/** The per-step cache of the LSTM cell. */
export type LstmCache = HeadedCache<LstmStepCache>;

/** Options for {@linkcode lstmCell}. */
export interface LstmCellOptions {
  /** The output head: softmax with cross-entropy, or linear with squared error. @default {"softmax"} */
  head?: Head;
}

/**
 * The LSTM cell: `f = σ(Wfa·a + Wfx·x + bf)`, `i = σ(Wia·a + Wix·x + bi)`,
 * `c̃ = tanh(Wca·a + Wcx·x + bc)`, `o = σ(Woa·a + Wox·x + bo)`, `c' = f ⊙ c + i ⊙ c̃`,
 * `a' = o ⊙ tanh(c')`, then `ŷ = softmax(Wya·a' + by)` (or `ŷ = Wya·a' + by`). The carried
 * state is `[a; c]` (2·n_a rows).
 *
 * @param options The head.
 * @returns The cell, kind `"lstm"`.
 * @throws {RangeError} When the head is unknown.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { bptt } from "../bptt.ts";
 * import { lstmCell } from "./lstm_cell.ts";
 * const cell = lstmCell();
 * const params = cell.init({ nx: 4, na: 5, ny: 4 }, { seed: 1 });
 * const { loss, cLast, dc0 } = bptt(params, [[0], [1]], [[1], [2]], { cell });
 * assert(loss > 0 && cLast?.shape === "5x1" && dc0?.shape === "5x1");
 * ```
 */
export function lstmCell(options: LstmCellOptions = {}): RecurrentCell<LstmParams, LstmGrads, LstmCache> {
  const head = checkHead("create lstmCell()", options?.head ?? "softmax");
  return headedCell<LstmParams, LstmGrads, LstmStepCache>(lstmLayer(), { kind: "lstm", head });
}
