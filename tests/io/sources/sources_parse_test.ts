import { assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { from, lastValueFrom, toArray } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { createFeedStats, InvalidLineError, parseCsv, parseNdjson, splitLines } from "../../../mod.ts";
import type { FeedRecord } from "../../../mod.ts";

// Errors compare by class and message (their stacks differ).
const plain = (frames: unknown): unknown =>
  JSON.parse(JSON.stringify(frames, (_k, v) => v instanceof Error ? `${v.name}: ${v.message}` : v));
const marbles = () => new TestScheduler((actual, expected) => assertEquals(plain(actual), plain(expected)));
const rec = (line: number, values: number[], fields: string[]): FeedRecord => ({ line, values, fields });
const run = <T>(
  lines: string[],
  op: (s: ReturnType<typeof from<string[]>>) => import("rxjs").Observable<T>,
) => lastValueFrom(op(from(lines)).pipe(toArray()));

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

Deno.test("parseNdjson() turns NDJSON lines into numeric records and skips invalid ones", async (t) => {
  await t.step("objects with explicit fields, numeric strings accepted", async () => {
    const out = await run(
      ['{"t":1,"h":"2.5","x":"a"}', '{"h":4,"t":3}'],
      (s) => s.pipe(parseNdjson({ fields: ["t", "h"] })),
    );
    assertEquals(out, [rec(1, [1, 2.5], ["t", "h"]), rec(2, [3, 4], ["t", "h"])]);
  });
  await t.step("fields inferred from the numeric fields of the first object; arrays by length", async () => {
    const a = await run(['{"id":"m1","t":1,"h":2}', '{"t":3,"h":4}'], (s) => s.pipe(parseNdjson()));
    assertEquals(a, [rec(1, [1, 2], ["t", "h"]), rec(2, [3, 4], ["t", "h"])]);
    const b = await run(["[1,2,3]", "[4,5]", "[6,7,8]"], (s) => s.pipe(parseNdjson()));
    assertEquals(b.map((r) => r.values), [[1, 2, 3], [6, 7, 8]]);
  });
  await t.step("every kind of fault is counted, kept (up to keepInvalid) and skipped", async () => {
    const stats = createFeedStats();
    const seen: number[] = [];
    const lines = [
      '{"a":1,"b":2}',
      "{not json",
      '{"a":1}',
      '{"a":"x","b":2}',
      '{"a":null,"b":2}',
      '{"a":"NaN","b":2}',
      '{"a":1e999,"b":2}',
      "42",
      "",
      "[1,2,3]",
      '{"a":5,"b":6}',
    ];
    const out = await run(
      lines,
      (s) =>
        s.pipe(
          parseNdjson({ fields: ["a", "b"], stats, keepInvalid: 3, onInvalid: (i) => seen.push(i.line) }),
        ),
    );
    assertEquals(out, [rec(1, [1, 2], ["a", "b"]), rec(11, [5, 6], ["a", "b"])]);
    assertEquals(seen, [2, 3, 4, 5, 6, 7, 8, 10]);
    assertEquals({ lines: stats.lines, parsed: stats.parsed, skipped: stats.skipped }, {
      lines: 11,
      parsed: 2,
      skipped: 8,
    });
    assertEquals(stats.invalid.map((i) => i.reason), [
      "malformed JSON",
      "missing field 'b'",
      "field 'a' is not a number: x",
    ]);
  });
  await t.step("the reasons for null, NaN, infinity, a scalar and a wrong array length", async () => {
    const reasons: string[] = [];
    await run(
      ['{"a":null,"b":2}', '{"a":"nan","b":2}', '{"a":1e999,"b":2}', '"hi"', "[1]"],
      (s) => s.pipe(parseNdjson({ fields: ["a", "b"], onInvalid: (i) => reasons.push(i.reason) })),
    );
    assertEquals(reasons, [
      "field 'a' is null (NaN?)",
      "field 'a' is NaN",
      "field 'a' is not finite: Infinity",
      "expected a JSON object or array",
      "expected 2 fields, got 1",
    ]);
  });
  await t.step("strict mode errors with InvalidLineError on the first invalid line", () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold("a-b-c|", { a: '{"v":1}', b: '{"v":"x"}', c: '{"v":3}' });
      expectObservable(src.pipe(parseNdjson({ strict: true }))).toBe(
        "a-#",
        { a: rec(1, [1], ["v"]) },
        new InvalidLineError({ line: 2, text: '{"v":"x"}', reason: "field 'v' is not a number: x" }),
      );
    });
  });
  await t.step("marbles: empty, never, error, early unsubscribe, onInvalid throws", () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold("|").pipe(parseNdjson())).toBe("|");
      expectObservable(cold("-").pipe(parseNdjson())).toBe("-");
      expectObservable(cold("a-#", { a: "[1]" }).pipe(parseNdjson())).toBe("a-#", { a: rec(1, [1], ["0"]) });
      expectObservable(cold("a-a-a|", { a: "[1]" }).pipe(parseNdjson()), "^-!").toBe("a-", {
        a: rec(1, [1], ["0"]),
      });
      const boom = new Error("boom");
      expectObservable(
        cold("a-b-a|", { a: "[1]", b: "x" }).pipe(parseNdjson({
          onInvalid: () => {
            throw boom;
          },
        })),
      ).toBe("a-#", { a: rec(1, [1], ["0"]) }, boom);
    });
  });
  await t.step("two subscriptions do not share state", async () => {
    const op = parseNdjson();
    const a = await run(["[1,2]"], (s) => s.pipe(op));
    const b = await run(["[1,2,3]"], (s) => s.pipe(op));
    assertEquals([a.length, b.length, b[0].fields.length], [1, 1, 3]);
  });
  await t.step("invalid options throw when the operator is created", () => {
    assertThrows(() => parseNdjson({ fields: [] }), RangeError, "'fields' must be a non-empty array");
    assertThrows(() => parseNdjson({ keepInvalid: -1 }), RangeError, "'keepInvalid' must be an integer >= 0");
  });
});

