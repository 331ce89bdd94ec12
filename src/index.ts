// token-kernel's public API: an explicit list of named exports.

// Kernel
export { createKernel, Kernel } from './kernel/kernel.js';
export type { KernelOptions } from './kernel/kernel-options.js';
export type { KernelStatus, AgentStatus, LimitStatus } from './kernel/kernel-status.js';
export { formatBar } from './kernel/kernel-status.js';
export type {
  KernelEventMap,
  AgentEvent,
  KernelErrorEvent,
  RecordEvent,
  WarningEvent,
  CompactionEvent,
} from './kernel/kernel-events.js';
export type { ReserveRequest, Refusal } from './kernel/accounting.js';
export { PRIORITY_SHARE, PRIORITY_MINIMUM } from './kernel/allocation-policy.js';

// Agents
export { GovernedAgent } from './agents/governed-agent.js';
export type { WindowSnapshot, ReserveResult } from './agents/governed-agent.js';
export { Reservation } from './agents/reservation.js';
export type { ReservationState } from './agents/reservation-core.js';
export type { SpawnOptions } from './agents/spawn-options.js';
export type { Priority } from './agents/priority.js';
export type { SignalName, SignalEvent, SignalLimit } from './agents/signal.js';
export { agentMachine } from './agents/agent-machine.js';
export type { AgentState, AgentMachineEvent } from './agents/agent-machine.js';

// Budgets and the ledger
export type { LimitSpec, LimitScope, LimitPeriod, PeriodKind } from './budget/limit-spec.js';
export type { UsageRecord } from './budget/usage-record.js';
export { Ledger, nanoToUsd } from './budget/ledger.js';
export type { LedgerOptions, UsageRow, Dimension, BurnRate, Forecast } from './budget/ledger.js';
export { periodBounds, periodKey } from './budget/period.js';
export type { PeriodBounds } from './budget/period.js';

// Pricing and usage adapters
export { createPricing, CONSERVATIVE_PRICE } from './pricing/pricing.js';
export type {
  Pricing,
  PricingOptions,
  PriceListRow,
  UnknownModelPolicy,
} from './pricing/pricing.js';
export type { ResolvedPrice, ResolvedTier, RatesPerMTok } from './pricing/resolved-price.js';
export { priceCost, priceMaxCost } from './pricing/price-cost.js';
export type { PriceTableInput, PriceEntry, PriceTier } from './pricing/price-table.js';
export { fromLiteLLMPrices } from './pricing/litellm-prices.js';
export type { LiteLLMPriceEntry } from './pricing/litellm-prices.js';
export { GENAI_PRICES_SOURCE } from './pricing/genai-catalog.js';
export { fromOpenAI } from './pricing/adapters/from-openai.js';
export { fromAnthropic, mergeAnthropicStreamUsage } from './pricing/adapters/from-anthropic.js';
export { fromAISDK } from './pricing/adapters/from-ai-sdk.js';
export type { FromAISDKOptions } from './pricing/adapters/from-ai-sdk.js';
export { fromLangChain } from './pricing/adapters/from-langchain.js';

