/** Runs `main.ts` in a real subprocess with narrow permissions (read ".", write ".tmp"). */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The permission flags the CLI subprocesses run with. */
export const CLI_FLAGS: readonly string[] = [
  "run",
  "-q",
  "--no-prompt",
  "--allow-read=.",
  "--allow-write=.tmp",
  "main.ts",
];

/** Runs the CLI with `args` (and `stdin` text) to completion. */
export function cli(args: readonly string[], stdin?: string): Promise<CliResult> {
  return runDeno([...CLI_FLAGS, ...args], { stdin });
}

/** Runs `deno <args>` (in `cwd`, with stdin closed or fed `stdin`) to completion. */
export async function runDeno(
  args: readonly string[],
  options: { cwd?: string; stdin?: string } = {},
): Promise<CliResult> {
  const { cwd, stdin } = options;
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args],
    cwd,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  return { code, stdout: new TextDecoder().decode(stdout), stderr: new TextDecoder().decode(stderr) };
}

/** The repository's root, where the CLI subprocesses run. */
const ROOT = new URL("../", import.meta.url).pathname;

/** What {@linkcode cliSignalled} saw: the whole run, and its stdout split where the signal was sent. */
export interface SignalledResult extends CliResult {
  /** Stdout up to the moment the signal was sent ("" if it never was). */
  before: string;
  /** Stdout after it. */
  after: string;
}

/**
 * Starts the CLI with `args` in the repository, sends `signal` once its stdout matches `marker`,
 * and returns what it did.
 */
export async function cliSignalled(
  args: readonly string[],
  marker: RegExp,
  signal: Deno.Signal = "SIGINT",
): Promise<SignalledResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...CLI_FLAGS, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let stdout = "", before = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    stdout += chunk;
    if (before === "" && marker.test(stdout)) {
      before = stdout;
      child.kill(signal);
    }
  }
  const { code } = await child.status;
  return { code, stdout, stderr: await stderr, before, after: stdout.slice(before.length) };
}
