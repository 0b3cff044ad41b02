/** Checkpoints of GRU, LSTM and stacked models: the spec is in the file, and a resumed run is bit for bit the straight one. */
import { assertEquals, assertLess, assertRejects } from "@std/assert";
import { from } from "rxjs";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "../../../src/io/checkpoint/checkpoint.ts";
import { train } from "../../../src/stream/train.ts";
import type { TrainerSnapshot, TrainOptions } from "../../../src/stream/train.ts";
import { gruCell } from "../../../src/cells/gru/gru_cell.ts";
import { lstmCell } from "../../../src/cells/lstm/lstm_cell.ts";
import { bitsPerChar } from "../../../src/cells/bits_per_char.ts";
import type { ParamSet } from "../../../src/cells/types.ts";
import { assertBitEqual } from "../../_bit_equal.ts";
import { cycleSamples } from "../../_sync.ts";
import { withTmpDir } from "../../_tmp_dir.ts";

// deno-lint-ignore no-explicit-any
const STACK: TrainOptions<any, any, any> = {
  cell: "gru",
  layers: [8, 8],
  embed: 4,
  sizes: { nx: 3, ny: 3 },
  k1: 4,
  k2: 7,
  seed: 5,
  optimizer: { type: "adam", learningRate: 0.02 },
};
const CONFIG = { sizes: { nx: 3, na: 8, ny: 3 }, streams: 1, seed: 5 };

Deno.test("a stacked GRU (layers [8, 8], embed 4) trained N windows straight = checkpointed at N/2 and resumed, bit for bit", async () => {
  await withTmpDir(async (dir) => {
    const samples = cycleSamples(64), path = `${dir.path}/stack.ckpt`;
    let straight: ParamSet = {};
    let half: TrainerSnapshot<ParamSet, unknown> | undefined;
    from(samples).pipe(train(STACK)).subscribe((e) => {
      if (e.window === 8) half = e.snapshot();
      straight = e.params;
    });
    await saveCheckpoint(path, { config: CONFIG, params: half!.params, trainer: half! });
    const loaded = await loadCheckpoint(path);
    assertEquals(loaded.cell.spec(), {
      kind: "stack",
      head: "softmax",
      layers: [{ cell: "gru", size: 8 }, { cell: "gru", size: 8 }],
      embed: 4,
    });
    assertEquals(loaded.paramNames[0], "E");
    let resumed: ParamSet = {};
    from(samples.slice(32)).pipe(train({ resume: loaded.trainer! })).subscribe((e) => resumed = e.params);
    assertBitEqual(resumed, straight);
    // the model alone runs from the file too
    const { bits } = bitsPerChar(loaded.params!, [Int32Array.of(0, 1, 2, 0, 1, 2)], { cell: loaded.cell });
    assertLess(bits, Math.log2(3));
  });
});

Deno.test("a GRU or LSTM checkpoint names its cell; expecting another is one CheckpointError", async () => {
  await withTmpDir(async (dir) => {
    for (const cell of [gruCell(), lstmCell()]) {
      const path = `${dir.path}/${cell.kind}.ckpt`;
      const params = cell.init({ nx: 3, na: 4, ny: 3 }, { seed: 1 });
      await saveCheckpoint(path, { cell, config: { ...CONFIG, sizes: { nx: 3, na: 4, ny: 3 } }, params });
      const loaded = await loadCheckpoint(path);
      assertEquals(loaded.cell.spec(), { kind: cell.kind, head: "softmax" });
      assertBitEqual(loaded.params, params);
      await assertRejects(
        () => loadCheckpoint(path, { cell: { kind: "rnn", head: "softmax" } }),
        CheckpointError,
        `it holds a "${cell.kind}" cell with the softmax head, expected "rnn"`,
      );
    }
  });
});