// Foundations
export { KernelError, BudgetExceededError, PoolExhaustedError, isKernelError } from './errors.js';
export type { KernelErrorCode, KernelErrorOptions } from './errors.js';
export type { Usage } from './usage.js';
export { validateUsage } from './usage.js';
export { systemClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export type { ChatMessage, ToolCall } from './tokens/chat-message.js';

// Governed calls
export type {
  CallRequest,
  ResolvedCallRequest,
  InvokeContext,
  InvokeResult,
  Invoke,
  CallOptions,
  CallResult,
} from './calls/call-types.js';
export { OutputEstimator } from './calls/output-estimator.js';
export type { OutputEstimatorOptions, OutputEstimatorStats } from './calls/output-estimator.js';
export { classifyFailure } from './calls/call-failure.js';
export type { CallFailure } from './calls/call-failure.js';
export type {
  ModelCandidate,
  PickModelRequest,
  PickModelResult,
  CandidateVerdict,
} from './calls/model-picker.js';

// The cost-aware cache
export { createCostCache } from './cache/cost-cache.js';
export type {
  CostCache,
  CostCacheOptions,
  CacheSetInfo,
  CostCacheStats,
  CostCacheEvictions,
} from './cache/cost-cache.js';
export { cacheKey, CACHE_KEY_IGNORED_PARAMS } from './cache/cache-key.js';
export { cacheability } from './cache/cacheability.js';
export type {
  Cacheability,
  CacheabilityResponse,
  CacheabilityOptions,
  NotCacheableReason,
} from './cache/cacheability.js';
export { SingleFlight } from './cache/single-flight.js';
export type { SingleFlightResult } from './cache/single-flight.js';

// Token counting
export { createTokenCounter } from './tokens/token-counter.js';
export type { TokenCounter, TokenCount, TokenCounterStats } from './tokens/token-counter.js';
export type { TokenCounterOptions } from './tokens/token-counter-options.js';
export { countChatMessages } from './tokens/count-chat-messages.js';
export { countText } from './tokens/bpe-count.js';
export type { EncodingName } from './tokens/bpe-count.js';
export type { TokenizerBackend } from './tokens/tokenizer-backend.js';
export { encodingForModel } from './tokens/model-encoding.js';

// Compression
export { compressMessages } from './compress/compress-messages.js';
export type {
  CompressOptions,
  CompressResult,
  CompressStage,
} from './compress/compress-options.js';
export { createCompressor } from './compress/compressor.js';
export type { Compressor, CompressorOptions, Summarizer } from './compress/compressor.js';
export {
  DEFAULT_COMPACTION_POLICY,
  compactionTarget,
  shouldCompact,
} from './compress/compaction-policy.js';
export type { CompactionPolicy } from './compress/compaction-policy.js';
export type { CompactOnWarnOptions, CompactionStop } from './compress/compact-on-warn.js';

// Isolated agents
export { spawnIsolated, IsolatedAgent } from './isolation/isolated-agent.js';
export type { IsolatedOutcome } from './isolation/isolated-agent.js';
export type {
  IsolatedAgentOptions,
  IsolatedResourceLimits,
} from './isolation/isolated-agent-options.js';
export type { IsolatedAgentApi, IsolatedAgentModule } from './isolation/isolated-client.js';

// Rules and alerts
export { parseRules, loadRules } from './rules/parse-rules.js';
export type {
  RuleSpec,
  ResolvedRule,
  RuleMetric,
  RuleScope,
  RuleAction,
  RuleSeverity,
} from './rules/rule-spec.js';
export { createRuleEngine, RuleEngine } from './rules/rule-engine.js';
export type { RuleEngineOptions } from './rules/rule-engine.js';
export type { AlertEvent, AlertSink } from './rules/alert-event.js';
export { consoleSink } from './rules/console-sink.js';
export { webhookSink } from './rules/webhook-sink.js';
export type { WebhookSink, WebhookSinkOptions, WebhookStats } from './rules/webhook-sink.js';

// Telemetry and the dashboard
export { serveDashboard } from './telemetry/dashboard-server.js';
export type { DashboardServer } from './telemetry/dashboard-server.js';
export type { DashboardOptions } from './telemetry/dashboard-options.js';
export { createMetrics } from './telemetry/kernel-metrics.js';
export type { KernelMetrics, MetricsOptions } from './telemetry/kernel-metrics.js';
export { genAiSpanAttributes, CALL_ATTRIBUTE } from './telemetry/gen-ai-attributes.js';
export { withCallSpan, kernelTracer } from './telemetry/call-span.js';

// Durability
export type { LedgerStore, StoreContents } from './store/ledger-store.js';
export type { JournalEntry } from './store/journal-entry.js';

// The Vercel AI SDK middleware (the OpenAI, Anthropic and LangChain wrappers: 'token-kernel/adapters')
export { tokenKernelMiddleware } from './adapters/ai-sdk-middleware.js';
export type {
  TokenKernelMiddleware,
  TokenKernelMiddlewareOptions,
} from './adapters/ai-sdk-middleware.js';

// Usage reports (what `token-kernel report` runs)
export { runUsageReport } from './report/run-usage-report.js';
export type { RunUsageReportOptions } from './report/run-usage-report.js';
export { formatUsageReport } from './report/report-text.js';
export type { UsageReport } from './report/usage-report.js';

// Journal and memory stores
export { createJournalStore, JournalStore } from './store/journal-store.js';
export type { JournalStoreOptions, FsyncPolicy } from './store/journal-options.js';
export { createMemoryStore, MemoryStore } from './store/memory-store.js';

// Redis store: one pool and one set of limits shared by several processes
export { createRedisStore } from './store/redis/redis-store.js';
export type { RedisStore, RedisStoreOptions } from './store/redis/redis-store.js';
export type { RedisClientLike } from './store/redis/redis-connection.js';
export type {
  SharedStore,
  SharedBudget,
  LeaseAsk,
  LeaseGrant,
  BudgetUsage,
  LeaseSizing,
  FailMode,
} from './store/shared-store.js';

// Demo
export { runDemo } from './demo/demo-run.js';
export type { DemoOptions, DemoResult } from './demo/demo-run.js';
export { FakeModel } from './demo/fake-model.js';
