/**
 * The `rxrnn` command line: dispatches to `train`, `sample`, `eval` and `live`, and turns
 * every error into one line on stderr (exit 2 for usage errors, 1 for the rest).
 *
 * @module
 */
import { UsageError } from "./_args.ts";
import { out } from "./_io.ts";
import { evalCommand } from "./eval.ts";
import { liveCommand } from "./live.ts";
import { sampleCommand } from "./sample.ts";
import { trainCommand } from "./train.ts";
import { workerCommand } from "./worker.ts";

/** The top-level help text. */
export const MAIN_HELP: string = `rxrnn: train vanilla RNNs with truncated BPTT over RxJS streams.

Usage: rxrnn <command> [options]

Commands:
  train     train a character model (default: ${"~"}8,400 names from npm, about a minute)
  sample    sample text from a checkpoint
  eval      bits per character of a checkpoint on a text
  live      learn online from a live feed of numeric readings, and flag anomalies
  worker    one of a pool of workers learning many feeds from NATS JetStream

Run 'rxrnn <command> --help' for the options of a command.
`;

/**
 * Runs the command line.
 *
 * @param args The arguments (without the program name).
 * @returns The exit code: 0 on success, 2 for a usage error, 1 for any other error.
 */
export function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  return runCommand(() => {
    switch (command) {
      case "train":
        return trainCommand(rest);
      case "sample":
        return sampleCommand(rest);
      case "eval":
        return evalCommand(rest);
      case "live":
        return liveCommand(rest);
      case "worker":
        return workerCommand(rest);
      case "-h":
      case "--help":
      case "help":
        out(MAIN_HELP);
        return Promise.resolve(0);
      case undefined:
        throw new UsageError("a command is required: train, sample, eval or live (see --help)");
      default:
        throw new UsageError(
          `unknown command '${command}': expected train, sample, eval or live (see --help)`,
        );
    }
  });
}

/**
 * Runs one command and turns its error into one line on stderr.
 *
 * @param command Runs the command, resolving to its exit code.
 * @returns The exit code: the command's, 2 for a usage error, 1 for any other error.
 */
export async function runCommand(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = message.replace(/\s*\n\s*/g, " ").trim();
    Deno.stderr.writeSync(new TextEncoder().encode(`error: ${line}\n`));
    return error instanceof UsageError ? 2 : 1;
  }
}
