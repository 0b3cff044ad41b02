import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { defer, firstValueFrom, lastValueFrom, repeat, retry, share, take, tap, toArray } from "rxjs";
import { fromFile, PauseController } from "../../../mod.ts";
import { settle, withTempFile } from "./_support.ts";

// Real time throughout: every step reads a real file (and follow waits for real appends). The
// follow poll's clock, sleep(pollInterval), is asserted exactly on virtual time in sleep_test.ts.
Deno.test("fromFile() reads a file's lines, and follows it like tail -f", async (t) => {
  await t.step("reads to the end and completes (CRLF, no final newline, tiny buffer)", async () => {
    await withTempFile(async (path) => {
      await Deno.writeTextFile(path, "h,t\r\n1,2\r\n3,4");
      assertEquals(await lastValueFrom(fromFile(path, { chunkSize: 3 }).pipe(toArray())), [
        "h,t",
        "1,2",
        "3,4",
      ]);
    });
  });
  await t.step(
    "follow: emits appended lines, waits for a partial line's end, restarts after truncation",
    async () => {
      await withTempFile(async (path) => {
        await Deno.writeTextFile(path, "1\n2\n");
        const lines: string[] = [];
        let wake = () => {};
        const sub = fromFile(path, { follow: true, pollInterval: 5 }).subscribe((l) => {
          lines.push(l);
          wake();
        });
        const until = async (n: number) => {
          while (lines.length < n) await new Promise<void>((r) => wake = r);
        };
        try {
          await until(2);
          await Deno.writeTextFile(path, "3\n4", { append: true });
          await until(3);
          await Deno.writeTextFile(path, "0\n5\n", { append: true });
          await until(5);
          await Deno.writeTextFile(path, "9\n"); // truncated and rewritten, shorter than before
          await until(6);
          assertEquals(lines, ["1", "2", "3", "40", "5", "9"]);
        } finally {
          sub.unsubscribe();
          await settle();
        }
      });
    },
  );
  await t.step("follow with fromEnd: only new lines", async () => {
    await withTempFile(async (path) => {
      await Deno.writeTextFile(path, "old\n");
      const next = firstValueFrom(
        fromFile(path, { follow: true, fromEnd: true, pollInterval: 5 }).pipe(take(1)),
      );
      await settle();
      await Deno.writeTextFile(path, "new\n", { append: true });
      assertEquals(await next, "new");
      await settle();
    });
  });
  await t.step("follow with fromEnd: the rest of a line being written is not a new line", async () => {
    await withTempFile(async (path) => {
      await Deno.writeTextFile(path, "old\nhalf a li");
      const next = firstValueFrom(
        fromFile(path, { follow: true, fromEnd: true, pollInterval: 5 }).pipe(take(1)),
      );
      await settle();
      await Deno.writeTextFile(path, "ne\nnew\n", { append: true });
      assertEquals(await next, "new");
      await settle();
    });
  });
  await t.step("does not read while paused", async () => {
    await withTempFile(async (path) => {
      await Deno.writeTextFile(path, "1\n2\n3\n");
      const pause = new PauseController();
      const seen: string[] = [];
      const done = lastValueFrom(fromFile(path, { pause }).pipe(toArray()));
      const sub = fromFile(path, { pause }).subscribe((l) => {
        seen.push(l);
        if (seen.length === 1) pause.pause();
      });
      await settle();
      assertEquals(seen, ["1"]);
      pause.resume();
      assertEquals(await done, ["1", "2", "3"]);
      assertEquals(seen, ["1", "2", "3"]);
      sub.unsubscribe();
      await settle();
    });
  });
  await t.step("a missing file errors; bad options throw", async () => {
    await assertRejects(() => lastValueFrom(fromFile("./no_such_file.tmp")), Deno.errors.NotFound);
    assertThrows(
      () => fromFile("x", { pollInterval: 0 }),
      RangeError,
      "'pollInterval' must be a finite number > 0",
    );
    assertThrows(() => fromFile("x", { fromEnd: true }), RangeError, "'fromEnd' needs 'follow'");
    assertThrows(() => fromFile("x", { chunkSize: 0.5 }), RangeError, "'chunkSize' must be an integer >= 1");
  });
});

Deno.test("fromFile() stops reading after take(3) and closes the file (RxJS: should stop listening to a source when unsubscribed)", async () => {
  await withTempFile(async (path) => {
    await Deno.writeTextFile(path, Array.from({ length: 20_000 }, (_, i) => `${i}\n`).join(""));
    let emitted = 0;
    const lines = await lastValueFrom(
      fromFile(path, { chunkSize: 16 }).pipe(tap(() => emitted++), take(3), toArray()),
    );
    assertEquals([lines, emitted], [["0", "1", "2"], 3]);
    await settle(); // the resource sanitizer checks that the file was closed
  });
});

Deno.test("fromFile() errors once per subscription and opens the file afresh under retry, repeat and share (RxJS: should work with retry, repeat and share)", async (t) => {
  await t.step("retry(2) on a missing file subscribes three times, then errors", async () => {
    let subscriptions = 0;
    const source = defer(() => (subscriptions++, fromFile("./no_such_file.tmp")));
    await assertRejects(() => lastValueFrom(source.pipe(retry(2))), Deno.errors.NotFound);
    assertEquals(subscriptions, 3);
  });
  await t.step("repeat(2) reads the file twice; share() once for two subscribers", async () => {
    await withTempFile(async (path) => {
      await Deno.writeTextFile(path, "1\n2");
      assertEquals(await lastValueFrom(fromFile(path).pipe(repeat(2), toArray())), ["1", "2", "1", "2"]);
      const shared = fromFile(path).pipe(share());
      const both = await Promise.all([
        lastValueFrom(shared.pipe(toArray())),
        lastValueFrom(shared.pipe(toArray())),
      ]);
      assertEquals(both, [["1", "2"], ["1", "2"]]);
    });
  });
});
