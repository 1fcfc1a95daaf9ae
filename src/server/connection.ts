/**
 * One authenticated client connection: bytes in through a TtlvFramer, whole request messages
 * handed to the MessageHandler one at a time, responses written back strictly in request order.
 *
 * Closes the connection (after flushing the responses already written) on a framing error, when
 * the handler rejects or does not answer within the request timeout, and when nothing has been
 * received for the idle timeout while no request is in progress. Message bytes are never logged.
 */
import type { TLSSocket } from "node:tls";
import { TtlvFramer, isTtlvError } from "../ttlv/index.js";
import type { CloseReason, ListenerCounters } from "./counters.js";
import type { MessageHandler, RequestContext } from "./handler.js";
import type { Logger } from "./log.js";

export interface ConnectionOptions {
  readonly handler: MessageHandler;
  readonly maxMessageSize: number;
  readonly idleTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Requests received and not yet answered before the connection stops reading (back-pressure). */
  readonly maxQueued: number;
  /** After the server ends a connection, how long the client gets to close its side. */
  readonly closeGraceMs: number;
}

class RequestTimeout extends Error {}

export class Connection {
  readonly closed: Promise<void>;
  private readonly framer: TtlvFramer;
  private readonly queue: Buffer[] = [];
  private busy = false;
  private inHandler = false;
  /** Bytes that arrive are discarded: set when closing, or draining for a graceful stop. */
  private stopReading = false;
  private draining = false;
  private ending = false;
  private paused = false;

  constructor(
    readonly socket: TLSSocket,
    readonly ctx: RequestContext,
    private readonly opts: ConnectionOptions,
    private readonly log: Logger,
    private readonly counters: ListenerCounters,
  ) {
    this.framer = new TtlvFramer({ maxMessageSize: opts.maxMessageSize });
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (e: NodeJS.ErrnoException) => this.log.debug({ code: e.code ?? e.message }, "socket error"));
    socket.on("timeout", () => this.onIdle()); // not setTimeout's callback: that one is called once only
    socket.setTimeout(opts.idleTimeoutMs);
    socket.once("close", () => {
      this.counters.requestsInFlight -= this.queue.length;
      this.queue.length = 0;
      this.stopReading = true;
    });
  }

  /** Requests received and not yet answered (the one being handled included). */
  get pending(): number {
    return this.queue.length + (this.busy ? 1 : 0);
  }

  /**
   * Graceful stop: read no more requests, answer those already received, then end the
   * connection. Resolves when the socket has closed (the listener bounds the wait).
   */
  drain(): Promise<void> {
    this.stopReading = true;
    this.draining = true;
    if (!this.busy && this.queue.length === 0) this.end("shutdown");
    return this.closed;
  }

  /** Bytes read from the socket before this connection took it over (the listener's protocol sniff). */
  receive(chunk: Buffer): void {
    this.onData(chunk);
  }

  /** Closes at once, dropping anything unanswered. */
  destroy(): void {
    this.stopReading = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.stopReading) return;
    let messages: Buffer[];
    try {
      messages = this.framer.push(chunk);
    } catch (e) {
      const code = isTtlvError(e) ? e.code : "FRAMING";
      this.log.warn({ code, detail: e instanceof Error ? e.message : String(e) }, "framing error; closing the connection");
      this.end("framing_error");
      return;
    }
    for (const m of messages) {
      this.queue.push(m);
      this.counters.requestsTotal++;
      this.counters.requestsInFlight++;
    }
    if (this.queue.length >= this.opts.maxQueued) this.pause();
    if (messages.length > 0) void this.pump();
  }

  /**
   * No bytes moved either way for the idle timeout. A handler at work is the request timeout's
   * business; anything else (silence, a partial message, a client not reading its answers) closes.
   */
  private onIdle(): void {
    if (this.inHandler || this.ending) return;
    this.log.info({ idleTimeoutMs: this.opts.idleTimeoutMs, pendingBytes: this.framer.pendingBytes, unanswered: this.queue.length }, "idle timeout; closing the connection");
    this.end("idle_timeout");
  }

  /** Answers queued requests one at a time, in order. */
  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.socket.destroyed && !this.ending) {
        const request = this.queue.shift()!;
        if (this.paused && this.queue.length < this.opts.maxQueued / 2) this.resume();
        this.inHandler = true;
        const response = await this.handle(request);
        this.inHandler = false;
        this.counters.requestsInFlight--;
        if (response === undefined || this.socket.destroyed) return;
        if (!this.socket.write(response)) await this.writable();
      }
    } finally {
      this.busy = false;
    }
    // the idle timer may have fired (and been ignored) while a request was being handled
    if (!this.socket.destroyed) this.socket.setTimeout(this.opts.idleTimeoutMs);
    if (this.draining && this.queue.length === 0 && !this.ending && !this.socket.destroyed) this.end("shutdown");
  }

  /** The handler's response, or undefined after closing the connection for its failure. */
  private async handle(request: Buffer): Promise<Buffer | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const started = Date.now();
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RequestTimeout()), this.opts.requestTimeoutMs);
      });
      const response = await Promise.race([this.opts.handler(request, this.ctx), timeout]);
      this.log.debug({ requestBytes: request.length, responseBytes: response.length, ms: Date.now() - started }, "request answered");
      return response;
    } catch (e) {
      this.counters.requestsFailed++;
      if (e instanceof RequestTimeout) {
        this.log.warn({ requestTimeoutMs: this.opts.requestTimeoutMs }, "request not answered in time; closing the connection");
        this.end("request_timeout");
      } else {
        this.log.error({ error: e instanceof Error ? e.message : String(e) }, "request handler failed; closing the connection");
        this.end("handler_error");
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private writable(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off("drain", done);
        this.socket.off("close", done);
        resolve();
      };
      this.socket.on("drain", done);
      this.socket.on("close", done);
    });
  }

  private pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private resume(): void {
    this.paused = false;
    this.socket.resume();
  }

  /**
   * Ends the connection: responses already written are flushed and a TLS close_notify sent.
   * Whatever the client still sends is read and discarded (so its closing is seen); a client that
   * does not close its side within the grace period is cut off.
   */
  private end(reason: CloseReason): void {
    if (this.ending) return;
    this.ending = true;
    this.stopReading = true;
    this.counters.closedByReason[reason]++;
    this.log.debug({ reason }, "closing the connection");
    if (this.paused) this.resume();
    this.socket.end();
    const grace = setTimeout(() => this.socket.destroy(), this.opts.closeGraceMs);
    grace.unref();
    this.socket.once("close", () => clearTimeout(grace));
  }
}
