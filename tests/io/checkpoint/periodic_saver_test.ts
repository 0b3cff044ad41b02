import { assertEquals, assertStrictEquals } from "@std/assert";
import { PeriodicSaver } from "../../../src/io/checkpoint/periodic_saver.ts";

/** A write that finishes when the test says so. */
function manualWrites() {
  const started: number[] = [];
  const finish: (() => void)[] = [];
  const write = (capture: number) =>
    new Promise<void>((resolve) => {
      started.push(capture);
      finish.push(resolve);
    });
  return { started, finish, write };
}

Deno.test("PeriodicSaver coalesces: at most one save in flight, none queued behind it", async (t) => {
  await t.step("1,000 periods during one slow save capture nothing until it ends", async () => {
    const { started, finish, write } = manualWrites();
    let captures = 0;
    const saver = new PeriodicSaver<number>(write, { every: 10 });
    for (let step = 1; step <= 10_000; step++) saver.tick(step, () => (captures++, step));
    assertEquals(started, [10]);
    assertStrictEquals(captures, 1);
    assertStrictEquals(saver.due, true);
    finish[0]();
    await saver.idle();
    // the next tick after the save ends captures at once (it is due), not a period later
    saver.tick(10_001, () => (captures++, 10_001));
    assertEquals(started, [10, 10_001]);
    finish[1]();
    await saver.idle();
    saver.tick(10_005, () => (captures++, 10_005));
    assertEquals(started, [10, 10_001]);
    saver.tick(10_011, () => (captures++, 10_011));
    assertEquals(started, [10, 10_001, 10_011]);
    finish[2]();
    await saver.idle();
  });
  await t.step("every: 0 never saves; a failed save is reported and the next one runs", async () => {
    const none = new PeriodicSaver<number>(() => Promise.reject(new Error("no")), { every: 0 });
    for (let s = 1; s < 100; s++) none.tick(s, () => s);
    await none.idle();
    const errors: string[] = [];
    const saved: number[] = [];
    let fail = true;
    const saver = new PeriodicSaver<number>(
      (c) => fail ? Promise.reject(new Error(`disk full at ${c}`)) : Promise.resolve(),
      { every: 2, onError: (e) => errors.push((e as Error).message), onSaved: (c) => saved.push(c) },
    );
    saver.tick(2, () => 2);
    await saver.idle();
    fail = false;
    saver.tick(4, () => 4);
    await saver.idle();
    assertEquals(errors, ["disk full at 2"]);
    assertEquals(saved, [4]);
  });
});
