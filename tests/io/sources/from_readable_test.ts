import { assertEquals, assertRejects, assertStrictEquals, assertStringIncludes } from "@std/assert";
import {
  defer,
  firstValueFrom,
  lastValueFrom,
  repeat,
  retry,
  share,
  Subscription,
  take,
  tap,
  toArray,
} from "rxjs";
import { fromReadable, PauseController } from "../../../mod.ts";
import { turn } from "./_support.ts";

// In-memory streams only: no real I/O to wait for, so no sleeps (turn() is one event-loop turn).

Deno.test("fromReadable() emits the lines of a ReadableStream", async (t) => {
  await t.step("bytes split anywhere, CRLF, an unterminated last line", async () => {
    const bytes = new TextEncoder().encode("a,1\r\nb,2\nc,3");
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 7), bytes.subarray(7)];
    const lines = await lastValueFrom(fromReadable(ReadableStream.from(chunks)).pipe(toArray()));
    assertEquals(lines, ["a,1", "b,2", "c,3"]);
  });
  await t.step("does not read while paused, and reads again on resume", async () => {
    let pulls = 0;
    const stream = new ReadableStream<string>({
      pull(controller) {
        pulls++;
        if (pulls <= 3) controller.enqueue(`${pulls}\n`);
        else controller.close();
      },
    }, { highWaterMark: 0 });
    const pause = new PauseController();
    pause.pause();
    const seen: string[] = [];
    const done = lastValueFrom(fromReadable(stream, { pause }).pipe(toArray()));
    const sub = fromReadable(new ReadableStream(), { pause }).subscribe((l) => seen.push(l));
    await turn();
    assertEquals(pulls, 0);
    pause.resume();
    assertEquals(await done, ["1", "2", "3"]);
    sub.unsubscribe();
  });
  await t.step("unsubscribing cancels the stream", async () => {
    let cancelled = false;
    const stream = new ReadableStream<string>({
      start(controller) {
        controller.enqueue("x\n");
      },
      cancel() {
        cancelled = true;
      },
    });
    assertEquals(await firstValueFrom(fromReadable(stream)), "x");
    await turn();
    assertEquals(cancelled, true);
  });
  await t.step("a stream error is forwarded", async () => {
    const stream = new ReadableStream({
      start(controller) {
        controller.error(new TypeError("broken pipe"));
      },
    });
    await assertRejects(() => lastValueFrom(fromReadable(stream)), TypeError, "broken pipe");
  });
});

/** A stream that makes one line per pull (no read-ahead), counting the pulls. */
function countedStream(): { stream: ReadableStream<string>; pulls(): number; cancelled(): boolean } {
  let pulls = 0, cancelled = false;
  const stream = new ReadableStream<string>({
    pull(controller) {
      controller.enqueue(`${pulls++}\n`);
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, pulls: () => pulls, cancelled: () => cancelled };
}

Deno.test("fromReadable() stops reading an endless stream after take(3) (RxJS: should stop listening to a source when unsubscribed)", async (t) => {
  await t.step("one line per chunk: three chunks are read, then the stream is cancelled", async () => {
    const { stream, pulls, cancelled } = countedStream();
    assertEquals(await lastValueFrom(fromReadable(stream).pipe(take(3), toArray())), ["0", "1", "2"]);
    await turn();
    assertEquals([pulls(), cancelled()], [3, true]);
  });
  await t.step("20,000 lines in one chunk: only three are emitted", async () => {
    let emitted = 0;
    const text = Array.from({ length: 20_000 }, (_, i) => `${i}\n`).join("");
    const three = await lastValueFrom(
      fromReadable(ReadableStream.from([text])).pipe(tap(() => emitted++), take(3), toArray()),
    );
    assertEquals([three, emitted], [["0", "1", "2"], 3]);
    await turn();
  });
});

Deno.test("fromReadable() forwards a stream error and is released at once (RxJS: should raise error if source raises error)", async () => {
  let pulls = 0;
  const stream = new ReadableStream<string>({
    pull(controller) {
      if (pulls++ === 0) controller.enqueue("a\nb");
      else controller.error(new TypeError("broken pipe"));
    },
  }, { highWaterMark: 0 });
  const seen: string[] = [];
  const error = await new Promise((resolve) =>
    fromReadable(stream).subscribe({ next: (line) => seen.push(line), error: resolve })
  ).catch((e) => e) as Error;
  assertStrictEquals(error instanceof TypeError, true);
  assertEquals([error.message, seen, pulls], ["broken pipe", ["a"], 2]);
});

Deno.test("fromReadable() cancels the stream when unsubscribed early (RxJS: should allow unsubscribing explicitly and early)", async () => {
  const { stream, cancelled } = countedStream();
  const seen: string[] = [];
  const sub = new Subscription();
  sub.add(
    fromReadable(stream).subscribe((line) => {
      seen.push(line);
      if (seen.length === 2) sub.unsubscribe();
    }),
  );
  await turn();
  assertEquals([cancelled(), seen], [true, ["0", "1"]]);
});

Deno.test("fromReadable() is single use: retry, repeat and a second subscriber error with a TypeError, share() reads once (RxJS: should work with retry, repeat and share)", async (t) => {
  const once = "Cannot subscribe to fromReadable() again as its ReadableStream can be read once";
  await t.step("repeat(2): the second subscription errors rather than completing empty", async () => {
    const error = await lastValueFrom(fromReadable(ReadableStream.from(["1\n2"])).pipe(repeat(2), toArray()))
      .catch((e) => e);
    assertStrictEquals(error instanceof TypeError, true);
    assertStringIncludes(error.message, once);
  });
  await t.step("retry(2) after a stream error ends with the single-use TypeError", async () => {
    let subscriptions = 0;
    const stream = new ReadableStream<string>({
      start(controller) {
        controller.error(new Error("first failure"));
      },
    });
    const lines = fromReadable(stream);
    const error = await lastValueFrom(defer(() => (subscriptions++, lines)).pipe(retry(2))).catch((e) => e);
    assertEquals(subscriptions, 3);
    assertStringIncludes(error.message, once);
  });
  await t.step("another fromReadable() of the same stream, and a locked stream, error likewise", async () => {
    const stream = ReadableStream.from(["x\n"]);
    assertEquals(await lastValueFrom(fromReadable(stream)), "x");
    await assertRejects(() => lastValueFrom(fromReadable(stream)), TypeError, once);
    const locked = ReadableStream.from(["y\n"]);
    const reader = locked.getReader();
    await assertRejects(() => lastValueFrom(fromReadable(locked)), TypeError, "is locked by another reader");
    reader.releaseLock();
  });
  await t.step("share(): two subscribers read the stream once", async () => {
    const shared = fromReadable(ReadableStream.from(["1\n2\n3\n"])).pipe(share());
    const [a, b] = await Promise.all([
      lastValueFrom(shared.pipe(toArray())),
      lastValueFrom(shared.pipe(toArray())),
    ]);
    assertEquals([a, b], [["1", "2", "3"], ["1", "2", "3"]]);
  });
});

Deno.test("fromReadable() never modifies the chunks it reads (RxJS: should not mutate its input)", async () => {
  const bytes = new TextEncoder().encode("a\r\nb\nc");
  const before = Array.from(bytes);
  const chunks = [bytes.subarray(0, 4), bytes.subarray(4)];
  assertEquals(await lastValueFrom(fromReadable(ReadableStream.from(chunks)).pipe(toArray())), [
    "a",
    "b",
    "c",
  ]);
  assertEquals(Array.from(bytes), before);
});
