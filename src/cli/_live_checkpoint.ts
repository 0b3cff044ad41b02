/**
 * The live trainer's checkpoint, in the one checkpoint format (`saveCheckpoint()` /
 * `loadCheckpoint()`: atomic, checksummed, lossless): the cell and backend it names,
 * the features and settings in its config, the learner's state and the run's counters
 * in its extra data.
 *
 * @module
 */
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "../io/checkpoint/checkpoint.ts";
import type { CellSpec } from "../cells/recurrent_cell.ts";
import type { LiveLearnerState } from "../online/live_learner.ts";
import type { LiveCounters } from "./_live_status.ts";
import { checkLiveState } from "./_live_state_check.ts";

/** What a checkpoint of the live trainer holds. */
export interface LiveCheckpoint {
  /** The cell of every series' model. */
  cell: CellSpec;
  /** The kernel backend's name. */
  backend: string;
  /** The feature names. */
  features: string[];
  /** The learner's state. */
  learner: LiveLearnerState;
  /** The run's counters. */
  counters: LiveCounters;
  /** The model and detector settings, by option name. */
  settings: Record<string, number | string>;
}

/** Writes the live trainer's checkpoint to `path` atomically; returns the bytes written. */
export function saveLiveCheckpoint(path: string, data: LiveCheckpoint): Promise<number> {
  const { settings, features } = data;
  const f = features.length;
  return saveCheckpoint(path, {
    cell: data.cell,
    backend: data.backend,
    config: {
      sizes: { nx: f, na: Number(settings.hidden), ny: f },
      streams: 1,
      seed: Number(settings.seed),
      data: "live",
      features,
      settings,
    },
    extra: { learner: data.learner, counters: data.counters },
  });
}

/** Reads the live trainer's checkpoint; one CheckpointError says why a file cannot be used. */
export async function loadLiveCheckpoint(path: string): Promise<LiveCheckpoint> {
  const loaded = await loadCheckpoint(path);
  const { config, extra } = loaded;
  if (config.data !== "live" || extra.learner === undefined || !Array.isArray(config.features)) {
    throw new CheckpointError(`Cannot load checkpoint "${path}": it was not written by the live trainer`);
  }
  const cell = loaded.cell;
  try {
    const settings = config.settings as Record<string, unknown> | undefined;
    checkLiveState(extra.learner, extra.counters, cell, {
      features: (config.features as unknown[]).length,
      hidden: Number(settings?.hidden),
    });
  } catch (error) {
    throw new CheckpointError(`Cannot load checkpoint "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    cell: cell.spec(),
    backend: loaded.backend,
    features: config.features as string[],
    learner: extra.learner as LiveLearnerState,
    counters: extra.counters as LiveCounters,
    settings: config.settings as Record<string, number | string>,
  };
}
