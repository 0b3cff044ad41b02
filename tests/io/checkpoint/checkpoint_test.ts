import { assert, assertEquals, assertRejects, assertStrictEquals } from "@std/assert";
import { from, lastValueFrom, map } from "rxjs";
import { initParams, Matrix } from "../../../mod.ts";
import type { RnnParams } from "../../../mod.ts";
import { train } from "../../../src/stream/train.ts";
import type { TrainerSnapshot, TrainEvent } from "../../../src/stream/train.ts";
import {
  CHECKPOINT_VERSION,
  CheckpointError,
  loadCheckpoint,
  saveCheckpoint,
} from "../../../src/io/checkpoint/checkpoint.ts";
import type { CheckpointData, CheckpointTrainer } from "../../../src/io/checkpoint/checkpoint.ts";
import { registerCell } from "../../../src/cells/create_cell.ts";
import { rnnCell } from "../../../src/cells/rnn/rnn_cell.ts";
import type { ParamSet } from "../../../src/cells/types.ts";
import { forwardSteps } from "../../../src/stream/forward_steps.ts";
import type { StepRecord } from "../../../src/stream/forward_steps.ts";
import { tbptt } from "../../../src/stream/tbptt.ts";
import { applyUpdates } from "../../../src/stream/apply_updates.ts";
import { sampleTokens } from "../../../src/stream/sample_tokens.ts";
import { clonePlain } from "../../../src/online/_clone.ts";
import { pairCell } from "../../_pair_cell.ts";
import type { PairCache, PairParams } from "../../_pair_cell.ts";
import { encodeValue } from "../../../src/io/checkpoint/codec.ts";
import { NameStream } from "../../../src/io/text/name_stream.ts";
import { Vocab } from "../../../src/io/text/vocab.ts";
import { withTmpDir } from "../../_tmp_dir.ts";
import { assertBitEqual } from "../../_bit_equal.ts";

const NAMES = ["ava", "bo", "cleo", "dan", "eve", "fay", "gus"];
const vocab = Vocab.fromText(NAMES.join("\n"));
const sizes = { nx: vocab.size, na: 6, ny: vocab.size };
const M = 3, K1 = 4, K2 = 7;

function samples(
  n: number,
  stream = new NameStream(NAMES.map((s) => vocab.encode(s)), { streams: M, seed: 1 }),
) {
  return Array.from({ length: n }, () => stream.next()).map((s) => ({
    x: s.x,
    y: s.y,
    reset: s.reset,
  }));
}

function trainer(resume?: TrainerSnapshot) {
  return train({ sizes, seed: 2, k1: K1, k2: K2, optimizer: { type: "adam", learningRate: 0.01 }, resume });
}

/** Trains on the samples; returns the last event and its snapshot, taken inside the event (as documented). */
async function trainOn(list: ReturnType<typeof samples>, resume?: TrainerSnapshot) {
  return await lastValueFrom(
    from(list).pipe(trainer(resume), map((event) => ({ event, snapshot: event.snapshot() }))),
  );
}

/** A checkpoint of a real run after `windows` windows. */
async function runFor(windows: number): Promise<{ data: CheckpointData; last: TrainEvent }> {
  const { event: last, snapshot } = await trainOn(samples(windows * K1));
  assert(snapshot.history.length > 0, "the snapshot has history");
  return {
    last,
    data: {
      config: { sizes, streams: M, seed: 2, note: "test", when: [1, -0, NaN, Infinity] },
      vocab: vocab.toData(),
      params: snapshot.params,
      trainer: snapshot,
      stream: { any: "plain data", n: 3 },
      extra: { counters: { ...snapshot.counters } },
    },
  };
}

/** Writes a file with a valid header and checksum around an arbitrary payload object. */
async function writeRaw(path: string, payload: unknown, version = 1): Promise<void> {
  const body = new TextEncoder().encode(JSON.stringify(encodeValue(payload)));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  const header = new TextEncoder().encode(`rxrnn-checkpoint ${version}\nsha256 ${hex} ${body.length}\n`);
  await Deno.writeFile(path, new Uint8Array([...header, ...body]));
}

