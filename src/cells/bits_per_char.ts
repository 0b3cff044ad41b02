/**
 * Bits per character of a character model on token sequences.
 *
 * @module
 */
import { allocCache, forwardInto } from "./rnn/_rnn_math.ts";
import { Matrix } from "../math/matrix.ts";
import { checkParams } from "./rnn/params.ts";
import type { RnnParams } from "./rnn/params.ts";

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
export function bitsPerChar(params: RnnParams, sequences: Iterable<Int32Array>): BitsPerChar {
  const { nx, na, ny } = checkParams(params);
  if (nx !== ny) {
    throw new RangeError(
      `Cannot compute bitsPerChar() as n_x is ${nx} and n_y is ${ny}: expected equal sizes`,
    );
  }
  const cache = allocCache(na, ny, 1), zero = new Matrix(na, 1), x = new Int32Array(1);
  const z2 = cache.z2.data, logNorm = cache.logNorm;
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
        // −log softmax(z2)[y] = log Σ exp z2 − z2[y]
        nats += logNorm[0] - z2[token];
        chars++;
      }
      if (t + 1 < tokens.length) {
        x[0] = token;
        forwardInto(params, x, t === 0 ? zero : cache.a, null, cache, "softmax");
      }
    }
    index++;
  }
  return { bits: chars === 0 ? NaN : nats / chars / Math.LN2, chars };
}
