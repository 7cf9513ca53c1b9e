export { annotateRequest, countInRequest, type RequestAnnotations } from './annotate.js';
export {
  ConsoleSummaryExporter,
  type ConsoleSummaryExporterOptions,
  formatSummary,
} from './console-summary-exporter.js';
export { InMemorySummaryExporter } from './in-memory-summary-exporter.js';
export {
  DEFAULT_ATTRIBUTE_ALLOWLIST,
  DEFAULT_RESOURCE_ATTRIBUTE_ALLOWLIST,
  findOptionProblems,
  type RequestSummaryProcessorOptions,
} from './options.js';
export { type DiagLevel, RateLimitedDiag } from './rate-limited-diag.js';
export { ATTR_TIMEIT, isDefaultRequestRoot } from './request-root.js';
export {
  RequestSummaryProcessor,
  type RequestSummaryProcessorStats,
} from './request-summary-processor.js';
export {
  ExportResultCode,
  type ExportResultCodeValue,
  type OperationSummary,
  type RequestBreakdown,
  type RequestCounters,
  type RequestSummary,
  type SummaryAnnotations,
  type SummaryAnnotationValue,
  type SummaryAttributes,
  type SummaryAttributeValue,
  type SummaryExporter,
  type SummaryExportResult,
  type SummarySpan,
  type SummarySpanProcessor,
  type SummaryStatus,
  type WorkSummary,
} from './types.js';
