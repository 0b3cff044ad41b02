/**
 * Incremental line splitting of text that arrives in chunks, with a cap on the line
 * length (private helper).
 *
 * @module
 */
import type { FeedStats } from "./feed_stats.ts";

/** The default cap on a line: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/** Validates a `maxLineBytes` option when a source is created; `fn` names the source. */
export function checkMaxLineBytes(fn: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot create ${fn} as 'maxLineBytes' must be an integer >= 1: current value is ${value}`,
    );
  }
}

/**
 * Splits text chunks into lines: a line may be split over chunks, a chunk may hold
 * many lines, `\n` and `\r\n` both end a line (the `\r` is removed), and multi-byte
 * UTF-8 characters split over byte chunks are decoded correctly.
 *
 * Linear: each character is scanned once and copied at most twice (into the pending
 * pieces, then into its line), whatever the chunking. Bounded: a line longer than
 * `maxLineBytes` (UTF-8 bytes for byte chunks, UTF-16 code units for text chunks) is
 * not kept: its pending pieces are released as soon as it is too long, the rest up to
 * its line end is scanned and discarded, and it is counted in `oversized` (and in
 * `stats.skipped` / `stats.invalid` with the reason `oversized`).
 */
export class LineSplitter {
  readonly #max: number;
  readonly #stats: FeedStats | undefined;
  #decoder = new TextDecoder();
  #decoded = false;
  #pieces: (string | Uint8Array)[] = [];
  #pendingSize = 0;
  #discarding = false;
  #line = 0;
  #oversized = 0;
  #work = 0;

  /**
   * @param maxLineBytes The longest line kept.
   * @param stats Counters: an oversized line is counted in `skipped` and kept in `invalid`.
   */
  constructor(maxLineBytes: number = DEFAULT_MAX_LINE_BYTES, stats?: FeedStats) {
    this.#max = maxLineBytes;
    this.#stats = stats;
  }

  /** Appends a chunk and returns the lines it completes. */
  push(chunk: string | Uint8Array): string[] {
    const lines: string[] = [];
    const n = chunk.length;
    let start = 0;
    while (start < n) {
      const end = typeof chunk === "string" ? chunk.indexOf("\n", start) : chunk.indexOf(10, start);
      const stop = end < 0 ? n : end;
      this.#work += stop - start + (end < 0 ? 0 : 1);
      if (!this.#discarding) {
        if (this.#pendingSize + (stop - start) > this.#max) this.#overflow();
        else if (stop > start) {
          this.#pieces.push(chunk.slice(start, stop));
          this.#pendingSize += stop - start;
        }
      }
      if (end < 0) break;
      this.#line++;
      if (this.#discarding) this.#discarding = false;
      else lines.push(this.#take());
      start = end + 1;
    }
    return lines;
  }

  /** Returns the unterminated last line (if any) and resets the splitter. */
  flush(): string[] {
    const rest = this.#pendingSize > 0 && !this.#discarding ? this.#take() : "";
    this.reset();
    return rest.length === 0 ? [] : [rest];
  }

  /** Forgets the pending partial line and decoder state (e.g. after a file was truncated). */
  reset(): void {
    this.#pieces = [];
    this.#pendingSize = 0;
    this.#discarding = false;
    if (this.#decoded) this.#decoder = new TextDecoder();
    this.#decoded = false;
  }

  /** The number of bytes (or code units) waiting for a line end. */
  get pending(): number {
    return this.#pendingSize;
  }

  /** How many lines were discarded as longer than `maxLineBytes`. */
  get oversized(): number {
    return this.#oversized;
  }

  /** The characters scanned so far (a measure of the work done, for tests: linear in the input). */
  get work(): number {
    return this.#work;
  }

  #overflow(): void {
    this.#pieces = [];
    this.#pendingSize = 0;
    this.#discarding = true;
    this.#oversized++;
    const stats = this.#stats;
    if (stats) {
      stats.skipped++;
      if (stats.invalid.length < 5) {
        stats.invalid.push({
          line: this.#line + 1,
          text: `(a line longer than ${this.#max} bytes)`,
          reason: "oversized",
        });
      }
    }
  }

  #take(): string {
    const pieces = this.#pieces;
    this.#pieces = [];
    this.#pendingSize = 0;
    let text: string;
    if (pieces.length === 0) text = "";
    else if (typeof pieces[0] === "string" && pieces.length === 1) text = pieces[0];
    else {
      text = "";
      for (const piece of pieces) {
        if (typeof piece === "string") text += piece;
        else {
          this.#decoded = true;
          text += this.#decoder.decode(piece, { stream: true });
        }
      }
    }
    return text.endsWith("\r") ? text.slice(0, -1) : text;
  }
}
