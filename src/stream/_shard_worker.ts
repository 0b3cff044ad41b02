/**
 * A worker of `train({ workers })`: one shard (a contiguous range of the batch columns)
 * with its own cell, kernel backend, parameters copy, state and k2 ring. Each window it
 * copies the parameters from the shared area, runs `forwardSteps → tbptt` on its
 * columns of the window's samples, writes the window's gradients into its shared area
 * and replies on its port; the calling thread blocks on the status word meanwhile.
 *
 * @module
 */
import { createCell } from "../cells/create_cell.ts";
import type { ParamSlot, RecurrentCell } from "../cells/recurrent_cell.ts";
import type { GradSet, ParamSet } from "../cells/types.ts";
import { createBackend } from "../kernels/create_backend.ts";
import { resident } from "../kernels/resident.ts";
import type { Matrix } from "../math/matrix.ts";
import type { StepRecord } from "./forward_steps.ts";
import { openShard } from "./_shard.ts";
import type { Shard } from "./_shard.ts";
import { readStep, readValues, writeSlots } from "./_shard_protocol.ts";
import type { InitMessage, ShardMessage, ShardReply } from "./_shard_protocol.ts";
import { fromWire, toWire } from "./_wire.ts";

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<ShardMessage>) => void) | null };

interface State {
  init: InitMessage;
  port: MessagePort;
  status: Int32Array;
  params: ParamSet;
  cell: RecurrentCell<ParamSet, GradSet, unknown>;
  shard: Shard<GradSet, unknown>;
  paramSlots: ParamSlot[];
  shared: { params: Float64Array; inputs: Float64Array; grads: Float64Array };
}

let state: State | null = null;

function reply(port: MessagePort, status: Int32Array, message: ShardReply): void {
  port.postMessage(message);
  Atomics.store(status, 0, message.seq);
  Atomics.notify(status, 0);
}

function setUp(init: InitMessage): State {
  const cell = createCell(init.spec, "train() worker") as RecurrentCell<ParamSet, GradSet, unknown>;
  const backend = createBackend(init.backend, "train() worker");
  const params = resident(fromWire<ParamSet>(init.initial), backend);
  cell.sizes(params);
  const shard = openShard({
    params,
    cell,
    backend,
    k1: init.k1,
    k2: init.k2,
    startIndex: init.startIndex,
    a0: init.a0 === null ? undefined : fromWire<Matrix>(init.a0),
    history: init.history === null ? undefined : fromWire<StepRecord<unknown>[]>(init.history),
  });
  return {
    init,
    port: init.port,
    status: new Int32Array(init.status),
    params,
    cell,
    shard,
    paramSlots: cell.slots(params, cell.zeroGrads(params)),
    shared: {
      params: new Float64Array(init.params),
      inputs: new Float64Array(init.inputs),
      grads: new Float64Array(init.grads),
    },
  };
}

function handle(message: ShardMessage): ShardReply {
  if (message.cmd === "init") {
    state = setUp(message);
    return { seq: message.seq };
  }
  if (state === null) throw new Error(`the worker got "${message.cmd}" before "init"`);
  const { init, shard, shared, cell, params } = state;
  if (message.cmd === "window") {
    // the calling thread stored the request's seq after writing the parameters and inputs
    if (Atomics.load(state.status, 1) < message.seq) {
      throw new Error(`window ${message.seq} was not published`);
    }
    readValues(shared.params, state.paramSlots);
    const samples = [];
    for (let step = 0; step < message.steps; step++) {
      samples.push(readStep(shared.inputs, step, init.nx, init.ny, init.columns));
    }
    const w = shard.run(samples);
    writeSlots(cell.slots(params, w.grads), "grad", shared.grads);
    return { seq: message.seq, loss: w.loss, aLast: toWire(w.aLast) };
  }
  const w = shard.last;
  return { seq: message.seq, history: toWire(w === null ? [] : w.history()) };
}

scope.onmessage = (e: MessageEvent<ShardMessage>) => {
  const message = e.data;
  const port = message.cmd === "init" ? message.port : state?.port;
  const status = message.cmd === "init" ? new Int32Array(message.status) : state?.status;
  let answer: ShardReply;
  try {
    answer = handle(message);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    answer = { seq: message.seq, error: { name: error.name, message: error.message } };
  }
  if (port !== undefined && status !== undefined) reply(port, status, answer);
};
