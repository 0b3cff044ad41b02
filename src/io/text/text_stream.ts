/**
 * A text read in order, looping, by m columns that start at evenly spaced offsets.
 *
 * @module
 */
import type { CharSample, CharStream } from "./char_stream.ts";

/** Options for {@linkcode TextStream}. */
export interface TextStreamOptions {
  /** Number of parallel columns m; column j starts at ⌊j·L/m⌋. @default {1} */
  streams?: number;
}

/** Plain-data position of a {@linkcode TextStream}. */
export interface TextStreamState {
  /** The text's length in tokens, to reject a state from another text. */
  length: number;
  /** The current position of each column. */
  positions: number[];
}

/**
 * An endless stream over one text: column j reads token p and predicts token p + 1,
 * wrapping around at the end (the text is read as a loop, with no reset). The position
 * of each column is plain data, so a resumed stream continues exactly.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { TextStream } from "./text_stream.ts";
 * const stream = new TextStream(Int32Array.of(1, 2, 3, 4), { streams: 2 });
 * const s = stream.next();
 * assert(s.x.join() === "1,3" && s.y.join() === "2,4" && s.reset === undefined);
 * assert(stream.next().y.join() === "3,1");
 * ```
 */
export class TextStream implements CharStream<TextStreamState> {
  /** Number of parallel columns m. */
  readonly streams: number;
  #tokens: Int32Array;
  #positions: number[];

  /**
   * A stream over the given tokens.
   *
   * @param tokens The text as token indices, at least 2 (and at least one per column).
   * @param options The number of columns.
   * @throws {RangeError} When the text is too short or `streams` is not a positive integer.
   */
  constructor(tokens: Int32Array, options: TextStreamOptions = {}) {
    const { streams = 1 } = options;
    if (!Number.isInteger(streams) || streams < 1) {
      throw new RangeError(
        `Cannot create TextStream as 'streams' must be an integer >= 1: current value is ${streams}`,
      );
    }
    if (!(tokens instanceof Int32Array) || tokens.length < Math.max(2, streams)) {
      throw new RangeError(
        `Cannot create TextStream as the text must have at least ${
          Math.max(2, streams)
        } characters: current length is ${tokens?.length}`,
      );
    }
    this.streams = streams;
    this.#tokens = tokens;
    this.#positions = Array.from({ length: streams }, (_, j) => Math.floor(j * tokens.length / streams));
  }

  /**
   * The next sample: token p and p + 1 of each column, then every column moves by one.
   *
   * @returns Fresh `{ x, y }`.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { TextStream } from "./text_stream.ts";
   * assert(new TextStream(Int32Array.of(5, 6)).next().y[0] === 6);
   * ```
   */
  next(): CharSample {
    const m = this.streams, n = this.#tokens.length, x = new Int32Array(m), y = new Int32Array(m);
    for (let j = 0; j < m; j++) {
      const p = this.#positions[j], q = p + 1 === n ? 0 : p + 1;
      x[j] = this.#tokens[p];
      y[j] = this.#tokens[q];
      this.#positions[j] = q;
    }
    return { x, y };
  }

  /**
   * The position as plain data.
   *
   * @returns `{ length, positions }`, a copy.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { TextStream } from "./text_stream.ts";
   * const a = new TextStream(Int32Array.of(1, 2, 3));
   * a.next();
   * const b = new TextStream(Int32Array.of(1, 2, 3));
   * b.setState(a.getState());
   * assert(b.next().x[0] === 2);
   * ```
   */
  getState(): TextStreamState {
    return { length: this.#tokens.length, positions: [...this.#positions] };
  }

  /**
   * Moves to a position taken with {@linkcode TextStream.getState}. Nothing changes when it throws.
   *
   * @param state The position.
   * @throws {TypeError} When the state is malformed.
   * @throws {RangeError} When it belongs to a text of another length or another number of columns.
   */
  setState(state: TextStreamState): void {
    if (state === null || typeof state !== "object" || !Array.isArray(state.positions)) {
      throw new TypeError("Cannot restore TextStream: the state must be an object { length, positions }");
    }
    const n = this.#tokens.length;
    if (state.length !== n || state.positions.length !== this.streams) {
      throw new RangeError(
        `Cannot restore TextStream: the state is for ${state.length} characters in ${state.positions.length} columns, this stream has ${n} in ${this.streams}`,
      );
    }
    state.positions.forEach((p, j) => {
      if (!Number.isInteger(p) || p < 0 || p >= n) {
        throw new RangeError(`Cannot restore TextStream: column ${j} has an invalid position ${p}`);
      }
    });
    this.#positions = [...state.positions];
  }
}
