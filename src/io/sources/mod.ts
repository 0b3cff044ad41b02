/**
 * Sources and parsers: files, stdin, HTTP lines, SSE, WebSocket and an ingestion endpoint; line splitting and NDJSON/CSV parsing with counted skips.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { of } from "rxjs";
 * import { splitLines } from "./mod.ts";
 * const lines: string[] = [];
 * of("a\nb", "c\n").pipe(splitLines()).subscribe((l) => lines.push(l));
 * assertEquals(lines, ["a", "bc"]);
 * ```
 *
 * @module
 */
export * from "./backoff.ts";
export * from "./feed_stats.ts";
export * from "./from_file.ts";
export * from "./from_http_lines.ts";
export * from "./from_ingest.ts";
export * from "./from_readable.ts";
export * from "./from_sse.ts";
export * from "./from_stdin.ts";
export * from "./from_web_socket.ts";
export * from "./parse_csv.ts";
export * from "./parse_ndjson.ts";
export * from "./resume.ts";
export * from "./split_lines.ts";
