import { assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { from, lastValueFrom, repeat, retry, Subject, toArray } from "rxjs";
import type { Observable } from "rxjs";
import { createFeedStats, InvalidLineError, parseCsv } from "../../../mod.ts";
import { marbles, syncLoop } from "./_support.ts";
import * as contract from "./_line_parser_checks.ts";

const rec = contract.rec;
const PARSER: contract.LineParser = {
  parse: parseCsv,
  valid: (i) => `${i},${2 * i}`,
  validValues: (i) => [i, 2 * i],
  single: (v) => `${v}`,
  invalid: "x,1",
  xReason: "field '0' is not a number: x",
};
const run = <T>(lines: string[], op: (s: Observable<string>) => Observable<T>) =>
  lastValueFrom(op(from(lines)).pipe(toArray()));

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
    assertEquals(b, [
      rec(2, [1, 2, 3], ["0", "1", "2"]),
      rec(3, [4, 5, 6], ["0", "1", "2"]),
    ]);
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
        expectObservable(cold("a#", { a: "1" }).pipe(parseCsv())).toBe("a#", {
          a: rec(1, [1], ["0"]),
        });
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

Deno.test("parseCsv() stops pulling a synchronous endless source after take(3) (RxJS: should stop listening to a synchronous observable when unsubscribed)", (t) =>
  contract.stopsAfterTake3(t, PARSER));

Deno.test("parseCsv() releases a synchronous source at once when it errors, changing no state after (RxJS: should raise error and unsubscribe from source)", async (t) => {
  await contract.releasesOnError(t, PARSER);
  await t.step("a header without a requested column stops the source at the header", () => {
    const { source, pulled } = syncLoop((i) => i === 0 ? "a,b" : "1,2");
    let error: unknown;
    source.pipe(parseCsv({ header: true, columns: ["c"] })).subscribe({ error: (e) => error = e });
    assertStrictEquals(error instanceof RangeError, true);
    assertEquals(pulled(), 1);
  });
});

Deno.test("parseCsv() releases the source when unsubscribed early (RxJS: should allow unsubscribing explicitly and early)", () =>
  contract.releasesEarly(PARSER));

Deno.test("parseCsv() keeps its header and line numbers per subscription under retry, repeat and share (RxJS: should work with retry, repeat and share)", async (t) => {
  await t.step("repeat(2) reads the header again", async () => {
    const out = await run(["a,b", "1,2"], (s) => s.pipe(parseCsv({ header: true }), repeat(2)));
    assertEquals(out, [rec(2, [1, 2], ["a", "b"]), rec(2, [1, 2], ["a", "b"])]);
  });
  await t.step("retry(1) resubscribes with fresh state", () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("ab#", { a: "x", b: "3" });
      expectObservable(src.pipe(parseCsv({ header: true }), retry(1))).toBe("-b-b#", {
        b: rec(2, [3], ["x"]),
      });
      expectSubscriptions(src.subscriptions).toBe(["^-!", "--^-!"]);
    });
  });
  await t.step(
    "share(): one subscription to the source for two subscribers",
    () => contract.sharesOneSubscription(PARSER),
  );
});

Deno.test("parseCsv() handles a re-entrant Subject feedback loop (RxJS: should handle reentrant subscribers)", () => {
  const subject = new Subject<string>();
  const seen: [number, number][] = [];
  subject.pipe(parseCsv({ header: true })).subscribe((r) => {
    seen.push([r.line, r.values[0]]);
    if (r.values[0] < 4) subject.next(`${r.values[0] + 1}`); // pushes back into the Subject it reads
  });
  subject.next("n");
  subject.next("1");
  assertEquals(seen, [[2, 1], [3, 2], [4, 3], [5, 4]]);
});

Deno.test("parseCsv() never modifies its lines or options (RxJS: should not mutate its input)", async () => {
  const columns = Object.freeze(["h", "t"]);
  const options = Object.freeze({ header: true, columns, delimiter: ";" });
  const lines = Object.freeze(["t;h", "1;2", "oops", "3;4"]);
  const out = await run([...lines], (s) => s.pipe(parseCsv(options)));
  assertEquals(out.map((r) => r.values), [[2, 1], [4, 3]]);
  assertEquals(options, { header: true, columns: ["h", "t"], delimiter: ";" });
  assertEquals(lines, ["t;h", "1;2", "oops", "3;4"]);
  assertStrictEquals(out[0].fields === columns, false);
});

Deno.test("parseCsv() skips values beyond maxMagnitude (default 1e12), counting them", async () => {
  const stats = createFeedStats();
  const out = await lastValueFrom(
    from(["1,2", "1e300,3", "4,-1e13", "5,6"]).pipe(parseCsv({ stats }), toArray()),
  );
  assertEquals(out.map((r) => r.values), [[1, 2], [5, 6]]);
  assertEquals(stats.skipped, 2);
  assertEquals(stats.invalid[1].reason, "field '1' is beyond maxMagnitude 1000000000000: -10000000000000");
});
