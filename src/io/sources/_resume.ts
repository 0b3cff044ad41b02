/**
 * Sequence numbers of delivered lines and the URL to resume from (private helper).
 *
 * @module
 */
import type { ResumeOptions } from "./resume.ts";

/**
 * The URL to reconnect to: `url` with `param` set to the sequence number after the one
 * in `lastLine` (or `url` unchanged when there is none yet).
 *
 * @param url The source's URL.
 * @param lastSeq The last sequence number delivered, or -1.
 * @param options The field and parameter names.
 * @returns The URL to connect to.
 */
export function resumeUrl(url: string | URL, lastSeq: number, options: ResumeOptions): URL {
  const next = new URL(url);
  if (lastSeq >= 0) next.searchParams.set(options.param ?? "from", String(lastSeq + 1));
  return next;
}

/**
 * The sequence number of a line (a JSON object with `field`), or -1 when it has none.
 *
 * @param line The line.
 * @param options The field name.
 * @returns The sequence number, or -1.
 */
export function sequenceOf(line: string, options: ResumeOptions): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return -1;
  }
  if (parsed === null || typeof parsed !== "object") return -1;
  const seq = (parsed as Record<string, unknown>)[options.field ?? "seq"];
  return Number.isSafeInteger(seq) && (seq as number) >= 0 ? seq as number : -1;
}
