/** Reapply after an upstream sync: the run, the CI check, continue/abort, the report. */
export { reapply, reapplyContinue, reapplyAbort, readRunState, checkSeriesForRun, type ReapplyOptions, type ReapplyReport, type PatchOutcome, type Outcome, type ReapplyEvents } from './run.js';
export { checkRun } from './check.js';
export { reportText, reportMarkdown, hunkSummary } from './report.js';
export { makeBaseFor } from '../stack/index.js';
