/**
 * A source of the lines of a file, optionally following it as it grows (`tail -f`).
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import { checkMaxLineBytes, DEFAULT_MAX_LINE_BYTES, LineSplitter } from "./_line_splitter.ts";
import type { FeedStats } from "./feed_stats.ts";
import { emitLines, sleep } from "./_pump_lines.ts";
import type { PauseController } from "../../stream/pause_controller.ts";

/** Options for {@linkcode fromFile}. */
export interface FromFileOptions {
  /**
   * Keep reading as the file grows, like `tail -f`: the stream never completes, a
   * partial last line waits for its line end, and a file truncated below the read
   * position is read again from the start.
   * @default {false}
   */
  follow?: boolean;
  /** In follow mode, how often to check the file for new data, in milliseconds. @default {250} */
  pollInterval?: number;
  /** Start at the end of the file (only new lines are emitted, not the rest of a line being written; needs `follow`). @default {false} */
  fromEnd?: boolean;
  /** A pause switch: while paused the file is not read. @default {undefined} */
  pause?: PauseController;
  /** Size of the read buffer in bytes. @default {65536} */
  chunkSize?: number;
  /** The longest line kept, in UTF-8 bytes: a longer one is skipped (memory stays bounded) and counted in `stats`. @default {1048576} */
  maxLineBytes?: number;
  /** Counters: an oversized line is counted in `skipped` and kept in `invalid` with the reason `oversized`. @default {undefined} */
  stats?: FeedStats;
}

/**
 * Emits the lines of a text file (UTF-8; `\n` or `\r\n` line ends). Without `follow`
 * it completes at the end of the file (the unterminated last line included); with
 * `follow` it polls the file every `pollInterval` ms and emits lines as they are
 * appended. A line longer than `maxLineBytes` is skipped and counted. The file is opened on subscribe and closed on unsubscribe.
 *
 * @param path The file path.
 * @param options Follow mode, poll interval, start position, pause switch, buffer size.
 * @returns A cold Observable of lines.
 * @throws {RangeError} When `pollInterval` or `chunkSize` is not a positive number, or `fromEnd` is set without `follow`.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { lastValueFrom, toArray } from "rxjs";
 * import { fromFile, parseCsv } from "../../../mod.ts";
 * await Deno.mkdir(".tmp", { recursive: true });
 * const path = await Deno.makeTempFile({ dir: ".tmp", suffix: ".tmp" });
 * try {
 *   await Deno.writeTextFile(path, "a,b\n1,2\n3,4\n");
 *   const records = await lastValueFrom(fromFile(path).pipe(parseCsv({ header: true }), toArray()));
 *   assert(records.length === 2 && records[1].values[1] === 4);
 * } finally {
 *   await Deno.remove(path);
 * }
 * ```
 */
export function fromFile(path: string | URL, options: FromFileOptions = {}): Observable<string> {
  const { follow = false, pollInterval = 250, fromEnd = false, pause, chunkSize = 65536 } = options;
  const { maxLineBytes = DEFAULT_MAX_LINE_BYTES, stats } = options;
  checkMaxLineBytes("fromFile()", maxLineBytes);
  if (!(pollInterval > 0) || !Number.isFinite(pollInterval)) {
    throw new RangeError(
      `Cannot create fromFile() as 'pollInterval' must be a finite number > 0: current value is ${pollInterval}`,
    );
  }
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(
      `Cannot create fromFile() as 'chunkSize' must be an integer >= 1: current value is ${chunkSize}`,
    );
  }
  if (fromEnd && !follow) {
    throw new RangeError(
      "Cannot create fromFile() as 'fromEnd' needs 'follow': current value of follow is false",
    );
  }
  return new Observable<string>((subscriber) => {
    const abort = new AbortController();
    const signal = abort.signal;
    let file: Deno.FsFile | undefined;
    const closeFile = () => {
      try {
        file?.close();
      } catch { /* already closed */ }
      file = undefined;
    };
    const emit = (line: string) => subscriber.next(line);
    (async () => {
      file = await Deno.open(path, { read: true });
      if (signal.aborted) return;
      const splitter = new LineSplitter(maxLineBytes, stats);
      const buf = new Uint8Array(chunkSize);
      let offset = fromEnd ? await file.seek(0, Deno.SeekMode.End) : 0;
      // with fromEnd, a line still being written when reading starts is not a new line: drop its rest
      let skipPartial = false;
      if (offset > 0) {
        const last = new Uint8Array(1);
        await file.seek(offset - 1, Deno.SeekMode.Start);
        skipPartial = (await file.read(last)) === 1 && last[0] !== 10;
        if (signal.aborted || !file) return;
      }
      while (!signal.aborted) {
        if (pause?.paused) await pause.whenResumed(signal);
        if (signal.aborted || !file) return;
        const n = await file.read(buf);
        if (signal.aborted || !file) return;
        if (n !== null) {
          offset += n;
          const lines = splitter.push(buf.subarray(0, n));
          if (skipPartial && lines.length > 0) {
            lines.shift();
            skipPartial = false;
          }
          if (!(await emitLines(lines, emit, pause, signal))) return;
          continue;
        }
        if (!follow) {
          if (await emitLines(splitter.flush(), emit, pause, signal)) subscriber.complete();
          return;
        }
        await sleep(pollInterval, signal);
        if (signal.aborted || !file) return;
        const { size } = await file.stat();
        if (size < offset) {
          // Truncated (or rewritten): start again from the top.
          await file.seek(0, Deno.SeekMode.Start);
          offset = 0;
          skipPartial = false;
          splitter.reset();
        }
      }
    })().then(closeFile, (err) => {
      closeFile();
      if (!signal.aborted) subscriber.error(err);
    });
    return () => {
      abort.abort();
      closeFile();
    };
  });
}
