/**
 * Incremental line splitting of text that arrives in chunks (private helper).
 *
 * @module
 */

/**
 * Splits text chunks into lines: a line may be split over chunks, a chunk may hold
 * many lines, `\r\n` and `\n` both end a line (the `\r` is removed), and multi-byte
 * UTF-8 characters split over byte chunks are decoded correctly.
 */
export class LineSplitter {
  #decoder = new TextDecoder();
  #partial = "";

  /** Appends a chunk and returns the lines it completes. */
  push(chunk: string | Uint8Array): string[] {
    const text = typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (text.length === 0) return [];
    const parts = (this.#partial + text).split("\n");
    this.#partial = parts.pop()!;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p.endsWith("\r")) parts[i] = p.slice(0, -1);
    }
    return parts;
  }

  /** Returns the unterminated last line (if any) and resets the splitter. */
  flush(): string[] {
    const rest = this.#partial + this.#decoder.decode();
    this.reset();
    if (rest.length === 0) return [];
    return [rest.endsWith("\r") ? rest.slice(0, -1) : rest];
  }

  /** Forgets the pending partial line and decoder state (e.g. after a file was truncated). */
  reset(): void {
    this.#partial = "";
    this.#decoder = new TextDecoder();
  }

  /** The number of characters waiting for a line end. */
  get pending(): number {
    return this.#partial.length;
  }
}
