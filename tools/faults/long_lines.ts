/**
 * Fault cases: a line that never ends, on stdin (a real child process) and in a POST.
 *
 * @module
 */
import { fromIngest } from "../../mod.ts";
import type { FaultCase, FaultResult } from "./_case.ts";

const enc = new TextEncoder();
const MB = 1024 * 1024;

/** 53 MB in one line on the stdin of a child that parses CSV: the line is skipped, the rest parsed. */
const stdin: FaultCase = {
  name: "long-line-stdin (53 MB line)",
  async run(): Promise<FaultResult> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", new URL("./_stdin_reader.ts", import.meta.url).pathname],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(enc.encode("1,2\n3,4\n"));
    const chunk = enc.encode("9".repeat(MB));
    for (let i = 0; i < 53; i++) await writer.write(chunk);
    await writer.write(enc.encode("\n5,6\n7,8\n"));
    await writer.close();
    const out = JSON.parse(new TextDecoder().decode((await child.output()).stdout));
    const handled = out.parsed + out.skipped;
    return {
      tried: 5,
      handled,
      lost: 5 - handled,
      note: `${(out.ms / 1000).toFixed(1)} s, peak RSS ${
        Math.round(out.peak / MB)
      } MB, 1 skipped (oversized)`,
    };
  },
};

/** A 500 MB POST (chunked, one line): 413 once 16 MiB are read; the endpoint answers the next POST. */
const post: FaultCase = {
  name: "long-line-post (500 MB body)",
  async run(): Promise<FaultResult> {
    const lines: string[] = [];
    const listening = Promise.withResolvers<number>();
    let finished: Promise<void> | undefined;
    const sub = fromIngest({
      onListen: (info) => {
        finished = info.finished;
        listening.resolve(info.port);
      },
    }).subscribe((line) => lines.push(line));
    try {
      const url = `http://127.0.0.1:${await listening.promise}/`;
      const chunk = enc.encode("x".repeat(MB));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 500) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const t0 = performance.now();
      const status = await fetch(url, { method: "POST", body }).then(async (r) => {
        await r.body?.cancel();
        return r.status;
      }, () => 0);
      const ms = performance.now() - t0;
      const next = await fetch(url, { method: "POST", body: "1,2\n" });
      const answer = await next.json();
      const handled = (status === 413 ? 1 : 0) + (answer.queued === 1 && lines.includes("1,2") ? 1 : 0);
      return {
        tried: 2,
        handled,
        lost: 2 - handled,
        note: `${status} after ${Math.round(ms)} ms (${sent} MB sent)`,
      };
    } finally {
      sub.unsubscribe();
      await finished;
    }
  },
};

/** The long-line cases. */
export const longLineCases: FaultCase[] = [stdin, post];
