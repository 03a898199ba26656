/**
 * An instance method's `this` must travel to the worker: the decorator checks, before
 * anything is sent, that it clones and that the worker can find its class.
 */
import { CloneError, LocateError, inspect, shutdown } from '../../src';
import { Connection, unexported } from '../fixtures/decorated-unclonable-this';

afterAll(() => shutdown());

describe("an instance method's `this`", () => {
  it('runs in a worker when `this` clones and the class is exported', async () => {
    expect(await new Connection('db').where()).toBe('db@worker');
  });

  it('fails with CloneError naming the class, the property and the fix, before sending anything', async () => {
    const error = await Promise.resolve(new Connection('db', () => {}).where()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloneError);
    expect((error as CloneError).what).toBe('this'); // the pool's own check would say 'argument 1'
    expect((error as Error).message).toMatch(
      /^`this` of `Connection\.where` \(a `Connection`\) cannot be sent to a worker \(at `this\.onClose`\): .+\. Keep values that cannot be cloned .* or make the method static/,
    );
  });

  it('fails with LocateError naming the class when its module does not export it', async () => {
    const error = await Promise.resolve(unexported().where()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocateError);
    expect((error as Error).message).toMatch(/^`Unexported\.where` cannot run in a worker: .*does not export `Unexported`\. Export the class, or make the method static/);
  });

  it("keeps an 'auto' call on the loop when its `this` cannot travel, and inspect() says why", async () => {
    const clonable = new Connection('a');
    expect(inspect(clonable.readOwnSource).executor).toBe('thread');
    const stuck = new Connection('b', () => {});
    const call = stuck.readOwnSource() as unknown as { executor: string } & PromiseLike<string>;
    expect(call.executor).toBe('loop');
    expect(await call).toBe('b:read@main');
    const verdict = inspect(Connection.prototype.readOwnSource);
    expect([verdict.executor, verdict.rule]).toEqual(['loop', 'state']);
    expect(verdict.reason).toContain('`this` of `Connection.readOwnSource` (a `Connection`) cannot be sent to a worker (at `this.onClose`)');
  });
});
