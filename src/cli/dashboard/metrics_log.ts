/**
 * The `--log FILE` writer: appends one JSON line per metrics message, synchronously (so
 * the log is complete up to the last message even when the run is stopped).
 *
 * @module
 */
import type { Metrics } from "./metrics.ts";

/** An open metrics log. */
export interface MetricsLog {
  /** The file's path. */
  readonly path: string;
  /** Appends one message as a line. */
  write(message: Metrics): void;
  /** Closes the file. */
  close(): void;
}

/**
 * Opens (creates or truncates) a metrics log for writing.
 *
 * @param path The file to write.
 * @returns The open log.
 * @throws {Error} When the file cannot be created; the message names it.
 *
 * @example Usage
 * ```ts
 * import { openMetricsLog } from "./metrics_log.ts";
 * import { parseMetricsLog } from "./metrics.ts";
 * import { assertStrictEquals } from "@std/assert";
 *
 * const path = await Deno.makeTempFile({ dir: await Deno.mkdir(".tmp", { recursive: true }).then(() => ".tmp"), suffix: ".jsonl" });
 * const log = openMetricsLog(path);
 * log.write({ kind: "train", step: 10, time: 1, bitsPerChar: 2, meanLoss: 1.4, gradNorm: 3, stepsPerSecond: 10, learningRate: 0.01 });
 * log.close();
 * assertStrictEquals(parseMetricsLog(await Deno.readTextFile(path))[0].kind, "train");
 * await Deno.remove(path);
 * ```
 */
export function openMetricsLog(path: string): MetricsLog {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { write: true, create: true, truncate: true });
  } catch (error) {
    throw new Error(`cannot write the metrics log '${path}': ${(error as Error).message.split("\n")[0]}`);
  }
  const encoder = new TextEncoder();
  let open = true;
  return {
    path,
    write(message: Metrics): void {
      if (!open) return;
      const bytes = encoder.encode(`${JSON.stringify(message)}\n`);
      let offset = 0;
      while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
    },
    close(): void {
      if (!open) return;
      open = false;
      file.close();
    },
  };
}
