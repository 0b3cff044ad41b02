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
