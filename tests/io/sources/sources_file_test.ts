import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { firstValueFrom, lastValueFrom, take, toArray } from "rxjs";
import { fromFile, fromReadable, PauseController } from "../../../mod.ts";

/** A temp file under the repo (test reads are limited to "."; `*.tmp` is git-ignored). */
async function withTempFile(fn: (path: string) => Promise<void>): Promise<void> {
  const path = await Deno.makeTempFile({ dir: ".", suffix: ".tmp" });
  try {
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

/** Lets pending teardown work (closing files, cancelling reads) settle before the sanitizers look. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

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
    await settle();
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
    await settle();
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

Deno.test("fromStdin() reads the lines of standard input in a child process", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", new URL("../../_stdin_lines.ts", import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("a,b\r\n1,2\nx,3\n"));
  await writer.write(new TextEncoder().encode("4,5"));
  await writer.close();
  const { code, stdout } = await child.output();
  assertEquals(code, 0);
  assertEquals(JSON.parse(new TextDecoder().decode(stdout)), { values: [[1, 2], [4, 5]], skipped: 1 });
});
