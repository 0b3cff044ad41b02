import { assertEquals } from "@std/assert";
import { sleep } from "../../../src/io/sources/_pump_lines.ts";
import { withVirtualTime } from "../../_fake_timers.ts";

// Virtual time (@sinonjs/fake-timers): sleep() is the whole clock of fromFile's follow poll
// (every pollInterval ms) and of the reconnect backoff, so its timing is asserted exactly here.
Deno.test("sleep() (the follow poll and the backoff wait) resolves at exactly its delay, or at once on abort", async () => {
  await withVirtualTime(async (clock) => {
    const woke: number[] = [];
    const signal = new AbortController().signal;
    for (let k = 0; k < 3; k++) {
      const p = sleep(250, signal).then(() => woke.push(Date.now()));
      await clock.tickAsync(249);
      assertEquals(woke.length, k);
      await clock.tickAsync(1);
      await p;
    }
    assertEquals(woke, [250, 500, 750]);
    const abort = new AbortController();
    const p = sleep(1000, abort.signal).then(() => woke.push(Date.now()));
    await clock.tickAsync(10);
    abort.abort();
    await p;
    assertEquals([woke.at(-1), clock.countTimers()], [760, 0]);
    abort.abort();
    await sleep(1000, abort.signal); // already aborted: no timer at all
    assertEquals(clock.countTimers(), 0);
  });
});
