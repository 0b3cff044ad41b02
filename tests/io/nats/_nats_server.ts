/** A nats-server for one test: JetStream in a scratch dir, a free port, stopped by PID. Fails loudly when it cannot start. */
import { startNatsServer } from "../../../src/cli/_cluster_server.ts";
import type { StartNatsServerOptions } from "../../../src/cli/_cluster_server.ts";
import { tmpDir } from "../../_tmp_dir.ts";
import { connectNats } from "../../../src/io/nats/connect_nats.ts";
import type { NatsConnection } from "../../../src/io/nats/nats_deps.ts";

/** Starts a server; `dispose` stops it and removes its store. */
export async function natsServer(
  options: Omit<StartNatsServerOptions, "dir"> = {},
): Promise<{ url: string; pid: number; dispose: () => Promise<void> }> {
  const dir = await tmpDir();
  try {
    const server = await startNatsServer({ ...options, dir: dir.path });
    return {
      url: server.url,
      pid: server.pid,
      dispose: async () => {
        // connections closed in an Observable's teardown (which cannot await close()) finish first:
        // a socket reset by the stopping server would surface as an uncaught error after the test
        await server.idle();
        await server.stop();
        await dir.dispose();
      },
    };
  } catch (error) {
    await dir.dispose();
    throw error;
  }
}

/**
 * Runs `fn` with a fresh server and a connection to it (with the server's credentials),
 * then closes the connection and stops the server, whatever `fn` did.
 */
export async function withNats(
  fn: (nc: NatsConnection, server: { url: string }) => Promise<void>,
  options: Omit<StartNatsServerOptions, "dir"> = {},
): Promise<void> {
  const server = await natsServer(options);
  let nc: NatsConnection | null = null;
  try {
    nc = await connectNats({
      servers: server.url,
      user: options.user,
      pass: options.pass,
      token: options.token,
    });
    await fn(nc, server);
  } finally {
    await nc?.close();
    await server.dispose();
  }
}