Deno.test("saveCheckpoint() / loadCheckpoint() round-trip every value bit for bit", async (t) => {
  await withTmpDir(async (dir) => {
    const { data } = await runFor(5);
    const path = `${dir.path}/run.ckpt`;
    await t.step(
      "everything comes back identical (floats by Object.is, incl. -0, NaN, Infinity)",
      async () => {
        const bytes = await saveCheckpoint(path, data);
        assertStrictEquals(bytes, (await Deno.stat(path)).size);
        const loaded = await loadCheckpoint(path, { vocab, sizes, streams: M });
        assertStrictEquals(loaded.version, CHECKPOINT_VERSION);
        assertEquals(loaded.cell.spec(), { kind: "rnn", head: "softmax" });
        assertEquals([loaded.backend, loaded.paramNames], ["wasm-f64", ["Wax", "Waa", "ba", "Wya", "by"]]);
        assertBitEqual(loaded.params, data.params, "params");
        assertBitEqual(loaded.trainer, data.trainer, "trainer");
        assertBitEqual(loaded.config, data.config, "config");
        assertEquals(loaded.vocab, data.vocab);
        assertEquals(loaded.stream, data.stream);
        assertEquals(loaded.extra, data.extra);
      },
    );
    await t.step(
      "the write is atomic: no temporary file is left, and a second save replaces the first",
      async () => {
        await saveCheckpoint(path, { ...data, extra: { second: true } });
        assertEquals((await loadCheckpoint(path)).extra, { second: true });
        const names = [...Deno.readDirSync(dir.path)].map((e) => e.name);
        assertEquals(names, ["run.ckpt"]);
      },
    );
    await t.step("a model without trainer state", async () => {
      const params = initParams(sizes, { seed: 9 });
      await saveCheckpoint(path, { config: { sizes, streams: 1, seed: 0 }, vocab: vocab.toData(), params });
      const loaded = await loadCheckpoint(path);
      assertStrictEquals(loaded.trainer, null);
      assertBitEqual(loaded.params, params, "params");
    });
  });
});

Deno.test("a loaded snapshot resumes train() exactly: N + M windows = N, save, load, M windows", async () => {
  await withTmpDir(async (dir) => {
    const all = samples(9 * K1);
    const straight = await trainOn(all);
    const { snapshot } = await trainOn(all.slice(0, 4 * K1));
    assert(snapshot.history.length > 0, "k2 > k1: the snapshot carries history");
    const path = `${dir.path}/resume.ckpt`;
    await saveCheckpoint(path, {
      config: { sizes, streams: M, seed: 2 },
      vocab: vocab.toData(),
      params: snapshot.params,
      trainer: snapshot,
    });
    const loaded = await loadCheckpoint(path);
    const resumed = await trainOn(all.slice(4 * K1), loaded.trainer!);
    assertBitEqual(resumed.event.params, straight.event.params as RnnParams, "params");
    assertEquals(resumed.event.counters, straight.event.counters);
    assertBitEqual(resumed.snapshot, straight.snapshot, "snapshot");
  });
});

