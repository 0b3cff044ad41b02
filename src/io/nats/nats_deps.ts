/**
 * The one module that names the NATS client packages (pinned npm specifiers): the Node
 * transport (the Deno transport is published on JSR only), JetStream, and the Object
 * Store and KV views of JetStream.
 *
 * @module
 */
export { connect } from "npm:@nats-io/transport-node@3.4.0";
export type { ConnectionOptions, NatsConnection } from "npm:@nats-io/transport-node@3.4.0";
export {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
} from "npm:@nats-io/jetstream@3.4.0";
export type { JetStreamClient, JetStreamManager, JsMsg } from "npm:@nats-io/jetstream@3.4.0";
export { Objm } from "npm:@nats-io/obj@3.4.0";
export type { ObjectStore } from "npm:@nats-io/obj@3.4.0";
export { Kvm } from "npm:@nats-io/kv@3.4.0";
export type { KV } from "npm:@nats-io/kv@3.4.0";
