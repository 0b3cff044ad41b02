/** Creates a symlink in a subprocess: Deno.symlink() needs unscoped read/write, which the test task does not grant. */
export async function symlink(target: string, link: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "-q", `Deno.symlinkSync(${JSON.stringify(target)}, ${JSON.stringify(link)})`],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`cannot create the symlink ${link}: ${new TextDecoder().decode(stderr)}`);
}
