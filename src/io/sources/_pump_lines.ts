/**
 * Reading a byte stream as lines, honouring a pause switch and an abort signal
 * (private helper of the stream sources).
 *
 * @module
 */
import type { LineSplitter } from "./_line_splitter.ts";
import type { PauseController } from "../../stream/pause_controller.ts";

/**
 * Emits the lines of `chunk`, waiting before each one while `pause` is paused.
 * Returns false when `signal` aborted meanwhile.
 */
export async function emitLines(
  lines: string[],
  emit: (line: string) => void,
  pause: PauseController | undefined,
  signal: AbortSignal,
): Promise<boolean> {
  for (const line of lines) {
    // `while`: another reader woken by the same resume may have filled the queue and paused again
    while (pause?.paused && !signal.aborted) await pause.whenResumed(signal);
    if (signal.aborted) return false;
    emit(line);
  }
  return !signal.aborted;
}

/**
 * Reads `reader` to its end, splitting into lines and emitting them; while paused it
 * does not read (so the stream's own backpressure holds the data). The unterminated
 * last line is emitted at the end. Returns false when `signal` aborted first.
 */
export async function pumpLines(
  reader: ReadableStreamDefaultReader<Uint8Array | string>,
  splitter: LineSplitter,
  emit: (line: string) => void,
  pause: PauseController | undefined,
  signal: AbortSignal,
): Promise<boolean> {
  while (!signal.aborted) {
    // `while`: another reader woken by the same resume may have filled the queue and paused again
    while (pause?.paused && !signal.aborted) await pause.whenResumed(signal);
    if (signal.aborted) return false;
    const { done, value } = await reader.read();
    if (done) return emitLines(splitter.flush(), emit, pause, signal);
    if (!(await emitLines(splitter.push(value), emit, pause, signal))) return false;
  }
  return false;
}

/** Resolves after `ms` milliseconds, or at once when `signal` aborts (clearing the timer). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
