import { assertEquals } from "@std/assert";
import { observeOn, of, toArray } from "rxjs";
import { lastValueFrom } from "rxjs";
import { immediateScheduler } from "../../mod.ts";

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
  await t.step("a delay uses a timer; unsubscribing cancels", async () => {
    const seen: string[] = [];
    const cancelled = immediateScheduler.schedule(() => seen.push("cancelled"));
    cancelled.unsubscribe();
    await new Promise<void>((done) => immediateScheduler.schedule(() => (seen.push("delayed"), done()), 5));
    assertEquals(seen, ["delayed"]);
  });
  await t.step("works as an rxjs scheduler (observeOn)", async () => {
    assertEquals(await lastValueFrom(of(1, 2, 3).pipe(observeOn(immediateScheduler), toArray())), [1, 2, 3]);
  });
});
