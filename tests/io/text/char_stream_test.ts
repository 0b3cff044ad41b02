import { assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { count, lastValueFrom, take, takeWhile, toArray } from "rxjs";
import { charSamples } from "../../../src/io/text/char_stream.ts";
import type { CharSample } from "../../../src/io/text/char_stream.ts";
import { NameStream } from "../../../src/io/text/name_stream.ts";
import { TextStream } from "../../../src/io/text/text_stream.ts";
import { Vocab } from "../../../src/io/text/vocab.ts";

const NAMES = ["ava", "bo", "cleo", "dan", "eve"];
const vocab = Vocab.fromText(NAMES.join("\n"));
const encoded = NAMES.map((n) => vocab.encode(n));

function columnText(samples: CharSample[], j: number): string {
  return vocab.decode(samples.map((s) => s.x[j]));
}

Deno.test("NameStream reads every name as [boundary, ...name, boundary], once per pass, reshuffled", async (t) => {
  await t.step("one pass of column 0 holds each name once, and reset marks each start", () => {
    const stream = new NameStream(encoded, { seed: 1 });
    const total = NAMES.reduce((s, n) => s + n.length + 1, 0);
    const samples = Array.from({ length: total }, () => stream.next());
    const text = columnText(samples, 0);
    assertEquals(text.split("\n").slice(1).sort(), [...NAMES].sort());
    samples.forEach((s, i) => {
      assertStrictEquals(s.reset?.[0] === 1, s.x[0] === 0, `reset at ${i}`);
      // y is the next x
      if (i + 1 < samples.length) assertStrictEquals(s.y[0], samples[i + 1].x[0]);
    });
    assertStrictEquals(samples[samples.length - 1].y[0], 0);
    assertStrictEquals(stream.getState().columns[0].pass, 1);
  });
  await t.step("two passes are in different orders; columns have their own orders", () => {
    const stream = new NameStream(encoded, { seed: 2, streams: 3 });
    const per = NAMES.reduce((s, n) => s + n.length + 1, 0);
    const samples = Array.from({ length: 4 * per }, () => stream.next());
    const passes = columnText(samples, 0).split("\n").slice(1);
    const orders = [passes.slice(0, 5).join(), passes.slice(5, 10).join(), passes.slice(10, 15).join()];
    assertStrictEquals(new Set(orders).size > 1, true);
    assertStrictEquals(columnText(samples, 0) === columnText(samples, 1), false);
  });
  await t.step("the same seed gives the same stream", () => {
    const a = new NameStream(encoded, { seed: 9, streams: 2 }),
      b = new NameStream(encoded, { seed: 9, streams: 2 });
    for (let i = 0; i < 100; i++) assertEquals(a.next(), b.next());
  });
});

Deno.test("NameStream.setState() resumes exactly, across pass boundaries", async (t) => {
  for (const cut of [0, 1, 17, 18, 19, 40, 123]) {
    await t.step(`cut after ${cut} samples`, () => {
      const a = new NameStream(encoded, { seed: 4, streams: 3 });
      for (let i = 0; i < cut; i++) a.next();
      const state = JSON.parse(JSON.stringify(a.getState()));
      const b = new NameStream(encoded, { seed: 999, streams: 3 });
      b.setState(state);
      for (let i = 0; i < 80; i++) assertEquals(b.next(), a.next(), `sample ${cut + i}`);
    });
  }
  await t.step(
    "a state for other names, other columns or a bad position is refused and changes nothing",
    () => {
      const a = new NameStream(encoded, { streams: 2 });
      const before = a.getState();
      assertThrows(
        () => a.setState(new NameStream(encoded.slice(1), { streams: 2 }).getState()),
        RangeError,
        "4 names",
      );
      assertThrows(
        () => a.setState(new NameStream(encoded, { streams: 3 }).getState()),
        RangeError,
        "3 columns",
      );
      const bad = a.getState();
      bad.columns[1].offset = 99;
      assertThrows(() => a.setState(bad), RangeError, "column 1 has an invalid position");
      assertThrows(() => a.setState(null as never), TypeError, "must be an object");
      assertEquals(a.getState(), before);
    },
  );
  await t.step("bad construction is refused", () => {
    assertThrows(() => new NameStream([]), RangeError, "'names' must be a non-empty array");
    assertThrows(
      () => new NameStream([new Int32Array(0)]),
      RangeError,
      "'names[0]' must be a non-empty Int32Array",
    );
    assertThrows(
      () => new NameStream(encoded, { streams: 0 }),
      RangeError,
      "'streams' must be an integer >= 1",
    );
  });
});

Deno.test("TextStream loops over a text from evenly spaced offsets and resumes exactly", async (t) => {
  const tokens = Int32Array.from({ length: 10 }, (_, i) => i);
  await t.step("columns start at ⌊j·L/m⌋ and wrap around", () => {
    const s = new TextStream(tokens, { streams: 3 });
    assertEquals(Array.from(s.next().x), [0, 3, 6]);
    for (let i = 0; i < 8; i++) s.next();
    const last = s.next();
    assertEquals(Array.from(last.x), [9, 2, 5]);
    assertEquals(Array.from(last.y), [0, 3, 6]);
  });
  await t.step("getState() / setState()", () => {
    const a = new TextStream(tokens, { streams: 2 });
    for (let i = 0; i < 13; i++) a.next();
    const b = new TextStream(tokens, { streams: 2 });
    b.setState(a.getState());
    for (let i = 0; i < 25; i++) assertEquals(b.next(), a.next());
    assertThrows(() => b.setState({ length: 9, positions: [0, 1] }), RangeError, "9 characters");
    assertThrows(
      () => b.setState({ length: 10, positions: [0, 10] }),
      RangeError,
      "column 1 has an invalid position 10",
    );
  });
  await t.step("a text shorter than 2 is refused", () => {
    assertThrows(() => new TextStream(Int32Array.of(1)), RangeError, "at least 2 characters");
  });
});

Deno.test("charSamples() emits the stream's samples, yielding to the event loop between chunks", async (t) => {
  await t.step("limit and order", async () => {
    const samples = await lastValueFrom(
      charSamples(new NameStream(encoded, { seed: 3 }), { limit: 30 }).pipe(toArray()),
    );
    const direct = new NameStream(encoded, { seed: 3 });
    assertStrictEquals(samples.length, 30);
    for (const s of samples) assertEquals(s, direct.next());
  });
  await t.step(
    "the stream advances only as far as emitted: getState() in next() is the position after it",
    async () => {
      const stream = new NameStream(encoded, { seed: 3 });
      const states: string[] = [];
      await lastValueFrom(charSamples(stream, { chunk: 4 }).pipe(take(10), toArray()));
      const replay = new NameStream(encoded, { seed: 3 });
      for (let i = 0; i < 10; i++) replay.next();
      states.push(JSON.stringify(stream.getState()), JSON.stringify(replay.getState()));
      assertStrictEquals(states[0], states[1]);
    },
  );
  await t.step("a timer fires while an endless stream is consumed (and stops it)", async () => {
    // real event loop on purpose: this checks that a real timer gets a turn between chunks
    let fired = false;
    setTimeout(() => fired = true, 0);
    const taken = await lastValueFrom(
      charSamples(new TextStream(Int32Array.of(1, 2)), { chunk: 8 }).pipe(takeWhile(() => !fired), count()),
    );
    assertStrictEquals(fired, true);
    assertStrictEquals(taken > 0, true);
  });
  await t.step("a signal listener (Ctrl-C) runs within a few chunks of slow synchronous work", async () => {
    // each chunk takes ~20 ms, as a training chunk does; a setImmediate-only loop let
    // the runtime poll signals only every ~60 callbacks (a Ctrl-C took seconds)
    let chunks = 0, seen = -1;
    const onSignal = () => seen = chunks;
    Deno.addSignalListener("SIGUSR2", onSignal);
    try {
      const slow = new TextStream(Int32Array.of(1, 2));
      const next = slow.next.bind(slow);
      slow.next = () => {
        const until = performance.now() + 20;
        while (performance.now() < until) { /* busy, like a training chunk */ }
        if (++chunks === 3) Deno.kill(Deno.pid, "SIGUSR2");
        return next();
      };
      await lastValueFrom(charSamples(slow, { chunk: 1 }).pipe(takeWhile(() => seen < 0 && chunks < 40)));
      assertStrictEquals(seen >= 3 && seen <= 3 + 8, true, `the listener ran after chunk ${seen}`);
    } finally {
      Deno.removeSignalListener("SIGUSR2", onSignal);
    }
  });
  await t.step("an error in the stream errors the Observable", async () => {
    const broken = {
      streams: 1,
      next: () => {
        throw new Error("boom");
      },
      getState: () => null,
      setState: () => {},
    };
    const error = await lastValueFrom(charSamples(broken)).catch((e) => e);
    assertStrictEquals(error.message, "boom");
  });
  await t.step("bad options are refused", () => {
    assertThrows(() => charSamples(new TextStream(Int32Array.of(1, 2)), { chunk: 0 }), RangeError, "'chunk'");
  });
});
