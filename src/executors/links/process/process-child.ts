/**
 * One child process of the process pool: fork, the IPC channel, ref/unref, and stopping it
 * (SIGTERM, then SIGKILL after a grace period). The only file that imports `child_process`.
 *
 * It knows nothing about calls: the pool (`../../process-executor.ts`) keeps each child's
 * pipeline and is told, through {@link ChildEvents}, when the child is ready, answers, or is
 * gone. "Gone" is reported once the process exited AND the IPC channel closed, so every
 * answer the child wrote before dying has been delivered by then: the pool decides what the
 * dead child was running from complete data.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import * as path from 'node:path';
import { packMessage, unpackMessage } from '../../worker/process-wire.cjs';
import type { CallMessage, ParentMessage, WorkerMessage } from '../../protocol';
import { parentTypeScriptLoader } from '../../typescript-loader';
import { CONTROL_GATE_REQUEST, CONTROL_UNGATE_REQUEST, PROCESS_CONTROL_FD as CONTROL_FD, PROTOCOL_VERSION } from '../../worker/wire.cjs';

/** The child entry, shipped next to this file in `src/` and `dist/`. */
export const PROCESS_BOOTSTRAP_FILE = path.join(__dirname, '..', '..', 'worker', 'process-entry.cjs');

/** Milliseconds between SIGTERM and SIGKILL when a child is stopped. */
export const KILL_GRACE_MS = 1_000;

/** A gate request not answered within this long (ms): the child is killed instead (see gate()). */
const GATE_GIVE_UP_MS = 2_000;

/** What the pool hears from one child. */
export interface ChildEvents {
  ready(child: ProcessChild): void;
  message(child: ProcessChild, message: WorkerMessage): void;
  gone(child: ProcessChild, exitCode: number | null, signal: NodeJS.Signals | null): void;
}

/** How each child is started (resolved from `configure({ process })`). */
export interface ForkSettings {
  readonly execArgv: readonly string[] | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  /** The pool's folder for sync answers and ready markers (`UNSYNC_SYNC_DIR` in the child). */
  readonly syncFolder: string;
}

// Debugger flags would make every child fight for the parent's inspector port.
const INSPECTOR_FLAG = /^--(inspect|debug)(-brk|-port|-wait)?(=|$)/;
/**
 * Flags that say what the parent process *is* (a script given as a string, a REPL, a test
 * run, a watcher), not how Node should run: a child given them would evaluate the parent's
 * script again (and fork children of its own) instead of the pool's bootstrap.
 */
const ROLE_FLAG = /^(-i|--interactive|--test|--test-[a-z-]+|--input-type|--watch|--watch-[a-z-]+|--check|-c|--eval|--print)(=|$)/;
/** Of those, the ones whose value is the next argument when not given with `=`. */
const ROLE_FLAG_WITH_VALUE = /^(-e|-p|-pe|-ep|--eval|--print|--input-type|--watch-path|--test-[a-z-]+)$/;

/**
 * The parent's Node flags minus inspector flags and role flags (`-e`, `-p`, `--eval`,
 * `--print`, `-i`, `--test*`, `--watch*`, `--check`, `--input-type`): the default `execArgv`
 * of a child.
 */
export function defaultExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (ROLE_FLAG_WITH_VALUE.test(flag)) {
      const next = execArgv[i + 1];
      // `--test-only`-style switches take no value: skip the next argument only if it is one.
      if (next !== undefined && (!flag.startsWith('--test-') || !next.startsWith('-'))) i++;
      continue;
    }
    if (ROLE_FLAG.test(flag) || INSPECTOR_FLAG.test(flag)) continue;
    kept.push(flag);
  }
  return kept;
}

/** The lifecycle of a child: `starting` -> `ready` -> `stopping` -> `gone` (`stopping` optional). */
export type ChildState = 'starting' | 'ready' | 'stopping' | 'gone';

/**
 * A forked child. `state` moves only forward; `gone` is final and reported once.
 */
