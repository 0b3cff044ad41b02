/**
 * A seeded train / held-out split of a list.
 *
 * @module
 */
import { Random } from "../../math/random.ts";
import { fnv1a } from "./fnv1a.ts";

/** Options for {@linkcode splitHeldOut}. */
export interface SplitHeldOutOptions {
  /** The fraction of items held out, in [0, 1). @default {0.1} */
  fraction?: number;
  /** Seed of the shuffle that picks the held-out items. @default {0} */
  seed?: number;
}

/** What a split holds out, to check that a resumed run uses the same one. */
export interface SplitIdentity {
  /** The shuffle's seed. */
  seed: number;
  /** The held-out fraction. */
  fraction: number;
  /** Number of training items. */
  train: number;
  /** Number of held-out items. */
  heldOut: number;
  /** FNV-1a hash (8 hex digits) of the held-out items joined with newlines. */
  hash: string;
}

/** A train / held-out split. */
export interface Split<T> {
  /** The training items, in shuffled order. */
  train: T[];
  /** The held-out items, in shuffled order. */
  heldOut: T[];
  /** Seed, sizes and a hash of the held-out items. */
  identity: SplitIdentity;
}

/**
 * Shuffles a copy of the items with a seeded {@linkcode Random} and holds out the first
 * `round(fraction · n)` of them.
 *
 * @typeParam T The item type (the identity hash uses `String(item)`).
 * @param items The items.
 * @param options The held-out fraction and the seed.
 * @returns `{ train, heldOut, identity }`.
 * @throws {RangeError} When the fraction is not in [0, 1) or nothing is left to train on.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { splitHeldOut } from "./split.ts";
 * const { train, heldOut } = splitHeldOut(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], { seed: 1 });
 * assert(train.length === 9 && heldOut.length === 1 && !train.includes(heldOut[0]));
 * ```
 */
export function splitHeldOut<T>(items: readonly T[], options: SplitHeldOutOptions = {}): Split<T> {
  const { fraction = 0.1, seed = 0 } = options;
  if (!(fraction >= 0 && fraction < 1)) {
    throw new RangeError(
      `Cannot splitHeldOut() as 'fraction' must be in [0, 1): current value is ${fraction}`,
    );
  }
  const shuffled = new Random(seed).shuffle([...items]);
  const k = Math.round(fraction * shuffled.length);
  const heldOut = shuffled.slice(0, k), train = shuffled.slice(k);
  if (train.length === 0) {
    throw new RangeError(`Cannot splitHeldOut() as no item is left to train on: ${items.length} items`);
  }
  const hash = fnv1a(heldOut.map(String).join("\n"));
  return { train, heldOut, identity: { seed, fraction, train: train.length, heldOut: k, hash } };
}
