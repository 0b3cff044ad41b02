/** The CLI argument parser, through the commands: negative numbers are option values. */
import { assertStrictEquals, assertStringIncludes } from "@std/assert";
import { withTmpDir } from "../_tmp_dir.ts";
import { assertOneLineError, main, run, TINY } from "./_support.ts";

Deno.test("main.ts and live.ts take negative numbers as option values", async (t) => {
  await withTmpDir(async (dir) => {
    const ckpt = `${dir.path}/neg.ckpt`;
    const [seed, k1, lr] = await Promise.all([
      main(["--allow-read=.", "--allow-write=.tmp"], [
        "train",
        ...TINY,
        "--steps",
        "2",
        "--seed",
        "-3",
        "--checkpoint",
        ckpt,
      ]),
      main(["--allow-read=.", "--allow-write=.tmp"], ["train", "--k1", "-1"]),
      run(["run", "-q", "--no-prompt", "live.ts", "--lr", "-0.1"]),
    ]);
    await t.step("train --seed -3 is a seed", () => {
      assertStrictEquals(seed.code, 0, seed.stderr);
      assertStringIncludes(seed.stdout, "seed -3");
    });
    await t.step("train --k1 -1 is out of range, not 'ambiguous'", () => {
      assertOneLineError(k1, 2, "--k1 must be an integer >= 1: got '-1'");
    });
    await t.step("live.ts --lr -0.1 is out of range, not 'ambiguous'", () => {
      assertOneLineError(lr, 2, "--lr must be a number >= 0: got '-0.1'");
    });
  });
});

Deno.test("--backend names a registered kernel backend: another name is a usage error naming it and the choices", async (t) => {
  const flags = ["--allow-read=.", "--allow-write=.tmp"];
  const runs = await Promise.all(
    ["train", "sample", "eval", "live"].map((command) =>
      main(flags, [command, "--backend", "gpu", ...(command === "eval" ? ["--text", "-"] : [])])
    ),
  );
  for (const [i, command] of ["train", "sample", "eval", "live"].entries()) {
    await t.step(
      command,
      () =>
        assertOneLineError(
          runs[i],
          2,
          `${command}: --backend must be one of js, wasm-f64, wasm-f32: got 'gpu'`,
        ),
    );
  }
});
