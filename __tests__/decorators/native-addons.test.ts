/**
 * `nativeAddonOf` (decorators/native-addons.ts): whether a function's module loaded a native
 * addon, directly or through the modules it requires; what unsync loads for itself (BullMQ's
 * msgpackr, once a remote call or worker starts) does not count. Run in a tsx child
 * (__tests__/fixtures/native-addons-main.ts): the function reads Node's `require.cache`.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

it("finds an addon a module's own tree loaded, and none that only unsync's modules loaded", () => {
  const output = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '../fixtures/native-addons-main.ts')], { encoding: 'utf8' });
  expect(JSON.parse(output)).toEqual({
    ownAddon: '/app/node_modules/fast/fast.node',
    throughUnsyncSrc: null,
    throughUnsyncDecorators: null,
    both: '/app/node_modules/mine/mine.node',
    none: null,
  });
});
