/**
 * Sampling from a trained model as a stream of tokens.
 *
 * @module
 */
import { Observable } from "../deps.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import type { RnnGrads, RnnParams } from "../cells/rnn/params.ts";
import { rnnCell } from "../cells/rnn/rnn_cell.ts";
import type { GradSet, ParamSet } from "../cells/types.ts";
import { checkBackend, createBackend, DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import type { BackendChoice } from "../kernels/create_backend.ts";
import { Matrix } from "../math/matrix.ts";
import { Random } from "../math/random.ts";

/** Options for {@linkcode sampleTokens}. */
export interface SampleTokensOptions<
  P extends ParamSet = RnnParams,
  G extends GradSet = RnnGrads,
  C = unknown,
> {
  /** The cell the parameters belong to (its head must be softmax). @default {rnnCell()} */
  cell?: RecurrentCell<P, G, C>;
  /** The kernel backend. @default {"wasm-f64"} */
  backend?: BackendChoice;
  /** The most tokens to emit. @default {200} */
  length?: number;
  /** Softmax temperature: ŷ ∝ exp(z2 / temperature); lower is more conservative. @default {1} */
  temperature?: number;
  /** Always take the most likely token (ties: the lowest index) instead of drawing. @default {false} */
  argmax?: boolean;
  /**
   * Tokens fed to the model first, not emitted (with a {@linkcode Vocab}, `[0]` is the
   * boundary: "start of a name").
   * @default {[0]}
   */
  prime?: readonly number[] | Int32Array;
  /** Seed of the draws. @default {0} */
  seed?: number;
  /** A token that ends the stream when drawn (it is not emitted), e.g. the boundary. @default {undefined} */
  stopToken?: number;
  /**
   * A token that restarts the hidden state from zero when it is fed, as a
   * `NameStream` does at the start of every name (pass the boundary for a
   * model trained on names; leave it out for a model trained on a running text).
   * @default {undefined}
   */
  resetToken?: number;
}

/**
 * Samples tokens from a character model: feeds `prime` from a zero hidden state, then
 * repeatedly draws the next token from `softmax(z2 / temperature)` (or takes the argmax)
 * and feeds it back. The Observable is cold (each subscription starts over with its own
 * state and generator, so the same seed gives the same tokens), emits synchronously, and
 * stops drawing as soon as it is unsubscribed (`take(3)` runs the cell for the prime and
 * three tokens, no more). It works for any cell with a softmax head (pass `cell`); a cell
 * that throws errors the stream. It never changes `params` or `prime`.
 *
 * @typeParam P Parameters of the cell.
 * @typeParam G Gradients of the cell.
 * @typeParam C The cell's step cache.
 * @param params The model (n_x = n_y = vocabulary size). It is read at each step, not copied.
 * @param options Cell, backend, length, temperature, argmax, prime, seed and stop token.
 * @returns An Observable of token indices that completes after `length` tokens or at `stopToken`.
 * @throws {RangeError} When an option is out of range, `n_x ≠ n_y`, or a prime token is not in [0, n_x).
 * @throws {TypeError} When the parameters are malformed.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { sampleTokens } from "./sample_tokens.ts";
 * import { initParams } from "../cells/rnn/params.ts";
 * import { lastValueFrom, toArray } from "npm:rxjs@^7.8.2";
 * const params = initParams({ nx: 5, na: 8, ny: 5 }, { seed: 1 });
 * const tokens = await lastValueFrom(sampleTokens(params, { length: 10, seed: 3 }).pipe(toArray()));
 * const again = await lastValueFrom(sampleTokens(params, { length: 10, seed: 3 }).pipe(toArray()));
 * assert(tokens.length === 10 && tokens.join() === again.join());
 * ```
 */
export function sampleTokens<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = unknown>(
  params: P,
  options: SampleTokensOptions<P, G, C> = {},
): Observable<number> {
  const { length = 200, temperature = 1, argmax = false, prime = [0], seed = 0, stopToken, resetToken } =
    options;
  const cell = options.cell ?? (rnnCell() as unknown as RecurrentCell<P, G, C>);
  if (cell.head !== "softmax") {
    throw new RangeError(
      `Cannot sampleTokens() as the cell's head must be "softmax": current value is ${cell.head}`,
    );
  }
  const backend = options.backend ?? DEFAULT_BACKEND;
  checkBackend(backend, "sampleTokens()");
  const { nx, ny, state: na } = cell.sizes(params);
  if (nx !== ny) {
    throw new RangeError(
      `Cannot sampleTokens() as the model must read what it predicts: n_x is ${nx} and n_y is ${ny}`,
    );
  }
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(
      `Cannot sampleTokens() as 'length' must be an integer >= 0: current value is ${length}`,
    );
  }
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new RangeError(
      `Cannot sampleTokens() as 'temperature' must be a finite number > 0: current value is ${temperature}`,
    );
  }
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`Cannot sampleTokens() as 'seed' must be a safe integer: current value is ${seed}`);
  }
  if (prime === null || typeof prime !== "object" || prime.length === 0) {
    throw new RangeError("Cannot sampleTokens() as 'prime' must hold at least one token");
  }
  const primed = Int32Array.from(prime as ArrayLike<number>);
  for (let i = 0; i < prime.length; i++) {
    const t = prime[i];
    if (!Number.isInteger(t) || t < 0 || t >= nx) {
      throw new RangeError(
        `Cannot sampleTokens() as 'prime[${i}]' must be a token in [0, ${nx}): current value is ${t}`,
      );
    }
  }
  for (const [name, token] of [["stopToken", stopToken], ["resetToken", resetToken]] as const) {
    if (token !== undefined && !(Number.isInteger(token) && token >= 0 && token < ny)) {
      throw new RangeError(
        `Cannot sampleTokens() as '${name}' must be a token in [0, ${ny}): current value is ${token}`,
      );
    }
  }
  return new Observable<number>((subscriber) => {
    const random = new Random(seed);
    const runtime = cell.bind(createBackend(backend, "sampleTokens()"));
    // two caches in turn: a step reads the state of the one before
    let cache = runtime.allocCache(params, 1), spare = runtime.allocCache(params, 1);
    const x = new Int32Array(1);
    const probs = new Float64Array(ny);
    const zero = new Matrix(na, 1);
    const step = (token: number, aPrev: Matrix): void => {
      x[0] = token;
      runtime.forward(params, x, token === resetToken ? zero : aPrev, null, spare);
      [cache, spare] = [spare, cache];
    };
    step(primed[0], zero);
    for (let i = 1; i < primed.length; i++) step(primed[i], cell.stateOf(cache));
    for (let n = 0; n < length && !subscriber.closed; n++) {
      const z2 = cell.logitsOf(cache).data;
      const token = argmax ? argmaxOf(z2) : draw(z2, temperature, probs, random);
      if (token === stopToken) break;
      subscriber.next(token);
      // no step for a token nobody will read (take(n) closed the subscriber)
      if (n + 1 < length && !subscriber.closed) step(token, cell.stateOf(cache));
    }
    subscriber.complete();
  });
}

function argmaxOf(z: Float64Array): number {
  let best = 0;
  for (let i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
  return best;
}

/** One draw from softmax(z / temperature), by inverting the cumulative sum. */
function draw(z: Float64Array, temperature: number, probs: Float64Array, random: Random): number {
  const max = z[argmaxOf(z)];
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    // exp((z − max)/T): the largest term is 1, so nothing overflows
    probs[i] = Math.exp((z[i] - max) / temperature);
    sum += probs[i];
  }
  let u = random.next() * sum;
  for (let i = 0; i < z.length; i++) {
    u -= probs[i];
    if (u < 0) return i;
  }
  return argmaxOf(z);
}
