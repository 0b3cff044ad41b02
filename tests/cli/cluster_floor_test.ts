import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { emptyFloor, FencedWrite, parseFloor, readFloor, writeFloor } from "../../src/cli/_cluster_floor.ts";
import { connectNats } from "../../src/io/nats/connect_nats.ts";
import { Kvm } from "../../src/io/nats/nats_deps.ts";
import { natsServer } from "../io/nats/_nats_server.ts";

Deno.test("writeFloor() is a compare-and-set on the floor's revision: a writer that read an older revision is refused", async () => {
  const server = await natsServer();
  const nc = await connectNats({ servers: server.url });
  try {
    const floors = await new Kvm(nc).create("floors");
    assertEquals(await readFloor(floors, 3), { record: emptyFloor(), revision: 0 });
    const first = { floor: 10, generation: 1, holder: "A", feeds: { a: { object: "p3.g1.1", seq: 9 } } };
    const r1 = await writeFloor(floors, 3, first, 0);
    await assertRejects(() => writeFloor(floors, 3, first, 0), FencedWrite, "partition 3");
    // B claims on the revision it read; A's next write, on its own older revision, is refused
    const r2 = await writeFloor(floors, 3, { ...first, generation: 2, holder: "B" }, r1);
    await assertRejects(() => writeFloor(floors, 3, { ...first, floor: 20 }, r1), FencedWrite);
    assertEquals(await readFloor(floors, 3), {
      record: { ...first, generation: 2, holder: "B" },
      revision: r2,
    });
  } finally {
    await nc.close();
    await server.dispose();
  }
});

Deno.test("parseFloor() reads a floor record and refuses anything else (never as an empty floor)", () => {
  const record = { floor: 5, generation: 2, holder: "w1", feeds: { a: { object: "p0.g2.1", seq: 5 } } };
  assertEquals(parseFloor(JSON.stringify(record), 0), record);
  for (
    const bad of [
      "17", // a floor as the first version wrote it (a bare number)
      "{",
      JSON.stringify({ ...record, floor: -1 }),
      JSON.stringify({ ...record, generation: 1.5 }),
      JSON.stringify({ ...record, feeds: { a: { object: "x", seq: 6 } } }), // a feed beyond the floor
      JSON.stringify({ ...record, feeds: null }),
    ]
  ) {
    assertThrows(() => parseFloor(bad, 0), TypeError, "Cannot read the floor of partition 0");
  }
});