export class ProcessChild {
  // Invariant: forward only (starting -> ready -> stopping -> gone); changed only by this class.
  state: ChildState = 'starting';
  /** Set when the pool stopped the child on purpose (cancel, recycle, idle, close). */
  stoppedOnPurpose = false;
  /** Why the child was refused at its handshake (it speaks another protocol version), if it was. */
  mismatch: string | undefined = undefined;
  readonly #process: ChildProcess;
  /** Where large messages to the child travel (./process-wire.cjs). */
  readonly #folder: string;
  #referenced = true;
  #killTimer: NodeJS.Timeout | undefined = undefined;
  /** A gate request was sent and no ungate since (see gate()). */
  #gating = false;
  /** Who waits for the answer to the gate request out now. */
  #gateAnswer: ((running: number) => void) | undefined = undefined;
  /** The control pipe: the child's control thread reads it (not its event loop) and answers gate requests on it. */
  #control: Duplex | undefined = undefined;

  constructor(settings: ForkSettings, events: ChildEvents) {
    this.#folder = settings.syncFolder;
    const env: Record<string, string | undefined> = { ...(settings.env ?? process.env), UNSYNC_WORKER: 'process', UNSYNC_SYNC_DIR: settings.syncFolder };
    // The child registers the parent's TypeScript loader when it needs one (./typescript-loader.ts).
    const loader = parentTypeScriptLoader();
    if (loader !== undefined) env.UNSYNC_TS_LOADER = loader;
    this.#process = fork(PROCESS_BOOTSTRAP_FILE, [], {
      // JSON framing; values still cross by structured clone whenever JSON would not carry
      // them exactly (./process-wire.cjs): Node's 'advanced' framing costs more per message.
      serialization: 'json',
      execArgv: settings.execArgv ? [...settings.execArgv] : defaultExecArgv(),
      env,
      // stdin stays with the parent; the child's output goes where the parent's goes; fd 4
      // is the control pipe (see requestStop).
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
    });
    const child = this.#process;
    const control = child.stdio[CONTROL_FD] as Duplex | null;
    if (control !== null) {
      // A write to a child that just died reports here; its calls are settled by 'gone'.
      control.on('error', () => undefined);
      (control as Duplex & { unref?(): void }).unref?.();
      let rest: Buffer = Buffer.alloc(0);
      control.on('data', (chunk: Buffer) => {
        rest = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
        while (rest.length >= 4) {
          const running = rest.readInt32LE(0);
          rest = rest.subarray(4);
          this.#gateAnswer?.(running);
        }
      });
      this.#control = control;
    }
    child.on('message', (received: unknown) => {
      const message = unpackMessage(received) as WorkerMessage;
      if (message.type === 'ready') {
        if (message.version !== PROTOCOL_VERSION) {
          this.mismatch = `unsync protocol mismatch: the pool speaks version ${PROTOCOL_VERSION}, the child (${PROCESS_BOOTSTRAP_FILE}) version ${String(message.version)}; the parent and the child load different copies of unsync`;
          this.kill();
        } else if (this.state === 'starting') {
          this.state = 'ready';
          events.ready(this);
        }
      } else {
        events.message(this, message);
      }
    });
    // A send on a channel that just closed reports here; 'close' follows and settles calls.
    child.on('error', () => undefined);
    // Gone = exited AND channel closed (the channel delivers every message the child wrote
    // before 'disconnect'). Not the 'close' event: after a parent-side disconnect() Node
    // may never emit it.
    let exit: [number | null, NodeJS.Signals | null] | undefined;
    let disconnected = false;
    const maybeGone = () => {
      if (exit === undefined || !disconnected || this.state === 'gone') return;
      if (this.#killTimer !== undefined) clearTimeout(this.#killTimer);
      this.state = 'gone';
      events.gone(this, exit[0], exit[1]);
    };
    child.on('disconnect', () => {
      disconnected = true;
      maybeGone();
    });
    child.on('exit', (code, signal) => {
      exit = [code, signal];
      maybeGone();
    });
  }

  /** The child's process id (undefined if the fork itself failed). */
  get pid(): number | undefined {
    return this.#process.pid;
  }

  /**
   * Send one message (an array of `CallMessage`s is a batch the child takes in order). Throws synchronously when a value cannot be serialized (V8's
   * `DataCloneError`): nothing was sent then. Returns false when the channel is closed.
   */
  send(message: ParentMessage | readonly CallMessage[]): boolean {
    if (this.state === 'gone' || !this.#process.connected) return false;
    this.#process.send(packMessage(message, this.#folder) as ParentMessage);
    return true;
  }

  /**
   * Ask the child to stop call `id` cooperatively: the IPC `cancel` aborts the call's signal
   * when the child's event loop reads it, and the control pipe reaches the child's control
   * thread, which sets a flag the call's `checkpoint()` reads, so a synchronous loop sees
   * the request too. A call that has ended or not started ignores it.
   */
  requestStop(id: number): void {
    if (this.state === 'gone') return;
    this.send({ type: 'cancel', id });
    this.#control?.write(frame(id));
  }

  /**
   * Let the parent exit while this child is idle (`false`), or keep it alive while the
   * child has work (`true`). Both the process handle and the IPC channel are (un)ref'd.
   */
  setReferenced(referenced: boolean): void {
    if (this.#referenced === referenced || this.state === 'gone' || (!referenced && this.state === 'stopping')) return;
    this.#referenced = referenced;
    const channel = this.#process.channel as { ref?(): void; unref?(): void } | null | undefined;
    if (referenced) {
      this.#process.ref();
      channel?.ref?.();
    } else {
      this.#process.unref();
      channel?.unref?.();
    }
  }

  /** Ask an idle child to exit: closing the channel makes it exit by itself. */
  retire(): void {
    if (this.state === 'gone' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.stoppedOnPurpose = true;
    // Whoever awaits the pool's close() must see the child go: keep the parent alive till then.
    this.setReferenced(true);
    if (this.#process.connected) this.#process.disconnect();
    else this.kill();
  }

  /**
   * Close the child's gate: from now on it starts no call until `ungate()`. Resolves with
   * the id of the call it was running when the gate closed (that call may still end), or 0
   * when none ran. The child's control thread answers, so a child busy in synchronous code
   * answers at once. Rejects when the child cannot answer (it is gone, has no control pipe,
   * or says nothing within GATE_GIVE_UP_MS): the caller then kills it. Design:
   * docs/executors.md, "Cancelling a running call without killing its neighbour: the gate".
   */
  gate(): Promise<number> {
    const control = this.#control;
    if (this.state === 'gone' || control === undefined) return Promise.reject(new Error('the child cannot be gated'));
    this.#gating = true;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => done(() => reject(new Error('the child did not answer the gate request'))), GATE_GIVE_UP_MS);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.#gateAnswer = undefined;
        settle();
      };
      this.#gateAnswer = (running) => done(() => resolve(running));
      control.write(frame(CONTROL_GATE_REQUEST));
    });
  }

  /** The gate is closed (a gate request is out or answered, and `ungate()` has not come). */
  get gating(): boolean {
    return this.#gating;
  }

  /** Open the gate again: the child starts its next call. */
  ungate(): void {
    if (!this.#gating) return;
    this.#gating = false;
    if (this.state !== 'gone') this.#control?.write(frame(CONTROL_UNGATE_REQUEST));
  }

  /** Stop the child now: SIGTERM, then SIGKILL if it is still alive after the grace period. */
  kill(): void {
    if (this.state === 'gone') return;
    this.state = 'stopping';
    this.stoppedOnPurpose = true;
    this.setReferenced(true);
    this.#process.kill('SIGTERM');
    if (this.#killTimer === undefined) {
      this.#killTimer = setTimeout(() => this.#process.kill('SIGKILL'), KILL_GRACE_MS);
      this.#killTimer.unref();
    }
  }
}

/** One frame of the control pipe: a 32-bit little-endian integer. */
function frame(value: number): Buffer {
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeInt32LE(value, 0);
  return bytes;
}
