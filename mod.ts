/**
 * rxrnn — truncated backprop-through-time for vanilla RNNs over unbounded RxJS streams.
 *
 * The math is the document's cell, exact to float64 (checked against PyTorch autograd):
 *
 * | symbol | meaning | shape |
 * | --- | --- | --- |
 * | `x` | input at step t (or m token indices) | n_x×m |
 * | `a_prev`, `a` | hidden state before / after the step | n_a×m |
 * | `Wax`, `Waa`, `ba` | input, recurrent weights; hidden bias | n_a×n_x, n_a×n_a, n_a×1 |
 * | `Wya`, `by` | output weights and bias | n_y×n_a, n_y×1 |
 * | `z1` | `Waa·a_prev + Wax·x + ba` | n_a×m |
 * | `z2` | `Wya·a + by` | n_y×m |
 * | `ŷ` | `softmax(z2)` per column | n_y×m |
 * | `daNext`, `daPrev` | ∂L/∂a arriving from t+1, sent to t−1 | n_a×m |
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { bptt, gradCheck, initParams } from "./mod.ts";
 *
 * const params = initParams({ nx: 4, na: 6, ny: 4 }, { seed: 7 });
 * const xs = [[0], [1], [2]], ys = [[1], [2], [3]]; // token indices, batch of 1
 * const { loss, grads } = bptt(params, xs, ys);
 * assert(loss > 0 && grads.dWax.shape === "6x4");
 * assert(gradCheck(params, xs, ys).maxRelError < 1e-6);
 * ```
 *
 * @module
 */

// Math
export { fromRows, Matrix, toRows } from "./src/math/matrix.ts";
export { Random } from "./src/math/random.ts";
export type { RandomState } from "./src/math/random.ts";
export { cloneData } from "./src/math/clone_data.ts";

// Kernels
export type { Backend, BackendName } from "./src/kernels/backend.ts";
export { createJsBackend } from "./src/kernels/js_backend.ts";
export {
  backendNames,
  checkBackend,
  createBackend,
  DEFAULT_BACKEND,
  ONLINE_BACKEND,
  registerBackend,
} from "./src/kernels/create_backend.ts";
export type { BackendChoice } from "./src/kernels/create_backend.ts";
export { resident } from "./src/kernels/resident.ts";
export { openArena } from "./src/kernels/arena.ts";
export type { Arena } from "./src/kernels/arena.ts";
export { createWasmF64Backend } from "./src/kernels/wasm/wasm_f64_backend.ts";
export { createWasmF32Backend } from "./src/kernels/wasm/wasm_f32_backend.ts";
export type { WasmF32BackendOptions } from "./src/kernels/wasm/wasm_f32_backend.ts";

// Cells
export type { GradSet, Head, Input, ParamSet, Target, Tokens } from "./src/cells/types.ts";
export type {
  CellInitOptions,
  CellRuntime,
  CellSizes,
  CellSpec,
  ParamSlot,
  RecurrentCell,
} from "./src/cells/recurrent_cell.ts";
export { cloneParams, initParams, zeroGrads } from "./src/cells/rnn/params.ts";
export type { InitParamsOptions, RnnGrads, RnnParams, RnnSizes } from "./src/cells/rnn/params.ts";
export { rnnCell } from "./src/cells/rnn/rnn_cell.ts";
export type { RnnCellOptions } from "./src/cells/rnn/rnn_cell.ts";
export { cellBackward, cellForward, cellLoss } from "./src/cells/rnn/cell.ts";
export type {
  CellBackwardOptions,
  CellForwardOptions,
  CellLossOptions,
  StepCache,
} from "./src/cells/rnn/cell.ts";
export { bptt, initialState } from "./src/cells/bptt.ts";
export type { BpttOptions, BpttResult } from "./src/cells/bptt.ts";
export { gradCheck } from "./src/cells/grad_check.ts";
export type { GradCheckEntry, GradCheckOptions, GradCheckResult } from "./src/cells/grad_check.ts";
export { bitsPerChar } from "./src/cells/bits_per_char.ts";
export type { BitsPerChar, BitsPerCharOptions } from "./src/cells/bits_per_char.ts";
export { cellFromOptions, cellKinds, createCell, registerCell } from "./src/cells/create_cell.ts";
export type { CellChoiceOptions, CellFactory, CellName } from "./src/cells/create_cell.ts";
export { gruCell } from "./src/cells/gru/gru_cell.ts";
export type { GruCache, GruCellOptions, GruGrads, GruParams } from "./src/cells/gru/gru_cell.ts";
export { lstmCell } from "./src/cells/lstm/lstm_cell.ts";
export type { LstmCache, LstmCellOptions, LstmGrads, LstmParams } from "./src/cells/lstm/lstm_cell.ts";
export { stackedCell } from "./src/cells/stack/stacked_cell.ts";
export type {
  StackedCache,
  StackedCellOptions,
  StackLayerKind,
  StackLayerSpec,
} from "./src/cells/stack/stacked_cell.ts";

