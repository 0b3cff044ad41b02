/** `main.ts train`'s checkpoint file as a real subprocess: coalesced saves, signals, symlinks, one writer. */
import { assert, assertStrictEquals, assertStringIncludes } from "@std/assert";
import { loadCheckpoint } from "../../src/io/checkpoint/checkpoint.ts";
import { withTmpDir } from "../_tmp_dir.ts";
import { symlink } from "../_symlink.ts";
import { cliSignalled } from "../_cli.ts";
import { assertOneLineError, main, REPO, SMALL, TEXT } from "./_support.ts";

const FLAGS = ["--allow-read=.", "--allow-write=.tmp"];

const saves = (text: string) => text.split("\n").filter((l) => l.startsWith("checkpoint: ")).length;

Deno.test("train --every coalesces its checkpoints: at most one save in flight, none queued", async (t) => {
  await withTmpDir(async (dir) => {
    const text = `${dir.path}/fox.txt`;
    await Deno.writeTextFile(text, TEXT);
    await t.step("--every 1 over 600 windows saves far fewer times, each a newer step", async () => {
      const ckpt = `${dir.path}/every.ckpt`;
      const r = await main(FLAGS, [
        "train",
        "--text",
        text,
        ...SMALL,
        "--steps",
        "3000",
        "--every",
        "1",
        "--log-every",
        "100",
        "--checkpoint",
        ckpt,
      ]);
      assertStrictEquals(r.code, 0, r.stderr);
      const steps = [...r.stdout.matchAll(/^checkpoint: .* \(step ([\d,]+)\)$/gm)].map((m) =>
        Number(m[1].replaceAll(",", ""))
      );
      assert(steps.length < 300, `${steps.length} saves for 600 windows: they queue`);
      assert(steps.every((s, i) => i === 0 || s > steps[i - 1]), "each save is newer");
      assertStrictEquals(steps.at(-1), 3000);
      assertStrictEquals((await loadCheckpoint(ckpt)).trainer?.counters.steps, 3000);
    });
    await t.step(
      "SIGTERM during --every 1 ends with at most the save in flight and the final one",
      async () => {
        const ckpt = `${dir.path}/term.ckpt`;
        const r = await cliSignalled(
          [
            "train",
            "--text",
            text,
            ...SMALL,
            "--time",
            "5m",
            "--every",
            "1",
            "--log-every",
            "100",
            "--checkpoint",
            ckpt,
          ],
          /^checkpoint: .*\n(.*\n){20}/m,
          "SIGTERM",
        );
        assertStrictEquals(r.code, 0, r.stderr);
        assertStringIncludes(r.after, "stopped by SIGTERM at step ");
        assert(saves(r.after) <= 3, `${saves(r.after)} saves after SIGTERM:\n${r.after}`);
        const match = /^checkpoint: .* \(step ([\d,]+)\)\n?$/m.exec(r.after.trimEnd().split("\n").at(-1)!);
        assert(match !== null, r.after);
        assertStrictEquals(
          (await loadCheckpoint(ckpt)).trainer?.counters.steps,
          Number(match[1].replaceAll(",", "")),
        );
      },
    );
  });
});

Deno.test("train refuses a symlink at the checkpoint path and a second writer of one path", async (t) => {
  await withTmpDir(async (dir) => {
    const text = `${dir.path}/fox.txt`;
    await Deno.writeTextFile(text, TEXT);
    const outside = `${dir.path}/outside.txt`;
    await Deno.writeTextFile(outside, "not a checkpoint");
    await t.step("a symlink at --checkpoint is one line, and nothing is copied into .bak", async () => {
      const link = `${dir.path}/link.ckpt`;
      await symlink(await Deno.realPath(outside), link);
      const r = await main(FLAGS, ["train", "--text", text, ...SMALL, "--steps", "10", "--checkpoint", link]);
      assertOneLineError(r, 1, "is a symbolic link");
      const exists = await Deno.stat(`${link}.bak`).then(() => true, () => false);
      assert(!exists, "no .bak copy of the outside file");
      assertStrictEquals(await Deno.readTextFile(outside), "not a checkpoint");
    });
    await t.step("a second trainer on the same checkpoint is refused with one line", async () => {
      const ckpt = `${dir.path}/shared.ckpt`;
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-q",
          "--no-prompt",
          ...FLAGS,
          "main.ts",
          "train",
          "--text",
          text,
          ...SMALL,
          "--time",
          "5m",
          "--log-every",
          "0.05",
          "--checkpoint",
          ckpt,
        ],
        cwd: REPO,
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      while (!/^step /m.test(seen)) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
      try {
        const r = await main(FLAGS, [
          "train",
          "--text",
          text,
          ...SMALL,
          "--steps",
          "10",
          "--checkpoint",
          ckpt,
        ]);
        assertOneLineError(r, 1, "another process is writing it");
      } finally {
        child.kill("SIGKILL");
        await child.status;
        await reader.cancel();
      }
    });
  });
});
