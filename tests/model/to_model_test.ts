import { assert, assertEquals } from "@std/assert";
import { EMPTY, from, last, lastValueFrom, map, NEVER, Observable, take, throwError, toArray } from "rxjs";
import { gruCell, train, Vocab } from "../../mod.ts";
import type { ParamSet, TrainerSnapshot, TrainEvent } from "../../mod.ts";
import { Model, toModel } from "../../src/model/mod.ts";
import { assertBitEqual } from "../_bit_equal.ts";

const VOCAB = Vocab.fromText("abcd");
const TOKENS = VOCAB.encode("abcabdabcadcbabcdabcabdd");
// 23 samples: 4 windows of k1 = 5 and a partial window of 3 at the end
const SAMPLES = Array.from(TOKENS.subarray(1), (y, i) => ({ x: [TOKENS[i]], y: [y] }));
const OPTIONS = { cell: gruCell(), sizes: { nx: 5, na: 6, ny: 5 }, k1: 5, k2: 7, seed: 2 };

Deno.test("toModel() after train() gives the last window's model, reading one snapshot", async () => {
  const expected: TrainerSnapshot<ParamSet, unknown> = await lastValueFrom(
    from(SAMPLES).pipe(train(OPTIONS), map((e) => e.snapshot()), last()),
  );
  let snapshots = 0;
  const model = await lastValueFrom(
    from(SAMPLES).pipe(
      train(OPTIONS),
      map((e): TrainEvent<ParamSet, unknown> => ({
        ...e,
        snapshot: () => {
          snapshots++;
          return e.snapshot();
        },
      })),
      toModel({ vocab: VOCAB }),
    ),
  );
  assertEquals(snapshots, 1);
  assert(model instanceof Model);
  assertBitEqual(model.params, expected.params);
  assertEquals(model.cell.spec(), expected.cell);
  assert(model.vocab!.equals(VOCAB));
  assertEquals(model.backend, "wasm-f64"); // the default backend
});

Deno.test("toModel() learns on with the run's optimizer settings", async () => {
  const model = await lastValueFrom(
    from(SAMPLES).pipe(train({ ...OPTIONS, optimizer: { type: "sgd", learningRate: 0.25 } }), toModel()),
  );
  const fromEvent = await lastValueFrom(
    from(SAMPLES).pipe(
      train({ ...OPTIONS, optimizer: { type: "sgd", learningRate: 0.25 } }),
      map((e) => Model.fromEvent(e)),
      last(),
    ),
  );
  model.learnOne(1, 2);
  fromEvent.learnOne(1, 2);
  assertBitEqual(model.params, fromEvent.params);
});

Deno.test("toModel() completes empty on an empty stream, forwards errors and never emits before completion", async (t) => {
  await t.step("empty", async () => {
    assertEquals(await lastValueFrom(EMPTY.pipe(toModel(), toArray())), []);
  });
  await t.step("error", async () => {
    const error = await lastValueFrom(throwError(() => new Error("boom")).pipe(toModel())).catch((e) => e);
    assertEquals((error as Error).message, "boom");
  });
  await t.step("never", () => {
    const seen: Model[] = [];
    const subscription = NEVER.pipe(toModel()).subscribe((m) => seen.push(m));
    subscription.unsubscribe();
    assertEquals(seen, []);
  });
  await t.step("take(2) upstream: the model of the second window", async () => {
    const second = await lastValueFrom(
      from(SAMPLES).pipe(train(OPTIONS), map((e) => e.snapshot()), take(2), last()),
    );
    const model = await lastValueFrom(from(SAMPLES).pipe(train(OPTIONS), take(2), toModel()));
    assertBitEqual(model.params, second.params);
  });
  await t.step("a synchronous endless source stops when the downstream unsubscribes", () => {
    let pulled = 0;
    const endless = new Observable<{ x: number[]; y: number[] }>((s) => {
      for (let i = 0; !s.closed && i < 10_000; i++) {
        pulled++;
        s.next({ x: [i % 4], y: [(i + 1) % 4] });
      }
    });
    const models: Model[] = [];
    endless.pipe(train(OPTIONS), take(3), toModel()).subscribe((m) => models.push(m));
    assertEquals(pulled, 15);
    assertEquals(models.length, 1);
  });
  await t.step("a throwing snapshot errors the stream", async () => {
    const bad = from(SAMPLES).pipe(
      train(OPTIONS),
      map((e) => ({
        ...e,
        snapshot: (): never => {
          throw new RangeError("no snapshot");
        },
      })),
    );
    const error = await lastValueFrom(bad.pipe(toModel())).catch((e) => e);
    assert(error instanceof RangeError);
  });
});
