/** Shared pieces of the operators' marble tests. */
import { assertEquals } from "@std/assert";
import { catchError, throwError } from "rxjs";
import type { OperatorFunction } from "rxjs";
import { TestScheduler } from "rxjs/testing";

/** A TestScheduler that compares frames with assertEquals. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => assertEquals(actual, expected));
}

/** Errors as plain `{ name, message }` so marble comparisons check the message. */
export function plainErrors<T>(): OperatorFunction<T, T> {
  return catchError((e: Error) => throwError(() => ({ name: e.name, message: e.message })));
}

/** The frames of one {@linkcode expectOperator} run. */
export interface OperatorFrames {
  /** The cold source; its `#` errors with `Error("upstream")`. */
  source: string;
  /** The operator's output; an error arrives as `{ name: "Error", message: "upstream" }`. */
  expected: string;
  /** The source's subscription. */
  subs: string;
  /** The output values by frame letter. */
  out?: Record<string, unknown>;
}

/** Runs `op` on a cold source of `values` in virtual time: its output and the source's subscription must match `frames`. */
export function expectOperator<T>(
  op: OperatorFunction<T, unknown>,
  values: Record<string, T>,
  frames: OperatorFrames,
): void {
  testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const s = cold(frames.source, values, new Error("upstream"));
    expectObservable(s.pipe(op, plainErrors()))
      .toBe(frames.expected, frames.out ?? {}, { name: "Error", message: "upstream" });
    expectSubscriptions(s.subscriptions).toBe(frames.subs);
  });
}
