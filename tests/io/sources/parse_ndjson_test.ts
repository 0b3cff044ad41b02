import { assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { from, lastValueFrom, repeat, retry, Subject, toArray } from "rxjs";
import type { Observable } from "rxjs";
import { createFeedStats, InvalidLineError, parseNdjson } from "../../../mod.ts";
import { marbles } from "./_support.ts";
import * as contract from "./_line_parser_checks.ts";

const rec = contract.rec;
const PARSER: contract.LineParser = {
  parse: parseNdjson,
  valid: (i) => `{"v":${i}}`,
  validValues: (i) => [i],
  single: (v) => `[${v}]`,
  invalid: "{oops",
  xReason: "malformed JSON",
};
const run = <T>(lines: string[], op: (s: Observable<string>) => Observable<T>) =>
  lastValueFrom(op(from(lines)).pipe(toArray()));

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
      expectObservable(cold("a-#", { a: "[1]" }).pipe(parseNdjson())).toBe("a-#", {
        a: rec(1, [1], ["0"]),
      });
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

Deno.test("parseNdjson() stops pulling a synchronous endless source after take(3) (RxJS: should stop listening to a synchronous observable when unsubscribed)", (t) =>
  contract.stopsAfterTake3(t, PARSER));

Deno.test("parseNdjson() releases a synchronous source at once when it errors, changing no state after (RxJS: should raise error and unsubscribe from source)", (t) =>
  contract.releasesOnError(t, PARSER));

Deno.test("parseNdjson() releases the source when unsubscribed early (RxJS: should allow unsubscribing explicitly and early)", () =>
  contract.releasesEarly(PARSER));

Deno.test("parseNdjson() keeps line numbers and inferred fields per subscription under retry, repeat and share (RxJS: should work with retry, repeat and share)", async (t) => {
  await t.step("repeat(2) numbers lines afresh and infers the fields again", async () => {
    const out = await run(["[1]", "[2,3]"], (s) => s.pipe(parseNdjson(), repeat(2)));
    assertEquals(out, [rec(1, [1], ["0"]), rec(1, [1], ["0"])]);
  });
  await t.step("retry(1) resubscribes with fresh state", () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("ab#", { a: '{"x":1}', b: '{"x":2}' });
      expectObservable(src.pipe(parseNdjson(), retry(1))).toBe("abab#", {
        a: rec(1, [1], ["x"]),
        b: rec(2, [2], ["x"]),
      });
      expectSubscriptions(src.subscriptions).toBe(["^-!", "--^-!"]);
    });
  });
  await t.step(
    "share(): one subscription to the source, the same records for both subscribers",
    () => contract.sharesOneSubscription(PARSER),
  );
});

Deno.test("parseNdjson() handles a re-entrant Subject feedback loop (RxJS: should handle reentrant subscribers)", () => {
  const subject = new Subject<string>();
  const seen: [number, number][] = [];
  subject.pipe(parseNdjson()).subscribe((r) => {
    seen.push([r.line, r.values[0]]);
    if (r.values[0] < 4) subject.next(`[${r.values[0] + 1}]`); // pushes back into the Subject it reads
  });
  subject.next("[1]");
  assertEquals(seen, [[1, 1], [2, 2], [3, 3], [4, 4]]);
});

Deno.test("parseNdjson() never modifies its lines or options (RxJS: should not mutate its input)", async () => {
  const fields = Object.freeze(["t", "h"]);
  const options = Object.freeze({ fields, keepInvalid: 2 });
  const lines = Object.freeze(['{"t":1,"h":2}', "{oops", '{"h":4,"t":3}']);
  const out = await run([...lines], (s) => s.pipe(parseNdjson(options)));
  assertEquals(out.map((r) => r.values), [[1, 2], [3, 4]]);
  assertEquals(options, { fields: ["t", "h"], keepInvalid: 2 });
  assertEquals(lines, ['{"t":1,"h":2}', "{oops", '{"h":4,"t":3}']);
  assertStrictEquals(out[0].fields === fields, false);
});

Deno.test("parseNdjson() skips values beyond maxMagnitude (default 1e12), counting them", async () => {
  const stats = createFeedStats();
  const lines = ['{"v":1}', '{"v":1e300}', '{"v":"-2e12"}', '{"v":1e12}'];
  const out = await lastValueFrom(from(lines).pipe(parseNdjson({ fields: ["v"], stats }), toArray()));
  assertEquals(out.map((r) => r.values[0]), [1, 1e12]);
  assertEquals(stats.skipped, 2);
  assertEquals(stats.invalid[0].reason, "field 'v' is beyond maxMagnitude 1000000000000: 1e+300");
  const small = await lastValueFrom(
    from(lines).pipe(parseNdjson({ fields: ["v"], maxMagnitude: 10 }), toArray()),
  );
  assertEquals(small.length, 1);
  assertThrows(
    () => parseNdjson({ maxMagnitude: 0 }),
    RangeError,
    "'maxMagnitude' must be a finite number > 0",
  );
});
