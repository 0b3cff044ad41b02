/**
 * The RxJS contract checks that parseCsv() and parseNdjson() pass in the same way (take(3) on
 * endless synchronous sources, errors that release the source at once, early unsubscribe, share),
 * shared by parse_csv_test.ts and parse_ndjson_test.ts.
 */
import { assertEquals, assertStrictEquals } from "@std/assert";
import { share, take } from "rxjs";
import type { OperatorFunction } from "rxjs";
import { createFeedStats, InvalidLineError } from "../../../mod.ts";
import type { FeedRecord } from "../../../mod.ts";
import type { ParseOptions } from "../../../src/io/sources/feed_stats.ts";
import { fromCountedArray, fromGenerator, marbles, syncLoop } from "./_support.ts";

/** A record as the parsers emit it. */
export const rec = (line: number, values: number[], fields: string[]): FeedRecord => ({
  line,
  values,
  fields,
});

/** A line parser under test. */
export interface LineParser {
  /** The operator factory. */
  parse(options?: ParseOptions): OperatorFunction<string, FeedRecord>;
  /** The i-th valid line of an endless source. */
  valid(i: number): string;
  /** The values of the i-th valid line. */
  validValues(i: number): number[];
  /** A line of one value `v` in field "0" (no header, no field names). */
  single(v: number): string;
  /** A line the parser skips. */
  invalid: string;
  /** Why the parser skips the line "x". */
  xReason: string;
}

/** Steps through three endless synchronous sources: take(3) pulls three lines and parses those three. */
export async function stopsAfterTake3(t: Deno.TestContext, p: LineParser): Promise<void> {
  for (
    const [name, counted] of [
      ["a synchronous loop source", syncLoop(p.valid)],
      ["from(generator)", fromGenerator(p.valid)],
      ["a 20,000-item array", fromCountedArray(20_000, p.valid)],
    ] as const
  ) {
    await t.step(name, () => {
      const stats = createFeedStats();
      const seen: number[][] = [];
      counted.source.pipe(p.parse({ stats }), take(3)).subscribe((r) => seen.push(r.values));
      assertEquals([seen, counted.pulled(), stats.lines], [[0, 1, 2].map(p.validValues), 3, 3]);
    });
  }
}

/**
 * Steps through the ways a parser errors (strict mode, a throwing onInvalid, the source's own
 * error): each unsubscribes a synchronous source at once ('^ !') and changes no state after.
 */
export async function releasesOnError(t: Deno.TestContext, p: LineParser): Promise<void> {
  await t.step("strict mode stops the source at the first invalid line", () => {
    const { source, pulled } = syncLoop((i) => i === 4 ? p.invalid : p.valid(i));
    const stats = createFeedStats();
    let error: unknown;
    source.pipe(p.parse({ strict: true, stats })).subscribe({ error: (e) => error = e });
    assertStrictEquals(error instanceof InvalidLineError, true);
    assertEquals([pulled(), stats.lines, stats.parsed, stats.skipped], [5, 5, 4, 0]);
  });
  await t.step("a throwing onInvalid (a user callback) errors downstream and stops the source", () => {
    const { source, pulled } = syncLoop((i) => i % 2 ? p.invalid : p.valid(i));
    const stats = createFeedStats();
    let snapshot = "";
    const boom = new Error("boom");
    let error: unknown;
    source.pipe(p.parse({
      stats,
      onInvalid: () => {
        snapshot = JSON.stringify(stats);
        throw boom;
      },
    })).subscribe({ error: (e) => error = e });
    assertStrictEquals(error, boom);
    assertEquals(pulled(), 2);
    assertEquals(JSON.stringify(stats), snapshot);
  });
  await t.step(
    "marbles: source error, strict error and onInvalid throwing unsubscribe at once ('^ !')",
    () => {
      marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
        const one = rec(1, [1], ["0"]);
        const failing = cold("a-#", { a: p.single(1) });
        expectObservable(failing.pipe(p.parse())).toBe("a-#", { a: one });
        expectSubscriptions(failing.subscriptions).toBe("^-!");
        const strict = cold("a-b-a|", { a: p.single(1), b: "x" });
        expectObservable(strict.pipe(p.parse({ strict: true }))).toBe(
          "a-#",
          { a: one },
          new InvalidLineError({ line: 2, text: "x", reason: p.xReason }),
        );
        expectSubscriptions(strict.subscriptions).toBe("^-!");
        const throwing = cold("a-b-a|", { a: p.single(1), b: "x" });
        const boom = new Error("boom");
        const onInvalid = () => {
          throw boom;
        };
        expectObservable(throwing.pipe(p.parse({ onInvalid }))).toBe("a-#", { a: one }, boom);
        expectSubscriptions(throwing.subscriptions).toBe("^-!");
      });
    },
  );
}

/** Unsubscribing after two lines releases the source at that frame. */
export function releasesEarly(p: LineParser): void {
  marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
    const src = cold("a-a-a-|", { a: p.single(1) });
    expectObservable(src.pipe(p.parse()), "^--!").toBe("a-b", {
      a: rec(1, [1], ["0"]),
      b: rec(2, [1], ["0"]),
    });
    expectSubscriptions(src.subscriptions).toBe("^--!");
  });
}

/** share(): one subscription to the source, the same records for two subscribers. */
export function sharesOneSubscription(p: LineParser): void {
  marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
    const src = cold("a-b|", { a: p.single(1), b: p.single(2) });
    const shared = src.pipe(p.parse(), share());
    const expected = { a: rec(1, [1], ["0"]), b: rec(2, [2], ["0"]) };
    expectObservable(shared).toBe("a-b|", expected);
    expectObservable(shared).toBe("a-b|", expected);
    expectSubscriptions(src.subscriptions).toBe("^--!");
  });
}
