/**
 * Virtual time for tests whose logic is purely timer-driven: `@sinonjs/fake-timers` (npm;
 * Deno std's FakeTime is JSR-only). Only timers and `Date` are faked: `setImmediate`,
 * `queueMicrotask`, `performance` and all I/O stay real, so never use this around a real
 * socket, file or process.
 */
import FakeTimers from "@sinonjs/fake-timers";

/** The clock a test drives: `tickAsync(ms)` runs the timers due in the next `ms` virtual ms. */
export interface VirtualClock {
  /** The virtual time in milliseconds (starts at 0). */
  readonly now: number;
  /** Advances virtual time by `ms`, firing due timers and letting promises settle between them. */
  tickAsync(ms: number): Promise<number>;
  /** How many fake timers are pending. */
  countTimers(): number;
}

/** Runs `fn` with setTimeout/clearTimeout/setInterval/clearInterval/Date faked at virtual time 0; always uninstalls. */
export async function withVirtualTime(fn: (clock: VirtualClock) => Promise<void> | void): Promise<void> {
  const clock = FakeTimers.install({
    now: 0,
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
    shouldAdvanceTime: false,
  });
  try {
    await fn(clock);
  } finally {
    clock.uninstall();
  }
}
