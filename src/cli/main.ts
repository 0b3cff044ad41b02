/**
 * The `rxrnn` command line: dispatches to `train`, `sample`, `eval` and `live`, and turns
 * every error into one line on stderr (exit 2 for usage errors, 1 for the rest).
 *
 * @module
 */
import { UsageError } from "./_args.ts";
import { out } from "./_io.ts";
import { closest } from "./_suggest.ts";
import { DASHBOARD_HELP, dashboardCommand } from "./dashboard_command.ts";
import { EVAL_HELP, evalCommand } from "./eval.ts";
import { liveCommand } from "./live.ts";
import { LIVE_USAGE } from "./_live_args.ts";
import { SAMPLE_HELP, sampleCommand } from "./sample.ts";
import { TRAIN_HELP, trainCommand } from "./train.ts";
import denoJson from "../../deno.json" with { type: "json" };

/** The version, from deno.json. */
export const VERSION: string = denoJson.version;

const HELPS: Record<string, string> = {
  train: TRAIN_HELP,
  sample: SAMPLE_HELP,
  eval: EVAL_HELP,
  live: LIVE_USAGE,
  dashboard: DASHBOARD_HELP,
};
import { workerCommand } from "./worker.ts";

/** The top-level help text. */
export const MAIN_HELP: string = `rxrnn: train vanilla RNNs with truncated BPTT over RxJS streams.

Usage: rxrnn <command> [options]

Commands:
  train     train a character model (default: ${"~"}8,400 names from npm, about a minute)
  sample    sample text from a checkpoint
  eval      bits per character of a checkpoint on a text
  live      learn online from a live feed of numeric readings, and flag anomalies
  dashboard draw a metrics log (written by 'train --log FILE') in the browser
  worker    one of a pool of workers learning many feeds from NATS JetStream

Run 'rxrnn help <command>' or 'rxrnn <command> --help' for the options of a command,
'rxrnn --version' for the version.
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
      case "dashboard":
        return dashboardCommand(rest);
      case "-V":
      case "--version":
        out(`rxrnn ${VERSION}\n`);
        return Promise.resolve(0);
      case "worker":
        return workerCommand(rest);
      case "-h":
      case "--help":
      case "help":
        return Promise.resolve(help(rest));
      case undefined:
        throw new UsageError("a command is required: train, sample, eval or live (see --help)");
      default: {
        const near = closest(command, Object.keys(HELPS));
        throw new UsageError(
          `unknown command '${command}': ${
            near === undefined ? "" : `did you mean '${near}'? `
          }expected train, sample, eval, live or dashboard (see --help)`,
        );
      }
    }
  });
}

/** `help` prints the main help; `help <command>` that command's help. */
function help(rest: readonly string[]): number {
  const [topic] = rest;
  if (topic === undefined) {
    out(MAIN_HELP);
    return 0;
  }
  const text = HELPS[topic];
  if (text === undefined) {
    const near = closest(topic, Object.keys(HELPS));
    throw new UsageError(
      `help: unknown command '${topic}'${near === undefined ? "" : `: did you mean '${near}'?`} (see --help)`,
    );
  }
  out(text.endsWith("\n") ? text : `${text}\n`);
  return 0;
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
