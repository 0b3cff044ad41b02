/**
 * The live trainer: learns online from a feed of numeric readings — predict each one,
 * then learn from it — and flags anomalies from the forecast error. `deno task live`
 * runs the demo: a local feed server replays the real sensor data set over WebSocket
 * and this trainer learns from it, then prints precision and recall of its flags.
 *
 * ```sh
 * deno task live
 * deno run --allow-net=127.0.0.1 --allow-read=. --allow-write=. live.ts --url ws://127.0.0.1:8080/ws --checkpoint live.ckpt --every 500
 * deno run --allow-net=127.0.0.1 --allow-read=. --allow-write=. live.ts --help
 * ```
 *
 * Exit codes: 0 done, 1 a runtime failure (e.g. an invalid line with --strict), 2 a usage error.
 *
 * @module
 */
import { UsageError } from "./src/cli/_args.ts";
import { LIVE_USAGE, parseLiveArgs } from "./src/cli/_live_args.ts";
import { runLive } from "./src/cli/live.ts";

if (import.meta.main) {
  const encoder = new TextEncoder();
  const tty = Deno.stderr.isTerminal();
  let code: number;
  try {
    const config = parseLiveArgs(Deno.args);
    if (config === null) {
      console.log(LIVE_USAGE);
      Deno.exit(0);
    }
    code = await runLive(config, {
      // on a terminal, clear the status line before a log line
      out: (line) => {
        if (tty) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
        console.log(line);
      },
      err: (line) => console.error(line),
      redraw: tty ? (line) => Deno.stderr.writeSync(encoder.encode(`\r${line}\x1b[K`)) : undefined,
    });
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    const usage = error instanceof UsageError;
    console.error(`error: ${usage && !message.startsWith("live.ts: ") ? "live.ts: " : ""}${message}`);
    code = usage ? 2 : 1;
  }
  Deno.exit(code);
}
