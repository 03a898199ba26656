/**
 * The remote executor's Redis connections as one session that closes when idle
 * (docs/remote.md, "Connections"): opened by the first call, kept while calls are in flight,
 * closed once none has been for `idleTimeout` ms, and opened again by the next call. The
 * pools let an idle program exit because their idle workers do not hold the event loop; an
 * open BullMQ connection does (its event reader always waits in a blocking read, under a
 * timer), so the caller closes its connections instead. Part of the remote executor
 * (./remote-executor.ts), which says what a session is and when calls are in flight.
 */
import { InvalidStateError } from '../../core/errors';

/**
 * One session at a time, opened on demand and closed after an idle spell: a session that
 * is closing is closed before the next one opens, and a session whose opening failed is
 * forgotten (the next call opens again).
 *
 * @example
 * const connections = new IdleSession(openConnections, closeConnections, 1000);
 * connections.busy(); // a call entered
 * const session = await connections.open();
 * connections.idle(); // no call in flight: closes in 1000 ms unless busy() comes first
 */
export class IdleSession<S> {
  readonly #open: () => Promise<S>;
  readonly #close: (session: S) => Promise<void>;
  readonly #idleTimeout: number;
  /** The session opening or open; undefined when none is (never opened, closed, or closing). */
  #session: Promise<S> | undefined = undefined;
  /** Invariant: the value of `#session` once it resolved; undefined while it opens or when there is none. */
  #current: S | undefined = undefined;
  /** The last session's closing (never rejects): the next session opens after it. */
  #closing: Promise<void> = Promise.resolve();
  /** When the idle spell began (`idle()`), this process's clock; undefined while a call is in flight. */
  #idleSince: number | undefined = undefined;
  /**
   * Looks at the idle spell `idleTimeout` ms after it was armed. Not cleared by `busy()`: calls
   * awaited one after another would otherwise make and clear a timer each (as ./job-poll.ts
   * stops at a tick); at its tick it closes, re-arms for what is left of the spell, or,
   * with a call in flight, leaves the next `idle()` to arm it again.
   */
  #idleTimer: NodeJS.Timeout | undefined = undefined;
  #ended = false;

  /**
   * `open` makes a session (its connections ready for a call); `close` ends one (never
   * called twice for one session, and its rejection is ignored); an idle spell of
   * `idleTimeout` ms closes the open session.
   */
  constructor(open: () => Promise<S>, close: (session: S) => Promise<void>, idleTimeout: number) {
    this.#open = open;
    this.#close = close;
    this.#idleTimeout = idleTimeout;
  }

  /** The open session, for work on calls in flight; undefined while none is open. */
  get current(): S | undefined {
    return this.#current;
  }

  /** The session, opening one (once the last one closed) if none is open or opening. Rejects after `close()`. */
  open(): Promise<S> {
    if (this.#ended) return Promise.reject(new InvalidStateError('the remote executor is closed'));
    if (this.#session !== undefined) return this.#session;
    const session = this.#closing.then(() => this.#open());
    this.#session = session;
    // Registered before any caller's `then`, so `current` is set when they run.
    session.then(
      (value) => {
        if (this.#session === session) this.#current = value;
      },
      () => {
        if (this.#session === session) this.#session = undefined;
      },
    );
    return session;
  }

  /** A call is in flight: an idle spell, if one runs, ends without closing. */
  busy(): void {
    this.#idleSince = undefined;
  }

  /**
   * No call is in flight: close the session after `idleTimeout` ms unless `busy()` comes
   * first. The timer does not hold the process: the connections do until they close.
   */
  idle(): void {
    if (this.#session === undefined || this.#ended) return;
    this.#idleSince = performance.now();
    if (this.#idleTimer === undefined) this.#armIdle(this.#idleTimeout);
  }

  #armIdle(ms: number): void {
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#idleSince === undefined) return; // busy: the next idle() arms it again
      const left = this.#idleSince + this.#idleTimeout - performance.now();
      if (left > 0) this.#armIdle(left);
      else this.#end();
    }, ms).unref();
  }

  /** Close the session for good (after `open()`s in progress finish opening); later `open()`s reject. */
  close(): Promise<void> {
    this.#ended = true;
    this.#idleSince = undefined;
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#end();
    return this.#closing;
  }

  /** Forget the session and close it once it has opened. */
  #end(): void {
    const session = this.#session;
    if (session === undefined) return;
    this.#session = undefined;
    this.#current = undefined;
    this.#closing = session.then(
      (value) => this.#close(value).catch(() => undefined),
      () => undefined,
    );
  }
}
