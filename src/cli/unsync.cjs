#!/usr/bin/env node
'use strict';
// The `unsync` command's launcher (package.json "bin"). Plain CommonJS on purpose: it must
// run before any TypeScript loader exists. It runs the compiled CLI from dist/ when the
// package is built, else the TypeScript sources through tsx's CommonJS loader.
const fs = require('node:fs');
const path = require('node:path');

function entry() {
  // UNSYNC_CLI_SOURCE=src forces the TypeScript sources (the tests use it: dist/ may be stale).
  if (process.env.UNSYNC_CLI_SOURCE === 'src' && fs.existsSync(path.join(__dirname, 'main.ts'))) {
    require('tsx/cjs/api').register();
    return path.join(__dirname, 'main.ts');
  }
  const sibling = path.join(__dirname, 'main.js'); // this file copied into dist/src/cli/
  if (fs.existsSync(sibling)) return sibling;
  const built = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js'); // src/cli/ of a built checkout
  if (fs.existsSync(built)) return built;
  require('tsx/cjs/api').register();
  return path.join(__dirname, 'main.ts');
}

require(entry())
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
