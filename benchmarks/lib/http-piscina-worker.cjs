/**
 * The hand-written piscina version's worker (benchmarks/http-mixed.ts): the CPU endpoints'
 * functions, by name. Plain CommonJS, because piscina starts its threads without the parent's
 * TypeScript loader; it registers tsx's CommonJS hook itself to load the workload module.
 */
require('tsx/cjs/api').register();
const { gzipBody, hashPassword, parseYaml, renderMarkdown } = require('./http-workload.ts');

module.exports = { gzipBody, hashPassword, parseYaml, renderMarkdown };
