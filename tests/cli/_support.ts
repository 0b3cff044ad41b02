/**
 * Shared helpers of the CLI tests: subprocess runners in the repository, one-line error
 * checks, small run settings and a feed of readings.
 */
import { assert, assertStrictEquals, assertStringIncludes } from "@std/assert";
import { runDeno } from "../_cli.ts";
import type { CliResult } from "../_cli.ts";

/** The repository's path. */
export const REPO: string = new URL("../../", import.meta.url).pathname;

/** Small, fast settings shared by the training runs. */
export const SMALL: string[] = [
  "--hidden",
  "8",
  "--streams",
  "4",
  "--k1",
  "5",
  "--k2",
  "9",
  "--sample-every",
  "0",
];
/** Even smaller settings, for runs that only need a checkpoint. */
export const TINY: string[] = [
  "--hidden",
  "4",
  "--streams",
  "2",
  "--k1",
  "2",
  "--k2",
  "3",
  "--sample-every",
  "0",
];
/** A small text to train on. */
export const TEXT: string = "the quick brown fox jumps over the lazy dog.\n".repeat(30);

/** Runs `deno <args>` in the repository with stdin closed (or fed `stdin`) and returns what it did. */
export const run = (args: readonly string[], stdin?: string): Promise<CliResult> =>
  runDeno(args, { cwd: REPO, stdin });

/** Runs `main.ts` with the permission `flags`. */
export const main = (flags: string[], args: string[], stdin?: string): Promise<CliResult> =>
  run(["run", "-q", "--no-prompt", ...flags, "main.ts", ...args], stdin);

/** Runs `live.ts` (the alias of `main.ts live`) with the permission `flags`. */
export const liveRun = (flags: string[], args: string[]): Promise<CliResult> =>
  run(["run", "-q", "--no-prompt", ...flags, "live.ts", ...args]);

/** One NDJSON reading of two motes. */
export const READING = (i: number): string =>
  JSON.stringify({
    mote_id: 1 + (i % 2),
    humidity: 40 + Math.sin(i / 5),
    temperature: 20 + Math.cos(i / 7),
    label: 0,
  });

/** The live report without its timing fields and checkpoint lines. */
export const liveReport = (r: CliResult): string[] =>
  r.stdout.split("\n").filter((l) => !/^(checkpoint|resumed) /.test(l)).map((l) =>
    l.replace(/ (rate|heap|seconds|lag)=\S+/g, "")
  );

/** Asserts the exit code and one line on stderr, `error: …` with `message`, without a stack trace. */
export function assertOneLineError(r: CliResult, code: number, message: string): void {
  assertStrictEquals(r.code, code, `exit code (stdout: ${r.stdout}, stderr: ${r.stderr})`);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assertStrictEquals(lines.length, 1, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  assert(lines[0].startsWith("error: "), lines[0]);
  assertStringIncludes(lines[0], message);
  assert(!/\bat .*:\d+:\d+/.test(r.stderr), "no stack trace");
}
