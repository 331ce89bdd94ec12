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

// Demo
export { runDemo } from './demo/demo-run.js';
export type { DemoOptions, DemoResult } from './demo/demo-run.js';
export { FakeModel } from './demo/fake-model.js';
