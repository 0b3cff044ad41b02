/**
 * Names streamed one after another in each column, reshuffled every pass.
 *
 * @module
 */
import { Random } from "../../math/random.ts";
import type { RandomState } from "../../math/random.ts";
import type { CharSample, CharStream } from "./char_stream.ts";

/** Options for {@linkcode NameStream}. */
export interface NameStreamOptions {
  /** Number of parallel columns m; each column is its own stream of names. @default {1} */
  streams?: number;
  /** Seed of the shuffles (column j draws its own generator from it). @default {0} */
  seed?: number;
  /** The boundary token that starts and ends every name. @default {0} */
  boundary?: number;
}

/** The position of one column of a {@linkcode NameStream}. */
export interface NameColumnState {
  /** The column's generator state before this pass's shuffle (the shuffle is redone on restore). */
  rng: RandomState;
  /** The pass number, from 0. */
  pass: number;
  /** The position in this pass's order. */
  index: number;
  /** The position in the current name's sequence `[boundary, ...name, boundary]`. */
  offset: number;
}

/** Plain-data position of a {@linkcode NameStream}. */
export interface NameStreamState {
  /** The number of names, to reject a state from another list. */
  names: number;
  /** One entry per column. */
  columns: NameColumnState[];
}

interface Column {
  rng: Random;
  passRng: RandomState;
  pass: number;
  order: number[];
  index: number;
  offset: number;
}

/**
 * An endless stream of names for m parallel columns. Each column walks through all the
 * names in its own order, reshuffled with its own seeded {@linkcode Random} every pass;
 * a name `n₁…n_L` is read as `[boundary, n₁, …, n_L, boundary]`, giving L + 1 samples
 * (x → y), the first with `reset` set so every name starts from a zero hidden state.
 * The position (generator state at the start of the pass, pass, index, offset per
 * column) is plain data: {@linkcode NameStream.getState} / {@linkcode NameStream.setState}
 * resume exactly.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { NameStream } from "./name_stream.ts";
 * import { Vocab } from "./vocab.ts";
 * const vocab = Vocab.fromText("ab");
 * const stream = new NameStream([vocab.encode("ab")]);
 * const steps = [stream.next(), stream.next(), stream.next()];
 * assert(steps.map((s) => `${s.x[0]}>${s.y[0]}`).join(" ") === "0>1 1>2 2>0");
 * assert(steps[0].reset?.[0] === 1 && steps[1].reset === undefined);
 * ```
 */
export class NameStream implements CharStream<NameStreamState> {
  /** Number of parallel columns m. */
  readonly streams: number;
  #names: Int32Array[];
  #boundary: number;
  #columns: Column[];

  /**
   * A stream over the given names.
   *
   * @param names The names as token indices (without boundary tokens); none may be empty.
   * @param options Columns, seed and boundary token.
   * @throws {RangeError} When there are no names, a name is empty, or an option is out of range.
   */
  constructor(names: readonly Int32Array[], options: NameStreamOptions = {}) {
    const { streams = 1, seed = 0, boundary = 0 } = options;
    if (!Number.isInteger(streams) || streams < 1) {
      throw new RangeError(
        `Cannot create NameStream as 'streams' must be an integer >= 1: current value is ${streams}`,
      );
    }
    if (!Array.isArray(names) || names.length === 0) {
      throw new RangeError("Cannot create NameStream as 'names' must be a non-empty array of token arrays");
    }
    names.forEach((name, i) => {
      if (!(name instanceof Int32Array) || name.length === 0) {
        throw new RangeError(`Cannot create NameStream as 'names[${i}]' must be a non-empty Int32Array`);
      }
    });
    this.streams = streams;
    this.#names = [...names];
    this.#boundary = boundary;
    const master = new Random(seed);
    this.#columns = [];
    for (let j = 0; j < streams; j++) {
      const rng = new Random(master.nextUint32());
      const column: Column = { rng, passRng: rng.getState(), pass: 0, order: [], index: 0, offset: 0 };
      this.#shuffle(column);
      this.#columns.push(column);
    }
  }

