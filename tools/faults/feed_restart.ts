/**
 * Fault case: the feed server (tools/feed_server.ts, a real process) is killed and
 * restarted on the same port while WebSocket, SSE and HTTP-lines clients read it.
 *
 * @module
 */
import { map } from "rxjs";
import type { Subscription } from "rxjs";
import { fromHttpLines, fromSse, fromWebSocket, parseNdjson } from "../../mod.ts";
import type { FaultCase, FaultResult } from "./_case.ts";
import { freePort, until } from "./_case.ts";

async function spawnFeed(port: number): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "--allow-net=127.0.0.1",
      new URL("../feed_server.ts", import.meta.url).pathname,
      "--port",
      String(port),
      "--rate",
      "500",
      "--loop",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the feed server exited: ${text}`);
    text += value;
  }
  await reader.cancel();
  return child;
}

/** Three kills and restarts; each client resumes after the last sequence it delivered. */
const restart: FaultCase = {
  name: "feed-restart (3 kills, ws+sse+http)",
  async run(): Promise<FaultResult> {
    const port = freePort();
    let child = await spawnFeed(port);
    const seqs: number[][] = [[], [], []];
    const reconnect = { initialDelay: 50, maxDelay: 200, jitter: 0.1, seed: 1 };
    const base = `127.0.0.1:${port}`;
    const subs: Subscription[] = [
      fromWebSocket(`ws://${base}/ws?from=0`, { reconnect, resume: true })
        .pipe(parseNdjson({ fields: ["seq"] })).subscribe((r) => seqs[0].push(r.values[0])),
      fromSse(`http://${base}/sse?from=0`, { reconnect })
        .pipe(map((e) => e.data), parseNdjson({ fields: ["seq"] })).subscribe((r) =>
          seqs[1].push(r.values[0])
        ),
      fromHttpLines(`http://${base}/ndjson?from=0`, { reconnect, reconnectOnEnd: true, resume: true })
        .pipe(parseNdjson({ fields: ["seq"] })).subscribe((r) => seqs[2].push(r.values[0])),
    ];
    try {
      for (let kill = 0; kill < 3; kill++) {
        const before = seqs.map((s) => s.length);
        await until("events", () => seqs.every((s, i) => s.length >= before[i] + 100));
        child.kill("SIGKILL");
        await child.status;
        child = await spawnFeed(port);
      }
      const before = seqs.map((s) => s.length);
      await until("events after the last restart", () => seqs.every((s, i) => s.length >= before[i] + 100));
    } finally {
      subs.forEach((s) => s.unsubscribe());
      child.kill("SIGKILL");
      await child.status;
    }
    let tried = 0, handled = 0, duplicates = 0, missing = 0;
    for (const s of seqs) {
      const top = Math.max(...s);
      const unique = new Set(s).size;
      tried += top + 1;
      handled += unique;
      duplicates += s.length - unique;
      missing += top + 1 - unique;
    }
    return {
      tried,
      handled,
      lost: duplicates + missing,
      note: `${duplicates} duplicates, ${missing} missing`,
    };
  },
};

/** The restart cases. */
export const restartCases: FaultCase[] = [restart];
