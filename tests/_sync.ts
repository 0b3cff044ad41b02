/** Shared pieces of the stream operators' synchronous tests (RxJS spec conventions). */
import { Observable } from "rxjs";

/** Sizes of the small models of these tests: three tokens, four hidden units. */
export const CYCLE_SIZES = { nx: 3, na: 4, ny: 3 };

/** n token samples of the cycle 0 → 1 → 2 → 0 (batch of 1). */
export function cycleSamples(n: number): { x: number[]; y: number[] }[] {
  return Array.from({ length: n }, (_, t) => ({ x: [t % 3], y: [(t + 1) % 3] }));
}

/** Subscribes and collects values, the error and completion (the stream must end synchronously). */
export function collectSync<T>(
  source: { subscribe: (o: object) => unknown },
): { values: T[]; error: unknown; completed: boolean } {
  const out: { values: T[]; error: unknown; completed: boolean } = {
    values: [],
    error: undefined,
    completed: false,
  };
  source.subscribe({
    next: (v: T) => out.values.push(v),
    error: (e: unknown) => out.error = e,
    complete: () => out.completed = true,
  });
  return out;
}

/** A synchronous endless source, `for (…; !s.closed; …) s.next(make(i))`, that counts what it pulled. */
export interface LoopSource<T> {
  /** The cold source. */
  source: Observable<T>;
  /** Values emitted so far, over all subscriptions. */
  pulled(): number;
  /** Subscriptions whose finalizer ran. */
  finalized(): number;
}

/**
 * A synchronous endless source: each subscription loops `s.next(make(i))` while the
 * subscriber is open (RxJS: "should stop listening to a synchronous observable when
 * unsubscribed"), and counts its pulls and finalizers.
 */
export function loopSource<T>(make: (i: number) => T, limit = 1e6): LoopSource<T> {
  let pulled = 0, finalized = 0;
  const source = new Observable<T>((s) => {
    for (let i = 0; !s.closed && i < limit; i++) {
      pulled++;
      s.next(make(i));
    }
    return () => finalized++;
  });
  return { source, pulled: () => pulled, finalized: () => finalized };
}
