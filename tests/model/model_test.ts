import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { from, lastValueFrom, take, toArray } from "rxjs";
import {
  CheckpointError,
  forwardSteps,
  gruCell,
  lstmCell,
  Matrix,
  rnnCell,
  saveCheckpoint,
  stackedCell,
  train,
  Vocab,
} from "../../mod.ts";
import type { ParamSet, RecurrentCell, TrainerSnapshot } from "../../mod.ts";
import { Model } from "../../src/model/mod.ts";
import { assertBitEqual } from "../_bit_equal.ts";
import { tmpDir, withTmpDir } from "../_tmp_dir.ts";

const VOCAB = Vocab.fromText("abcd");
const TOKENS = VOCAB.encode("abcabdabcadcbabcdabcab");
const SAMPLES = Array.from(TOKENS.subarray(1), (y, i) => ({ x: [TOKENS[i]], y: [y] }));

// deno-lint-ignore no-explicit-any
const CELLS: [string, () => RecurrentCell<any, any, any>][] = [
  ["rnn", () => rnnCell()],
  ["gru", () => gruCell()],
  ["lstm", () => lstmCell()],
  ["stack", () => stackedCell({ layers: [{ cell: "gru", size: 5 }, { cell: "lstm", size: 6 }], embed: 3 })],
];

function initOf(cell: RecurrentCell, seed = 3): ParamSet {
  const na = cell.kind === "stack" ? 6 : 6;
  return cell.init({ nx: VOCAB.size, na, ny: VOCAB.size }, { seed });
}

Deno.test("Model.learnOne() over a sequence gives bit for bit the parameters of train() with k1 = 1", async (t) => {
  for (const [kind, make] of CELLS) {
    for (const k2 of [1, 3]) {
      await t.step(`${kind}, k2 = ${k2}`, () => {
        const cell = make(), params = initOf(cell);
        const optimizer = { type: "adam" as const, learningRate: 0.01 };
        let trained: TrainerSnapshot<ParamSet, unknown> | undefined;
        from(SAMPLES).pipe(train({ params, cell, k1: 1, k2, optimizer, clip: { norm: 1 } }))
          .subscribe((e) => trained = e.snapshot());
        const model = new Model(cell, params, { learning: { optimizer, clip: { norm: 1 }, k2 } });
        const losses = SAMPLES.map((s) => model.learnOne(s.x, s.y));
        assertBitEqual(model.params, trained!.params);
        assertBitEqual(model.state, trained!.hidden);
        assertEquals(model.updates, SAMPLES.length);
        assert(losses.every((l) => l > 0));
      });
    }
  }
});

Deno.test("Model.learnOne() keeps the optimizer's state across predict() and reset(), and changes nothing on an error", () => {
  const cell = rnnCell(), params = initOf(cell);
  const model = new Model(cell, params);
  model.learnOne(0, 1);
  model.predict(2);
  model.reset();
  model.learnOne(1, 2);
  assertEquals(model.updates, 2);
  const before = structuredClone(model.params);
  const state = model.state;
  assertThrows(() => model.learnOne(1, 99), RangeError);
  assertBitEqual(model.params, before);
  assertBitEqual(model.state, state);
  model.learnOne(1, 2);
  assertEquals(model.updates, 3);
});

Deno.test("Model.predictOne() is the forward step learnOne() then takes", () => {
  const cell = gruCell(), model = new Model(cell, initOf(cell));
  for (const s of SAMPLES.slice(0, 6)) {
    const p = model.predictOne(s.x).data[s.y[0]];
    const loss = model.learnOne(s.x, s.y);
    assert(Math.abs(loss + Math.log(p)) < 1e-12, `${loss} vs ${-Math.log(p)}`);
  }
});

Deno.test("Model.predict() carries the state exactly as forwardSteps() does, and reset() starts over", async (t) => {
  for (const [kind, make] of CELLS) {
    await t.step(kind, () => {
      const cell = make(), params = initOf(cell);
      const expected: Matrix[] = [];
      from(SAMPLES).pipe(forwardSteps({ params, cell })).subscribe((r) =>
        expected.push(cell.outputOf(r.cache).clone())
      );
      const model = new Model(cell, params, { vocab: VOCAB });
      const got = model.predictSequence(SAMPLES.map((s) => s.x[0]));
      assertBitEqual(got, expected);
      model.reset();
      assertBitEqual(model.predict(SAMPLES[0].x), expected[0]);
      model.reset();
      assertBitEqual(model.predictSequence(VOCAB.decode(SAMPLES.map((s) => s.x[0]))), expected);
    });
  }
});

Deno.test("Model.predict() reads Float64Array features and Matrix columns for the linear head", () => {
  const cell = rnnCell({ head: "linear" });
  const model = new Model(cell, cell.init({ nx: 2, na: 4, ny: 1 }, { seed: 1 }));
  const a = model.predictOne(Float64Array.of(0.5, -1));
  const b = model.predictOne(new Matrix(2, 1, Float64Array.of(0.5, -1)));
  assertBitEqual(a, b);
  assert(model.learnOne(Float64Array.of(0.5, -1), Float64Array.of(2)) > 0);
  assertThrows(() => model.predict(new Matrix(2, 3)), RangeError, "reset() first");
  assertThrows(() => model.predict(Float64Array.of(1)), RangeError, "2 values");
});

