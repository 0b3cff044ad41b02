/**
 * The reconnection policy of the network sources: exponential backoff with seeded jitter.
 *
 * @module
 */
import type { Random } from "../../math/random.ts";

/** How a network source reconnects after its connection fails or drops. */
export interface ReconnectOptions {
  /** The delay before the first reconnection, in milliseconds. @default {100} */
  initialDelay?: number;
  /** The longest delay between reconnections, in milliseconds. @default {10000} */
  maxDelay?: number;
  /** Each failed attempt multiplies the delay by this. @default {2} */
  factor?: number;
  /** Spread the delay uniformly by ± this fraction (so many clients do not reconnect in step). @default {0.2} */
  jitter?: number;
  /** Seed of the jitter's {@linkcode Random}. @default {0} */
  seed?: number;
  /** Give up (error the stream) after this many reconnections in a row without a connection that delivered data. @default {Infinity} */
  maxRetries?: number;
}

/**
 * The delay before reconnection number `attempt` (0-based, counted since the last
 * connection that delivered data): `min(maxDelay, initialDelay · factor^attempt) · (1 + jitter · u)`
 * with `u` uniform in [−1, 1) drawn from `random`.
 *
 * @param attempt The number of failed attempts since the last connection that delivered data.
 * @param options The policy (defaults as in {@linkcode ReconnectOptions}).
 * @param random The seeded generator of the jitter.
 * @returns The delay in milliseconds.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { backoffDelay, Random } from "../../../mod.ts";
 * const rng = new Random(0);
 * const delays = [0, 1, 2, 3, 9].map((k) => backoffDelay(k, { jitter: 0, maxDelay: 1000 }, rng));
 * assert(delays.join(",") === "100,200,400,800,1000");
 * ```
 */
export function backoffDelay(attempt: number, options: ReconnectOptions, random: Random): number {
  const { initialDelay = 100, maxDelay = 10000, factor = 2, jitter = 0.2 } = options;
  const base = Math.min(maxDelay, initialDelay * factor ** attempt);
  return jitter === 0 ? base : base * (1 + jitter * (2 * random.next() - 1));
}
