/**
 * Bits per character of a text read in chunks, in memory independent of its length:
 * the same steps as `bitsPerChar()` (one sequence per line, or the whole text as one
 * sequence with the state carried), fed one character at a time.
 *
 * @module
 */
import { createBackend } from "../kernels/create_backend.ts";
import { Matrix } from "../math/matrix.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import type { ParamSet } from "../cells/types.ts";
import type { Vocab } from "../io/text/vocab.ts";

/** What a streamed evaluation found. */
export interface StreamedBits {
  bits: number;
  chars: number;
  skipped: number;
}

/** Scores `chunks` (lines mode: each non-empty line between boundaries; text mode: one sequence). */
export async function streamBits(
  chunks: AsyncIterable<string>,
  model: { cell: RecurrentCell; params: ParamSet; vocab: Vocab; backend: string },
  options: { lines: boolean; skipUnknown: boolean },
): Promise<StreamedBits> {
  const { cell, params, vocab } = model;
  const runtime = cell.bind(createBackend(model.backend, "eval"));
  let cache = runtime.allocCache(params, 1), spare = runtime.allocCache(params, 1);
  const zero = new Matrix(cell.sizes(params).state, 1), x = new Int32Array(1), y = new Int32Array(1);
  let nats = 0, chars = 0, skipped = 0, t = 0;
  // the next token of the current sequence: the loss of predicting it, then a step on it
  const push = (token: number): void => {
    if (t > 0) {
      y[0] = token;
      nats += runtime.loss(spare, y);
      chars++;
    }
    x[0] = token;
    runtime.forward(params, x, t === 0 ? zero : cell.stateOf(spare), null, cache);
    [cache, spare] = [spare, cache];
    t++;
  };
  const { lines, skipUnknown } = options;
  let line = 1, column = 0, position = 0, pendingCr = false, nonEmpty = false;
  const char = (ch: string): void => {
    const token = vocab.indexOf(ch);
    column++;
    position++;
    nonEmpty = true;
    if (token < 0) {
      if (skipUnknown) return void skipped++;
      const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
      const at = lines ? `at line ${line}, column ${column}` : `at position ${position - 1}`;
      throw new Error(
        `character ${JSON.stringify(ch)} (U+${code}) ${at} (use --skip-unknown to leave such characters out)`,
      );
    }
    if (lines && t === 0) push(vocab.boundary);
    push(token);
  };
  const endLine = (): void => {
    // a line of unknown characters only is still scored, as [boundary, boundary]
    if (nonEmpty && t === 0) push(vocab.boundary);
    if (nonEmpty) push(vocab.boundary);
    t = 0;
    nonEmpty = false;
    line++;
    column = 0;
  };
  for await (const chunk of chunks) {
    for (const ch of chunk) {
      if (!lines) {
        char(ch);
        continue;
      }
      // CRLF line ends count as LF ones
      if (pendingCr) {
        pendingCr = false;
        if (ch !== "\n") char("\r");
      }
      if (ch === "\r") pendingCr = true;
      else if (ch === "\n") endLine();
      else char(ch);
    }
  }
  if (pendingCr) char("\r");
  if (lines) endLine();
  return { bits: chars === 0 ? NaN : nats / chars / Math.LN2, chars, skipped };
}
