/**
 * Bits per character of a character model on token sequences.
 *
 * @module
 */
import { createBackend, DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import type { BackendChoice } from "../kernels/create_backend.ts";
import { Matrix } from "../math/matrix.ts";
import type { RecurrentCell } from "./recurrent_cell.ts";
import type { RnnGrads, RnnParams } from "./rnn/params.ts";
import { rnnCell } from "./rnn/rnn_cell.ts";
import type { GradSet, ParamSet } from "./types.ts";

/** Options for {@linkcode bitsPerChar}. */
export interface BitsPerCharOptions<
  P extends ParamSet = RnnParams,
  G extends GradSet = RnnGrads,
  C = unknown,
> {
  /** The cell (its head must be softmax). @default {rnnCell()} */
  cell?: RecurrentCell<P, G, C>;
  /** The kernel backend. @default {"wasm-f64"} */
  backend?: BackendChoice;
}

/** The result of {@linkcode bitsPerChar}. */
export interface BitsPerChar {
  /** Mean over predicted characters of −log₂ ŷ[next]. */
  bits: number;
  /** Number of predicted characters (Σ over sequences of length − 1). */
  chars: number;
}

/**
 * Bits per character: the mean of `−log₂ ŷ[next]` over every prediction, each sequence
 * read from a zero hidden state with the state carried from character to character
 * (token t predicts token t + 1). For names, pass each name with its boundaries
 * (`[0, …name, 0]`); for a text, pass the whole text as one sequence.
 *
 * @param params The model (softmax head; n_x = n_y).
 * @param sequences Token sequences; those shorter than 2 predict nothing.
 * @returns `{ bits, chars }` (`bits` is NaN when nothing was predicted).
 * @throws {RangeError} When `n_x ≠ n_y` or a token is not in [0, n_x).
 * @throws {TypeError} When the parameters are malformed.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { bitsPerChar } from "./bits_per_char.ts";
 * import { initParams } from "./rnn/params.ts";
 * const params = initParams({ nx: 4, na: 3, ny: 4 }, { seed: 1 });
 * const { bits, chars } = bitsPerChar(params, [Int32Array.of(0, 1, 2, 0)]);
 * assert(chars === 3 && bits > 0);
 * ```
 */
export function bitsPerChar<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = unknown>(
  params: P,
  sequences: Iterable<Int32Array>,
  options: BitsPerCharOptions<P, G, C> = {},
): BitsPerChar {
  const cell = options.cell ?? (rnnCell() as unknown as RecurrentCell<P, G, C>);
  if (cell.head !== "softmax") {
    throw new RangeError(
      `Cannot compute bitsPerChar() as the cell's head must be "softmax": current value is ${cell.head}`,
    );
  }
  const runtime = cell.bind(createBackend(options.backend ?? DEFAULT_BACKEND, "bitsPerChar()"));
  const { nx, ny, state } = cell.sizes(params);
  if (nx !== ny) {
    throw new RangeError(
      `Cannot compute bitsPerChar() as n_x is ${nx} and n_y is ${ny}: expected equal sizes`,
    );
  }
  let cache = runtime.allocCache(params, 1), spare = runtime.allocCache(params, 1);
  const zero = new Matrix(state, 1), x = new Int32Array(1), y = new Int32Array(1);
  let nats = 0, chars = 0, index = 0;
  for (const tokens of sequences) {
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t];
      if (!Number.isInteger(token) || token < 0 || token >= nx) {
        throw new RangeError(
          `Cannot compute bitsPerChar() as token ${t} of sequence ${index} must be in [0, ${nx}): current value is ${token}`,
        );
      }
      if (t > 0) {
        // −log softmax(z2)[y] = log Σ exp z2 − z2[y]: the step's cross-entropy
        y[0] = token;
        nats += runtime.loss(spare, y);
        chars++;
      }
      if (t + 1 < tokens.length) {
        x[0] = token;
        runtime.forward(params, x, t === 0 ? zero : cell.stateOf(spare), null, cache);
        [cache, spare] = [spare, cache];
      }
    }
    index++;
  }
  return { bits: chars === 0 ? NaN : nats / chars / Math.LN2, chars };
}