Deno.test("loadCheckpoint() gives one clear CheckpointError for each broken file", async (t) => {
  await withTmpDir(async (dir) => {
    const { data } = await runFor(2);
    const good = `${dir.path}/good.ckpt`, bad = `${dir.path}/bad.ckpt`;
    await saveCheckpoint(good, data);
    const bytes = await Deno.readFile(good);
    const headerEnd = bytes.indexOf(10, bytes.indexOf(10) + 1) + 1;
    const expectError = async (message: string, expect = {}, path = bad) => {
      const error = await assertRejects(() => loadCheckpoint(path, expect), CheckpointError, message);
      assert(error.message.startsWith(`Cannot load checkpoint "${path}": `), error.message);
      assert(!error.message.includes("\n"), "one line");
    };
    await t.step("missing file", () => expectError("file not found", {}, `${dir.path}/nope.ckpt`));
    await t.step("a directory", () => expectError("it is a directory", {}, dir.path));
    await t.step("empty file", async () => {
      await Deno.writeFile(bad, new Uint8Array(0));
      await expectError("the file is empty (truncated)");
    });
    for (const cut of [5, 17, 20, headerEnd - 1]) {
      await t.step(`truncated inside the header (${cut} bytes)`, async () => {
        await Deno.writeFile(bad, bytes.subarray(0, cut));
        await expectError("the file is truncated (incomplete header)");
      });
    }
    for (const keep of [0, 1, 1000]) {
      await t.step(`truncated payload (${keep} bytes)`, async () => {
        await Deno.writeFile(bad, bytes.subarray(0, headerEnd + keep));
        await expectError(`the file is truncated: ${keep} of ${bytes.length - headerEnd} payload bytes`);
      });
    }
    await t.step("bytes after the payload", async () => {
      await Deno.writeFile(bad, new Uint8Array([...bytes, 32]));
      await expectError("corrupted: 1 unexpected bytes after the payload");
    });
    for (const at of [headerEnd, headerEnd + 100, bytes.length - 2]) {
      await t.step(`one byte changed in the payload (at ${at})`, async () => {
        const copy = bytes.slice();
        copy[at] ^= 1;
        await Deno.writeFile(bad, copy);
        await expectError("checksum mismatch: the file is corrupted");
      });
    }
    await t.step("not a checkpoint", async () => {
      await Deno.writeTextFile(bad, "hello world\n");
      await expectError("not an rxrnn checkpoint (unknown header)");
    });
    await t.step("unknown format version", async () => {
      const text = new TextDecoder().decode(bytes).replace("rxrnn-checkpoint 2\n", "rxrnn-checkpoint 7\n");
      await Deno.writeTextFile(bad, text);
      await expectError("format version 7 is not supported (this build reads versions 1 and 2)");
    });
    await t.step("a valid checksum over malformed JSON", async () => {
      const body = new TextEncoder().encode("{not json");
      const hex = Array.from(
        new Uint8Array(await crypto.subtle.digest("SHA-256", body)),
        (b) => b.toString(16).padStart(2, "0"),
      ).join("");
      await Deno.writeFile(
        bad,
        new TextEncoder().encode(`rxrnn-checkpoint 1\nsha256 ${hex} ${body.length}\n{not json`),
      );
      await expectError("malformed payload");
    });
    const payload = (changes: Record<string, unknown>) => ({
      version: 1,
      config: data.config,
      vocab: data.vocab,
      params: data.params,
      trainer: data.trainer,
      sharedParams: false,
      stream: null,
      extra: {},
      ...changes,
    });
    const other = initParams({ nx: sizes.nx, na: 5, ny: sizes.ny });
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "parameters of another hidden size than the config",
        { params: other, trainer: null },
        "the parameters have na = 5 but 'config.sizes.na' is 6",
      ],
      [
        "a vocabulary of another size than the model",
        { vocab: { chars: ["\n", "a"] } },
        "the vocabulary has 2 characters but the model has nx = 15",
      ],
      [
        "a Waa of the wrong shape",
        { params: { ...data.params, Waa: new Matrix(6, 5) } },
        "'params.Waa' has shape 6x5, expected 6x6",
      ],
      [
        "a hidden state of the wrong width",
        { trainer: { ...data.trainer, hidden: new Matrix(6, 2) } },
        "'trainer.hidden' has shape 6x2, expected 6x3",
      ],
      ["an optimizer slot of the wrong length", {
        trainer: {
          ...data.trainer,
          optimizer: { type: "adam", t: 1, slots: { "Wax.m": new Float64Array(3) } },
        },
      }, "'trainer.optimizer.slots.Wax.m' must be a Float64Array of 90 values"],
      [
        "the trainer's parameters differ in size",
        { trainer: { ...data.trainer, params: other } },
        "the trainer's parameters are 5x15x15",
      ],
      ["a history record with a token out of range", {
        trainer: {
          ...data.trainer,
          history: data.trainer!.history.map((r, i) => i ? r : { ...r, y: Int32Array.of(0, 99, 0) }),
        },
      }, "'trainer.history[0].y[1]' must be in [0, 15): current value is 99"],
      [
        "the payload version differs from the header",
        { version: 2 },
        "the payload's version 2 differs from the header's 1",
      ],
      [
        "a malformed typed array",
        { params: { ...data.params, ba: { $matrix: [6, 1, "AAAA"] } } },
        "malformed payload: 'checkpoint.params.ba' holds 3 bytes, not a multiple of 8",
      ],
    ];
    for (const [name, changes, message] of cases) {
      await t.step(`inconsistent: ${name}`, async () => {
        const raw = payload(changes);
        if (name === "a malformed typed array") {
          // write the tag itself, not an encoded matrix
          const encoded = encodeValue({ ...raw, params: undefined }) as Record<string, unknown>;
          encoded.params = { ...(encodeValue(data.params) as object), ba: { $matrix: [6, 1, "AAAA"] } };
          const body = new TextEncoder().encode(JSON.stringify(encoded));
          const hex = Array.from(
            new Uint8Array(await crypto.subtle.digest("SHA-256", body)),
            (b) => b.toString(16).padStart(2, "0"),
          ).join("");
          await Deno.writeFile(
            bad,
            new Uint8Array([
              ...new TextEncoder().encode(`rxrnn-checkpoint 1\nsha256 ${hex} ${body.length}\n`),
              ...body,
            ]),
          );
        } else {
          await writeRaw(bad, raw);
        }
        await expectError(message);
      });
    }
    await t.step("a vocabulary other than the caller's", async () => {
      await expectError(
        "the vocabulary differs from the expected one: 15 characters in the checkpoint, 16 expected",
        { vocab: Vocab.fromText(NAMES.join("\n") + "z") },
        good,
      );
      const swapped = [...vocab.chars];
      [swapped[1], swapped[2]] = [swapped[2], swapped[1]];
      await expectError(
        'token 1 is "a" in the checkpoint, "b" expected',
        { vocab: { chars: swapped } },
        good,
      );
    });
    await t.step("other sizes or streams than the caller's", async () => {
      await expectError("the model has na = 6, expected 8", { sizes: { na: 8 } }, good);
      await expectError("the run has 3 parallel streams, expected 4", { streams: 4 }, good);
    });
  });
});

