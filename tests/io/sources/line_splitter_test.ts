import { assert, assertEquals } from "@std/assert";
import { LineSplitter } from "../../../src/io/sources/_line_splitter.ts";
import { createFeedStats } from "../../../mod.ts";

const enc = new TextEncoder();

Deno.test("LineSplitter skips a 20 MB line in bounded memory and linear work, and goes on", () => {
  const stats = createFeedStats();
  const splitter = new LineSplitter(1 << 20, stats);
  const chunk = enc.encode("x".repeat(64 * 1024));
  const total = 20 * 1024 * 1024;
  let peak = 0;
  const lines: string[] = [];
  lines.push(...splitter.push(enc.encode("a,1\n")));
  for (let sent = 0; sent < total; sent += chunk.length) {
    lines.push(...splitter.push(chunk));
    peak = Math.max(peak, splitter.pending);
  }
  lines.push(
    ...splitter.push(enc.encode("\nb,2\nc,")),
    ...splitter.push(enc.encode("3")),
    ...splitter.flush(),
  );
  assertEquals(lines, ["a,1", "b,2", "c,3"]);
  assert(peak <= 1 << 20, `pending grew to ${peak}`);
  // linear: each input byte is scanned once (the work does not grow with the square of the line)
  const input = total + 4 + 8 + 1;
  assert(splitter.work <= input, `work ${splitter.work} for ${input} bytes`);
  assertEquals(splitter.oversized, 1);
  assertEquals(stats.skipped, 1);
  assertEquals(stats.invalid[0].reason, "oversized");
  assertEquals(stats.invalid[0].line, 2);
});

Deno.test("LineSplitter splits text and bytes the same whatever the chunking", () => {
  const text = "héllo,1\r\n€uro,2\n\nlast";
  const bytes = enc.encode(text);
  for (const size of [1, 2, 3, 7, bytes.length]) {
    const splitter = new LineSplitter();
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += size) lines.push(...splitter.push(bytes.subarray(i, i + size)));
    lines.push(...splitter.flush());
    assertEquals(lines, ["héllo,1", "€uro,2", "", "last"], `chunks of ${size}`);
  }
  const splitter = new LineSplitter(4);
  assertEquals([...splitter.push("abcd\nabcde\nab"), ...splitter.push("c\n")], ["abcd", "abc"]);
  assertEquals(splitter.oversized, 1);
});
