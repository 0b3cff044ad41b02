/**
 * The rxrnn command line: `train`, `sample`, `eval` and `live` (see `deno run main.ts --help`).
 *
 * ```sh
 * deno run --allow-read=. --allow-write=out main.ts train
 * deno run --allow-read=out main.ts sample --length 300
 * deno run --allow-net=127.0.0.1 --allow-run=deno main.ts live --demo
 * ```
 *
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
