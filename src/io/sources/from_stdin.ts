/**
 * A source of the lines of standard input.
 *
 * @module
 */
import type { Observable } from "../../deps.ts";
import { fromReadable } from "./from_readable.ts";
import type { PauseController } from "../../stream/pause_controller.ts";

/** Options for {@linkcode fromStdin}. */
export interface FromStdinOptions {
  /** A pause switch: while paused stdin is not read. @default {undefined} */
  pause?: PauseController;
}

/**
 * Emits the lines of standard input (`Deno.stdin.readable`) and completes at end of
 * input — pipe it into {@linkcode parseNdjson} or {@linkcode parseCsv}. Unsubscribing
 * cancels stdin, which cannot be read again in this process.
 *
 * @param options An optional pause switch.
 * @returns A cold Observable of lines (subscribe once).
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