Deno.test("saveCheckpoint() refuses inconsistent data and leaves the old file when it cannot write", async (t) => {
  await withTmpDir(async (dir) => {
    const { data } = await runFor(1);
    const path = `${dir.path}/keep.ckpt`;
    await saveCheckpoint(path, data);
    const before = await Deno.readFile(path);
    await t.step("inconsistent data is refused before anything is written", async () => {
      await assertRejects(
        () => saveCheckpoint(path, { ...data, vocab: { chars: ["\n", "a"] } }),
        CheckpointError,
        `Cannot save checkpoint "${path}": the vocabulary has 2 characters`,
      );
      assertEquals(await Deno.readFile(path), before);
    });
    await t.step("an unwritable place gives a CheckpointError", async () => {
      await assertRejects(
        () => saveCheckpoint(`${dir.path}/no/such/dir/x.ckpt`, data),
        CheckpointError,
        "Cannot save checkpoint",
      );
    });
    await t.step("a value that cannot be encoded is a TypeError naming it", async () => {
      await assertRejects(
        () => saveCheckpoint(path, { ...data, extra: { f: () => 1 } }),
        TypeError,
        "Cannot encode 'checkpoint.extra.f': unsupported type function",
      );
      assertEquals(await Deno.readFile(path), before);
    });
  });
});

