/** Setting up a run's checkpoint path (train and live): an earlier checkpoint is kept as .bak. */
import { assertStrictEquals, assertStringIncludes } from "@std/assert";
import { withTmpDir } from "../_tmp_dir.ts";
import { liveRun, main, READING, TINY } from "./_support.ts";

Deno.test("a fresh run never destroys an earlier run's checkpoint at its path: it is kept as .bak", async (t) => {
  await withTmpDir(async (dir) => {
    const flags = ["--allow-read=.", "--allow-write=.tmp"];
    const ckpt = `${dir.path}/names.ckpt`;
    const first = await main(flags, ["train", ...TINY, "--steps", "4", "--checkpoint", ckpt]);
    assertStrictEquals(first.code, 0, first.stderr);
    const earlier = await Deno.readFile(ckpt);
    const second = await main(flags, [
      "train",
      ...TINY,
      "--steps",
      "2",
      "--seed",
      "9",
      "--checkpoint",
      ckpt,
    ]);
    await t.step("train", async () => {
      assertStrictEquals(second.code, 0, second.stderr);
      assertStringIncludes(second.stdout, `the earlier checkpoint is kept as '${ckpt}.bak'`);
      assertStrictEquals((await Deno.readFile(`${ckpt}.bak`)).join(), earlier.join());
    });
    const feed = `${dir.path}/feed.ndjson`;
    await Deno.writeTextFile(feed, Array.from({ length: 30 }, (_, i) => READING(i)).join("\n") + "\n");
    const live = `${dir.path}/live.ckpt`;
    const one = await liveRun(flags, ["--file", feed, "--checkpoint", live, "--events", "20"]);
    assertStrictEquals(one.code, 0, one.stderr);
    const liveEarlier = await Deno.readFile(live);
    const two = await liveRun(flags, ["--file", feed, "--checkpoint", live, "--events", "10"]);
    await t.step("live.ts", async () => {
      assertStrictEquals(two.code, 0, two.stderr);
      assertStringIncludes(two.stdout, `the earlier checkpoint is kept as '${live}.bak'`);
      assertStrictEquals((await Deno.readFile(`${live}.bak`)).join(), liveEarlier.join());
    });
  });
});
