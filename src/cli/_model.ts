/**
 * A character model read from a checkpoint for `sample` and `eval`: its cell (rebuilt
 * from the file), parameters, vocabulary and the backend to run it on.
 *
 * @module
 */
import { loadCheckpoint } from "../io/checkpoint/checkpoint.ts";
import type { CheckpointConfig } from "../io/checkpoint/checkpoint.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import type { ParamSet } from "../cells/types.ts";
import { backendNames, DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import { Vocab } from "../io/text/vocab.ts";

/** What `sample` and `eval` run. */
export interface CharModel {
  /** The cell the checkpoint names. */
  cell: RecurrentCell;
  /** Its parameters. */
  params: ParamSet;
  /** The characters. */
  vocab: Vocab;
  /** The run's settings. */
  config: CheckpointConfig;
  /** The backend: `--backend`, else the checkpoint's when this build has it, else `DEFAULT_BACKEND` (`"wasm-f64"`). */
  backend: string;
}

/** Loads the model at `path`; a file without a character model is one clear error. */
export async function loadCharModel(path: string, backend: string | undefined): Promise<CharModel> {
  const checkpoint = await loadCheckpoint(path);
  if (checkpoint.params === null || checkpoint.vocab === null) {
    throw new Error(`'${path}' holds no character model (no parameters or no vocabulary)`);
  }
  if (checkpoint.cell.head !== "softmax") {
    throw new Error(`'${path}' holds a model with the ${checkpoint.cell.head} head, not a character model`);
  }
  return {
    cell: checkpoint.cell,
    params: checkpoint.params,
    vocab: Vocab.fromData(checkpoint.vocab),
    config: checkpoint.config,
    backend: backend ?? (backendNames().includes(checkpoint.backend) ? checkpoint.backend : DEFAULT_BACKEND),
  };
}
