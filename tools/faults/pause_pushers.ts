/**
 * Fault case: concurrent pushers into fromIngest() under the `pause` policy.
 *
 * @module
 */
import { backpressure, fromIngest, PauseController } from "../../mod.ts";
import type { Backpressured } from "../../mod.ts";
import type { FaultCase, FaultResult } from "./_case.ts";
import { until } from "./_case.ts";

function pushers(connections: number, perConnection: number): FaultCase {
  return {
    name: `pause (${connections} pushers x ${perConnection})`,
    async run(): Promise<FaultResult> {
      const pause = new PauseController();
      const listening = Promise.withResolvers<number>();
      let finished: Promise<void> | undefined;
      let last: Backpressured<string> | undefined;
      let count = 0;
      const sub = fromIngest({
        pause,
        onListen: (info) => {
          finished = info.finished;
          listening.resolve(info.port);
        },
      }).pipe(backpressure({ policy: "pause", pause, capacity: 1024 })).subscribe((e) => {
        last = e;
        count++;
        // a slow consumer: a little work per event
        let x = 0;
        for (let i = 0; i < 200; i++) x += Math.sqrt(i);
        if (x < 0) throw new Error("unreachable");
      });
      try {
        const url = `http://127.0.0.1:${await listening.promise}/`;
        const answers = await Promise.all(Array.from({ length: connections }, async (_, c) => {
          let sent = 0;
          const enc = new TextEncoder();
          const body = new ReadableStream<Uint8Array>({
            pull(controller) {
              if (sent >= perConnection) return controller.close();
              const n = Math.min(500, perConnection - sent);
              let text = "";
              for (let i = 0; i < n; i++) text += `{"c":${c},"i":${sent + i}}\n`;
              sent += n;
              controller.enqueue(enc.encode(text));
            },
          });
          const res = await fetch(url, { method: "POST", body });
          return await res.json() as { queued: number; dropped: number };
        }));
        const total = connections * perConnection;
        const acknowledged = answers.reduce((s, a) => s + a.queued, 0);
        await until("the queue to drain", () => count >= acknowledged || (last?.dropped ?? 0) > 0, 60_000);
        const identity = last!.received === last!.delivered + last!.dropped + last!.lag;
        return {
          tried: total,
          handled: count,
          lost: total - count,
          note: `dropped ${last!.dropped}, identity ${
            identity ? "holds" : "BROKEN"
          }, 200s say queued ${acknowledged}`,
        };
      } finally {
        sub.unsubscribe();
        await finished;
      }
    },
  };
}

/** The pause cases (the attacker's figures: 594 of 199,503 lost with 1 connection, 18,875 with 16). */
export const pauseCases: FaultCase[] = [pushers(1, 200_000), pushers(16, 12_500)];