  /**
   * The next sample: one (token, next token) pair per column.
   *
   * @returns Fresh `{ x, y, reset? }` arrays (`reset` only when a column starts a name).
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { NameStream } from "./name_stream.ts";
   * const s = new NameStream([Int32Array.of(1)], { streams: 3 }).next();
   * assert(s.x.join() === "0,0,0" && s.y.join() === "1,1,1");
   * ```
   */
  next(): CharSample {
    const m = this.streams, x = new Int32Array(m), y = new Int32Array(m);
    let reset: Uint8Array | null = null;
    for (let j = 0; j < m; j++) {
      const c = this.#columns[j];
      const name = this.#names[c.order[c.index]], o = c.offset;
      // the sequence is [boundary, ...name, boundary]: element k is name[k − 1] inside
      x[j] = o === 0 ? this.#boundary : name[o - 1];
      y[j] = o === name.length ? this.#boundary : name[o];
      if (o === 0) (reset ??= new Uint8Array(m))[j] = 1;
      if (o < name.length) c.offset++;
      else {
        c.offset = 0;
        if (++c.index === c.order.length) {
          c.pass++;
          c.index = 0;
          c.passRng = c.rng.getState();
          this.#shuffle(c);
        }
      }
    }
    return reset === null ? { x, y } : { x, y, reset };
  }

  /**
   * The position as plain data.
   *
   * @returns A copy of the position.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { NameStream } from "./name_stream.ts";
   * const names = [Int32Array.of(1, 2), Int32Array.of(2)];
   * const a = new NameStream(names, { seed: 3 });
   * for (let i = 0; i < 7; i++) a.next();
   * const b = new NameStream(names);
   * b.setState(a.getState());
   * assert(a.next().y[0] === b.next().y[0]);
   * ```
   */
  getState(): NameStreamState {
    return {
      names: this.#names.length,
      columns: this.#columns.map((c) => ({
        rng: { s: [...c.passRng.s], spare: c.passRng.spare },
        pass: c.pass,
        index: c.index,
        offset: c.offset,
      })),
    };
  }

  /**
   * Moves to a position taken with {@linkcode NameStream.getState} (on a stream over
   * the same names with the same number of columns). Nothing changes when it throws.
   *
   * @param state The position.
   * @throws {TypeError} When the state is malformed.
   * @throws {RangeError} When it belongs to another list of names or number of columns.
   */
  setState(state: NameStreamState): void {
    if (state === null || typeof state !== "object" || !Array.isArray(state.columns)) {
      throw new TypeError("Cannot restore NameStream: the state must be an object { names, columns }");
    }
    if (state.names !== this.#names.length || state.columns.length !== this.streams) {
      throw new RangeError(
        `Cannot restore NameStream: the state is for ${state.names} names in ${state.columns.length} columns, this stream has ${this.#names.length} names in ${this.streams}`,
      );
    }
    const columns = state.columns.map((s, j): Column => {
      const rng = new Random(0);
      rng.setState(s?.rng);
      const c: Column = {
        rng,
        passRng: rng.getState(),
        pass: s.pass,
        order: [],
        index: s.index,
        offset: s.offset,
      };
      this.#shuffle(c);
      const name = this.#names[c.order[c.index]];
      if (
        !Number.isInteger(s.pass) || s.pass < 0 || !Number.isInteger(s.index) || name === undefined ||
        !Number.isInteger(s.offset) || s.offset < 0 || s.offset > name.length
      ) {
        throw new RangeError(
          `Cannot restore NameStream: column ${j} has an invalid position ${JSON.stringify(s)}`,
        );
      }
      return c;
    });
    this.#columns = columns;
  }

  /** This pass's order: the identity permutation shuffled by the column's generator. */
  #shuffle(c: Column): void {
    c.order = c.rng.shuffle(Array.from(this.#names, (_, i) => i));
  }
}
