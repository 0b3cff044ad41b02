import { assertEquals, assertThrows } from "@std/assert";
import { from, lastValueFrom, repeat, retry, share, Subject, take, toArray } from "rxjs";
import { createFeedStats, fromReadable, splitLines } from "../../../mod.ts";
import { fromCountedArray, fromGenerator, marbles, syncLoop } from "./_support.ts";

Deno.test("splitLines() splits chunks into lines across chunk borders and CRLF", async (t) => {
  await t.step(
    "text chunks, a line split over three chunks, CRLF and a final unterminated line",
    async () => {
      const out = await lastValueFrom(from(["a", "b\r", "\nc\n\nd\r\ne"]).pipe(splitLines(), toArray()));
      assertEquals(out, ["ab", "c", "", "d", "e"]);
    },
  );
  await t.step("a multi-byte character split between byte chunks", async () => {
    const bytes = new TextEncoder().encode("température=21°C\nok\n");
    const cut = 5; // inside the two-byte "é"
    const out = await lastValueFrom(
      from([bytes.subarray(0, cut), bytes.subarray(cut)]).pipe(splitLines(), toArray()),
    );
    assertEquals(out, ["température=21°C", "ok"]);
  });
  await t.step("marbles: empty, never, error, early unsubscribe", () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold("|").pipe(splitLines())).toBe("|");
      expectObservable(cold("-").pipe(splitLines())).toBe("-");
      expectObservable(cold("a-b|", { a: "x\ny", b: "z\n" }).pipe(splitLines())).toBe("x-y|", {
        x: "x",
        y: "yz",
      });
      expectObservable(cold("a-#", { a: "1\n2" }).pipe(splitLines())).toBe("a-#", { a: "1" });
      expectObservable(cold("a-b-c|", { a: "1\n", b: "2\n", c: "3\n" }).pipe(splitLines()), "^--!").toBe(
        "a-b",
        {
          a: "1",
          b: "2",
        },
      );
    });
  });
});

Deno.test("splitLines() stops pulling a synchronous endless source after take(3) (RxJS: should stop listening to a synchronous observable when unsubscribed)", async (t) => {
  await t.step("a synchronous loop source", () => {
    const { source, pulled } = syncLoop((i) => `${i}\n`);
    const seen: string[] = [];
    source.pipe(splitLines(), take(3)).subscribe((line) => seen.push(line));
    assertEquals([seen, pulled()], [["0", "1", "2"], 3]);
  });
  await t.step("from(generator)", () => {
    const { source, pulled } = fromGenerator((i) => `${i}\n`);
    const seen: string[] = [];
    source.pipe(splitLines(), take(3)).subscribe((line) => seen.push(line));
    assertEquals([seen, pulled()], [["0", "1", "2"], 3]);
  });
  await t.step("a 20,000-item array is not pulled to the end", () => {
    const { source, pulled } = fromCountedArray(20_000, (i) => `${i}\n`);
    source.pipe(splitLines(), take(3)).subscribe();
    assertEquals(pulled(), 3);
  });
  await t.step("take(3) in the middle of a chunk of many lines reads no further chunk", () => {
    const { source, pulled } = syncLoop((i) => `${i}a\n${i}b\n${i}c\n${i}d\n`);
    const seen: string[] = [];
    source.pipe(splitLines(), take(3)).subscribe((line) => seen.push(line));
    assertEquals([seen, pulled()], [["0a", "0b", "0c"], 1]);
  });
});

Deno.test("splitLines() releases the source at once on its error and discards the partial line (RxJS: should raise error if source raises error, '^ !')", () => {
  marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
    const src = cold("a-b-#", { a: "1\n2", b: "3\n4" });
    expectObservable(src.pipe(splitLines())).toBe("a-b-#", { a: "1", b: "23" });
    expectSubscriptions(src.subscriptions).toBe("^---!");
  });
});

Deno.test("splitLines() releases the source when unsubscribed early (RxJS: should allow unsubscribing explicitly and early)", () => {
  marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
    const src = cold("a-b-c-|", { a: "1\n", b: "2\n", c: "3\n" });
    expectObservable(src.pipe(splitLines()), "^--!").toBe("a-b", { a: "1", b: "2" });
    expectSubscriptions(src.subscriptions).toBe("^--!");
  });
});

Deno.test("splitLines() keeps its partial line per subscription under retry, repeat and share (RxJS: should work with retry, repeat and share)", async (t) => {
  await t.step("repeat(2): the unterminated last line is flushed by each subscription", async () => {
    const out = await lastValueFrom(from(["a\nb", "c"]).pipe(splitLines(), repeat(2), toArray()));
    assertEquals(out, ["a", "bc", "a", "bc"]);
  });
  await t.step("retry(1): the partial line at the error is not carried into the next subscription", () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a#", { a: "x\ny" });
      expectObservable(src.pipe(splitLines(), retry(1))).toBe("xx#", { x: "x" });
      expectSubscriptions(src.subscriptions).toBe(["^!", "-^!"]);
    });
  });
  await t.step("share(): two subscribers see the same lines from one subscription", () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-b|", { a: "1\n2", b: "\n" });
      const shared = src.pipe(splitLines(), share());
      expectObservable(shared).toBe("a-b|", { a: "1", b: "2" });
      expectObservable(shared).toBe("a-b|", { a: "1", b: "2" });
      expectSubscriptions(src.subscriptions).toBe("^--!");
    });
  });
});

Deno.test("splitLines() handles a re-entrant Subject feedback loop (RxJS: should handle reentrant subscribers)", () => {
  const subject = new Subject<string>();
  const seen: string[] = [];
  subject.pipe(splitLines()).subscribe((line) => {
    seen.push(line);
    const n = Number(line);
    if (n < 5) subject.next(`${n + 1}\n`); // pushes back into the Subject it reads from
  });
  subject.next("1\n");
  subject.complete();
  assertEquals(seen, ["1", "2", "3", "4", "5"]);
});

Deno.test("splitLines() never modifies its chunks (RxJS: should not mutate its input)", async () => {
  const bytes = new TextEncoder().encode("a\r\nb\nc");
  const before = Array.from(bytes);
  const chunks = Object.freeze([bytes.subarray(0, 2), bytes.subarray(2)]);
  const out = await lastValueFrom(from(chunks).pipe(splitLines(), toArray()));
  assertEquals(out, ["a", "b", "c"]);
  assertEquals(Array.from(bytes), before);
});

Deno.test("splitLines() and fromReadable() skip a line longer than maxLineBytes, count it and go on", async () => {
  const stats = createFeedStats();
  const chunks = ["a,1\n", "x".repeat(30), "y".repeat(30), "\nb,2\n"];
  const lines = await lastValueFrom(from(chunks).pipe(splitLines({ maxLineBytes: 50, stats }), toArray()));
  assertEquals(lines, ["a,1", "b,2"]);
  assertEquals([stats.skipped, stats.invalid[0].reason, stats.invalid[0].line], [1, "oversized", 2]);
  const readStats = createFeedStats();
  const read = await lastValueFrom(
    fromReadable(ReadableStream.from(chunks), { maxLineBytes: 50, stats: readStats }).pipe(toArray()),
  );
  assertEquals(read, ["a,1", "b,2"]);
  assertEquals(readStats.skipped, 1);
  assertThrows(() => splitLines({ maxLineBytes: 0 }), RangeError, "'maxLineBytes' must be an integer >= 1");
});
