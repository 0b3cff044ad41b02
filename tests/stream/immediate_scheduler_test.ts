import { assertEquals } from "@std/assert";
import { observeOn, of, toArray } from "rxjs";
import { lastValueFrom } from "rxjs";
import { immediateScheduler } from "../../mod.ts";
import { withVirtualTime } from "../_fake_timers.ts";

Deno.test("immediateScheduler runs work after the current task, in order, and not when unsubscribed", async (t) => {
  await t.step("order and rescheduling through the action", async () => {
    const seen: number[] = [];
    await new Promise<void>((done) => {
      immediateScheduler.schedule(
        function (n?: number) {
          seen.push(n!);
          if (n! < 3) this.schedule(n! + 1);
          else done();
        },
        0,
        0,
      );
      seen.push(-1);
    });
    assertEquals(seen, [-1, 0, 1, 2, 3]);
  });
  await t.step(
    "a delay uses a timer that fires at exactly that virtual time; unsubscribing cancels",
    async () => {
      await withVirtualTime(async (clock) => {
        const seen: string[] = [];
        const cancelled = immediateScheduler.schedule(() => seen.push("cancelled"));
        cancelled.unsubscribe();
        const cancelledLater = immediateScheduler.schedule(() => seen.push("cancelled later"), 3);
        assertEquals(clock.countTimers(), 1);
        cancelledLater.unsubscribe();
        assertEquals(clock.countTimers(), 0);
        immediateScheduler.schedule(() => seen.push(`delayed at ${immediateScheduler.now()}`), 5);
        await clock.tickAsync(4);
        assertEquals(seen, []);
        await clock.tickAsync(1);
        assertEquals(seen, ["delayed at 5"]);
        // rescheduling through the action with a delay: 5, then 5 + 10 virtual ms
        immediateScheduler.schedule(
          function (n?: number) {
            seen.push(`again ${n} at ${immediateScheduler.now()}`);
            if (n! < 2) this.schedule(n! + 1, 10);
          },
          5,
          1,
        );
        await clock.tickAsync(100);
        assertEquals(seen.slice(1), ["again 1 at 10", "again 2 at 20"]);
        assertEquals(clock.countTimers(), 0);
      });
    },
  );
  await t.step("works as an rxjs scheduler (observeOn)", async () => {
    assertEquals(await lastValueFrom(of(1, 2, 3).pipe(observeOn(immediateScheduler), toArray())), [1, 2, 3]);
  });
});
