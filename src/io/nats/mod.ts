/**
 * NATS JetStream: a pull consumer as an Observable with explicit acks, an ordered
 * publisher operator, checkpoints in the Object Store, and the authenticated connection
 * they share. Imported on its own (`rxrnn/nats`) so that `mod.ts` stays free of the NATS
 * client packages.
 *
 * @example Usage
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { fromJetStream } from "./mod.ts";
 * assertThrows(() => fromJetStream({ servers: "nats://127.0.0.1:4222", stream: "", consumer: "c" }), TypeError);
 * ```
 *
 * @module
 */
export { connectNats } from "./connect_nats.ts";
export type { NatsAuthOptions } from "./connect_nats.ts";
export { fromJetStream } from "./from_jet_stream.ts";
export type { FromJetStreamOptions, JetStreamMessage } from "./from_jet_stream.ts";
export { toJetStream } from "./to_jet_stream.ts";
export type { JetStreamPublished, ToJetStreamOptions } from "./to_jet_stream.ts";
export { loadObjectCheckpoint, saveObjectCheckpoint } from "./object_checkpoint.ts";
