/** `main.ts train` as a real subprocess: checkpoints, exact resume, Ctrl-C and SIGTERM, clear errors. */
import { assert, assertEquals, assertMatch, assertStrictEquals, assertStringIncludes } from "@std/assert";
import { from, lastValueFrom, map } from "rxjs";
import { loadCheckpoint, saveCheckpoint } from "../../src/io/checkpoint/checkpoint.ts";
import { train } from "../../src/stream/train.ts";
import { Vocab } from "../../src/io/text/vocab.ts";
import { assertBitEqual } from "../_bit_equal.ts";
import { cli, cliSignalled } from "../_cli.ts";
import { withTmpDir } from "../_tmp_dir.ts";
import { assertOneLineError, main, SMALL, TINY } from "./_support.ts";

Deno.test("train --checkpoint naming a directory says so, with the README's narrow permissions", async () => {
  await withTmpDir(async (dir) => {
    const r = await main([`--allow-read=${dir.path}`, `--allow-write=${dir.path}`], [
      "train",
      "--steps",
      "2",
      "--checkpoint",
      dir.path,
    ]);
    assertOneLineError(r, 2, `--checkpoint '${dir.path}' is a directory`);
  });
});

Deno.test("train --resume of a checkpoint written by the library (no run settings) is one clear error", async () => {
  await withTmpDir(async (dir) => {
    const vocab = Vocab.fromText("abc");
    const samples = Array.from({ length: 10 }, (_, i) => ({
      x: Int32Array.of(1 + (i % 3)),
      y: Int32Array.of(1 + ((i + 1) % 3)),
    }));
    const snapshot = await lastValueFrom(
      from(samples).pipe(train({ sizes: { nx: 4, na: 3, ny: 4 }, k1: 5, seed: 1 }), map((e) => e.snapshot())),
    );
    const ckpt = `${dir.path}/lib.ckpt`;
    await saveCheckpoint(ckpt, {
      config: { sizes: { nx: 4, na: 3, ny: 4 }, streams: 1, seed: 1 },
      vocab: vocab.toData(),
      params: snapshot.params,
      trainer: snapshot,
    });
    const r = await main(["--allow-read=.", "--allow-write=.tmp"], [
      "train",
      "--resume",
      ckpt,
      "--steps",
      "5",
    ]);
    assertOneLineError(r, 1, `cannot resume from '${ckpt}': it was not written by 'train'`);
  });
});

Deno.test("train stopped by SIGTERM (timeout, a service manager) saves its checkpoint like Ctrl-C", async () => {
  await withTmpDir(async (dir) => {
    const ckpt = `${dir.path}/term.ckpt`;
    const r = await cliSignalled(
      ["train", ...TINY, "--time", "60s", "--log-every", "0.1", "--checkpoint", ckpt],
      /^step /m,
      "SIGTERM",
    );
    assertStrictEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, "stopped by SIGTERM at step ");
    assert((await Deno.stat(ckpt)).isFile);
  });
});

Deno.test("train on the names resumes exactly: N steps, then M more = N + M steps, bit for bit", async (t) => {
  await withTmpDir(async (dir) => {
    const straight = `${dir.path}/straight.ckpt`, split = `${dir.path}/split.ckpt`;
    const [full, first] = await Promise.all([
      cli(["train", "--steps", "150", "--checkpoint", straight, ...SMALL]),
      cli(["train", "--steps", "90", "--checkpoint", split, ...SMALL]),
    ]);
    assertStrictEquals(full.code, 0, full.stderr);
    assertStrictEquals(first.code, 0, first.stderr);
    await t.step("the first run ends at step 90 with samples and held-out bits/char", () => {
      assertStringIncludes(first.stdout, "8,422 names from npm");
      assertMatch(first.stdout, /^samples: .+, .+/m);
      assertMatch(first.stdout, /^held-out: \d\.\d{3} bits\/char on 842 held-out names/m);
      assertStringIncludes(first.stdout, "(step 90)");
    });
    const second = await cli(["train", "--resume", split, "--steps", "60"]);
    await t.step("resume prints where it starts and ends at step 150", () => {
      assertStrictEquals(second.code, 0, second.stderr);
      assertStringIncludes(second.stdout, `resuming from '${split}' at step 90`);
      assertStringIncludes(second.stdout, `checkpoint: ${split} (step 150)`);
    });
    await t.step(
      "parameters, optimizer, hidden state, history and stream position are identical",
      async () => {
        const a = await loadCheckpoint(straight), b = await loadCheckpoint(split);
        assertBitEqual(b.params, a.params, "params");
        assertBitEqual(b.trainer, a.trainer, "trainer");
        assertEquals(b.stream, a.stream);
      },
    );
    await t.step(
      "sample on a names model starts every name from a zero state: argmax repeats one name",
      async () => {
        const r = await cli(["sample", "--checkpoint", split, "--argmax", "--length", "80"]);
        assertStrictEquals(r.code, 0, r.stderr);
        const lines = r.stdout.split("\n").slice(0, -2);
        assert(lines.length >= 2, r.stdout);
        assertStrictEquals(new Set(lines).size, 1, r.stdout);
      },
    );
    await t.step("a resumed run refuses other settings", async () => {
      assertOneLineError(
        await cli(["train", "--resume", split, "--hidden", "16"]),
        2,
        "--hidden 16 differs from the checkpoint's 8",
      );
    });
  });
});

