import {
  ScriptedServer,
  type ReceivedRequest,
  type Reply,
  type SseEvent,
} from '../adapters/support/scripted-server.js';

/** Usage the fake reports, in OpenAI's terms (`prompt` includes `cached`; `completion` includes `reasoning`). */
export interface OpenAIFakeUsage {
  readonly prompt: number;
  readonly completion: number;
  readonly cached?: number;
  readonly cacheWrite?: number;
  readonly reasoning?: number;
}

/**
 * What the fake answers next:
 * - `bad-request`: 400 before processing; `server-error`: 500;
 * - `early-end`: the stream sends its text, then the body ends (no finish, no usage, no [DONE]);
 * - `hold`: the stream sends its text and stays open until the client aborts or the test `cut`s.
 */
export interface OpenAIScript {
  readonly text?: readonly string[];
  readonly usage?: OpenAIFakeUsage;
  readonly finishReason?: string;
  readonly fault?: 'bad-request' | 'server-error' | 'early-end' | 'hold';
}

const DEFAULT_USAGE: OpenAIFakeUsage = { prompt: 25, completion: 12 };

/**
 * A local server speaking OpenAI's wire format on 127.0.0.1: `POST /v1/chat/completions`
 * (JSON, or SSE chunks ending with `[DONE]`, the usage chunk — empty `choices` — only when the
 * request asked for `stream_options.include_usage`, as the real API does) and `POST /v1/responses`
 * (JSON, or typed SSE events ending with `response.completed` carrying usage).
 */
export class FakeOpenAIServer {
  script: OpenAIScript = {};
  readonly #server: ScriptedServer;

  private constructor(server: ScriptedServer) {
    this.#server = server;
  }

  static async start(): Promise<FakeOpenAIServer> {
    const holder: { self?: FakeOpenAIServer } = {};
    const server = await ScriptedServer.start((req) =>
      (holder.self as FakeOpenAIServer).#route(req),
    );
    holder.self = new FakeOpenAIServer(server);
    return holder.self;
  }

  /** The `baseURL` to give the OpenAI client. */
  get baseURL(): string {
    return `${this.#server.url}/v1`;
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
      return error(400, 'invalid_request_error', "Invalid value for 'temperature'");
    if (s.fault === 'server-error') return error(500, 'server_error', 'The server had an error');
    if (req.path === '/v1/chat/completions') return this.#chat(req.body);
    if (req.path === '/v1/responses') return this.#responses(req.body);
    return error(404, 'invalid_request_error', `Unknown path ${req.path}`);
  }

  #chat(body: { model: string; stream?: boolean; n?: number; stream_options?: unknown }): Reply {
    const s = this.script;
    const text = s.text ?? ['Hello', ' world'];
    const usage = chatUsage(s.usage ?? DEFAULT_USAGE);
    const finish = s.finishReason ?? 'stop';
    const base = { id: 'chatcmpl-1', created: 1_700_000_000, model: body.model };
    if (body.stream !== true) {
      const choices = Array.from({ length: body.n ?? 1 }, (_, index) => ({
        index,
        message: { role: 'assistant', content: text.join(''), refusal: null },
        logprobs: null,
        finish_reason: finish,
      }));
      return {
        kind: 'json',
        status: 200,
        body: { ...base, object: 'chat.completion', choices, usage },
      };
    }
    const withUsage = (body.stream_options as { include_usage?: boolean } | undefined)
      ?.include_usage;
    const chunk = (choices: unknown[], extra: object = {}): SseEvent => ({
      data: {
        ...base,
        object: 'chat.completion.chunk',
        choices,
        ...(withUsage === true && { usage: null }),
        ...extra,
      },
    });
    const events: SseEvent[] = [
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
      ...text.map((t) => chunk([{ index: 0, delta: { content: t }, finish_reason: null }])),
    ];
    if (s.fault === 'early-end' || s.fault === 'hold')
      return { kind: 'sse', events, then: s.fault === 'hold' ? 'hold' : 'end' };
    events.push(chunk([{ index: 0, delta: {}, finish_reason: finish }]));
    if (withUsage === true) events.push(chunk([], { usage }));
    events.push({ data: '[DONE]' });
    return { kind: 'sse', events, then: 'end' };
  }

  #responses(body: { model: string; stream?: boolean }): Reply {
    const s = this.script;
    const text = s.text ?? ['Hello', ' world'];
    const message = {
      type: 'message',
      id: 'msg_1',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: text.join(''), annotations: [] }],
    };
    const response = (status: string, usage: unknown, output: unknown[]): object => ({
      id: 'resp_1',
      object: 'response',
      created_at: 1_700_000_000,
      model: body.model,
      status,
      output,
      usage,
      incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      error: null,
    });
    const usage = responsesUsage(s.usage ?? DEFAULT_USAGE);
    const status = s.finishReason === 'length' ? 'incomplete' : 'completed';
    if (body.stream !== true)
      return { kind: 'json', status: 200, body: response(status, usage, [message]) };
    let seq = 0;
    const event = (type: string, data: object): SseEvent => ({
      event: type,
      data: { type, sequence_number: seq++, ...data },
    });
    const events: SseEvent[] = [
      event('response.created', { response: response('in_progress', null, []) }),
      event('response.output_item.added', { output_index: 0, item: { ...message, content: [] } }),
      ...text.map((delta) =>
        event('response.output_text.delta', {
          item_id: 'msg_1',
          output_index: 0,
          content_index: 0,
          delta,
          logprobs: [],
        }),
      ),
    ];
    if (s.fault === 'early-end' || s.fault === 'hold')
      return { kind: 'sse', events, then: s.fault === 'hold' ? 'hold' : 'end' };
    events.push(
      event('response.output_item.done', { output_index: 0, item: message }),
      event(`response.${status}`, { response: response(status, usage, [message]) }),
    );
    return { kind: 'sse', events, then: 'end' };
  }
}

function error(status: number, type: string, message: string): Reply {
  return { kind: 'json', status, body: { error: { message, type, param: null, code: null } } };
}

function chatUsage(u: OpenAIFakeUsage): object {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    prompt_tokens_details: {
      cached_tokens: u.cached ?? 0,
      audio_tokens: 0,
      ...(u.cacheWrite !== undefined && { cache_write_tokens: u.cacheWrite }),
    },
    completion_tokens_details: {
      reasoning_tokens: u.reasoning ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function responsesUsage(u: OpenAIFakeUsage): object {
  return {
    input_tokens: u.prompt,
    input_tokens_details: { cached_tokens: u.cached ?? 0 },
    output_tokens: u.completion,
    output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
    total_tokens: u.prompt + u.completion,
  };
}
