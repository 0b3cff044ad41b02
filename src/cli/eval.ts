/**
 * `rxrnn eval`: bits per character of a checkpoint on a text.
 *
 * @module
 */
import { backendOption, choiceOption, parseOptions, stringOption, UsageError } from "./_args.ts";
import { loadCharModel } from "./_model.ts";
import type { OptionSpec } from "./_args.ts";
import { out } from "./_io.ts";
import { LAST_POINTER, resolveCheckpoint } from "./_last_model.ts";
import { textChunks } from "./_train_data.ts";
import { streamBits } from "./_eval_stream.ts";

const COMMAND = "eval";

const SPEC: OptionSpec = {
  checkpoint: { type: "string" },
  text: { type: "string" },
  mode: { type: "string" },
  "skip-unknown": { type: "boolean" },
  lossy: { type: "boolean" },
  backend: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** The help text of `eval`. */
export const EVAL_HELP: string =
  `Bits per character of a checkpoint on a text: the mean of -log2 p(next character).

Usage: rxrnn eval --text FILE [options]

  --text FILE          the text to score ('-' reads stdin)
  --checkpoint FILE    the model (default: the one 'train' wrote last, kept in ${LAST_POINTER},
                       else out/names.ckpt), then named on stderr
  --mode MODE          lines: each line is a sequence of its own, between boundaries (a
                       name per line); text: the whole text is one sequence, the hidden
                       state carried throughout (default: lines for a names model, else text)
  --skip-unknown       leave out characters the model does not know (default: an error)
  --lossy              accept invalid UTF-8 (as U+FFFD) instead of refusing it
  --backend NAME       the kernel backend (default: the checkpoint's; js is always there)
  -q, --quiet          do not name the model read on stderr
  --json               print one JSON object: {"checkpoint", "bitsPerChar", "chars", "mode", "skipped"}
  -h, --help           show this help

Example:
  printf 'emma\\nolivia\\n' | deno run --allow-read=out main.ts eval --text -
`;

/**
 * Runs `eval` with the given arguments.
 *
 * @param args The arguments after `eval`.
 * @returns The exit code.
 */
export async function evalCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions("eval", args, SPEC);
  if (values.help) {
    out(EVAL_HELP);
    return 0;
  }
  const textPath = stringOption(values, "text");
  if (textPath === undefined) throw new UsageError("eval: --text FILE is required (see 'eval --help')");
  const mode = choiceOption(values, "mode", ["lines", "text"] as const);
  const backend = backendOption(values, "eval");
  if (values.quiet && values.json) throw new UsageError(`${COMMAND}: give --quiet or --json, not both`);
  const { path, from } = await resolveCheckpoint(stringOption(values, "checkpoint"));
  const { cell, params, vocab, config, backend: run } = await loadCharModel(path, backend);
  // named on stderr when not named by --checkpoint (stdout is the sample or the figure)
  if (from !== "flag" && !values.quiet && !values.json) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(`model: ${path}${from === "last" ? " (the last trained)" : ""}\n`),
    );
  }
  const lines = mode ?? (config.data === "names" ? "lines" : "text");
  // the text is read and scored chunk by chunk: memory does not grow with its length
  const { bits, chars, skipped } = await streamBits(
    textChunks(textPath, values.lossy === true),
    { cell, params, vocab, backend: run },
    { lines: lines === "lines", skipUnknown: values["skip-unknown"] === true },
  );
  if (chars === 0) throw new Error(`the text '${textPath}' has nothing to score`);
  const note = values["skip-unknown"] === true && skipped > 0
    ? `, ${skipped.toLocaleString("en-US")} unknown skipped`
    : "";
  if (values.json) {
    out(
      `${
        JSON.stringify({ event: "eval", checkpoint: path, bitsPerChar: bits, chars, mode: lines, skipped })
      }\n`,
    );
    return 0;
  }
  out(`${bits.toFixed(4)} bits/char on ${chars.toLocaleString("en-US")} characters (${lines} mode${note})\n`);
  return 0;
}
