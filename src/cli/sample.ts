/**
 * `rxrnn sample`: text from a checkpoint, streamed to stdout as it is drawn.
 *
 * @module
 */
import { sampleTokens } from "../stream/sample_tokens.ts";
import { backendOption, numberOption, parseOptions, stringOption, UsageError } from "./_args.ts";
import { loadCharModel } from "./_model.ts";
import type { OptionSpec } from "./_args.ts";
import { out } from "./_io.ts";
import { LAST_POINTER, resolveCheckpoint } from "./_last_model.ts";

const COMMAND = "sample";

const SPEC: OptionSpec = {
  checkpoint: { type: "string" },
  length: { type: "string" },
  temperature: { type: "string" },
  argmax: { type: "boolean" },
  prime: { type: "string" },
  seed: { type: "string" },
  backend: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** The help text of `sample`. */
export const SAMPLE_HELP: string = `Sample text from a checkpoint, one character at a time.

Usage: rxrnn sample [options]

  --checkpoint FILE    the model (default: the one 'train' wrote last, kept in ${LAST_POINTER},
                       else out/names.ckpt), then named on stderr
  --length N           characters to draw after the priming text (default 200)
  --temperature X      softmax temperature > 0: lower is safer, higher is wilder (default 1)
  --argmax             always take the most likely character (no randomness)
  --prime TEXT         text fed to the model first, and printed (default: none; the model
                       starts after a boundary, i.e. at the start of a name)
  --seed N             seed of the draws (default 0)
  --backend NAME       the kernel backend (default: the checkpoint's; js is always there)
  -q, --quiet          do not name the model read on stderr
  --json               print one JSON object at the end: {"checkpoint", "text"}
  -h, --help           show this help

The output starts with the priming text; for the names model, each line is a name.

Example:
  deno run --allow-read=out main.ts sample --length 300 --temperature 0.8 --prime "ma"
`;

/**
 * Runs `sample` with the given arguments.
 *
 * @param args The arguments after `sample`.
 * @returns The exit code.
 */
export async function sampleCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions("sample", args, SPEC);
  if (values.help) {
    out(SAMPLE_HELP);
    return 0;
  }
  const length = numberOption(values, "length", { integer: true, min: 0 }) ?? 200;
  const temperature = numberOption(values, "temperature", { above: 0 }) ?? 1;
  const seed = numberOption(values, "seed", { integer: true }) ?? 0;
  const prime = stringOption(values, "prime") ?? "";
  const backend = backendOption(values, "sample");
  if (values.quiet && values.json) throw new UsageError(`${COMMAND}: give --quiet or --json, not both`);
  const { path, from } = await resolveCheckpoint(stringOption(values, "checkpoint"));
  const { cell, params, vocab, config, backend: run } = await loadCharModel(path, backend);
  // named on stderr when not named by --checkpoint (stdout is the sample or the figure)
  if (from !== "flag" && !values.quiet && !values.json) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(`model: ${path}${from === "last" ? " (the last trained)" : ""}\n`),
    );
  }
  const unknown = [...prime].find((ch) => vocab.indexOf(ch) < 0);
  if (unknown !== undefined) {
    throw new UsageError(
      `--prime has ${JSON.stringify(unknown)}, which is not in the checkpoint's vocabulary`,
    );
  }
  const json = values.json === true;
  let text = prime;
  if (!json) out(prime);
  let last = prime.length > 0 ? prime.at(-1) : "\n";
  sampleTokens(params, {
    cell,
    backend: run,
    length,
    temperature,
    argmax: values.argmax === true,
    prime: [vocab.boundary, ...vocab.encode(prime)],
    seed,
    // a names model starts every name from a zero state, as in training
    resetToken: config.data === "names" ? vocab.boundary : undefined,
  }).subscribe((token) => {
    last = vocab.chars[token];
    if (json) text += last;
    else out(last);
  });
  if (json) out(`${JSON.stringify({ event: "sample", checkpoint: path, text })}\n`);
  else if (last !== "\n") out("\n");
  return 0;
}
