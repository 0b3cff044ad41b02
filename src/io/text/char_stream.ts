/**
 * Endless, resumable streams of character samples for m parallel columns, and their
 * Observable form for the trainer.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import { clearImmediate, setImmediate } from "node:timers";

/** The longest stretch of `setImmediate` yields before a timer yield, in milliseconds. */
const TIMEOUT_EVERY_MS = 50;

/** One training step for m columns: the current token and the next one, per column. */
export interface CharSample {
  /** The current token index of each column (m). */
  x: Int32Array;
  /** The next token index of each column (m): the target. */
  y: Int32Array;
  /** Per column, 1 where a new sequence starts (the hidden state restarts from zero); absent for none. */
  reset?: Uint8Array;
}

/**
 * An endless stream of {@linkcode CharSample}s whose position is plain data, so a
 * resumed stream continues exactly where a saved one stopped.
 *
 * @typeParam S The plain-data state.
 */
export interface CharStream<S = unknown> {
  /** Number of parallel columns m. */
  readonly streams: number;
  /** The next sample (fresh arrays each call: consumers may keep them). */
  next(): CharSample;
  /** The position, as plain data (a copy). */
  getState(): S;
  /** Moves to a position taken with `getState()`; throws on a malformed or foreign state. */
  setState(state: S): void;
}

/** Options for {@linkcode charSamples}. */
export interface CharSamplesOptions {
  /** Samples emitted synchronously between two yields to the event loop. @default {32} */
  chunk?: number;
  /** Stop after this many samples (the stream is endless otherwise). @default {Infinity} */
  limit?: number;
}

/**
 * The samples of a {@linkcode CharStream} as an Observable, pull-paced: each sample is
 * taken from the stream just before it is emitted, and every `chunk` samples the loop
 * yields to the event loop (`setImmediate`, and a timer at least every 50 ms: a loop of
 * immediates alone lets the runtime poll signals only every few dozen callbacks), so
 * timers and signal listeners (Ctrl-C) run promptly during a long synchronous training. Because the stream advances only when a
 * sample is emitted, `stream.getState()` read in a subscriber's callback is exactly
 * the position after that sample.
 *
 * @param stream The stream (shared: its position advances as samples are emitted).
 * @param options Chunk size and limit.
 * @returns A cold Observable that stops taking samples when unsubscribed.
 * @throws {RangeError} When `chunk` is not a positive integer or `limit` is negative.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { charSamples } from "./char_stream.ts";
 * import { NameStream } from "./name_stream.ts";
 * import { Vocab } from "./vocab.ts";
 * import { lastValueFrom, toArray } from "npm:rxjs@^7.8.2";
 * const vocab = Vocab.fromText("ab");
 * const stream = new NameStream([vocab.encode("ab")], { streams: 2 });
 * const samples = await lastValueFrom(charSamples(stream, { limit: 3 }).pipe(toArray()));
 * assert(samples.length === 3 && samples[0].x.length === 2);
 * ```
 */
export function charSamples(stream: CharStream, options: CharSamplesOptions = {}): Observable<CharSample> {
  const { chunk = 32, limit = Infinity } = options;
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new RangeError(
      `Cannot create charSamples() as 'chunk' must be an integer >= 1: current value is ${chunk}`,
    );
  }
  if (!(limit >= 0)) {
    throw new RangeError(`Cannot create charSamples() as 'limit' must be >= 0: current value is ${limit}`);
  }
  return new Observable<CharSample>((subscriber) => {
    let emitted = 0, pending: ReturnType<typeof setImmediate> | null = null;
    let timeout: ReturnType<typeof setTimeout> | null = null, lastTimeout = performance.now();
    const run = (): void => {
      pending = null;
      timeout = null;
      try {
        for (let i = 0; i < chunk && emitted < limit && !subscriber.closed; i++) {
          const sample = stream.next();
          emitted++;
          subscriber.next(sample);
        }
      } catch (error) {
        subscriber.error(error);
        return;
      }
      if (subscriber.closed) return;
      if (emitted >= limit) subscriber.complete();
      else if (performance.now() - lastTimeout < TIMEOUT_EVERY_MS) pending = setImmediate(run);
      else {
        // a setImmediate loop keeps the runtime busy: signals (Ctrl-C) and I/O are only
        // polled now and then; a timer lets it poll them
        lastTimeout = performance.now();
        timeout = setTimeout(run, 0);
      }
    };
    pending = setImmediate(run);
    return () => {
      if (pending !== null) clearImmediate(pending);
      if (timeout !== null) clearTimeout(timeout);
    };
  });
}