Deno.test("Ctrl-C (SIGINT to a real subprocess) writes a final checkpoint that resumes exactly", async () => {
  await withTmpDir(async (dir) => {
    const stopped = `${dir.path}/stopped.ckpt`, straight = `${dir.path}/straight.ckpt`;
    const r = await cliSignalled(
      ["train", "--time", "10m", "--checkpoint", stopped, "--log-every", "0.05", ...SMALL],
      /\nstep /,
    );
    assertStrictEquals(r.code, 0, r.stderr);
    const match = /^stopped by Ctrl-C at step ([\d,]+)$/m.exec(r.stdout);
    assert(match !== null, r.stdout);
    const n = Number(match[1].replaceAll(",", ""));
    assertStrictEquals(n % 5, 0);
    assertStringIncludes(r.stdout, `checkpoint: ${stopped} (step ${match[1]})`);
    const saved = await loadCheckpoint(stopped);
    assertStrictEquals(saved.trainer?.counters.steps, n);
    const [resumed, full] = await Promise.all([
      cli(["train", "--resume", stopped, "--steps", "40"]),
      cli(["train", "--steps", String(n + 40), "--checkpoint", straight, ...SMALL]),
    ]);
    assertStrictEquals(resumed.code, 0, resumed.stderr);
    assertStrictEquals(full.code, 0, full.stderr);
    const a = await loadCheckpoint(straight), b = await loadCheckpoint(stopped);
    assertBitEqual(b.params, a.params, "params");
    assertBitEqual(b.trainer, a.trainer, "trainer");
  });
});

Deno.test("train --workers 2 splits the streams between two threads: a checkpoint of all streams that resumes on one", async (t) => {
  await withTmpDir(async (dir) => {
    const one = `${dir.path}/one.ckpt`, two = `${dir.path}/two.ckpt`;
    const [a, b] = await Promise.all([
      cli(["train", "--steps", "30", "--checkpoint", one, ...SMALL]),
      cli(["train", "--steps", "30", "--workers", "2", "--checkpoint", two, ...SMALL]),
    ]);
    assertStrictEquals(a.code, 0, a.stderr);
    assertStrictEquals(b.code, 0, b.stderr);
    await t.step(
      "the same run up to float rounding: same held-out figure, parameters within 1e-12",
      async () => {
        const heldOut = (out: string) => out.match(/^held-out: .*$/m)?.[0];
        assertEquals(heldOut(b.stdout), heldOut(a.stdout));
        const x = await loadCheckpoint(one), y = await loadCheckpoint(two);
        assertEquals(y.trainer!.hidden.cols, 4);
        for (const [name, m] of Object.entries(x.params!)) {
          const scale = Math.max(...m.data.map(Math.abs));
          y.params![name].data.forEach((v, q) => assert(Math.abs(v - m.data[q]) <= 1e-12 * scale, name));
        }
      },
    );
    await t.step("its checkpoint resumes on one thread", async () => {
      const r = await cli(["train", "--resume", two, "--steps", "10"]);
      assertStrictEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stdout, `checkpoint: ${two} (step 40)`);
    });
    await t.step("more workers than streams, or not an integer >= 1, is a usage error", async () => {
      assertOneLineError(
        await cli(["train", "--workers", "5", ...SMALL]),
        2,
        "--workers must be at most --streams (4): got '5'",
      );
      assertOneLineError(await cli(["train", "--workers", "0", ...SMALL]), 2, "--workers must be");
    });
  });
});
