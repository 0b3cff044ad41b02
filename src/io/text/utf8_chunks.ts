/**
 * Strict UTF-8 text from a byte stream, in bounded memory: yields decoded chunks as they
 * arrive and refuses binary data (a NUL byte) or invalid UTF-8 with one line naming the
 * byte offset, unless `lossy`, which replaces invalid sequences with U+FFFD.
 *
 * @module
 */

/** Options of {@linkcode utf8Chunks}. */
export interface Utf8ChunksOptions {
  /** Accept invalid UTF-8 and NUL bytes, decoding invalid sequences as U+FFFD. @default {false} */
  lossy?: boolean;
  /** The input's name in messages. @default {"the input"} */
  name?: string;
}

/**
 * Decodes a byte stream as UTF-8, chunk by chunk.
 *
 * @param bytes The byte stream (a file's or stdin's `readable`).
 * @param options Lossy decoding and the input's name.
 * @returns The decoded text, chunk by chunk (a chunk never splits a character).
 * @throws {TypeError} At a NUL byte ("binary") or invalid UTF-8, naming the byte offset.
 *
 * @example Usage
 * ```ts
 * import { assertEquals, assertRejects } from "@std/assert";
 * import { utf8Chunks } from "./utf8_chunks.ts";
 * const stream = (b: number[]) => ReadableStream.from([new Uint8Array(b)]);
 * assertEquals(await Array.fromAsync(utf8Chunks(stream([104, 105]))), ["hi"]);
 * await assertRejects(() => Array.fromAsync(utf8Chunks(stream([104, 0xff]))), TypeError, "byte offset 1");
 * ```
 */
export async function* utf8Chunks(
  bytes: ReadableStream<Uint8Array>,
  options: Utf8ChunksOptions = {},
): AsyncGenerator<string> {
  const { lossy = false, name = "the input" } = options;
  const decoder = new TextDecoder("utf-8", { fatal: !lossy, ignoreBOM: false });
  let offset = 0, carry = new Uint8Array(0);
  for await (const chunk of bytes) {
    if (!lossy) {
      const joined = carry.length === 0 ? chunk : concat(carry, chunk);
      const { bad, complete } = scan(joined);
      if (bad >= 0) throw refusal(name, offset - carry.length + bad, joined[bad]);
      offset += chunk.length;
      carry = joined.slice(complete);
      const text = decoder.decode(joined.subarray(0, complete), { stream: true });
      if (text !== "") yield text;
    } else {
      const text = decoder.decode(chunk, { stream: true });
      if (text !== "") yield text;
    }
  }
  if (carry.length > 0) throw refusal(name, offset - carry.length, carry[0], true);
  const rest = decoder.decode();
  if (rest !== "") yield rest;
}

function refusal(name: string, at: number, byte: number, truncated = false): TypeError {
  const why = byte === 0
    ? "binary data (a NUL byte)"
    : truncated
    ? "invalid UTF-8 (a truncated character at the end)"
    : `invalid UTF-8 (byte 0x${byte.toString(16).padStart(2, "0")})`;
  return new TypeError(`${name} is not UTF-8 text: ${why} at byte offset ${at} (use --lossy to accept it)`);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The first NUL or invalid byte (-1 if none), and where the last complete character ends. */
function scan(b: Uint8Array): { bad: number; complete: number } {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c === 0) return { bad: i, complete: i };
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n === 0) return { bad: i, complete: i };
    // the second byte's range excludes overlong forms, surrogates and code points above U+10FFFF
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < n; k++) {
      if (i + k >= b.length) return { bad: -1, complete: i };
      const d = b[i + k];
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return { bad: i, complete: i };
    }
    i += n;
  }
  return { bad: -1, complete: i };
}
