/**
 * A partition's outputs: predictions, flags and metrics published to JetStream with
 * `toJetStream`, each with a message id made of the feed, the stream sequence and the
 * kind. An event applied again after a takeover (the former holder died after publishing
 * its outputs, before its checkpoint) gives the same outputs (the replay is bit-identical)
 * with the same ids, which the output stream drops as duplicates: one message per applied
 * event, as long as the replay comes within the stream's `duplicate_window`.
 *
 * @module
 */
import { Subject } from "../deps.ts";
import type { Subscription } from "../deps.ts";
import { toJetStream } from "../io/nats/to_jet_stream.ts";
import type { JetStreamManager, NatsConnection } from "../io/nats/nats_deps.ts";

/** One output. */
export interface FeedOutput {
  /** Its subject, e.g. `out.m1c0.prediction`. */
  subject: string;
  /** Its message id (the same for the same output of a replay). */
  id: string;
  /** Its payload (JSON). */
  body: unknown;
}

/** Publishes in flight per partition. */
const WINDOW = 64;
/** How long the output stream the worker creates remembers message ids: 10 minutes. */
const DUPLICATE_WINDOW_NS = 600_000_000_000;

/** Creates a stream for `<prefix>.>` (a 10-minute duplicate window) unless a stream takes those subjects already. */
export async function ensureOutputStream(
  jsm: JetStreamManager,
  stream: string,
  prefix: string,
): Promise<void> {
  const found = await jsm.streams.find(`${prefix}.x.prediction`).catch(() => null);
  if (found) return;
  const name = `${stream}-out`;
  await jsm.streams.add({ name, subjects: [`${prefix}.>`], duplicate_window: DUPLICATE_WINDOW_NS }).catch(
    async (error) => {
      if (!(await jsm.streams.info(name).then(() => true, () => false))) throw error;
    },
  );
}

/** A partition's publisher of outputs. */
export class PartitionOutputs {
  #queue = new Subject<FeedOutput>();
  #sub: Subscription;
  #pushed = 0;
  #done = 0;
  #error: unknown = null;
  #waiters: { n: number; resolve: () => void; reject: (error: unknown) => void }[] = [];

  /**
   * @param nc The connection.
   * @param counters Counts the outputs the stream stored (`published`) and dropped as a replay's duplicates.
   */
  constructor(nc: NatsConnection, readonly counters: { published: number; duplicates: number }) {
    this.#sub = this.#queue.pipe(
      toJetStream<FeedOutput>({
        connection: nc,
        subject: (o) => o.subject,
        msgId: (o) => o.id,
        encode: (o) => new TextEncoder().encode(JSON.stringify(o.body)),
        window: WINDOW,
        // bounded already: a commit waits for flushed(), and the consumer's max_ack_pending caps
        // the events (so the outputs) between two commits
        maxPending: Number.MAX_SAFE_INTEGER,
      }),
    ).subscribe({
      next: (r) => {
        this.#done++;
        if (r.duplicate) this.counters.duplicates++;
        else this.counters.published++;
        this.#settle();
      },
      error: (error) => {
        this.#error = error;
        this.#settle();
      },
    });
  }

  /** Queues an output. */
  push(output: FeedOutput): void {
    this.#pushed++;
    this.#queue.next(output);
  }

  /** Resolves once every output queued so far is stored; rejects when publishing failed. */
  flushed(): Promise<void> {
    const n = this.#pushed;
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ n, resolve, reject });
      this.#settle();
    });
  }

  /** Stops publishing (what is in flight is dropped). */
  close(): void {
    this.#sub.unsubscribe();
    this.#error ??= new Error("the outputs were closed");
    this.#settle();
  }

  #settle(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (w.n <= this.#done) w.resolve();
      else if (this.#error !== null) w.reject(this.#error);
      else return true;
      return false;
    });
  }
}
