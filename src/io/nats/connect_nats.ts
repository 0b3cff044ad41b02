/**
 * One way to open a NATS connection for the library's sources and sinks: servers,
 * user/password or token auth, and endless reconnects.
 *
 * @module
 */
import { connect } from "./nats_deps.ts";
import type { NatsConnection } from "./nats_deps.ts";

/** Options for {@linkcode connectNats}. */
export interface NatsAuthOptions {
  /** The server URL(s), e.g. `"nats://127.0.0.1:4222"`. */
  servers: string | string[];
  /** The user name (with `pass`). @default {undefined} */
  user?: string;
  /** The password (with `user`); never logged. @default {undefined} */
  pass?: string;
  /** The auth token (instead of user/password); never logged. @default {undefined} */
  token?: string;
  /** The connection's name, as the server's monitoring shows it. @default {"rxrnn"} */
  name?: string;
}

/**
 * Connects to NATS with auth and endless reconnects (a dropped connection is retried
 * every 250 ms; pending publishes and pulls resume once it is back).
 *
 * A connection refused by the server (a wrong password) is a rejected promise, and
 * nothing else: the NATS client removes its socket's listeners before destroying it, and
 * under Deno's `node:net` a reset arriving on that socket afterwards was thrown as an
 * uncaught `ECONNRESET` that ended the process. The first call therefore installs one
 * global `error` listener that swallows exactly that: an `ECONNRESET` raised by a
 * `node:net` read with nobody listening (a socket that was already given up). Every
 * other uncaught error is left alone.
 *
 * @param options Servers and credentials.
 * @returns A promise of the connection; close it with `drain()` or `close()`.
 * @throws {TypeError} When no server is given, or a password comes without a user.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { connectNats } from "./connect_nats.ts";
 * const error = await connectNats({ servers: [] }).catch((e) => e);
 * assert(error instanceof TypeError);
 * ```
 */
export function connectNats(options: NatsAuthOptions): Promise<NatsConnection> {
  const { servers, user, pass, token, name = "rxrnn" } = options;
  const list = typeof servers === "string" ? [servers] : servers;
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== "string" || s === "")) {
    return Promise.reject(
      new TypeError(`Cannot connect to NATS as 'servers' must name at least one server: current value is []`),
    );
  }
  if (pass !== undefined && user === undefined) {
    return Promise.reject(
      new TypeError(`Cannot connect to NATS as 'pass' needs 'user': current value is undefined`),
    );
  }
  guardLateResets();
  return connect({
    servers: list,
    name,
    user,
    pass,
    token,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
}

let guarded = false;

/** Installs, once, the listener that swallows a reset of a socket the NATS client already gave up (see {@linkcode connectNats}). */
function guardLateResets(): void {
  if (guarded || typeof globalThis.addEventListener !== "function") return;
  guarded = true;
  globalThis.addEventListener("error", (event: Event) => {
    const error = (event as ErrorEvent).error as { code?: unknown; stack?: unknown } | null;
    if (
      error !== null && typeof error === "object" && error.code === "ECONNRESET" &&
      typeof error.stack === "string" && error.stack.includes("onStreamRead")
    ) {
      event.preventDefault();
    }
  });
}
