/**
 * A TCP front for a local HTTP server that closes connections which are slow to send
 * their request head or stay idle (private helper of fromIngest()).
 *
 * `Deno.serve` keeps a connection that never finishes its request head for ever; this
 * front accepts the connections itself, relays their bytes to the server on a loopback
 * port, and closes a connection that has not sent its first request head within
 * `headerTimeout` or has moved no byte for `idleTimeout` while no request of it is
 * being handled (a request held by a pause is not idle).
 *
 * @module
 */

/** Timeouts of a {@linkcode ConnectionGuard}, in milliseconds. */
export interface GuardTimeouts {
  /** The time a new connection has to send its first request head. */
  headerTimeout: number;
  /** The time a connection may move no byte while none of its requests is being handled. */
  idleTimeout: number;
}

interface Link {
  client: Deno.Conn;
  upstream: Deno.Conn | undefined;
  headSeen: boolean;
  connectedAt: number;
  lastActivity: number;
  busy: number;
  closed: boolean;
}

const HEAD_END = [13, 10, 13, 10];

/** Relays connections from a public listener to an upstream port, closing slow and idle ones. */
export class ConnectionGuard {
  readonly #listener: Deno.Listener;
  readonly #timeouts: GuardTimeouts;
  readonly #links = new Map<number, Link>();
  readonly #open = new Set<Link>();
  #upstreamPort = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  /** Connections closed for a slow head or idleness. */
  timedOut = 0;

  /**
   * @param listener The public listener (owned: closed by {@linkcode ConnectionGuard.close}).
   * @param timeouts Header and idle timeouts.
   */
  constructor(listener: Deno.Listener, timeouts: GuardTimeouts) {
    this.#listener = listener;
    this.#timeouts = timeouts;
  }

  /** Starts relaying to `upstreamPort` on 127.0.0.1. */
  start(upstreamPort: number): void {
    this.#upstreamPort = upstreamPort;
    const tick = Math.max(10, Math.min(this.#timeouts.headerTimeout, this.#timeouts.idleTimeout) / 4);
    this.#timer = setInterval(() => this.#sweep(), tick);
    this.#accept();
  }

  /**
   * Marks a request of the connection whose upstream local port is `port` as being
   * handled; returns the function that marks it done.
   */
  hold(port: number): () => void {
    const link = this.#links.get(port);
    if (!link) return () => {};
    link.busy++;
    return () => {
      link.busy--;
      link.lastActivity = performance.now();
    };
  }

  /** Stops accepting new connections (the open ones go on, e.g. to receive their answers). */
  stopAccepting(): void {
    try {
      this.#listener.close();
    } catch { /* already closed */ }
  }

  /**
   * Stops accepting and closes every connection not relayed to the server; a relayed
   * one ends by itself once its last bytes (an answer) are passed on, as the server has
   * closed its side.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.stopAccepting();
    for (const link of [...this.#open]) if (!link.upstream) this.#drop(link);
  }

  async #accept(): Promise<void> {
    while (!this.#closed) {
      let client: Deno.Conn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // the listener was closed
      }
      const link: Link = {
        client,
        upstream: undefined,
        headSeen: false,
        connectedAt: performance.now(),
        lastActivity: performance.now(),
        busy: 0,
        closed: false,
      };
      this.#open.add(link);
      this.#relay(link);
    }
  }

  async #relay(link: Link): Promise<void> {
    let port = -1;
    try {
      // the upstream connection is opened once the client sends something (an idle one costs one socket)
      const buf = new Uint8Array(16384);
      const first = await link.client.read(buf);
      if (first === null || link.closed) throw new Error("closed");
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: this.#upstreamPort });
      link.upstream = upstream;
      port = (upstream.localAddr as Deno.NetAddr).port;
      this.#links.set(port, link);
      if (link.closed) throw new Error("closed");
      await Promise.all([
        this.#pipe(link, link.client, upstream, buf.slice(0, first)),
        this.#pipe(link, upstream, link.client),
      ]);
    } catch { /* either side went away */ }
    if (port >= 0) this.#links.delete(port);
    this.#drop(link);
  }

  /** Relays `from` to `to`; `first` (the client's first bytes) marks the client-to-server direction. */
  async #pipe(link: Link, from: Deno.Conn, to: Deno.Conn, first?: Uint8Array): Promise<void> {
    const fromClient = first !== undefined;
    const buf = new Uint8Array(16384);
    let matched = 0;
    let pending = first ?? null;
    try {
      while (!link.closed) {
        let n: number | null;
        if (pending) {
          buf.set(pending);
          n = pending.length;
          pending = null;
        } else n = await from.read(buf);
        if (n === null) break;
        link.lastActivity = performance.now();
        if (fromClient && !link.headSeen) {
          for (let i = 0; i < n && !link.headSeen; i++) {
            matched = buf[i] === HEAD_END[matched] ? matched + 1 : buf[i] === 13 ? 1 : 0;
            if (matched === 4) link.headSeen = true;
          }
        }
        let off = 0;
        while (off < n) off += await to.write(buf.subarray(off, n));
        link.lastActivity = performance.now();
      }
    } finally {
      // a half-close ends the relay: close both sides
      this.#drop(link);
    }
  }

  #sweep(): void {
    const now = performance.now();
    const { headerTimeout, idleTimeout } = this.#timeouts;
    for (const link of [...this.#open]) {
      const quiet = now - link.lastActivity;
      if (
        (!link.headSeen && now - link.connectedAt >= headerTimeout) ||
        (link.busy === 0 && quiet >= idleTimeout)
      ) {
        this.timedOut++;
        this.#drop(link);
      }
    }
  }

  #drop(link: Link): void {
    if (link.closed) return;
    link.closed = true;
    this.#open.delete(link);
    for (const conn of [link.client, link.upstream]) {
      try {
        conn?.close();
      } catch { /* already closed */ }
    }
  }
}
