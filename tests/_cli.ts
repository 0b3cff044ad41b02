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

/** Starts the CLI, waits until its stdout contains `marker`, sends SIGINT, and returns what it did. */
export async function cliInterrupted(args: readonly string[], marker: string): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...CLI_FLAGS, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let stdout = "";
  const decoder = new TextDecoder();
  let sent = false;
  for await (const chunk of child.stdout) {
    stdout += decoder.decode(chunk, { stream: true });
    if (!sent && stdout.includes(marker)) {
      child.kill("SIGINT");
      sent = true;
    }
  }
  const { code } = await child.status;
  return { code, stdout, stderr: await stderr };
}
