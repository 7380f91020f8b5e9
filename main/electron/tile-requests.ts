import type { TileReply, ToCore } from './core-messages.js';

/**
 * Map tiles for app://edgecab/tiles/…: the core owns the packages and the
 * cache, so each request is a message to it and an answer back. A core that
 * exits takes its unanswered requests with it: they are answered 503 at once
 * instead of waiting out the timeout.
 */
export class TileRequests {
  private readonly pending = new Map<number, (reply: Response) => void>();
  private next = 0;

  constructor(private readonly timeoutMs = 10_000) {}

  request(send: ((message: ToCore) => void) | null, pathname: string): Promise<Response> {
    if (!send) return Promise.resolve(new Response(null, { status: 503 }));
    const requestId = ++this.next;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(requestId, new Response(null, { status: 504 })), this.timeoutMs);
      this.pending.set(requestId, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
      send({ type: 'tile', requestId, pathname });
    });
  }

  answer(reply: TileReply): void {
    const response =
      reply.status === 200 && reply.data
        ? new Response(Buffer.from(reply.data), { status: 200, headers: { 'content-type': reply.contentType ?? 'application/octet-stream' } })
        : new Response(null, { status: reply.status === 200 ? 404 : reply.status });
    this.settle(reply.requestId, response);
  }

  /** The core exited. */
  failAll(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, new Response(null, { status: 503 }));
  }

  private settle(requestId: number, response: Response): void {
    const resolve = this.pending.get(requestId);
    if (!resolve) return;
    this.pending.delete(requestId);
    resolve(response);
  }
}