// Optimizers and clipping
export { createOptimizer } from "./src/optim/optimizers.ts";
export type { Optimizer, OptimizerOptions, OptimizerState, UpdateRule } from "./src/optim/optimizers.ts";
export { clipGradients, globalNorm } from "./src/optim/clip.ts";
export type { ClipOptions } from "./src/optim/clip.ts";

// Stream stages
export { forwardSteps, setLabel } from "./src/stream/forward_steps.ts";
export type { ForwardStepsOptions, Sample, SetLabelOptions, StepRecord } from "./src/stream/forward_steps.ts";
export { tbptt } from "./src/stream/tbptt.ts";
export type { TbpttOptions, TbpttWindow } from "./src/stream/tbptt.ts";
export { applyUpdates } from "./src/stream/apply_updates.ts";
export type { ApplyUpdatesOptions, ScheduleInfo, UpdateRecord } from "./src/stream/apply_updates.ts";
export { cloneRecord, train } from "./src/stream/train.ts";
export type {
  TrainConfig,
  TrainCounters,
  TrainerSnapshot,
  TrainEvent,
  TrainOptions,
} from "./src/stream/train.ts";
export { sampleTokens } from "./src/stream/sample_tokens.ts";
export type { SampleTokensOptions } from "./src/stream/sample_tokens.ts";
export { backpressure } from "./src/stream/backpressure.ts";
export type { Backpressured, BackpressureOptions, BackpressurePolicy } from "./src/stream/backpressure.ts";
export { PauseController } from "./src/stream/pause_controller.ts";
export { immediateScheduler } from "./src/stream/immediate_scheduler.ts";

// Online learning
export { Normalizer } from "./src/online/normalizer.ts";
export type { NormalizerOptions, NormalizerState } from "./src/online/normalizer.ts";
export { scorePrediction, StreamMetrics } from "./src/online/metrics.ts";
export type {
  MetricsKind,
  MetricsSummary,
  Score,
  StreamMetricsOptions,
  StreamMetricsState,
} from "./src/online/metrics.ts";
export { prequential } from "./src/online/prequential.ts";
export type {
  BaselineForecasts,
  ClassBaselines,
  PendingPrediction,
  PrequentialBaselineOptions,
  PrequentialBaselines,
  PrequentialBaselinesState,
  PrequentialConfig,
  PrequentialCounters,
  PrequentialEvent,
  PrequentialInput,
  PrequentialOptions,
  PrequentialSnapshot,
  RowBaselines,
} from "./src/online/prequential.ts";
export { LiveLearner } from "./src/online/live_learner.ts";
export type {
  Confusion,
  DriftCounts,
  LiveLearnerOptions,
  LiveLearnerState,
  LiveOutcome,
} from "./src/online/live_learner.ts";
export { Persistence } from "./src/online/forecast/persistence.ts";
export type { PersistenceState } from "./src/online/forecast/persistence.ts";
export { OnlineAR } from "./src/online/forecast/online_ar.ts";
export type { OnlineAROptions, OnlineARState } from "./src/online/forecast/online_ar.ts";
export { RobustSpread } from "./src/online/forecast/robust_spread.ts";
export type { RobustSpreadOptions, RobustSpreadState } from "./src/online/forecast/robust_spread.ts";
export { ResidualForecaster } from "./src/online/forecast/residual_forecaster.ts";
export type {
  ResidualForecasterOptions,
  ResidualForecasterState,
} from "./src/online/forecast/residual_forecaster.ts";
export { ForecastScore, forecastSkill } from "./src/online/forecast/forecast_score.ts";
export type {
  FieldScore,
  ForecastScoreOptions,
  ForecastScoreState,
  ForecastTriple,
} from "./src/online/forecast/forecast_score.ts";
export { AnomalyScorer } from "./src/online/forecast/anomaly_scorer.ts";
export type {
  AnomalyScorerOptions,
  AnomalyScorerState,
  AnomalyVerdict,
} from "./src/online/forecast/anomaly_scorer.ts";
export { PageHinkley } from "./src/online/forecast/page_hinkley.ts";
export type { PageHinkleyOptions, PageHinkleyState } from "./src/online/forecast/page_hinkley.ts";
export { Adwin } from "./src/online/forecast/adwin.ts";
export type { AdwinOptions, AdwinState } from "./src/online/forecast/adwin.ts";

