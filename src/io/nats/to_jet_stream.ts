/**
 * A sink that publishes each value of a stream to JetStream (predictions, flags,
 * metrics) and passes on the stream's acknowledgement.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import type { OperatorFunction } from "../../deps.ts";
import { subscribeLinked } from "../../stream/operate.ts";
import { jetstream } from "./nats_deps.ts";
import type { JetStreamClient, NatsConnection } from "./nats_deps.ts";
import { connectNats } from "./connect_nats.ts";
import type { NatsAuthOptions } from "./connect_nats.ts";

/** What the stream answered for one published value. */
export interface JetStreamPublished<T> {
  /** The value. */
  value: T;
  /** The subject it went to. */
  subject: string;
  /** Its stream sequence (for a duplicate: the sequence of the message stored first). */
  seq: number;
  /** Whether the stream dropped it as a duplicate of a message with the same id (see `msgId`). */
  duplicate: boolean;
}

/** Options for {@linkcode toJetStream}. */
export interface ToJetStreamOptions<T> extends Partial<NatsAuthOptions> {
  /** An open connection to use (kept open); otherwise `servers` (and credentials) open one per subscription. @default {undefined} */
  connection?: NatsConnection;
  /** The subject, or a function of the value giving it (it must belong to a stream). */
  subject: string | ((value: T) => string);
  /** Turns a value into a payload. @default {the UTF-8 of JSON.stringify} */
  encode?: (value: T) => Uint8Array;
  /**
   * A message id per value (the `Nats-Msg-Id` header): the stream stores a value whose id it
   * saw within its `duplicate_window` only once, so publishing the same value again (a replay
   * after a crash) has no effect. @default {undefined: no id}
   */
  msgId?: (value: T) => string;
  /** Publishes in flight at most (they are sent, stored and emitted in order). @default {1} */
  window?: number;
  /**
   * Values taken from the source and not yet emitted, at most: a source that pushes faster
   * than the stream stores (a synchronous endless one, say) is an error instead of a queue
   * that grows until the process runs out of memory. Pace the source, or put
   * `backpressure()` in front. @default {10000}
   */
  maxPending?: number;
}

/**
 * Publishes each value to JetStream, in order, and emits it with its stream sequence
 * once the stream has stored it. Up to `window` publishes are in flight; they are sent
 * in the source's order, so the stream stores them in that order, and they are emitted
 * in that order. Completes after the last value is stored; a refused publish (no stream
 * for the subject, connection lost past the timeout) or a callback that throws is an
 * error, and so is a source that runs more than `maxPending` values ahead of the stream
 * (a synchronous endless source then stops there instead of filling memory). After an
 * error or an unsubscribe, values still waiting for a slot are not published.
 *
 * @typeParam T The values' type.
 * @param options The subject, and a connection or servers.
 * @returns An operator from values to their published records.
 * @throws {TypeError} When neither `connection` nor `servers` is given, or the subject is empty.
 * @throws {RangeError} When `window` or `maxPending` is not an integer >= 1.
 *
 * @example Usage
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { toJetStream } from "./to_jet_stream.ts";
 * assertThrows(() => toJetStream({ subject: "" , servers: "nats://127.0.0.1:4222" }), TypeError);
 * assertThrows(() => toJetStream({ subject: "out", servers: "nats://127.0.0.1:4222", window: 0 }), RangeError);
 * ```
 */
export function toJetStream<T>(options: ToJetStreamOptions<T>): OperatorFunction<T, JetStreamPublished<T>> {
  const {
    connection,
    subject,
    encode = (v: T) => new TextEncoder().encode(JSON.stringify(v)),
    msgId,
    window = 1,
    maxPending = 10_000,
  } = options;
  if (subject === "" || (typeof subject !== "string" && typeof subject !== "function")) {
    throw new TypeError(
      `Cannot create toJetStream() as 'subject' must be a subject or a function: current value is ${subject}`,
    );
  }
  if (connection === undefined && options.servers === undefined) {
    throw new TypeError(
      `Cannot create toJetStream() as 'connection' or 'servers' is required: current value is undefined`,
    );
  }
  for (const [name, value] of [["window", window], ["maxPending", maxPending]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot create toJetStream() as '${name}' must be an integer >= 1: current value is ${value}`,
      );
    }
  }
  return (source) =>
    new Observable<JetStreamPublished<T>>((subscriber) => {
      let opening: Promise<JetStreamClient> | null = null;
      let own: NatsConnection | null = null;
      const open = (): Promise<JetStreamClient> =>
        opening ??= (connection ? Promise.resolve(connection) : connectNats(options as NatsAuthOptions).then(
          (nc) => (own = nc),
        )).then((nc) => jetstream(nc));
      // slots for publishes in flight, handed over in arrival order
      let inFlight = 0;
      const waiting: (() => void)[] = [];
      const acquire = (): Promise<void> => {
        if (inFlight < window && waiting.length === 0) {
          inFlight++;
          return Promise.resolve();
        }
        return new Promise<void>((resolve) => waiting.push(resolve));
      };
      const release = (): void => {
        const next = waiting.shift();
        if (next !== undefined) next();
        else inFlight--;
      };
      // a chain keeps the emissions in order; completion waits for the last one
      let emitted: Promise<void> = Promise.resolve();
      const fail = (error: unknown): void => {
        if (!subscriber.closed) subscriber.error(error);
      };
      // values taken and not yet emitted
      let pending = 0;
      subscribeLinked(source, subscriber, {
        next: (value) => {
          if (++pending > maxPending) {
            throw new RangeError(
              `Cannot publish with toJetStream() as 'maxPending' must bound the values ahead of the stream: current value is ${maxPending} (the source pushes faster than the stream stores; pace it or use backpressure())`,
            );
          }
          const to = typeof subject === "string" ? subject : subject(value);
          const payload = encode(value);
          const id = msgId?.(value);
          const stored = acquire().then(async () => {
            try {
              // after an error or an unsubscribe, nothing more goes out
              if (subscriber.closed) return null;
              const js = await open();
              return await js.publish(to, payload, id === undefined ? undefined : { msgID: id });
            } finally {
              release();
            }
          });
          stored.catch(() => {}); // reported in order by the chain below
          emitted = emitted.then(async () => {
            const ack = await stored;
            pending--;
            if (ack !== null && !subscriber.closed) {
              subscriber.next({ value, subject: to, seq: ack.seq, duplicate: ack.duplicate });
            }
          }).catch(fail);
        },
        complete: () => {
          emitted = emitted.then(() => subscriber.complete());
        },
      });
      return () => {
        // a connection this subscription opened is closed (once it is open)
        opening?.then(() => own?.close()).catch(() => {});
      };
    });
}
