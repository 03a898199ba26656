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
import type { Writable } from 'node:stream';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packMessage, unpackMessage } from '../../worker/process-wire.cjs';
import type { CallMessage, ParentMessage, WorkerMessage } from '../../protocol';
import { parentTypeScriptLoader } from '../../typescript-loader';
import { PROCESS_CONTROL_FD as CONTROL_FD, PROTOCOL_VERSION } from '../../worker/wire.cjs';

/** The child entry, shipped next to this file in `src/` and `dist/`. */
export const PROCESS_BOOTSTRAP_FILE = path.join(__dirname, '..', '..', 'worker', 'process-entry.cjs');

/** Milliseconds between SIGTERM and SIGKILL when a child is stopped. */
export const KILL_GRACE_MS = 1_000;

/** Polls of a freezing child's state on consecutive loop turns before polling on a 1 ms timer. */
const FREEZE_FAST_POLLS = 200;
/** A child not seen stopped after this long (ms) is killed instead (see freeze()). */
const FREEZE_GIVE_UP_MS = 2_000;

/**
 * Children stopped by freeze() and not yet continued. If this process exits meanwhile they
 * are continued, so they see the channel close and exit (a stopped child cannot).
 */
const frozenChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function continueFrozenOnExit(): void {
  for (const child of frozenChildren) child.kill('SIGCONT');
}

/** Whether this system shows a process's run state in `/proc/<pid>/stat` (Linux). */
const SYSTEM_SHOWS_STOPS = process.platform === 'linux' && fs.existsSync('/proc/self/stat');
let canSeeStops = SYSTEM_SHOWS_STOPS;

/** Whether `ProcessChild.freeze` works here (Linux): without it the pool must not pipeline calls. */
export function canFreezeChildren(): boolean {
  return canSeeStops;
}

/** @internal Tests run the pool as on a system without `/proc` (macOS, Windows). */
export function simulateNoProcForTests(noProc: boolean): void {
  canSeeStops = !noProc && SYSTEM_SHOWS_STOPS;
}

/**
 * Whether process `pid` can write nothing more: stopped (`T`, `t`), dead (`Z`, `X`) or gone.
 * The state is the field after the command name, which ends at the last `)`.
 */
function cannotWrite(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ESRCH'; // no such process
  }
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  return state === 'T' || state === 't' || state === 'Z' || state === 'X';
}

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
  /** Sent SIGSTOP and not yet SIGCONT (see freeze()). */
  #frozen = false;
  /** The control pipe: read by the child's control thread, not by its event loop. */
  #control: Writable | undefined = undefined;

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
    const control = child.stdio[CONTROL_FD] as Writable | null;
    if (control !== null) {
      // A write to a child that just died reports here; its calls are settled by 'gone'.
      control.on('error', () => undefined);
      (control as Writable & { unref?(): void }).unref?.();
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
      frozenChildren.delete(child);
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
    const frame = Buffer.allocUnsafe(4);
    frame.writeInt32LE(id, 0);
    this.#control?.write(frame);
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
   * Stop the process where it is (SIGSTOP) and call `frozen` once it is stopped AND every
   * message it wrote before stopping has been delivered through `ChildEvents.message`; the
   * caller then decides from complete data and calls `thaw()` or `kill()`. Not called if
   * the child is gone first, or killed meanwhile (a child never seen stopped within
   * FREEZE_GIVE_UP_MS is killed). Returns false, doing nothing, where a stop cannot be
   * observed (no `/proc`): the caller must decide without it. Design: docs/executors.md,
   * "freeze, drain, decide".
   */
  freeze(frozen: () => void): boolean {
    const pid = this.#process.pid;
    // Signals go through the child's handle, which refuses once the child was reaped (its pid may be reused).
    if (!canSeeStops || pid === undefined || this.state === 'gone' || this.#frozen || !this.#process.kill('SIGSTOP')) return false;
    this.#frozen = true;
    frozenChildren.add(this.#process);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', continueFrozenOnExit);
    }
    const since = performance.now();
    let polls = 0;
    const poll = (): void => {
      if (this.state === 'gone' || !this.#frozen) return;
      if (!cannotWrite(pid)) {
        if (performance.now() - since > FREEZE_GIVE_UP_MS) {
          this.kill();
        } else if (++polls < FREEZE_FAST_POLLS) {
          setImmediate(poll);
        } else {
          this.#process.kill('SIGSTOP'); // again: something may have continued it (job control)
          setTimeout(poll, 1);
        }
        return;
      }
      // Two turns of the loop: the poll phase between them reads all the socket holds, and
      // Node emits each message on the tick after reading it, before the second immediate.
      setImmediate(() => setImmediate(() => this.state !== 'gone' && this.#frozen && frozen()));
    };
    poll();
    return true;
  }

  /** Stopped by freeze() and not continued yet: the pool is deciding whether its head still runs. */
  get frozen(): boolean {
    return this.#frozen;
  }

  /** Let a frozen child go on (SIGCONT). */
  thaw(): void {
    if (!this.#frozen) return;
    this.#frozen = false;
    frozenChildren.delete(this.#process);
    if (this.state !== 'gone') this.#process.kill('SIGCONT');
  }

  /** Stop the child now: SIGTERM, then SIGKILL if it is still alive after the grace period. */
  kill(): void {
    if (this.state === 'gone') return;
    this.state = 'stopping';
    this.stoppedOnPurpose = true;
    this.setReferenced(true);
    this.#process.kill('SIGTERM');
    // A stopped process keeps SIGTERM pending until it is continued.
    this.thaw();
    if (this.#killTimer === undefined) {
      this.#killTimer = setTimeout(() => this.#process.kill('SIGKILL'), KILL_GRACE_MS);
      this.#killTimer.unref();
    }
  }
}
