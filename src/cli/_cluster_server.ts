/**
 * A local nats-server with JetStream for the cluster demo and the tests: a temporary
 * store, loopback only, a free port the server picks itself, and a stop by PID.
 *
 * @module
 */

/** A running nats-server. */
export interface LocalNatsServer {
  /** Its client URL, e.g. `nats://127.0.0.1:39211`. */
  url: string;
  /** Its process id. */
  pid: number;
  /** Its monitoring URL on loopback (`/connz`, `/jsz`), e.g. `http://127.0.0.1:40947`. */
  monitor: string;
  /**
   * Resolves once the server has no client connection left (polling `/connz`), or after
   * `timeout` ms: stopping a server while a client's close is still in flight resets that
   * client's socket, which the client library may report as an uncaught error.
   */
  idle(timeout?: number): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL after 2 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options for {@linkcode startNatsServer}. */
export interface StartNatsServerOptions {
  /** The directory for the JetStream store and the ports file (it must exist). */
  dir: string;
  /** Require this user (with `pass`). @default {undefined} */
  user?: string;
  /** The user's password. @default {undefined} */
  pass?: string;
  /** Require this token instead. @default {undefined} */
  token?: string;
  /** How long to wait for the server to be ready, in ms. @default {10000} */
  timeout?: number;
}

/**
 * Starts `nats-server -js` on 127.0.0.1 with a port of its choosing, and waits for the
 * ports file it writes. Fails loudly when the binary is missing or the server does not
 * come up (never a silent skip).
 *
 * @param options The store directory and the credentials.
 * @returns A promise of the running server.
 * @throws {Error} When nats-server cannot be started.
 */
export async function startNatsServer(options: StartNatsServerOptions): Promise<LocalNatsServer> {
  const { dir, user, pass, token, timeout = 10_000 } = options;
  const args = ["-js", "-sd", dir, "-a", "127.0.0.1", "-p", "-1", "-m", "-1", "--ports_file_dir", dir];
  // credentials go in a config file (mode 600), not on the command line where `ps` shows them
  const auth = user !== undefined
    ? `user: ${JSON.stringify(user)}, password: ${JSON.stringify(pass ?? "")}`
    : token !== undefined
    ? `token: ${JSON.stringify(token)}`
    : null;
  if (auth !== null) {
    const config = `${dir}/auth.conf`;
    await Deno.writeTextFile(config, `authorization { ${auth} }\n`, { mode: 0o600 });
    args.push("-c", config);
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("nats-server", { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
  } catch (error) {
    throw new Error(
      `Cannot start nats-server (install it: apt-get install -y nats-server): ${(error as Error).message}`,
    );
  }
  const pid = child.pid;
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = async (): Promise<void> => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          if (!exited) child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, 2000);
      await status;
      clearTimeout(timer);
    }
  };
  const portsFile = `${dir}/nats-server_${pid}.ports`;
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`Cannot start nats-server: it exited with code ${(await status).code}`);
    try {
      const ports = JSON.parse(await Deno.readTextFile(portsFile)) as {
        nats?: string[];
        monitoring?: string[];
      };
      const url = ports.nats?.[0], monitor = ports.monitoring?.[0];
      if (url && monitor) return { url, pid, monitor, stop, idle: (ms?: number) => idle(monitor, ms) };
    } catch { /* not written yet */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  await stop();
  throw new Error(`Cannot start nats-server: not ready after ${timeout} ms`);
}

/** Polls the monitoring endpoint until no client is connected, or `timeout` ms have passed. */
async function idle(monitor: string, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    try {
      const connz = await (await fetch(`${monitor}/connz`)).json() as { num_connections?: number };
      if (connz.num_connections === 0) return;
    } catch {
      /* the server is going away: nothing to wait for */
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
