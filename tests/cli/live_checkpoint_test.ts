/** The live trainer's checkpoint checked on resume, as a real subprocess: structure, counters, skip counts. */
import { assert, assertStrictEquals } from "@std/assert";
import { loadCheckpoint, saveCheckpoint } from "../../src/io/checkpoint/checkpoint.ts";
import { withTmpDir } from "../_tmp_dir.ts";
import { assertOneLineError, liveRun, READING } from "./_support.ts";

const FLAGS = ["--allow-read=.", "--allow-write=.tmp"];

/** The live checkpoint at `from` with `change` applied to its extra data, written to `to` (a valid checksum). */
async function edited(from: string, to: string, change: (extra: Record<string, unknown>) => void) {
  const c = await loadCheckpoint(from);
  change(c.extra);
  await saveCheckpoint(to, c);
}

Deno.test("live --resume checks the checkpoint's learner and counters like a training checkpoint", async (t) => {
  await withTmpDir(async (dir) => {
    const lines = Array.from({ length: 80 }, (_, i) => READING(i));
    lines.splice(11, 0, "{oops");
    const feed = `${dir.path}/feed.ndjson`, good = `${dir.path}/good.ckpt`;
    await Deno.writeTextFile(feed, lines.join("\n") + "\n");
    const first = await liveRun(FLAGS, [
      "--file",
      feed,
      "--checkpoint",
      good,
      "--events",
      "40",
      "--every",
      "10",
    ]);
    assertStrictEquals(first.code, 0, first.stderr);
    const cases: [string, (x: Record<string, unknown>) => void, string][] = [
      ["the learner's series removed", (x) => {
        (x.learner as Record<string, unknown>).series = {};
      }, "holds no series"],
      ["the learner removed", (x) => {
        delete x.learner;
      }, "not written by the live trainer"],
      ["a negative counter", (x) => {
        (x.counters as Record<string, number>).events = -5;
      }, "'counters.events' must be an integer >= 0"],
      ["a null series", (x) => {
        ((x.learner as Record<string, unknown>).series as Record<string, unknown>)["1"] = null;
      }, `series "1" must be an object`],
      ["a series whose parameters are not matrices", (x) => {
        const s =
          ((x.learner as Record<string, unknown>).series as Record<string, Record<string, unknown>>)["1"];
        (s.preq as Record<string, unknown>).params = { Wax: 1 };
      }, `series "1"`],
    ];
    for (const [name, change, message] of cases) {
      await t.step(`${name}: one line, exit 1, nothing learned`, async () => {
        const bad = `${dir.path}/bad.ckpt`;
        await edited(good, bad, change);
        const r = await liveRun(FLAGS, ["--file", feed, "--checkpoint", bad, "--resume"]);
        assertOneLineError(r, 1, message);
        assert(!r.stdout.includes("resumed from"), r.stdout);
      });
    }
    await t.step("a resumed file source does not count the lines it passes over twice", async () => {
      const r = await liveRun(FLAGS, ["--file", feed, "--checkpoint", good, "--resume"]);
      assertStrictEquals(r.code, 0, r.stderr);
      const c = await loadCheckpoint(good);
      const counters = c.extra.counters as Record<string, number>;
      assertStrictEquals(counters.events, 80);
      assertStrictEquals(counters.skipped, 1);
    });
  });
});
