/**
 * The demo's feed server: tools/feed_server.ts started as a subprocess on a free port.
 *
 * @module
 */

/** A running feed server subprocess. */
export interface DemoServer {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** Stops it (SIGTERM, then waits for it to exit). */
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts tools/feed_server.ts at `rate` events/s (one pass over the data set) and waits until it listens. */
export async function startDemoServer(rate: number): Promise<DemoServer> {
  const script = new URL("../../tools/feed_server.ts", import.meta.url);
  const port = freePort();
  // "deno" from PATH (not Deno.execPath()), so that --allow-run=deno is enough
  const child = new Deno.Command("deno", {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      script.href,
      "--port",
      String(port),
      "--rate",
      String(rate),
      "--until-stdin-closes",
    ],
    // the server stops when this pipe closes: when this process ends, however it ends
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("listening")) {
    const { value, done } = await reader.read();
    if (done) {
      await child.stdin.close().catch(() => {});
      await child.status;
      throw new Error(`the feed server did not start: ${text.trim() || "no output"}`);
    }
    text += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    port,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.stdin.close().catch(() => {});
      await child.status;
    },
  };
}
