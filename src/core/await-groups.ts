/**
 * Await groups: which links belong to the await a task is suspended on now (asyncio keeps
 * one `_fut_waiter`, replaced at every step). One `await expr` links each library future in
 * `expr` from a microtask job of its own (`await u` calls `u.then` from a job; so does
 * `Promise.race`/`all` for each element), so the links of one await are not made in one
 * synchronous run, and the body's resumption cannot be seen (a native promise resumes it
 * without any library code running). What can be seen is the order of the microtask
 * queue: every job that one synchronous run of the body enqueues (its links among them) is
 * queued before any job queued after that run, and the body can only resume in a job
 * queued after it. So the first link of a group queues a marker job (`seal`), which
 * runs after every link of that await and before any link the resumed body makes; the
 * marker closes the current epoch. A link made in the epoch its task's group was
 * formed in joins the group; a later one starts a new group and drops the old one:
 * something in the task ran since, so the await the old links served is over (a race
 * that a native promise or a settled future won leaves them behind; a future raced again
 * later is linked again by its new `then`). One marker serves every task linking before
 * it runs, as long as it is still queued when a task's first link is made: it was then
 * queued after the run that made that task's await, so after all its links.
 * A `then` the body calls itself (`await a.then(f)`) links from the run itself, so its
 * marker runs before the await's jobs: the await's own link, on the chain's end, starts
 * the group, and cancelling it reaches `a` back along the chain (`#interrupt`, future.ts).
 * docs/cancellation.md ("Which links count") gives the cases and the limits.
 *
 * Part of the task (./task.ts, `Task.linkAwait`); module state, shared by every task.
 */

let epoch = 0;
let sealQueued = false;
const RESOLVED = Promise.resolve();

function seal(): void {
  // Kept a small integer (V8 stores it unboxed in every task); wrapping after 2^30 drains
  // could only let a group that old pass as current.
  epoch = (epoch + 1) & 0x3fffffff;
  sealQueued = false;
}

/** The epoch now: a link made in the epoch its task's group was formed in joins that group. */
export function linkEpoch(): number {
  return epoch;
}

/** A task starts a new group with the link made now: its epoch, closed by a marker job queued now if none is. */
export function openGroup(): number {
  if (!sealQueued) {
    sealQueued = true;
    void RESOLVED.then(seal);
  }
  return epoch;
}