Deno.test("parseCsv() turns CSV lines into numeric records and skips invalid ones", async (t) => {
  await t.step("a header with selected columns, quotes, spaces and CRLF-free lines", async () => {
    const out = await run(
      ['id, "t", h', '1, "21.5", 40', "2,22,41"],
      (s) => s.pipe(parseCsv({ header: true, columns: ["h", "t"] })),
    );
    assertEquals(out, [rec(2, [40, 21.5], ["h", "t"]), rec(3, [41, 22], ["h", "t"])]);
  });
  await t.step("no header: names from columns, or positions from the first line", async () => {
    const a = await run(["1;2", "3;4"], (s) => s.pipe(parseCsv({ columns: ["x", "y"], delimiter: ";" })));
    assertEquals(a, [rec(1, [1, 2], ["x", "y"]), rec(2, [3, 4], ["x", "y"])]);
    const b = await run(["", "1,2,3", "4,5,6"], (s) => s.pipe(parseCsv()));
    assertEquals(b, [rec(2, [1, 2, 3], ["0", "1", "2"]), rec(3, [4, 5, 6], ["0", "1", "2"])]);
  });
  await t.step(
    "wrong field counts, non-numeric, empty, NaN and infinite values are counted and skipped",
    async () => {
      const stats = createFeedStats();
      const lines = ["a,b", "1,2", "1", "1,2,3", "x,2", ",2", "NaN,2", "1,Infinity", "0x10,2", "3,4"];
      const out = await run(lines, (s) => s.pipe(parseCsv({ header: true, stats, keepInvalid: 10 })));
      assertEquals(out, [rec(2, [1, 2], ["a", "b"]), rec(10, [3, 4], ["a", "b"])]);
      assertEquals([stats.lines, stats.parsed, stats.skipped], [10, 2, 7]);
      assertEquals(stats.invalid.map((i) => `${i.line}: ${i.reason}`), [
        "3: expected 2 fields, got 1",
        "4: expected 2 fields, got 3",
        "5: field 'a' is not a number: x",
        "6: field 'a' is not a number: (empty)",
        "7: field 'a' is NaN",
        "8: field 'b' is not finite: Infinity",
        "9: field 'a' is not a number: 0x10",
      ]);
    },
  );
  await t.step("a header without a requested column errors the stream", async () => {
    const err = await lastValueFrom(from(["a,b", "1,2"]).pipe(parseCsv({ header: true, columns: ["c"] })))
      .catch((
        e,
      ) => e);
    assertStrictEquals(err instanceof RangeError, true);
    assertEquals(err.message, "parseCsv() header has no column 'c': the columns are a, b");
  });
  await t.step(
    "strict mode and marbles: empty, never, one, error, early unsubscribe, onInvalid throws",
    () => {
      marbles().run(({ cold, expectObservable }) => {
        expectObservable(cold("|").pipe(parseCsv())).toBe("|");
        expectObservable(cold("-").pipe(parseCsv())).toBe("-");
        expectObservable(cold("a|", { a: "1,2" }).pipe(parseCsv())).toBe("a|", {
          a: rec(1, [1, 2], ["0", "1"]),
        });
        expectObservable(cold("a#", { a: "1" }).pipe(parseCsv())).toBe("a#", { a: rec(1, [1], ["0"]) });
        expectObservable(cold("a-a-a|", { a: "1" }).pipe(parseCsv()), "^-!").toBe("a-", {
          a: rec(1, [1], ["0"]),
        });
        expectObservable(cold("a-b-a|", { a: "1", b: "1,2" }).pipe(parseCsv({ strict: true }))).toBe(
          "a-#",
          { a: rec(1, [1], ["0"]) },
          new InvalidLineError({ line: 2, text: "1,2", reason: "expected 1 fields, got 2" }),
        );
        const boom = new TypeError("boom");
        expectObservable(
          cold("a-b-a|", { a: "1", b: "z" }).pipe(parseCsv({
            onInvalid: () => {
              throw boom;
            },
          })),
        ).toBe("a-#", { a: rec(1, [1], ["0"]) }, boom);
      });
    },
  );
  await t.step("invalid options throw when the operator is created", () => {
    assertThrows(() => parseCsv({ delimiter: ",," }), RangeError, "'delimiter' must be one character");
    assertThrows(() => parseCsv({ columns: [] }), RangeError, "'columns' must be a non-empty array");
    assertThrows(() => parseCsv({ onInvalid: 3 as never }), TypeError, "'onInvalid' must be a function");
  });
});
