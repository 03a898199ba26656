/**
 * BullMQ's QueueEvents as calls per job (./src/executors/remote/remote-job-events.ts), over
 * a plain EventEmitter that emits what QueueEvents emits. The executor's use of it, over a
 * real QueueEvents and Redis, is covered by remote-executor.test.ts and the other remote tests.
 */
import { EventEmitter } from 'node:events';
import { followJobEvents, type JobEventHandlers } from '../../../src/executors/remote/remote-job-events';
import { PROGRESS_KEY, encodePayload } from '../../../src/executors/remote/remote-wire';

/** An emitter followed for the jobs `known` (each call is its job id, upper-cased), and the steps the handlers saw. */
function follow(known: string[]) {
  const events = new EventEmitter();
  const steps: unknown[][] = [];
  const handlers: JobEventHandlers<string> = {
    active: (call) => void steps.push(['active', call]),
    completed: (call, returnvalue) => void steps.push(['completed', call, returnvalue]),
    failed: (call, reason) => void steps.push(['failed', call, reason]),
    progress: (call, value) => void steps.push(['progress', call, value]),
    requeued: (call) => void steps.push(['requeued', call]),
    stalled: (call) => void steps.push(['stalled', call]),
  };
  followJobEvents(events, (jobId) => (known.includes(jobId) ? jobId.toUpperCase() : undefined), handlers);
  return { events, steps };
}

describe('followJobEvents', () => {
  it("calls each event's handler with the known job's call, in the order the events come", () => {
    const { events, steps } = follow(['a', 'b']);
    events.emit('active', { jobId: 'a', prev: 'waiting' });
    events.emit('active', { jobId: 'b', prev: 'waiting' });
    events.emit('stalled', { jobId: 'b' });
    events.emit('completed', { jobId: 'a', returnvalue: '{"protocol":2}' });
    events.emit('failed', { jobId: 'b', failedReason: 'unsync: refused' });
    expect(steps).toEqual([
      ['active', 'A'],
      ['active', 'B'],
      ['stalled', 'B'],
      ['completed', 'A', '{"protocol":2}'],
      ['failed', 'B', 'unsync: refused'],
    ]);
  });

  it("drops the events of jobs it does not know (other callers' or settled calls')", () => {
    const { events, steps } = follow(['a']);
    for (const name of ['active', 'completed', 'failed', 'stalled']) events.emit(name, { jobId: 'z', returnvalue: 1, failedReason: 'x' });
    events.emit('waiting', { jobId: 'z', prev: 'active' });
    events.emit('progress', { jobId: 'z', data: { [PROGRESS_KEY]: encodePayload(1) } });
    expect(steps).toEqual([]);
  });

  it('decodes an unsync progress value (structured-clone rules), and drops any other progress', () => {
    const { events, steps } = follow(['a']);
    const value = new Map<string, unknown>([['done', 3n]]);
    events.emit('progress', { jobId: 'a', data: 42 }); // a plain BullMQ progress number
    events.emit('progress', { jobId: 'a', data: null });
    events.emit('progress', { jobId: 'a', data: { other: encodePayload(1) } });
    events.emit('progress', { jobId: 'a', data: { [PROGRESS_KEY]: 7 } });
    events.emit('progress', { jobId: 'a', data: { [PROGRESS_KEY]: '\u0000 not a payload' } });
    events.emit('progress', { jobId: 'a', data: { [PROGRESS_KEY]: encodePayload(value) } });
    expect(steps).toEqual([['progress', 'A', value]]);
    expect((steps[0]![2] as Map<string, unknown>).get('done')).toBe(3n);
  });

  it('reports a job put back from active to waiting as requeued, and no other move to waiting', () => {
    const { events, steps } = follow(['a']);
    events.emit('waiting', { jobId: 'a' }); // added
    events.emit('waiting', { jobId: 'a', prev: 'delayed' });
    events.emit('waiting', { jobId: 'a', prev: 'active' });
    expect(steps).toEqual([['requeued', 'A']]);
  });

  it('listens to connection errors so that they do not throw (ioredis reconnects)', () => {
    const { events, steps } = follow(['a']);
    expect(() => events.emit('error', new Error('ECONNRESET'))).not.toThrow();
    expect(steps).toEqual([]);
  });
});
