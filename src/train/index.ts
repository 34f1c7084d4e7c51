/** Shared training kit: AdamW, gradient clipping and accumulation, LR schedules, metrics, progress, a loop. */
export { AdamW, hfDecayMask, type AdamWOptions, type AdamWState } from "./adamw.js";
export { clipByGlobalNorm, globalNorm, GradientAccumulator } from "./gradients.js";
export { lrAt, warmupStepsOf, type ScheduleKind, type ScheduleOptions } from "./schedule.js";
export { MetricsWriter, readMetrics, type MetricsRow } from "./metrics.js";
export { Progress, formatDuration, type ProgressOptions, type ProgressUpdate } from "./progress.js";
export { trainLoop, type MicroBatchResult, type StepInfo, type TrainLoopOptions } from "./loop.js";
export { assertNoLeak } from "./memory.js";
export { stopGradient, tidyObject, namedEntries, disposeNamed, type NamedTensors } from "./tensors.js";
