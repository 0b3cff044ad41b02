/**
 * The rxrnn command line: `train`, `sample` and `eval` (see `deno run main.ts --help`).
 *
 * ```sh
 * deno run --allow-read=. --allow-write=out main.ts train
 * deno run --allow-read=out main.ts sample --length 300
 * ```
 *
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
