import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the server received, body parsed as JSON. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON, asserted by tests
  readonly body: any;
}

/** One server-sent event: `event:` line when named, `data:` JSON (or a raw string). */
export interface SseEvent {
  readonly event?: string;
  readonly data: unknown;
}

/** What the server answers. */
export type Reply =
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  | {
      readonly kind: 'sse';
      readonly events: readonly SseEvent[];
      /** `end`: close the body after the events; `hold`: keep it open until `cut` or a client abort. */
      readonly then: 'end' | 'hold';
    };

interface Held {
  readonly res: ServerResponse;
  readonly closed: Promise<void>;
}

/**
 * A node:http server on 127.0.0.1:0 answering each request with what `route` returns; the wire
 * formats live in the fake provider servers built on it. Streams can be held open, then cut
 * cleanly (`end`) or by a TCP reset (`reset`), deterministically: the test decides when.
 */
export class ScriptedServer {
  readonly requests: ReceivedRequest[] = [];
  readonly #server: Server;
  readonly #held: Held[] = [];
  readonly #closures: Promise<void>[] = [];
  #route: (request: ReceivedRequest) => Reply;

  private constructor(route: (request: ReceivedRequest) => Reply) {
    this.#route = route;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(route: (request: ReceivedRequest) => Reply): Promise<ScriptedServer> {
    const server = new ScriptedServer(route);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Resolves when every stream held so far has been closed by the client or by `cut`. */
  async disconnected(): Promise<void> {
    await Promise.all(this.#closures);
  }

  /** Ends every held stream: `end` closes the body cleanly, `reset` sends a TCP RST. */
  cut(how: 'end' | 'reset'): void {
    for (const { res } of this.#held.splice(0)) {
      if (how === 'end') res.end();
      else res.socket?.resetAndDestroy();
    }
  }

  async close(): Promise<void> {
    this.cut('reset');
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: ReceivedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: text.length > 0 ? JSON.parse(text) : undefined,
    };
    this.requests.push(request);
    const reply = this.#route(request);
    if (reply.kind === 'json') {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    for (const e of reply.events) {
      const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
      res.write(`${e.event === undefined ? '' : `event: ${e.event}\n`}data: ${data}\n\n`);
    }
    if (reply.then === 'end') {
      res.end();
      return;
    }
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    this.#held.push({ res, closed });
    this.#closures.push(closed);
  }
}