// Sources and parsers
export { backoffDelay } from "./src/io/sources/backoff.ts";
export type { ReconnectOptions } from "./src/io/sources/backoff.ts";
export { createFeedStats, InvalidLineError } from "./src/io/sources/feed_stats.ts";
export type { FeedRecord, FeedStats, InvalidLine, ParseOptions } from "./src/io/sources/feed_stats.ts";
export { fromFile } from "./src/io/sources/from_file.ts";
export type { FromFileOptions } from "./src/io/sources/from_file.ts";
export { fromHttpLines } from "./src/io/sources/from_http_lines.ts";
export type { FromHttpLinesOptions } from "./src/io/sources/from_http_lines.ts";
export { fromIngest } from "./src/io/sources/from_ingest.ts";
export type { FromIngestOptions, IngestInfo } from "./src/io/sources/from_ingest.ts";
export { fromReadable } from "./src/io/sources/from_readable.ts";
export type { FromReadableOptions } from "./src/io/sources/from_readable.ts";
export { fromSse } from "./src/io/sources/from_sse.ts";
export type { FromSseOptions, SseEvent } from "./src/io/sources/from_sse.ts";
export { fromStdin } from "./src/io/sources/from_stdin.ts";
export type { FromStdinOptions } from "./src/io/sources/from_stdin.ts";
export { fromWebSocket } from "./src/io/sources/from_web_socket.ts";
export type { FromWebSocketOptions } from "./src/io/sources/from_web_socket.ts";
export { parseCsv } from "./src/io/sources/parse_csv.ts";
export type { ParseCsvOptions } from "./src/io/sources/parse_csv.ts";
export { parseNdjson } from "./src/io/sources/parse_ndjson.ts";
export type { ParseNdjsonOptions } from "./src/io/sources/parse_ndjson.ts";
export type { ResumeOptions } from "./src/io/sources/resume.ts";
export { splitLines } from "./src/io/sources/split_lines.ts";
export type { SplitLinesOptions } from "./src/io/sources/split_lines.ts";

// Text
export { Vocab } from "./src/io/text/vocab.ts";
export type { VocabData, VocabEncodeOptions, VocabFromTextOptions } from "./src/io/text/vocab.ts";
export { charSamples } from "./src/io/text/char_stream.ts";
export type { CharSample, CharSamplesOptions, CharStream } from "./src/io/text/char_stream.ts";
export { NameStream } from "./src/io/text/name_stream.ts";
export type { NameColumnState, NameStreamOptions, NameStreamState } from "./src/io/text/name_stream.ts";
export { TextStream } from "./src/io/text/text_stream.ts";
export type { TextStreamOptions, TextStreamState } from "./src/io/text/text_stream.ts";
export { splitHeldOut } from "./src/io/text/split.ts";
export type { Split, SplitHeldOutOptions, SplitIdentity } from "./src/io/text/split.ts";

// Checkpoints
export {
  CHECKPOINT_VERSION,
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from "./src/io/checkpoint/checkpoint.ts";
export type {
  CheckpointConfig,
  CheckpointData,
  CheckpointTrainer,
  LoadCheckpointOptions,
  LoadedCheckpoint,
} from "./src/io/checkpoint/checkpoint.ts";

// Models
export { Model } from "./src/model/model.ts";
export type { GenerateOptions, LearnOneOptions, ModelOptions, StepValue } from "./src/model/model.ts";
export { toModel } from "./src/model/to_model.ts";
export type { ToModelOptions } from "./src/model/to_model.ts";