Deno.test("Model.save()/load(), toBytes()/fromBytes() and fromUrl() give back every cell bit for bit", async (t) => {
  const dir = await tmpDir();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const name = new URL(request.url).pathname.slice(1);
    try {
      return new Response(await Deno.readFile(`${dir.path}/${name}`));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    for (const [kind, make] of CELLS) {
      await t.step(kind, async () => {
        const cell = make(), model = new Model(cell, initOf(cell), { vocab: VOCAB });
        model.learnOne(1, 2);
        const path = `${dir.path}/${kind}.ckpt`;
        await model.save(path);
        const url = `http://127.0.0.1:${server.addr.port}/${kind}.ckpt`;
        const copies = [
          await Model.load(path),
          await Model.fromBytes(await model.toBytes()),
          await Model.fromUrl(url),
        ];
        const text = model.generate({ prime: "ab", length: 30, seed: 5 });
        for (const copy of copies) {
          assertEquals(copy.cell.spec(), cell.spec());
          assertBitEqual(copy.params, model.params);
          assert(copy.vocab!.equals(VOCAB));
          assertEquals(copy.generate({ prime: "ab", length: 30, seed: 5 }), text);
        }
      });
    }
    await assertRejects(
      () => Model.fromUrl(`http://127.0.0.1:${server.addr.port}/nothing.ckpt`),
      CheckpointError,
      "HTTP 404",
    );
    await assertRejects(
      () => Model.load(`${dir.path}/rnn.ckpt`, { vocab: Vocab.fromText("xyz") }),
      CheckpointError,
    );
  } finally {
    await server.shutdown();
    await dir.dispose();
  }
});

Deno.test("Model.load() reads a training checkpoint (trainer snapshot, no separate parameters) and keeps its optimizer", async () => {
  await withTmpDir(async (dir) => {
    const cell = lstmCell();
    let snapshot: TrainerSnapshot<ParamSet, unknown> | undefined;
    const optimizer = { type: "sgd" as const, learningRate: 0.3 };
    from(SAMPLES).pipe(train({ params: initOf(cell), cell, k1: 4, optimizer })).subscribe((e) =>
      snapshot = e.snapshot()
    );
    const path = `${dir.path}/run.ckpt`;
    await saveCheckpoint(path, {
      config: { sizes: { nx: 5, na: 6, ny: 5 }, streams: 1, seed: 0 },
      vocab: VOCAB.toData(),
      trainer: snapshot!,
    });
    const model = await Model.load(path);
    assertBitEqual(model.params, snapshot!.params);
    assertEquals(model.cell.kind, "lstm");
    const again = Model.fromSnapshot(snapshot!, { vocab: VOCAB });
    model.learnOne(0, 1);
    again.learnOne(0, 1);
    assertBitEqual(model.params, again.params);
    const empty = `${dir.path}/empty.ckpt`;
    await saveCheckpoint(empty, { config: { sizes: { nx: 5, na: 6, ny: 5 }, streams: 1, seed: 0 } });
    await assertRejects(() => Model.load(empty), CheckpointError, "holds no parameters");
  });
});

Deno.test("Model.sample() is cold and take(n) stops it; generate() joins it and never moves the state", async () => {
  const cell = rnnCell(), model = new Model(cell, initOf(cell), { vocab: VOCAB });
  const chars = await lastValueFrom(model.sample({ length: 50, seed: 2 }).pipe(take(4), toArray()));
  assertEquals(chars.join(""), model.generate({ length: 4, seed: 2 }));
  assertEquals(model.state, null);
  assertEquals(
    model.generate({ length: 8, argmax: true }),
    model.generate({ length: 8, argmax: true, seed: 9 }),
  );
  const stopped = model.generate({ length: 500, seed: 1, stopAtBoundary: true });
  assert(!stopped.includes("\n"));
});

Deno.test("Model refuses what it cannot use, naming the value", () => {
  const cell = rnnCell(), params = initOf(cell);
  assertThrows(
    () => new Model(cell, params, { vocab: Vocab.fromText("ab") }),
    RangeError,
    "current value is 3",
  );
  assertThrows(() => new Model(cell, params, { backend: "nope" }), RangeError, "current value is nope");
  assertThrows(() => new Model(cell, params, { learning: { k2: 0 } }), RangeError, "'learning.k2'");
  const model = new Model(cell, params);
  assertThrows(() => model.generate(), TypeError, "no vocabulary");
  assertThrows(() => model.predictSequence("ab"), TypeError, "no vocabulary");
  assertThrows(() => model.learnOne([0, 1], [1]), RangeError, "2 columns");
  assertThrows(() => model.predict("a" as unknown as number), TypeError);
});

Deno.test("Model keeps its own copy of the parameters", () => {
  const cell = rnnCell(), params = initOf(cell);
  const before = structuredClone(params);
  const model = new Model(cell, params);
  model.learnOne(0, 1);
  assertBitEqual(params, before);
  assert(model.params.Wax !== params.Wax);
});
