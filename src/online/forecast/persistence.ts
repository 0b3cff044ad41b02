/**
 * The persistence forecast: the next reading is the last one.
 *
 * @module
 */
import { badState, checkValue, isFiniteNumber } from "./_checks.ts";

/** Plain-data state of a {@linkcode Persistence} forecaster (JSON-safe). */
export interface PersistenceState {
  /** The last value seen (0 before any). */
  last: number;
  /** Values seen. */
  count: number;
}

/**
 * Predicts that the next value equals the last one — the baseline every forecaster of a
 * sensor feed must beat. Before any value it predicts 0 (check {@linkcode Persistence.count}).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { Persistence } from "./persistence.ts";
 * const p = new Persistence();
 * p.learn(20.5);
 * p.learn(21);
 * assert(p.predict() === 21 && p.count === 2);
 * assert(Persistence.fromState(p.toState()).predict() === 21);
 * ```
 */
export class Persistence {
  #last = 0;
  #count = 0;

  /**
   * Creates a forecaster from a saved state.
   *
   * @param state A state from {@linkcode Persistence.toState}.
   * @returns A forecaster that continues where the saved one was.
   * @throws {TypeError} When the state is malformed.
   */
  static fromState(state: PersistenceState): Persistence {
    const ok = state !== null && typeof state === "object" && isFiniteNumber(state.last) &&
      Number.isSafeInteger(state.count) && state.count >= 0;
    if (!ok) badState("Persistence", state);
    const p = new Persistence();
    p.#last = state.last;
    p.#count = state.count;
    return p;
  }

  /** Values seen. */
  get count(): number {
    return this.#count;
  }

  /**
   * The forecast of the next value.
   *
   * @returns The last value seen, or 0 before any.
   */
  predict(): number {
    return this.#last;
  }

  /**
   * Takes the next value.
   *
   * @param value A finite number.
   * @throws {RangeError} When the value is not a finite number.
   */
  learn(value: number): void {
    checkValue("Persistence.learn()", value);
    this.#last = value;
    this.#count++;
  }

  /**
   * The state as plain data.
   *
   * @returns `{ last, count }`.
   */
  toState(): PersistenceState {
    return { last: this.#last, count: this.#count };
  }
}
