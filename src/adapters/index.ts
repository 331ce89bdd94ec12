// token-kernel/adapters: wrappers for the SDKs our users already call. The SDKs are optional
// peer dependencies; nothing here imports one at run time.
export { tokenKernelMiddleware } from './ai-sdk-middleware.js';
export type { TokenKernelMiddleware, TokenKernelMiddlewareOptions } from './ai-sdk-middleware.js';
export { governOpenAI } from './govern-openai.js';
export type { GovernOpenAIOptions, GovernedOpenAI } from './govern-openai.js';
export { governAnthropic } from './govern-anthropic.js';
export type { GovernAnthropicOptions, GovernedAnthropic } from './govern-anthropic.js';
export { TokenKernelCallbackHandler } from './langchain-handler.js';
export type { TokenKernelCallbackHandlerOptions } from './langchain-handler.js';
export type { GovernOptions, GovernedCallOutcome } from './adapter-options.js';
