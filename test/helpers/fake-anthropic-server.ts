import {
  ScriptedServer,
  type ReceivedRequest,
  type Reply,
  type SseEvent,
} from '../adapters/support/scripted-server.js';

/** Usage the fake reports, in Anthropic's terms (`input` excludes both cache classes). */
export interface AnthropicFakeUsage {
  readonly input: number;
  readonly output: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
}

/**
 * What the fake answers next:
 * - `bad-request`: 400 before processing; `server-error`: 500;
 * - `early-end`: `message_start` and the text deltas, then the body ends (no `message_delta`);
 * - `overloaded`: the text deltas, then an `error` event (`overloaded_error`), as Anthropic
 *   sends mid-stream;
 * - `hold`: `message_start` and the text deltas, then the stream stays open.
 */
export interface AnthropicScript {
  readonly text?: readonly string[];
  readonly usage?: AnthropicFakeUsage;
  readonly stopReason?: string;
  readonly fault?: 'bad-request' | 'server-error' | 'early-end' | 'overloaded' | 'hold';
}

const DEFAULT_USAGE: AnthropicFakeUsage = { input: 30, output: 15 };

/**
 * A local server speaking Anthropic's Messages wire format on 127.0.0.1: `POST /v1/messages`,
 * JSON or named SSE events (`message_start` with input usage incl. `cache_read_input_tokens`
 * and `cache_creation_input_tokens`, `content_block_*`, `ping`, `message_delta` with cumulative
 * usage, `message_stop`).
 */
export class FakeAnthropicServer {
  script: AnthropicScript = {};
  readonly #server: ScriptedServer;

  private constructor(server: ScriptedServer) {
    this.#server = server;
  }

  static async start(): Promise<FakeAnthropicServer> {
    const holder: { self?: FakeAnthropicServer } = {};
    const server = await ScriptedServer.start((req) =>
      (holder.self as FakeAnthropicServer).#route(req),
    );
    holder.self = new FakeAnthropicServer(server);
    return holder.self;
  }

  /** The `baseURL` to give the Anthropic client. */
  get baseURL(): string {
    return this.#server.url;
  }

  get requests(): readonly ReceivedRequest[] {
    return this.#server.requests;
  }

  disconnected(): Promise<void> {
    return this.#server.disconnected();
  }

  cut(how: 'end' | 'reset'): void {
    this.#server.cut(how);
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  #route(req: ReceivedRequest): Reply {
    const s = this.script;
    if (s.fault === 'bad-request')
      return error(400, 'invalid_request_error', 'max_tokens: field required');
    if (s.fault === 'server-error') return error(500, 'api_error', 'Internal server error');
    if (req.path !== '/v1/messages')
      return error(404, 'not_found_error', `Unknown path ${req.path}`);
    const body = req.body as { model: string; stream?: boolean };
    const text = s.text ?? ['Hello', ' there'];
    const u = s.usage ?? DEFAULT_USAGE;
    const usage = {
      input_tokens: u.input,
      cache_creation_input_tokens: u.cacheWrite ?? 0,
      cache_read_input_tokens: u.cacheRead ?? 0,
      output_tokens: u.output,
      service_tier: 'standard',
    };
    const stop = s.stopReason ?? 'end_turn';
    const message = {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: body.model,
      stop_sequence: null,
    };
    if (body.stream !== true) {
      return {
        kind: 'json',
        status: 200,
        body: {
          ...message,
          content: [{ type: 'text', text: text.join('') }],
          stop_reason: stop,
          usage,
        },
      };
    }
    const event = (type: string, data: object): SseEvent => ({
      event: type,
      data: { type, ...data },
    });
    const events: SseEvent[] = [
      event('message_start', {
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { ...usage, output_tokens: 1 },
        },
      }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      event('ping', {}),
      ...text.map((t) =>
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: t } }),
      ),
    ];
    if (s.fault === 'early-end' || s.fault === 'hold')
      return { kind: 'sse', events, then: s.fault === 'hold' ? 'hold' : 'end' };
    if (s.fault === 'overloaded') {
      events.push(event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }));
      return { kind: 'sse', events, then: 'end' };
    }
    events.push(
      event('content_block_stop', { index: 0 }),
      event('message_delta', {
        delta: { stop_reason: stop, stop_sequence: null },
        usage: { output_tokens: u.output },
      }),
      event('message_stop', {}),
    );
    return { kind: 'sse', events, then: 'end' };
  }
}

function error(status: number, type: string, message: string): Reply {
  return { kind: 'json', status, body: { type: 'error', error: { type, message } } };
}
