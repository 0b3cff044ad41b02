/**
 * A source of the messages of a durable JetStream pull consumer, each with an explicit
 * acknowledgement that the learner calls once the message's effect is safe.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import { jetstream } from "./nats_deps.ts";
import type { JsMsg, NatsConnection } from "./nats_deps.ts";
import { connectNats } from "./connect_nats.ts";
import type { NatsAuthOptions } from "./connect_nats.ts";

/** One message of a JetStream consumer. */
export interface JetStreamMessage<T> {
  /** The stream sequence: unique and increasing in the stream (the key of idempotent processing). */
  seq: number;
  /** The subject it was published on. */
  subject: string;
  /** The decoded payload. */
  data: T;
  /** Whether the server delivered it before without an acknowledgement. */
  redelivered: boolean;
  /** Acknowledges it: the server will not deliver it again. Call it only when its effect is safe. */
  ack(): void;
  /** Asks the server to deliver it again now. */
  nak(): void;
}

/** Options for {@linkcode fromJetStream}. */
export interface FromJetStreamOptions<T> extends Partial<NatsAuthOptions> {
  /** An open connection to use (kept open on teardown); otherwise `servers` (and credentials) open one per subscription. @default {undefined} */
  connection?: NatsConnection;
  /** The stream's name. */
  stream: string;
  /** The durable pull consumer's name (it must exist: its `max_ack_pending` bounds the messages in flight). */
  consumer: string;
  /** Messages asked for per pull. @default {256} */
  batch?: number;
  /** How long one pull waits for messages, in ms (at least 1000). @default {1000} */
  expires?: number;
  /** Turns a payload into a value. @default {JSON.parse of the UTF-8 text} */
  decode?: (bytes: Uint8Array) => T;
}

/**
 * Emits the messages of a durable JetStream pull consumer in delivery order, pulling
 * `batch` at a time. Nothing is acknowledged here: each message carries `ack()`, to call
 * after the update that used it is applied (and checkpointed, when that is the promise).
 * Backpressure is the consumer's `max_ack_pending`: once that many are unacknowledged the
 * server delivers nothing more, and an unacknowledged message is delivered again after
 * the consumer's `ack_wait`. The connection reconnects by itself, and a pull that fails
 * on the way (missed heartbeats, a reconnect) is asked again after 250 ms; anything else
 * (a consumer or stream that is gone, a payload that cannot be decoded) is an error.
 *
 * @typeParam T The payload's type.
 * @param options The stream, the consumer, and a connection or servers (a pull asks for at most
 * `max_ack_pending` messages).
 * @returns An Observable of messages; it errors when the consumer cannot be read or a payload cannot be decoded.
 * @throws {RangeError} When `batch` is not a positive integer, or `expires` an integer >= 1000.
 * @throws {TypeError} When neither `connection` nor `servers` is given, or `stream`/`consumer` is empty.
 *
 * @example Usage
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { fromJetStream } from "./from_jet_stream.ts";
 * assertThrows(() => fromJetStream({ servers: "nats://127.0.0.1:4222", stream: "S", consumer: "c", batch: 0 }), RangeError);
 * ```
 */
export function fromJetStream<T = unknown>(
  options: FromJetStreamOptions<T>,
): Observable<JetStreamMessage<T>> {
  const {
    connection,
    stream,
    consumer,
    batch = 256,
    expires = 1000,
    decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as T,
  } = options;
  for (const [name, value, min] of [["batch", batch, 1], ["expires", expires, 1000]] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(
        `Cannot create fromJetStream() as '${name}' must be an integer >= ${min}: current value is ${value}`,
      );
    }
  }
  for (const [name, value] of [["stream", stream], ["consumer", consumer]] as const) {
    if (typeof value !== "string" || value === "") {
      throw new TypeError(
        `Cannot create fromJetStream() as '${name}' must be a non-empty string: current value is ${value}`,
      );
    }
  }
  if (connection === undefined && options.servers === undefined) {
    throw new TypeError(
      `Cannot create fromJetStream() as 'connection' or 'servers' is required: current value is undefined`,
    );
  }
  return new Observable<JetStreamMessage<T>>((subscriber) => {
    let stopped = false;
    let own: NatsConnection | null = null;
    let stop = (): void => {};
    const run = async (): Promise<void> => {
      const nc = connection ?? (own = await connectNats(options as NatsAuthOptions));
      if (stopped) return;
      const c = await jetstream(nc).consumers.get(stream, consumer);
      // the server refuses a pull larger than the consumer's max_ack_pending
      const cached = await c.info(true);
      const limit = (cached?.config ?? (await c.info()).config).max_ack_pending ?? -1;
      const pull = limit > 0 ? Math.min(batch, limit) : batch;
      while (!stopped) {
        try {
          const messages = await c.fetch({ max_messages: pull, expires });
          stop = () => messages.stop();
          for await (const m of messages) {
            if (stopped) break;
            let value: JetStreamMessage<T>;
            try {
              value = toMessage(m, decode);
            } catch (error) {
              throw new TypeError(
                `Cannot decode message ${m.seq} on ${m.subject}: ${(error as Error).message}`,
              );
            }
            subscriber.next(value);
          }
        } catch (error) {
          // a pull that failed on the way (missed heartbeats, a reconnect) is asked again; anything else is an error
          if (stopped || !TRANSIENT.test((error as Error).message)) throw error;
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    };
    run().then(
      () => {},
      (error) => {
        if (!stopped) subscriber.error(error);
      },
    );
    return () => {
      stopped = true;
      stop();
      own?.close().catch(() => {});
    };
  });
}

const TRANSIENT = /heartbeat|timeout|timed out|disconnect|reconnect|connection|exceeded/i;
const RETRY_MS = 250;

function toMessage<T>(m: JsMsg, decode: (bytes: Uint8Array) => T): JetStreamMessage<T> {
  return {
    seq: m.seq,
    subject: m.subject,
    data: decode(m.data),
    redelivered: m.redelivered,
    ack: () => m.ack(),
    nak: () => m.nak(),
  };
}
