import { assertEquals } from "@std/assert";

/** Runs tests/io/sources/_stdin_lines.ts with `chunks` on its standard input; returns its JSON answer. */
async function runChild(chunks: string[], args: string[] = []): Promise<Record<string, unknown>> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", new URL("./_stdin_lines.ts", import.meta.url).pathname, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  for (const chunk of chunks) await writer.write(new TextEncoder().encode(chunk));
  await writer.close();
  const { code, stdout } = await child.output();
  assertEquals(code, 0);
  return JSON.parse(new TextDecoder().decode(stdout));
}

Deno.test("fromStdin() reads the lines of standard input in a child process", async () => {
  assertEquals(await runChild(["a,b\r\n1,2\nx,3\n", "4,5"]), { values: [[1, 2], [4, 5]], skipped: 1 });
});

Deno.test("fromStdin() is single use: a second subscription errors with a TypeError instead of completing empty (RxJS: cold Observable resubscription, documented)", async () => {
  const answer = await runChild(["a,b\n1,2\n"], ["twice"]);
  assertEquals(answer.values, [[1, 2]]);
  assertEquals(
    answer.again,
    "TypeError: Cannot subscribe to fromReadable() again as its ReadableStream can be read once: a previous subscription read or cancelled it",
  );
});
