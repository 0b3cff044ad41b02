/**
 * The connect–drop–back-off–reconnect loop shared by the network sources (private helper).
 *
 * @module
 */
import { Random } from "../../math/random.ts";
import { backoffDelay } from "./backoff.ts";
import type { ReconnectOptions } from "./backoff.ts";
import type { FeedStats } from "./feed_stats.ts";
import { sleep } from "./_pump_lines.ts";

/** Thrown by a `connect` function for a failure that retrying cannot fix (e.g. HTTP 404). */
export class FatalConnectError extends Error {}

/**
 * One connection: resolves true when the peer ended the stream normally, rejects on a
 * failure; calls `connected()` when the connection delivers data (resets the backoff: a server that accepts
 * and drops every connection without data is backed off from, and `maxRetries` counts it).
 */
export type Connect = (signal: AbortSignal, connected: () => void) => Promise<boolean>;

/**
 * Connects, and reconnects with backoff after failures (and after normal ends when
 * `reconnectOnEnd`), until `signal` aborts. Resolves true when the stream ended normally
 * and is not to be resumed, false when aborted; rejects with the last error when
 * `maxRetries` is exhausted or the error is fatal.
 */
export async function reconnectLoop(
  connect: Connect,
  options: ReconnectOptions,
  reconnectOnEnd: boolean,
  stats: FeedStats | undefined,
  signal: AbortSignal,
): Promise<boolean> {
  const { maxRetries = Infinity, seed = 0 } = options;
  const random = new Random(seed);
  let attempt = 0;
  while (!signal.aborted) {
    let failure: unknown = null;
    let ended = false;
    try {
      ended = await connect(signal, () => attempt = 0);
    } catch (err) {
      failure = err;
    }
    if (signal.aborted) return false;
    if (failure instanceof FatalConnectError) throw failure;
    if (failure === null && ended && !reconnectOnEnd) return true;
    if (attempt >= maxRetries) {
      throw failure ?? new Error(`Gave up after ${maxRetries} reconnections: the stream kept ending`);
    }
    await sleep(backoffDelay(attempt, options, random), signal);
    attempt++;
    if (signal.aborted) return false;
    if (stats) stats.reconnects++;
  }
  return false;
}

/** Validates a reconnection policy when a source is created; `fn` names the source for messages. */
export function checkReconnectOptions(fn: string, options: ReconnectOptions): void {
  const { initialDelay = 100, maxDelay = 10000, factor = 2, jitter = 0.2, seed = 0, maxRetries = Infinity } =
    options;
  const bad = (name: string, rule: string, value: unknown) =>
    new RangeError(`Cannot create ${fn} as 'reconnect.${name}' must be ${rule}: current value is ${value}`);
  if (!(initialDelay >= 0) || !Number.isFinite(initialDelay)) {
    throw bad("initialDelay", "a finite number >= 0", initialDelay);
  }
  if (!(maxDelay >= initialDelay) || !Number.isFinite(maxDelay)) {
    throw bad("maxDelay", "a finite number >= initialDelay", maxDelay);
  }
  if (!(factor >= 1) || !Number.isFinite(factor)) throw bad("factor", "a finite number >= 1", factor);
  if (!(jitter >= 0 && jitter < 1)) throw bad("jitter", "a number in [0, 1)", jitter);
  if (!Number.isSafeInteger(seed)) throw bad("seed", "a safe integer", seed);
  if (!(maxRetries === Infinity || (Number.isInteger(maxRetries) && maxRetries >= 0))) {
    throw bad("maxRetries", "an integer >= 0 or Infinity", maxRetries);
  }
}

/**
 * Validates a source's URL when the source is created: a malformed URL, or one of another
 * scheme, would otherwise fail every connection and be retried forever. `fn` names the source.
 */
export function checkUrl(fn: string, url: string | URL, schemes: readonly string[]): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch { /* reported below */ }
  if (protocol === undefined || !schemes.includes(protocol)) {
    const names = schemes.map((scheme) => scheme.replace(/:$/, ""));
    const list = names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : names[0];
    throw new TypeError(
      `Cannot create ${fn} as 'url' must be an absolute URL with scheme ${list}: current value is ${
        String(url)
      }`,
    );
  }
}
