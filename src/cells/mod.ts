/**
 * Cells: the RecurrentCell seam, the document's vanilla RNN cell, and the sequence functions that run any cell (bptt, gradCheck, bitsPerChar).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { bptt, rnnCell } from "./mod.ts";
 * const cell = rnnCell();
 * const params = cell.init({ nx: 3, na: 4, ny: 3 }, { seed: 1 });
 * assert(bptt(params, [[0], [1]], [[1], [2]], { cell }).loss > 0);
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./recurrent_cell.ts";
export * from "./rnn/params.ts";
export * from "./rnn/rnn_cell.ts";
export * from "./rnn/cell.ts";
export * from "./bptt.ts";
export * from "./grad_check.ts";
export * from "./bits_per_char.ts";
export * from "./checks.ts";
export * from "./create_cell.ts";
export * from "./gru/gru_cell.ts";
export * from "./lstm/lstm_cell.ts";
export * from "./stack/stacked_cell.ts";