/** Trains the pair cell through the public stages; returns the state after the last window. */
function pairRun(list: ReturnType<typeof samples>, resume?: CheckpointTrainer): CheckpointTrainer {
  const cell = pairCell();
  const params = clonePlain((resume?.params ?? cell.init(sizes, { seed: 4 })) as PairParams);
  const counters = resume?.counters as { steps: number; updates: number } | undefined;
  let last: CheckpointTrainer | undefined;
  from(list).pipe(
    forwardSteps({ params, cell, a0: resume?.hidden, startIndex: counters?.steps ?? 0, pool: K2 + 1 }),
    tbptt({ params, cell, k1: K1, k2: K2, history: resume?.history as StepRecord<PairCache>[] }),
    applyUpdates({
      params,
      cell,
      optimizer: { type: "adam", learningRate: 0.01 },
      optimizerState: resume?.optimizer,
      start: { updates: counters?.updates ?? 0, rejected: 0 },
    }),
  ).subscribe((u) => {
    last = {
      config: { k1: K1, k2: K2 },
      params: clonePlain(params),
      optimizer: u.optimizerState(),
      hidden: u.window.aLast.clone(),
      history: u.window.history().map(clonePlain),
      counters: { steps: u.window.t, updates: u.updates },
    };
  });
  return last!;
}

Deno.test("a registered cell (the pair cell) trains, is checkpointed, loads, resumes bit for bit and samples", async (t) => {
  await withTmpDir(async (dir) => {
    const all = samples(9 * K1);
    const straight = pairRun(all);
    const first = pairRun(all.slice(0, 4 * K1));
    assert(first.history.length > 0, "k2 > k1: the state carries history");
    const path = `${dir.path}/pair.ckpt`;
    const data = {
      cell: pairCell(),
      config: { sizes, streams: M, seed: 4 },
      vocab: vocab.toData(),
      params: first.params,
      trainer: first,
    };
    await t.step("a kind that is not registered is one clear error", async () => {
      const odd = { ...pairCell(), kind: "odd", spec: () => ({ kind: "odd", head: "softmax" as const }) };
      const oddPath = `${dir.path}/odd.ckpt`;
      await saveCheckpoint(oddPath, { ...data, cell: odd });
      await assertRejects(() => loadCheckpoint(oddPath), CheckpointError, "current value is odd");
    });
    registerCell("pair", () => pairCell());
    await saveCheckpoint(path, data);
    const loaded = await loadCheckpoint(path);
    await t.step("the file names the cell, its parameters and the backend", () => {
      assertEquals(loaded.cell.spec(), { kind: "pair", head: "softmax" });
      assertEquals(loaded.paramNames, ["Wax", "Waa", "Wac", "ba", "Wya", "by"]);
      assertEquals(loaded.backend, "js");
      assertStrictEquals(loaded.cell.sizes(loaded.params!).state, 2 * sizes.na);
    });
    await t.step("resumed from the file: N + M windows = N, save, load, M windows, bit for bit", () => {
      const resumed = pairRun(all.slice(4 * K1), loaded.trainer as unknown as CheckpointTrainer);
      assertBitEqual(resumed, straight, "state");
    });
    await t.step("sampleTokens() draws from the loaded cell as from the trained one", () => {
      const draw = (params: ParamSet) => {
        const out: number[] = [];
        sampleTokens(params, { cell: loaded.cell, length: 30, seed: 7, prime: [vocab.boundary] })
          .subscribe((tok) => out.push(tok));
        return out;
      };
      const tokens = draw(loaded.params!);
      assertEquals(tokens.length, 30);
      assert(tokens.every((tok) => tok >= 0 && tok < vocab.size));
      assertEquals(tokens, draw(first.params));
    });
    await t.step("another cell, or other sizes, than the caller expects is one clear error", async () => {
      await assertRejects(
        () => loadCheckpoint(path, { cell: rnnCell() }),
        CheckpointError,
        'it holds a "pair" cell with the softmax head, expected "rnn" with the softmax head',
      );
      await assertRejects(
        () => loadCheckpoint(path, { cell: pairCell(), sizes: { na: 9 } }),
        CheckpointError,
        "the model has na = 6, expected 9",
      );
      await assertRejects(
        () => saveCheckpoint(`${dir.path}/x.ckpt`, { ...data, cell: rnnCell() }),
        CheckpointError,
        "'params' has Wac, which the \"rnn\" cell does not have",
      );
    });
  });
});
