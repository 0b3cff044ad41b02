/**
 * The one way our operators and Observable factories subscribe to what they read: an
 * inner observer owned by the downstream subscriber, linked before the source is
 * subscribed. So a synchronous source (a `from(generator)` loop) sees `closed` the moment
 * the downstream unsubscribes (`take(3)`), errors or completes, and stops being pulled;
 * and a handler that throws errors the downstream and releases the source at once.
 *
 * @module
 */
import { Subscription } from "../deps.ts";
import type { Observable, Subscriber } from "../deps.ts";

/** What to do with the source's notifications. */
export interface LinkedHandlers<T> {
  /** Each value; a throw errors the downstream and unsubscribes the source. */
  next(value: T): void;
  /** The source's error. @default {forwarded to the downstream} */
  error?(error: unknown): void;
  /** The source's completion (runs after the source is released). @default {the downstream completes} */
  complete?(): void;
}

/**
 * Subscribes to `source` with an observer that the `downstream` subscriber owns: when the
 * downstream closes, the source is unsubscribed, even in the middle of a synchronous loop.
 * Handlers run only while the link is open; a throw from one is caught and forwarded.
 *
 * @typeParam T The source's values.
 * @param source The Observable to read.
 * @param downstream The subscriber the operator emits to.
 * @param handlers What to do with each notification.
 * @returns The link (unsubscribe it to release the source early).
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { Observable, from, take } from "rxjs";
 * import { subscribeLinked } from "./operate.ts";
 * let pulled = 0;
 * function* naturals() { for (let i = 0; ; i++) { pulled++; yield i; } }
 * const double = new Observable<number>((s) => {
 *   subscribeLinked(from(naturals()), s, { next: (v) => s.next(2 * v) });
 * });
 * const seen: number[] = [];
 * double.pipe(take(3)).subscribe((v) => seen.push(v));
 * assertEquals(seen, [0, 2, 4]);
 * assertEquals(pulled, 3);
 * ```
 */
export function subscribeLinked<T>(
  source: Observable<T>,
  downstream: Subscriber<unknown>,
  handlers: LinkedHandlers<T>,
): Subscription {
  const link = new Subscription();
  downstream.add(link);
  const fail = (error: unknown): void => {
    link.unsubscribe();
    downstream.error(error);
  };
  // An observer that is also a subscription: RxJS subscribes it as it is (no SafeSubscriber
  // in between), so the source's own subscribers are added to `link` and see its `closed`.
  const observer = {
    get closed(): boolean {
      return link.closed;
    },
    next(value: T): void {
      if (link.closed) return;
      try {
        handlers.next(value);
      } catch (error) {
        fail(error);
      }
    },
    error(error: unknown): void {
      if (link.closed) return;
      link.unsubscribe();
      if (handlers.error === undefined) downstream.error(error);
      else {
        try {
          handlers.error(error);
        } catch (e) {
          downstream.error(e);
        }
      }
    },
    complete(): void {
      if (link.closed) return;
      link.unsubscribe();
      if (handlers.complete === undefined) downstream.complete();
      else {
        try {
          handlers.complete();
        } catch (e) {
          downstream.error(e);
        }
      }
    },
    add(teardown: Subscription | (() => void)): void {
      link.add(teardown);
    },
    remove(teardown: Subscription | (() => void)): void {
      link.remove(teardown);
    },
    unsubscribe(): void {
      link.unsubscribe();
    },
  };
  source.subscribe(observer);
  return link;
}
