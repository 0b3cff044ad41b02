import { assert, assertEquals, assertRejects } from "@std/assert";
import { loadObjectCheckpoint, saveObjectCheckpoint } from "../../../src/io/nats/object_checkpoint.ts";
import { Objm } from "../../../src/io/nats/nats_deps.ts";
import { CheckpointError } from "../../../src/io/checkpoint/checkpoint.ts";
import { initParams } from "../../../src/cells/rnn/params.ts";
import { withNats } from "./_nats_server.ts";

Deno.test("saveObjectCheckpoint() stores the checkpoint bytes that loadObjectCheckpoint() reads back bit for bit", async (t) => {
  await withNats(async (nc) => {
    const store = await new Objm(nc).create("ckpt");
    const params = initParams({ nx: 3, na: 40, ny: 3 }, { seed: 5 });
    const config = { sizes: { nx: 3, na: 40, ny: 3 }, streams: 1, seed: 5 };
    await t.step("round trip, with the extra data", async () => {
      const bytes = await saveObjectCheckpoint(store, "feed.a", {
        cell: { kind: "rnn", head: "linear" },
        config,
        params,
        extra: { lastSeq: 42 },
      });
      assert(bytes > 0);
      const loaded = await loadObjectCheckpoint(store, "feed.a");
      assertEquals(loaded!.extra.lastSeq, 42);
      assert(loaded!.params!.Waa.data.every((v, i) => Object.is(v, params.Waa.data[i])));
      assertEquals((await store.getBlob("feed.a"))!.length, bytes);
    });
    await t.step("what the caller expects is checked", async () => {
      await assertRejects(
        () => loadObjectCheckpoint(store, "feed.a", { sizes: { na: 8 } }),
        CheckpointError,
        '"feed.a"',
      );
    });
    await t.step("a missing object is null", async () => {
      assertEquals(await loadObjectCheckpoint(store, "feed.none"), null);
    });
    await t.step("stored bytes that are not a checkpoint are a CheckpointError", async () => {
      await store.putBlob(
        { name: "feed.bad" },
        new TextEncoder().encode("rxrnn-checkpoint 2\nsha256 00 3\nabc"),
      );
      await assertRejects(() => loadObjectCheckpoint(store, "feed.bad"), CheckpointError);
    });
  });
});
