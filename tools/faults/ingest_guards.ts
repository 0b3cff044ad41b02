/**
 * Fault cases: the ingestion endpoint's guards (token, Origin, idle half-open
 * connections, a pusher dropping mid-body).
 *
 * @module
 */
import { fromIngest } from "../../mod.ts";
import type { FromIngestOptions } from "../../mod.ts";
import type { FaultCase, FaultResult } from "./_case.ts";

/** Runs an endpoint with `options` while `fn` pushes at it. */
async function withEndpoint(
  options: FromIngestOptions,
  fn: (port: number, lines: string[]) => Promise<FaultResult>,
): Promise<FaultResult> {
  const lines: string[] = [];
  const listening = Promise.withResolvers<number>();
  let finished: Promise<void> | undefined;
  const sub = fromIngest({
    ...options,
    onListen: (info) => {
      finished = info.finished;
      listening.resolve(info.port);
    },
  }).subscribe((line) => lines.push(line));
  try {
    return await fn(await listening.promise, lines);
  } finally {
    sub.unsubscribe();
    await finished;
  }
}

const status = (r: Response) => r.body?.cancel().then(() => r.status) ?? r.status;

/** 300 unauthorised requests (no token, a wrong one, a foreign Origin) and 100 good ones. */
const auth: FaultCase = {
  name: "ingest-auth (token, Origin)",
  run: () =>
    withEndpoint({ token: "t0ken", allowOrigins: ["http://ok.example"] }, async (port, lines) => {
      const url = `http://127.0.0.1:${port}/`;
      const codes: number[] = [];
      for (let i = 0; i < 100; i++) {
        codes.push(await fetch(url, { method: "POST", body: "bad\n" }).then(status));
        codes.push(
          await fetch(url, { method: "POST", body: "bad\n", headers: { authorization: "Bearer nope" } }).then(
            status,
          ),
        );
        codes.push(
          await fetch(url, {
            method: "POST",
            body: "bad\n",
            headers: { authorization: "Bearer t0ken", origin: "http://evil.example" },
          }).then(status),
        );
        codes.push(
          await fetch(url, { method: "POST", body: `${i}\n`, headers: { authorization: "Bearer t0ken" } })
            .then(status),
        );
      }
      const refused = codes.filter((c) => c === 401 || c === 403).length;
      const good = lines.filter((l) => l !== "bad").length;
      const leaked = lines.filter((l) => l === "bad").length;
      return {
        tried: 400,
        handled: refused + good,
        lost: 100 - good + leaked,
        note: `${codes.filter((c) => c === 401).length}x401, ${
          codes.filter((c) => c === 403).length
        }x403, ${leaked} leaked`,
      };
    }),
};

/** 3,000 half-open connections that never send a full request head: all closed after headerTimeout. */
const idle: FaultCase = {
  name: "ingest-idle (3,000 half-open)",
  run: () =>
    withEndpoint({ headerTimeout: 1000, idleTimeout: 2000 }, async (port, lines) => {
      const enc = new TextEncoder();
      const conns: Deno.Conn[] = [];
      for (let i = 0; i < 3000; i++) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        if (i % 2 === 0) await conn.write(enc.encode("POST / HTTP/1.1\r\nHost: x\r\n"));
        conns.push(conn);
      }
      const t0 = performance.now();
      const ended = await Promise.all(conns.map((c) => c.read(new Uint8Array(16)).catch(() => null)));
      const ms = performance.now() - t0;
      conns.forEach((c) => c.close());
      const closed = ended.filter((n) => n === null).length;
      const res = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "1,2\n" });
      const alive = (await res.json()).queued === 1 && lines.length === 1;
      return {
        tried: 3001,
        handled: closed + (alive ? 1 : 0),
        lost: alive ? 0 : 1,
        note: `all closed within ${(ms / 1000).toFixed(1)} s; endpoint still answers: ${alive}`,
      };
    }),
};

/** 100 pushers that drop in the middle of a line: their complete lines arrive, the endpoint goes on. */
const dropped: FaultCase = {
  name: "ingest-dropped-pushers (100)",
  run: () =>
    withEndpoint({}, async (port, lines) => {
      const enc = new TextEncoder();
      for (let i = 0; i < 100; i++) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        await conn.write(
          enc.encode(
            `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n${i % 10},${
              i % 10
            }\n3,\r\n`,
          ),
        );
        const deadline = Date.now() + 2000;
        while (lines.length < i + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
        conn.close();
      }
      const handled = lines.length;
      return { tried: 100, handled, lost: 100 - handled, note: "complete lines kept, cut lines discarded" };
    }),
};

/** The ingestion endpoint's cases. */
export const ingestCases: FaultCase[] = [auth, idle, dropped];
