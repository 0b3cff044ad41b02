/** The progress line of `train`. */
import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import { formatProgress, Progress } from "../../src/cli/_progress.ts";

Deno.test("Progress redraws one line on a terminal and logs lines every few seconds otherwise", async (t) => {
  const info = {
    step: 12345,
    stepsPerSecond: 2345.4,
    smoothLoss: Math.LN2 * 1.5,
    elapsed: 72,
    remaining: 3700,
  };
  await t.step("formatProgress()", () => {
    assertStrictEquals(
      formatProgress(info),
      "step 12,345 | 2,345 steps/s | loss 1.040 | 1.500 bits/char | 1:12 elapsed | 1:01:40 left",
    );
    assertStrictEquals(
      formatProgress({ ...info, smoothLoss: NaN, remaining: null }).includes("loss - | - bits/char"),
      true,
    );
  });
  await t.step("terminal: \\r redraws, printed lines go above the live line", () => {
    let text = "", now = 0;
    const p = new Progress({ terminal: true, write: (s) => text += s, now: () => now });
    p.update(info);
    now = 0.05;
    p.update({ ...info, step: 2 }); // within the redraw period: not drawn
    p.print("samples: a, b");
    now = 1;
    p.update({ ...info, step: 3 });
    p.finish();
    p.finish();
    const lines = text.split("\n");
    assertStrictEquals(lines.length, 3);
    assert(
      lines[0].startsWith("\rstep 12,345") && lines[0].endsWith("\r\x1b[Ksamples: a, b"),
      JSON.stringify(lines[0]),
    );
    assert(lines[1].startsWith("step 2 |") && lines[1].includes("\rstep 3 |"), JSON.stringify(lines[1]));
    assertStrictEquals(lines[2], "");
  });
  await t.step("not a terminal: a plain line per period, and the last numbers at the end", () => {
    let text = "", now = 0;
    const p = new Progress({ terminal: false, write: (s) => text += s, logEvery: 5, now: () => now });
    for (let k = 0; k <= 12; k++) {
      now = k;
      p.update({ ...info, step: k });
    }
    p.finish();
    p.finish();
    assertEquals(text.split("\n").filter((l) => l).map((l) => l.split(" |")[0]), [
      "step 0",
      "step 5",
      "step 10",
      "step 12",
    ]);
    assert(!text.includes("\r") && !text.includes("\x1b"));
  });
});

Deno.test("formatProgress() ends with a sparkline of the recent bits/char when given two or more", () => {
  const info = { step: 10, stepsPerSecond: 5, smoothLoss: 1, elapsed: 1, remaining: null };
  assertStrictEquals(formatProgress({ ...info, trend: [4, 3, 2] }).endsWith(" | █▅▁"), true);
  assertStrictEquals(formatProgress({ ...info, trend: [4] }).endsWith("elapsed"), true);
});
