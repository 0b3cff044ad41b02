import { assertEquals, assertRejects } from "@std/assert";
import { backoffDelay, createFeedStats, Random } from "../../../mod.ts";
import type { ReconnectOptions } from "../../../mod.ts";
import { type Connect, reconnectLoop } from "../../../src/io/sources/_reconnect.ts";
import { withVirtualTime } from "../../_fake_timers.ts";

// All on virtual time (@sinonjs/fake-timers): the loop's only clock is its backoff sleep, so
// the schedule is exact. The sockets behind the real sources are tested in from_*_test.ts.

/** A connect function that records the virtual time of each attempt and fails it (or delivers data first). */
function recorder(delivers: (attempt: number) => boolean = () => false): { connect: Connect; at: number[] } {
  const at: number[] = [];
  const connect: Connect = (_signal, connected) => {
    at.push(Date.now());
    if (delivers(at.length - 1)) connected();
    return Promise.reject(new Error(`drop ${at.length}`));
  };
  return { connect, at };
}

Deno.test("reconnectLoop() backs off 100, 200, 400 ms virtual and gives up after maxRetries", async () => {
  await withVirtualTime(async (clock) => {
    const { connect, at } = recorder();
    const stats = createFeedStats();
    const options: ReconnectOptions = { jitter: 0, maxRetries: 3 };
    const done = reconnectLoop(connect, options, true, stats, new AbortController().signal);
    let outcome = "";
    done.catch((e) => outcome = `${e.message} at ${Date.now()}`);
    await clock.tickAsync(99);
    assertEquals(at, [0]);
    await clock.tickAsync(1);
    assertEquals(at, [0, 100]);
    await clock.tickAsync(199);
    assertEquals(at, [0, 100]);
    await clock.tickAsync(1);
    assertEquals(at, [0, 100, 300]);
    await clock.tickAsync(400);
    assertEquals(at, [0, 100, 300, 700]);
    assertEquals([outcome, stats.reconnects, clock.countTimers()], ["drop 4 at 700", 3, 0]);
    await assertRejects(() => done, Error, "drop 4");
  });
});

Deno.test("reconnectLoop() caps the delay at maxDelay and resets the backoff after a connection delivers data", async () => {
  await withVirtualTime(async (clock) => {
    // attempt 3 (at 700) delivers data before it drops: the next delay is initialDelay again
    const { connect, at } = recorder((k) => k === 3);
    const abort = new AbortController();
    const done = reconnectLoop(connect, { jitter: 0, maxDelay: 300 }, true, undefined, abort.signal);
    await clock.tickAsync(2000);
    abort.abort();
    assertEquals(await done, false);
    // delays 100, 200, 300 (capped), then 100, 200, 300, 300, ...
    assertEquals(at, [0, 100, 300, 600, 700, 900, 1200, 1500, 1800]);
    assertEquals(clock.countTimers(), 0);
  });
});

Deno.test("reconnectLoop() follows the seeded jitter schedule exactly", async () => {
  await withVirtualTime(async (clock) => {
    const options: ReconnectOptions = { initialDelay: 100, factor: 2, jitter: 0.5, seed: 7, maxRetries: 4 };
    const rng = new Random(7);
    const expected = [0];
    for (let k = 0; k < 4; k++) expected.push(expected[k] + Math.trunc(backoffDelay(k, options, rng)));
    const { connect, at } = recorder();
    const done = reconnectLoop(connect, options, true, undefined, new AbortController().signal);
    done.catch(() => {});
    for (const t of expected.slice(1)) {
      await clock.tickAsync(t - 1 - clock.now);
      assertEquals(at.length, expected.indexOf(t), `nothing fires before ${t} ms`);
      await clock.tickAsync(1);
    }
    assertEquals(at, expected);
    await assertRejects(() => done, Error, "drop 5");
    // a different seed gives a different schedule: the jitter is really applied
    const other = new Random(8);
    assertEquals(
      [0, 1, 2, 3].every((k) =>
        backoffDelay(k, { ...options, seed: 8 }, other) === expected[k + 1] - expected[k]
      ),
      false,
    );
  });
});

Deno.test("reconnectLoop() stops at once when aborted during a backoff, leaving no timer", async () => {
  await withVirtualTime(async (clock) => {
    const { connect, at } = recorder();
    const abort = new AbortController();
    let endedAt = -1;
    const done = reconnectLoop(connect, { jitter: 0 }, true, undefined, abort.signal).then((r) => {
      endedAt = Date.now();
      return r;
    });
    await clock.tickAsync(50);
    assertEquals(clock.countTimers(), 1);
    abort.abort();
    await clock.tickAsync(0);
    assertEquals([await done, endedAt, at, clock.countTimers()], [false, 50, [0], 0]);
  });
});

Deno.test("reconnectLoop() ends without a backoff when the stream ends and is not to be resumed", async () => {
  await withVirtualTime(async (clock) => {
    let calls = 0;
    const done = reconnectLoop(
      () => (calls++, Promise.resolve(true)),
      {},
      false,
      undefined,
      new AbortController().signal,
    );
    await clock.tickAsync(0);
    assertEquals([await done, calls, clock.now, clock.countTimers()], [true, 1, 0, 0]);
  });
});
