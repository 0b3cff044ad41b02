/**
 * The live trainer, as its own script: the same command as `main.ts live` (see
 * `src/cli/live.ts`). It learns online from a feed of numeric readings — predict each
 * one, then learn from it — and flags anomalies from the forecast error. `deno task live`
 * runs the demo: a local feed server replays the real sensor data set over WebSocket
 * and this trainer learns from it, then prints precision and recall of its flags.
 *
 * ```sh
 * deno task live
 * deno run --allow-net=127.0.0.1 --allow-read=. --allow-write=. live.ts --url ws://127.0.0.1:8080/ws --checkpoint live.ckpt --every 500
 * deno run --allow-net=127.0.0.1 --allow-read=. --allow-write=. main.ts live --help
 * ```
 *
 * Exit codes: 0 done, 1 a runtime failure (e.g. an invalid line with --strict), 2 a usage error.
 *
 * @module
 */
import { liveCommand } from "./src/cli/live.ts";
import { runCommand } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await runCommand(() => liveCommand(Deno.args, "live.ts")));
