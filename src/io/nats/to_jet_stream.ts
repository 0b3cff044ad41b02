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
import type { NatsConnection } from "./nats_deps.ts";
import { connectNats } from "./connect_nats.ts";
import type { NatsAuthOptions } from "./connect_nats.ts";

/** What the stream answered for one published value. */
export interface JetStreamPublished<T> {
  /** The value. */
  value: T;
  /** The subject it went to. */
  subject: string;
  /** Its stream sequence. */
  seq: number;
}

/** Options for {@linkcode toJetStream}. */
export interface ToJetStreamOptions<T> extends Partial<NatsAuthOptions> {
  /** An open connection to use (kept open); otherwise `servers` (and credentials) open one per subscription. @default {undefined} */
  connection?: NatsConnection;
  /** The subject, or a function of the value giving it (it must belong to a stream). */
  subject: string | ((value: T) => string);
  /** Turns a value into a payload. @default {the UTF-8 of JSON.stringify} */
  encode?: (value: T) => Uint8Array;
}

/**
 * Publishes each value to JetStream, one at a time and in order, and emits it with its
 * stream sequence once the stream has stored it. Completes after the last value is
 * stored; a refused publish (no stream for the subject, connection lost past the
 * timeout) is an error.
 *
 * @typeParam T The values' type.
 * @param options The subject, and a connection or servers.
 * @returns An operator from values to their published records.
 * @throws {TypeError} When neither `connection` nor `servers` is given, or the subject is empty.
 *
 * @example Usage
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { toJetStream } from "./to_jet_stream.ts";
 * assertThrows(() => toJetStream({ subject: "" , servers: "nats://127.0.0.1:4222" }), TypeError);
 * ```
 */
export function toJetStream<T>(options: ToJetStreamOptions<T>): OperatorFunction<T, JetStreamPublished<T>> {
  const { connection, subject, encode = (v: T) => new TextEncoder().encode(JSON.stringify(v)) } = options;
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
  return (source) =>
    new Observable<JetStreamPublished<T>>((subscriber) => {
      let opening: Promise<NatsConnection> | null = null;
      const open = (): Promise<NatsConnection> =>
        opening ??= connection ? Promise.resolve(connection) : connectNats(options as NatsAuthOptions);
      // a chain keeps the publishes in order; completion waits for the last one
      let chain: Promise<void> = Promise.resolve();
      const fail = (error: unknown): void => subscriber.error(error);
      subscribeLinked(source, subscriber, {
        next: (value) => {
          chain = chain.then(async () => {
            if (subscriber.closed) return;
            const to = typeof subject === "string" ? subject : subject(value);
            const ack = await jetstream(await open()).publish(to, encode(value));
            if (!subscriber.closed) subscriber.next({ value, subject: to, seq: ack.seq });
          }).catch((error) => fail(error));
        },
        complete: () => {
          chain = chain.then(() => subscriber.complete());
        },
      });
      return () => {
        opening?.then((nc) => nc === connection ? undefined : nc.close()).catch(() => {});
      };
    });
}
