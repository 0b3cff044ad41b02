/** createCell() rebuilds every built-in kind from its spec; cellFromOptions() builds the cell an entry point's options name. */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { cellFromOptions, cellKinds, createCell } from "../../src/cells/create_cell.ts";
import { gruCell } from "../../src/cells/gru/gru_cell.ts";
import { lstmCell } from "../../src/cells/lstm/lstm_cell.ts";
import { stackedCell } from "../../src/cells/stack/stacked_cell.ts";
import { rnnCell } from "../../src/cells/rnn/rnn_cell.ts";
import type { RecurrentCell } from "../../src/cells/recurrent_cell.ts";

Deno.test("createCell() rebuilds the rnn, gru, lstm and stack kinds from their specs", () => {
  assertEquals(cellKinds().slice(0, 4), ["rnn", "gru", "lstm", "stack"]);
  const cells: RecurrentCell[] = [
    rnnCell({ head: "linear" }),
    gruCell(),
    lstmCell({ head: "linear" }),
    stackedCell({ layers: [8, { cell: "lstm", size: 6 }], embed: 4 }),
  ] as unknown as RecurrentCell[];
  for (const cell of cells) {
    // through JSON, as a checkpoint keeps it
    const rebuilt = createCell(JSON.parse(JSON.stringify(cell.spec())));
    assertEquals(rebuilt.spec(), cell.spec());
    const params = cell.init({ nx: 3, na: cell.kind === "stack" ? 6 : 5, ny: 3 }, { seed: 2 });
    assertEquals(rebuilt.paramNames(params), cell.paramNames(params));
    assertEquals(rebuilt.sizes(params), cell.sizes(params));
  }
});

Deno.test("createCell() refuses a stack spec without layers, naming the value", () => {
  assertThrows(() => createCell({ kind: "stack", head: "softmax" }), TypeError, "'layers' must be an array");
  assertThrows(
    () => createCell({ kind: "stack", head: "softmax", layers: [{ cell: "gru", size: 0 }] }),
    RangeError,
    "current value is 0",
  );
});

Deno.test("cellFromOptions() builds the cell an entry point's options name", async (t) => {
  await t.step("a name with one layer and no embedding is the plain cell", () => {
    assertEquals(cellFromOptions().spec(), { kind: "rnn", head: "softmax" });
    assertEquals(cellFromOptions({ cell: "gru", head: "linear" }).spec(), { kind: "gru", head: "linear" });
    assertEquals(cellFromOptions({ cell: "lstm", layers: [16] }).spec(), { kind: "lstm", head: "softmax" });
  });
  await t.step("more layers, or an embedding, build a stack of that kind", () => {
    assertEquals(cellFromOptions({ cell: "gru", layers: [8, 8], embed: 4 }).spec(), {
      kind: "stack",
      head: "softmax",
      layers: [{ cell: "gru", size: 8 }, { cell: "gru", size: 8 }],
      embed: 4,
    });
    assertEquals(cellFromOptions({ cell: "lstm", embed: 3, hiddenSize: 5 }).spec().layers, [
      { cell: "lstm", size: 5 },
    ]);
    assertEquals(cellFromOptions({ cell: "rnn", layers: [4, 6] }).spec().kind, "stack");
  });
  await t.step("a cell object is used as it is", () => {
    const cell = gruCell();
    assert(cellFromOptions({ cell }) === cell);
  });
  await t.step("bad values are one error naming the value", () => {
    assertThrows(() => cellFromOptions({ cell: "tanh" as "rnn" }), RangeError, "current value is tanh");
    assertThrows(() => cellFromOptions({ cell: 3 as unknown as "rnn" }), TypeError, "got number 3");
    assertThrows(() => cellFromOptions({ layers: [] }), RangeError, "at least one size");
    assertThrows(
      () => cellFromOptions({ layers: [8, 0.5] }),
      RangeError,
      "'layers[1]' must be an integer >= 1",
    );
    assertThrows(() => cellFromOptions({ layers: "8" as unknown as number[] }), TypeError, "got");
    assertThrows(() => cellFromOptions({ embed: 0 }), RangeError, "'embed' must be an integer >= 1");
    assertThrows(() => cellFromOptions({ embed: 4 }), RangeError, "'embed' needs 'layers'");
    assertThrows(
      () => cellFromOptions({ cell: gruCell(), layers: [4, 4] }),
      RangeError,
      "'layers' and 'embed' go with a cell's name",
    );
  });
});
