import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProcessExecutor } from '../../src/executors';
import { jsonExact, packMessage, unpackMessage } from '../../src/executors/worker/process-wire.cjs';
import * as fx from '../fixtures/pool-functions';
import { refOf } from './helpers';

const pool = new ProcessExecutor({ maxWorkers: 1 });
afterAll(() => pool.close());

/** What the other end of the channel gets for `message`: packed, through JSON, unpacked. */
const crossed = (message: unknown): unknown => unpackMessage(JSON.parse(JSON.stringify(packMessage(message))));

describe('process wire', () => {
  it('carries values that JSON would change exactly as a structured clone does, both ways', async () => {
    const holes = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const tagged = Object.assign([1, 2], { extra: 'kept' });
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 1 });
    const value = { negZero: -0, nan: NaN, inf: -Infinity, missing: undefined, holes, tagged, bare, lone: '\ud800x', list: Array.from({ length: 5000 }, (_, i) => i) };
    const back = await pool.submit<typeof value>(refOf(fx.echo), [value]);
    expect(Object.is(back.negZero, -0)).toBe(true);
    expect(back.nan).toBeNaN();
    expect(back.inf).toBe(-Infinity);
    expect('missing' in back).toBe(true);
    expect(1 in back.holes).toBe(false);
    expect(back.holes).toHaveLength(3);
    expect(back.tagged.extra).toBe('kept');
    expect(back.bare.k).toBe(1);
    expect(back.lone).toBe('\ud800x');
    expect(back.list).toEqual(value.list);
    expect(Object.is(await pool.submit(refOf(fx.echo), [-0]), -0)).toBe(true);
    expect(await pool.submit(refOf(fx.describeArgs), [undefined, [undefined]])).toEqual(['[object Undefined]', '[object Array]']);
  });

  it('sends a message as plain JSON only when JSON rebuilds it exactly', () => {
    const plain = { type: 'call', id: 1, file: '/f.cjs', name: 'f', args: [1, 'x', true, null, [2.5], { a: { b: [] } }] };
    expect(packMessage(plain)).toBe(plain);
    expect(packMessage([plain, plain])).toEqual([plain, plain]);
    // A protocol field left undefined (a function that returned nothing) reads the same when absent.
    expect(packMessage({ type: 'result', id: 2, value: undefined })).toEqual({ type: 'result', id: 2, value: undefined });
    const notJson: unknown[] = [-0, NaN, Infinity, undefined, 1n, [undefined], { a: undefined }, new Map(), new Date(0), new Proxy({}, {}), Object.assign([1], { x: 1 }), { toJSON: () => 1 }];
    for (const v of notJson) expect([v, jsonExact(v)]).toEqual([v, false]);
    const cloneable = (v: unknown): boolean => {
      try {
        structuredClone(v);
        return true;
      } catch {
        return false;
      }
    };
    for (const v of notJson.filter(cloneable)) {
      const message = { type: 'call', id: 3, file: '/f.cjs', name: 'f', args: [v] };
      expect((packMessage(message) as { type: string }).type).toBe('v8');
    }
    expect(jsonExact(Array.from({ length: 10_000 }, () => 0))).toBe(false); // large: cloned, not walked to the end
  });

  it('throws the clone error synchronously for a value that cannot be cloned, as advanced IPC did', () => {
    expect(() => packMessage({ type: 'call', id: 4, args: [() => 1] })).toThrow(/could not be cloned/);
    expect(() => packMessage({ type: 'call', id: 5, args: [new Proxy({}, {})] })).toThrow(/could not be cloned/);
  });

  it('rebuilds a cloned message whole on the other side', () => {
    const message = { type: 'call', id: 6, file: '/f.cjs', name: 'f', args: [new Map([[1, 2n]]), new Uint8Array([7]), -0] };
    const back = crossed(message) as typeof message;
    expect(back.type).toBe('call');
    expect([...(back.args[0] as Map<number, bigint>)]).toEqual([[1, 2n]]);
    expect([...(back.args[1] as Uint8Array)]).toEqual([7]);
    expect(Object.is(back.args[2], -0)).toBe(true);
  });

  it('sends a large clone through a file in the folder, which the receiver reads and deletes', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-wire-test-'));
    try {
      const bytes = new Uint8Array(1 << 20).fill(9);
      const packed = packMessage({ type: 'call', id: 7, args: [bytes] }, folder) as { type: string; file?: string; data?: string };
      expect(packed.data).toBeUndefined();
      expect(fs.existsSync(packed.file!)).toBe(true);
      const back = unpackMessage(JSON.parse(JSON.stringify(packed))) as { args: [Uint8Array] };
      expect(Buffer.from(back.args[0]).equals(Buffer.from(bytes))).toBe(true);
      expect(fs.readdirSync(folder)).toEqual([]);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
    const big = new Uint8Array(1 << 20).fill(3);
    const echoed = await pool.submit<Uint8Array>(refOf(fx.echo), [big]);
    expect(Buffer.from(echoed).equals(Buffer.from(big))).toBe(true);
  });
});
