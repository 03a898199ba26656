import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isLocateError, LocateError } from '../../src/core/executor-errors';
import { inWorker, locateFunction, unsyncRegister } from '../../src/executors';
import { declareRegistration, lookupRef, realFile, registeredRef } from '../../src/executors/registry';
import * as fx from '../fixtures/pool-functions';

// Registered at this module's top level, as decorators do.
const topLevelRef = unsyncRegister(function registeredAtTestTopLevel() {});
const fixtureFile = path.join(__dirname, '..', 'fixtures', 'pool-functions.ts');

// Declared at top level too: two claims of one name, two numbered members, an anonymous one.
const clashA = declareRegistration(function clashA() {}, { name: 'clash' });
const clashB = declareRegistration(function clashB() {}, { name: 'clash' });
const memberA = declareRegistration(function memberA() {}, { name: '<class>.m', numbered: true });
const memberB = declareRegistration(function memberB() {}, { name: '<class>.m', numbered: true });
const anonymousArrow = (): number => 1;
const anonymous = declareRegistration(anonymousArrow);

describe('unsyncRegister', () => {
  it('keys functions by defining module file and qualified name', () => {
    expect(registeredRef(fx.add)).toMatchObject({ file: fixtureFile, name: 'add' });
    expect(registeredRef(fx.Geometry.area)).toMatchObject({ file: fixtureFile, name: 'Geometry.area' });
    expect(registeredRef(fx.Geometry.prototype.perimeter)).toMatchObject({ name: 'Geometry.perimeter' });
    expect(lookupRef({ file: fixtureFile, name: 'explicitName' })?.fn()).toBe('renamed');
  });

  it('captures the file of the module that registers, here this test file', () => {
    expect(topLevelRef).toMatchObject({ file: __filename, name: 'registeredAtTestTopLevel' });
  });

  it('rejects a function registered inside another function', () => {
    function makeAndRegister(): unknown {
      function inner(): number {
        return 1;
      }
      return unsyncRegister(inner);
    }
    expect(makeAndRegister).toThrow(LocateError);
    expect(makeAndRegister).toThrow('cannot be located in a worker: it is registered inside function `makeAndRegister`; define it at module top level');
  });

  it('rejects a registration made after an `await` in an async function (no frame below it) in a CommonJS module', () => {
    // Run by tsx as a script: jest's own module registry cannot show it (see call-site.ts).
    const root = path.resolve(__dirname, '..', '..');
    const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, '__tests__', 'fixtures', 'late-registration.ts')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: result.status, stdout: result.stdout.trim(), stderr: result.stderr }).toEqual({ status: 0, stdout: 'LocateError', stderr: '' });
  });

  it('rejects a registration made from an anonymous callback (not module top level)', () => {
    let error: unknown;
    [1].forEach(() => {
      try {
        unsyncRegister(function fromCallback() {});
      } catch (e) {
        error = e;
      }
    });
    expect(isLocateError(error)).toBe(true);
    expect((error as Error).message).toContain('define it at module top level');
  });

  it('rejects functions created dynamically', () => {
    const register = new Function('register', 'return register(function made() {})');
    expect(() => register(unsyncRegister)).toThrow('created dynamically');
    expect(() => unsyncRegister(() => 1)).toThrow(/anonymous or bound function cannot be located/);
    expect(() => unsyncRegister(fx.add.bind(null))).toThrow(LocateError);
  });

  it('rejects two functions under one name in one module, but not a re-evaluation', () => {
    const file = path.join(__dirname, 'virtual-module.ts');
    const register = (fn: () => void) => unsyncRegister(fn, { file, name: 'same' });
    register(function one() {});
    expect(() => unsyncRegister(function two() {}, { file, name: 'same' })).toThrow(
      'two functions are registered as `same`',
    );
    // The same source position registering a new function object: the module ran again.
    register(function three() {});
    expect(lookupRef({ file, name: 'same' })?.fn.name).toBe('three');
  });

  it('accepts an explicit file (path or file URL) and validates its options', () => {
    const ref = unsyncRegister(function elsewhere() {}, { file: 'file:///tmp/elsewhere.ts' });
    expect(ref.file).toBe('/tmp/elsewhere.ts');
    expect(() => unsyncRegister(1 as never)).toThrow('Expected `fn` to be a function, got 1 (number)');
    expect(() => unsyncRegister(fx.add, { name: '' })).toThrow('Expected `options.name` to be a non-empty string');
    expect(() => unsyncRegister(fx.add, { where: 1 } as never)).toThrow('Unknown option `where`');
  });
});

describe('declareRegistration', () => {
  it('never throws where unsyncRegister would, and locate() says why later', () => {
    function inner(): void {}
    const declared = declareRegistration(inner, { name: 'inner', label: '`inner`' });
    expect(() => declared.locate()).toThrow(/^`inner` \(registry\.test\.ts:\d+\) cannot be located in a worker: it is defined inside .*, which a worker never runs; define it at module top level$/);
    const made = new Function('declare', 'return declare(function made() {}, { name: "made" })')(declareRegistration);
    expect(() => made.locate()).toThrow(/created dynamically/);
  });

  it('makes both claims of one name unlocatable, and numbers members instead', () => {
    for (const d of [clashA, clashB]) expect(() => d.locate()).toThrow('two functions are registered as `clash`');
    expect(lookupRef({ file: __filename, name: 'clash' })).toBeUndefined();
    expect([memberA.locate().name, memberB.locate().name]).toEqual(['<class>.m', '<class>.m#2']);
    expect(memberA.locate()).toBe(memberA.locate()); // located once
  });

  it('locates an anonymous function only through its module exports, with advice otherwise', () => {
    // Under jest this test file is not in require.cache: the export cannot be seen.
    expect(() => anonymous.locate()).toThrow(/^an anonymous function \(registry\.test\.ts:\d+\) cannot be located in a worker: .*Export it from .*or give it a name/);
    expect(registeredRef(anonymousArrow)).toBeUndefined();
    expect(() => declareRegistration(anonymousArrow, { name: '' })).toThrow('Expected `options.name` to be a non-empty string');
  });
});

describe('locateFunction and inWorker', () => {
  it('returns the registration of a registered function', () => {
    expect(locateFunction(fx.fib)).toBe(registeredRef(fx.fib));
  });

  it('throws LocateError for a function it cannot find', () => {
    function notRegistered(): void {}
    expect(() => locateFunction(notRegistered)).toThrow(
      '`notRegistered` cannot be located in a worker: it is neither registered',
    );
  });

  it('is false in the main thread', () => {
    expect(inWorker()).toBe(false);
  });
});

describe('realFile', () => {
  it('does not remember a path that does not exist (a remote job may name any): it is looked up again', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-realfile-'));
    try {
      const target = path.join(dir, 'target.ts');
      fs.writeFileSync(target, '');
      const link = path.join(dir, 'made-up.ts');
      expect(realFile(link)).toBe(link);
      fs.symlinkSync(target, link);
      expect(realFile(link)).toBe(fs.realpathSync(target));
      // An existing file's real path is remembered (the next lookup makes no system call).
      fs.rmSync(link);
      expect(realFile(link)).toBe(fs.realpathSync(target));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
