/**
 * A source of the lines of standard input.
 *
 * @module
 */
import type { Observable } from "../../deps.ts";
import { fromReadable } from "./from_readable.ts";
import type { PauseController } from "../../stream/pause_controller.ts";
import type { FeedStats } from "./feed_stats.ts";

/** Options for {@linkcode fromStdin}. */
export interface FromStdinOptions {
  /** A pause switch: while paused stdin is not read. @default {undefined} */
  pause?: PauseController;
  /** The longest line kept, in UTF-8 bytes: a longer one is skipped and counted in `stats`. @default {1048576} */
  maxLineBytes?: number;
  /** Counters: an oversized line is counted in `skipped` and kept in `invalid` with the reason `oversized`. @default {undefined} */
  stats?: FeedStats;
}

/**
 * Emits the lines of standard input (`Deno.stdin.readable`) and completes at end of
 * input — pipe it into {@linkcode parseNdjson} or {@linkcode parseCsv}. Unsubscribing
 * cancels stdin, which cannot be read again in this process.
 *
 * Single use (as {@linkcode fromReadable}): standard input can be read once per process,
 * so only the first subscription to any `fromStdin()` reads it; a later one (a second
 * subscriber, `retry`, `repeat`) errors at once with a TypeError saying so, instead of
 * completing empty having lost the input. `share()` it to read it from several places.
 *
 * @param options An optional pause switch.
 * @returns A cold Observable of lines that can be subscribed once per process.
 *
 * @example Usage
 * ```ts ignore
 * import { fromStdin, parseCsv } from "../../../mod.ts";
 * fromStdin().pipe(parseCsv({ header: true })).subscribe((r) => console.log(r.values));
 * ```
 */
export function fromStdin(options: FromStdinOptions = {}): Observable<string> {
  return fromReadable(Deno.stdin.readable, options);
}
