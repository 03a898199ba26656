/**
 * The process pool in parents started in unusual ways: a script given with `-e`/`-p`/`--eval`
 * (children must not inherit those flags, or each would run the script again), and a parent
 * that exits while its children start (no `ERR_IPC_CHANNEL_CLOSED`/`EPIPE` stack).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { defaultExecArgv } from '../../src/executors/links/process/process-child';
import { tsNodeArgs } from './process-helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = require.resolve('tsx/cjs');
const PARENT = path.join(__dirname, '..', 'fixtures', 'process-parent.ts');

/** A script that makes two process-pool calls and prints their results. */
const SCRIPT = `
  const { ProcessExecutor } = require(${JSON.stringify(path.join(ROOT, 'src/executors'))});
  const fx = require(${JSON.stringify(path.join(ROOT, '__tests__/fixtures/pool-functions.ts'))});
  const { registeredRef } = require(${JSON.stringify(path.join(ROOT, 'src/executors/registry'))});
  const pool = new ProcessExecutor({ maxWorkers: 2 });
  const { file, name } = registeredRef(fx.add);
  Promise.all([pool.submit({ file, name }, [1, 2]), pool.submit({ file, name }, [3, 4])])
    .then((values) => { console.log('values ' + values.join(',')); return pool.close(); });
`;

describe('children of a parent started with role flags', () => {
  it.each([
    ['-e', ['-e', SCRIPT]],
    ['--eval=', [`--eval=${SCRIPT}`]],
    ['-p', ['-p', `${SCRIPT}; 'printed'`]],
  ])('work when the parent script came from %s', (_flag, args) => {
    const run = spawnSync(process.execPath, ['--require', TSX, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    // Once: a child that inherited the flag would run the script again and print again.
    expect(run.stdout.split('\n').filter((line) => line.startsWith('values'))).toEqual(['values 3,7']);
    expect(run.status).toBe(0);
  });

  it('drop the flags that say what the parent is, keep the ones that say how Node runs', () => {
    expect(defaultExecArgv(['--require', TSX, '-e', 'code', '--max-old-space-size=64'])).toEqual(['--require', TSX, '--max-old-space-size=64']);
    expect(defaultExecArgv(['-p', 'code', '--input-type=commonjs', '-i', '--inspect=9229'])).toEqual([]);
    expect(defaultExecArgv(['--test', '--test-reporter', 'tap', '--test-only', '--enable-source-maps'])).toEqual(['--enable-source-maps']);
    expect(defaultExecArgv(['--watch', '--watch-path', 'src', '--no-warnings'])).toEqual(['--no-warnings']);
  });
});

describe('a parent that exits while its children start', () => {
  it('prints no IPC error stack', () => {
    for (let i = 0; i < 3; i++) {
      const run = spawnSync(process.execPath, tsNodeArgs(PARENT).concat(['exit-while-starting']), { encoding: 'utf8', timeout: 60_000 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
  });
});
