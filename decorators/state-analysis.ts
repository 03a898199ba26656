/**
 * Would running this function in a worker change what it computes? (issue 17, item 1.)
 *
 * A worker loads the function's module afresh: it has its own copy of every module
 * variable, of every object a module builds, of the globals and (a thread) of
 * `process.env`, and it never runs the function that created a closure. So `'auto'` moves
 * a function off the loop only when its source, and the source of the helpers it calls (in
 * its module and in imported project modules), shows none of these:
 *
 * - a read or write of a module-level `let`/`var`;
 * - a read of a module-level object (`const config = {}`, `new Map()`) that some function
 *   of the module changes after load, or a change to one;
 * - a free variable that is neither module-level nor global (a closure over a local);
 * - `this` in a plain function (a worker calls it without one), a write to `this.x` in an
 *   instance method (the worker changes a copy) or in a static one (the worker's class);
 * - process-wide state: `process.chdir`, writes to `process.env`, `process.exit`,
 *   `process.umask`/`setuid`…, a global assigned (`globalThis.x =`, an undeclared name).
 *
 * The function is found in its module's source (TypeScript compiler API, `./module-facts.ts`)
 * by name, or else parsed from `Function.prototype.toString`. It also returns the first
 * CPU-heavy or blocking-I/O helper it calls, for rule 3's guess of the function's kind.
 * Limits (docs/decorator.md): calls through objects (`this.helper()`, `obj.fn()`) and
 * mutations through method calls other than the usual mutators are not followed.
 */
import type * as TS from 'typescript';
import { declaredInside, lineOf, moduleFacts, skipParens, typescript, writtenRoot, type Binding, type ModuleFacts } from './module-facts';
import { classify, type SourceEvidence } from './static-analysis';

/** How the decorated function is called: its `this`. */
export type CallRole = 'function' | 'instance' | 'static';

/** What the analysis found for one function. */
export interface DeepFacts {
  /**
   * Why moving the function could change what it computes, as a phrase after "it"
   * ("reads module variable `hits` (jobs.ts:12): a worker would have its own copy"), or
   * undefined when nothing was found.
   */
  readonly problem: string | undefined;
  /** The first CPU-heavy or blocking-I/O evidence found in a helper it calls. */
  readonly helper: SourceEvidence | undefined;
  /** False when the analysis could not run (TypeScript not installed, source unreadable). */
  readonly analysed: boolean;
}

/** What the caller knows about the function. */
export interface AnalysisTarget {
  readonly fn: Function;
  /** The defining module (from the registration's call site). */
  readonly file: string | undefined;
  readonly role: CallRole;
  /** The method's class name, when known (to pick the right method among classes). */
  readonly owner?: string | undefined;
  /** The method's name (methods), else the function's. */
  readonly name: string;
}

const cache = new WeakMap<Function, DeepFacts>();
const NOT_ANALYSED: DeepFacts = Object.freeze({ problem: undefined, helper: undefined, analysed: false });
const MAX_HELPER_DEPTH = 6;

/** Analyse `target.fn` (cached per function). */
export function analyseDeep(target: AnalysisTarget): DeepFacts {
  let result = cache.get(target.fn);
  if (result === undefined) {
    result = compute(target);
    cache.set(target.fn, result);
  }
  return result;
}

function compute(target: AnalysisTarget): DeepFacts {
  const ts = typescript();
  if (ts === undefined || target.file === undefined) return NOT_ANALYSED;
  const facts = moduleFacts(target.file);
  if (facts === undefined) return NOT_ANALYSED;
  const located = findInSource(facts, target) ?? parseRuntime(ts, target);
  if (located === undefined) return NOT_ANALYSED;
  const walk = new Walk(ts, new Set([`${facts.file}#${target.name}`]));
  const problem = walk.fn(located.node, located.lines ? facts : undefined, facts, target.role, 0);
  return Object.freeze({ problem, helper: walk.helper, analysed: true });
}

/** The function's node in its module's source: the only function-like there with its name (and class). */
function findInSource(facts: ModuleFacts, target: AnalysisTarget): { node: TS.FunctionLikeDeclaration; lines: true } | undefined {
  const { ts, source } = facts;
  if (target.name === '' || target.name === 'anonymous') return undefined;
  const found: TS.FunctionLikeDeclaration[] = [];
  const isStatic = (n: TS.Node): boolean => (ts.canHaveModifiers(n) ? ts.getModifiers(n) : undefined)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) === true;
  const visit = (node: TS.Node): void => {
    if (target.role === 'function') {
      if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) && node.name?.text === target.name && node.body !== undefined) found.push(node);
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === target.name && node.initializer !== undefined) {
        const init = skipParens(ts, node.initializer);
        if (ts.isArrowFunction(init) || (ts.isFunctionExpression(init) && init.name === undefined)) found.push(init);
      }
    } else if (ts.isMethodDeclaration(node) && node.body !== undefined && ts.isIdentifier(node.name) && node.name.text === target.name && isStatic(node) === (target.role === 'static')) {
      const owner = ts.isClassLike(node.parent) ? node.parent.name?.text : undefined;
      if (target.owner === undefined || owner === undefined || owner === target.owner) found.push(node);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(source, visit);
  return found.length === 1 ? { node: found[0]!, lines: true } : undefined;
}

/** The function parsed from its own text (compiled output, anonymous functions). */
function parseRuntime(ts: typeof TS, target: AnalysisTarget): { node: TS.FunctionLikeDeclaration; lines: false } | undefined {
  let text: string;
  try {
    text = Function.prototype.toString.call(target.fn);
  } catch {
    return undefined;
  }
  if (text.includes('[native code]')) return undefined;
  // A function or arrow parses in parentheses; a method's text (`name(a) { … }`) inside an object literal.
  for (const wrapped of [`(${text})`, `({${text}})`]) {
    const file = ts.createSourceFile('fn.js', wrapped, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    if ((file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length) continue;
    let node: TS.FunctionLikeDeclaration | undefined;
    const visit = (n: TS.Node): void => {
      if (node === undefined && ts.isFunctionLike(n) && (n as TS.FunctionLikeDeclaration).body !== undefined) node = n as TS.FunctionLikeDeclaration;
      else if (node === undefined) ts.forEachChild(n, visit);
    };
    ts.forEachChild(file, visit);
    if (node !== undefined) return { node, lines: false };
  }
  return undefined;
}

// Names the CommonJS wrapper gives every module.
const MODULE_NAMES = new Set(['require', 'module', 'exports', '__filename', '__dirname', 'arguments']);
// What compilers name their imports and helpers: `fs_1` (tsc), `import_fs` (esbuild), `__name`, `tslib_1`.
const COMPILED_NAME = /^[\w$]+_\d+$|^import_[\w$]+$|^__[\w$]+$/;
const PROCESS_EXITS = new Set(['exit', 'abort', 'reallyExit']);
const PROCESS_SETTERS = new Set(['chdir', 'umask', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups', 'setSourceMapsEnabled', 'setUncaughtExceptionCaptureCallback']);

const FIX_COPY = 'a worker would have its own copy';
const FIX_CHANGE = "a worker would change its own copy, not the caller's";

class Walk {
  /** First CPU/I-O evidence of a helper. */
  helper: SourceEvidence | undefined;
  readonly #ts: typeof TS;
  readonly #visited: Set<string>;

  constructor(ts: typeof TS, visited: Set<string>) {
    this.#ts = ts;
    this.#visited = visited;
  }

  /**
   * The first problem in `fn`. `lines`: the module whose source `fn` is in (for line
   * numbers), undefined for a function parsed from its runtime text; `facts`: the module
   * its free names resolve in.
   */
  fn(fn: TS.FunctionLikeDeclaration, lines: ModuleFacts | undefined, facts: ModuleFacts, role: CallRole | 'helper', depth: number): string | undefined {
    const ts = this.#ts;
    const locals = declaredInside(ts, fn);
    const at = (node: TS.Node): string => (lines === undefined ? '' : ` (${lines.base}:${lineOf(lines.source, node)})`);
    let problem: string | undefined;
    const visit = (node: TS.Node, ownThis: boolean): void => {
      if (problem !== undefined) return;
      if (ts.isTypeNode(node) || ts.isTypeAliasDeclaration(node) || ts.isInterfaceDeclaration(node)) return;
      problem = this.#processState(node, at) ?? this.#writes(node, locals, facts, role, ownThis, at) ?? this.#reference(node, locals, facts, role, ownThis, at, depth);
      if (problem !== undefined) return;
      // A nested non-arrow function (or class) has its own `this`.
      const rebinds = (ts.isFunctionLike(node) && !ts.isArrowFunction(node)) || ts.isClassLike(node);
      ts.forEachChild(node, (child) => visit(child, ownThis && !rebinds));
    };
    if (fn.body !== undefined) visit(fn.body, true);
    for (const parameter of fn.parameters) if (parameter.initializer !== undefined) visit(parameter.initializer, true);
    return problem;
  }

  /** process.chdir / env writes / exit / umask…, and globals assigned through globalThis. */
  #processState(node: TS.Node, at: (n: TS.Node) => string): string | undefined {
    const ts = this.#ts;
    if (ts.isCallExpression(node)) {
      const callee = skipParens(ts, node.expression);
      if (ts.isPropertyAccessExpression(callee) && isProcess(ts, callee.expression)) {
        const method = callee.name.text;
        if (method === 'chdir') return `calls process.chdir${at(node)}: the working directory belongs to the whole process (a worker thread cannot change it; a child process would change its own)`;
        if (PROCESS_EXITS.has(method)) return `calls process.${method}${at(node)}: in a worker it would end the worker, not the program`;
        if (PROCESS_SETTERS.has(method) && (method !== 'umask' || node.arguments.length > 0)) return `changes process-wide state with process.${method}${at(node)}: a worker would change its own process or none`;
      }
    }
    const root = writtenTarget(ts, node);
    if (root !== undefined) {
      const e = skipParens(ts, root);
      if ((ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) && isProcessEnv(ts, e.expression)) {
        return `writes process.env${at(node)}: a worker has its own copy of the environment`;
      }
      if ((ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) && isProcess(ts, e.expression) && ts.isPropertyAccessExpression(e)) {
        return `changes process.${e.name.text}${at(node)}: a worker has its own \`process\``;
      }
      const owner = (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) ? unwrap(ts, e.expression) : undefined;
      if (owner !== undefined && ts.isIdentifier(owner) && /^(globalThis|global|self|window)$/.test(owner.text)) {
        const name = ts.isPropertyAccessExpression(e) ? e.name.text : '…';
        return `assigns the global \`${name}\`${at(node)}: a worker has its own globals`;
      }
    }
    if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const callee = skipParens(ts, node.expression);
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Object' && callee.name.text === 'assign' && isProcessEnv(ts, node.arguments[0]!)) {
        return `writes process.env${at(node)}: a worker has its own copy of the environment`;
      }
    }
    return undefined;
  }

  /** Writes and mutations of module bindings, `this`, or undeclared names. */
  #writes(node: TS.Node, locals: Set<string>, facts: ModuleFacts, role: CallRole | 'helper', ownThis: boolean, at: (n: TS.Node) => string): string | undefined {
    const ts = this.#ts;
    const root = writtenRoot(ts, node);
    if (root === undefined) return undefined;
    if (root.kind === ts.SyntaxKind.ThisKeyword) {
      if (!ownThis || role === 'helper' || role === 'function') return undefined; // plain functions: any `this` is reported as a read
      const what = describeTarget(ts, writtenTarget(ts, node)) ?? 'this';
      return role === 'static'
        ? `changes \`${what}\`${at(node)}, static state of its class: a worker has its own copy of the class`
        : `changes \`${what}\`${at(node)}: a worker changes a copy of the object, not the caller's`;
    }
    const name = (root as TS.Identifier).text;
    if (locals.has(name)) return undefined;
    const binding = facts.bindings.get(name);
    if (binding === undefined) {
      if (COMPILED_NAME.test(name) || MODULE_NAMES.has(name)) return undefined;
      if (name in globalThis || enclosingDeclares(ts, node, name) === false) return `assigns the global \`${name}\`${at(node)}: a worker has its own globals`;
      return `changes \`${name}\`${at(node)}, a variable of the function that created it (a closure): a worker loads the module, not that call, so it would not have \`${name}\``;
    }
    return this.#judgeBinding(binding, facts, 'write', at(node), undefined, 0);
  }

  /** Reads: identifiers, `this`, helpers to follow. */
  #reference(node: TS.Node, locals: Set<string>, facts: ModuleFacts, role: CallRole | 'helper', ownThis: boolean, at: (n: TS.Node) => string, depth: number): string | undefined {
    const ts = this.#ts;
    if (node.kind === ts.SyntaxKind.ThisKeyword && ownThis && role === 'function') {
      return `uses \`this\`${at(node)}, which a worker cannot give it: it calls the function without one`;
    }
    if (!ts.isIdentifier(node) || !isReference(ts, node)) return undefined;
    const name = node.text;
    if (locals.has(name)) return undefined;
    const member = ts.isPropertyAccessExpression(node.parent) && node.parent.expression === node ? node.parent.name.text : undefined;
    let binding = facts.bindings.get(name);
    // Compiled imports: `(0, helpers_1.bump)()` for `import { bump } from './helpers'`.
    if (binding === undefined && member !== undefined && COMPILED_NAME.test(name)) binding = namedImport(facts, member);
    if (binding === undefined) {
      if (COMPILED_NAME.test(name) || MODULE_NAMES.has(name) || name in globalThis) return undefined;
      return `uses \`${name}\`${at(node)}, a variable of the function that created it (a closure): a worker loads the module, not that call, so it would not have \`${name}\``;
    }
    return this.#judgeBinding(binding, facts, 'read', at(node), binding.kind === 'import' && binding.from?.imported === '*' ? member : undefined, depth);
  }

  /** The verdict on using `binding` of `facts`' module (following imports into project modules, and helpers). */
  #judgeBinding(binding: Binding, facts: ModuleFacts, usage: 'read' | 'write', at: string, member: string | undefined, depth: number): string | undefined {
    const where = `${facts.base}:${binding.line}`;
    switch (binding.kind) {
      case 'let':
      case 'var':
        return usage === 'write'
          ? `changes module variable \`${binding.name}\` (${where}): ${FIX_CHANGE}`
          : `reads module variable \`${binding.name}\` (${where}): ${FIX_COPY}`;
      case 'import': {
        const target = binding.from?.file === undefined ? undefined : moduleFacts(binding.from.file);
        if (target === undefined || binding.from === undefined) return undefined; // a package or built-in: not the project's state
        const imported = binding.from.imported === '*' ? member : binding.from.imported;
        if (imported === undefined) return undefined;
        const local = target.exported.get(imported) ?? imported;
        const next = target.bindings.get(local);
        return next === undefined ? undefined : this.#judgeBinding(next, target, usage, at, undefined, depth);
      }
      default: {
        if (usage === 'write') return `changes module object \`${binding.name}\` (${where}): ${FIX_CHANGE}`;
        const mutation = facts.mutated.get(binding.name);
        if (mutation !== undefined) {
          return `reads module object \`${binding.name}\` (${where}), which ${mutation.by} changes after load (${facts.base}:${mutation.line}): ${FIX_COPY}, as it was at load`;
        }
        return binding.fn !== undefined ? this.#helper(binding, facts, depth) : undefined;
      }
    }
  }

  /** Follow a helper function: its kind (for rule 3) and its own problems. */
  #helper(binding: Binding, facts: ModuleFacts, depth: number): string | undefined {
    const key = `${facts.file}#${binding.name}`;
    if (this.#visited.has(key) || depth >= MAX_HELPER_DEPTH || binding.fn === undefined) return undefined;
    this.#visited.add(key);
    const label = `\`${binding.name}\` (${facts.base}:${binding.line})`;
    if (this.helper === undefined) {
      const evidence = classify(binding.fn.getText(facts.source), binding.name);
      if (evidence.shape === 'cpu' || evidence.shape === 'io') this.helper = { shape: evidence.shape, detail: `calls ${label}, which ${evidence.detail.replace(/^is compute-shaped: it /, 'is compute-shaped: it ')}` };
    }
    const problem = this.fn(binding.fn, facts, facts, 'helper', depth + 1);
    return problem === undefined ? undefined : `calls ${label}, which ${problem}`;
  }
}

/** Does a function around `node` declare `name`? undefined when the source around it is not known (parsed from runtime text). */
function enclosingDeclares(ts: typeof TS, node: TS.Node, name: string): boolean | undefined {
  let p: TS.Node | undefined = node.parent;
  let sawFile = false;
  while (p !== undefined) {
    if (ts.isFunctionLike(p) && declaredInside(ts, p).has(name)) return true;
    if (ts.isSourceFile(p)) sawFile = p.fileName !== 'fn.js';
    p = p.parent;
  }
  return sawFile ? false : undefined;
}

function unwrap(ts: typeof TS, e: TS.Expression): TS.Expression {
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isNonNullExpression(x) || ts.isSatisfiesExpression(x) || ts.isTypeAssertionExpression(x)) x = x.expression;
  return x;
}

function namedImport(facts: ModuleFacts, imported: string): Binding | undefined {
  for (const b of facts.bindings.values()) if (b.kind === 'import' && b.from?.imported === imported && b.from.file !== undefined) return b;
  return undefined;
}

function isProcess(ts: typeof TS, e: TS.Expression): boolean {
  const x = skipParens(ts, e);
  if (ts.isIdentifier(x)) return x.text === 'process' || /^(node_)?process_\d+$|^import_(node_)?process$/.test(x.text);
  return ts.isPropertyAccessExpression(x) && ts.isIdentifier(x.expression) && /^(globalThis|global)$/.test(x.expression.text) && x.name.text === 'process';
}

function isProcessEnv(ts: typeof TS, e: TS.Expression): boolean {
  const x = skipParens(ts, e);
  return ts.isPropertyAccessExpression(x) && x.name.text === 'env' && isProcess(ts, x.expression);
}

/** The assignment target, update operand, deleted expression or mutated receiver of `node`. */
function writtenTarget(ts: typeof TS, node: TS.Node): TS.Expression | undefined {
  if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return node.left;
  if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) return node.operand;
  if (ts.isDeleteExpression(node)) return node.expression;
  if (ts.isCallExpression(node) && writtenRoot(ts, node) !== undefined) {
    const callee = skipParens(ts, node.expression);
    if (ts.isPropertyAccessExpression(callee) && !(ts.isIdentifier(callee.expression) && callee.expression.text === 'Object')) return callee.expression;
    return node.arguments[0];
  }
  return undefined;
}

/** `this.total`, `this.items` (the first property under `this`). */
function describeTarget(ts: typeof TS, e: TS.Expression | undefined): string | undefined {
  let x = e === undefined ? undefined : skipParens(ts, e);
  let last: string | undefined;
  while (x !== undefined && (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x))) {
    if (ts.isPropertyAccessExpression(x)) last = x.name.text;
    else last = '[…]';
    x = skipParens(ts, x.expression);
  }
  return last === undefined ? undefined : last === '[…]' ? 'this[…]' : `this.${last}`;
}

/** Is this identifier a use of a variable (not a property name, a declaration's name or a label)? */
function isReference(ts: typeof TS, id: TS.Identifier): boolean {
  const p = id.parent;
  if (p === undefined) return true;
  if (ts.isPropertyAccessExpression(p)) return p.expression === id;
  if (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p) || ts.isEnumMember(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p)) return p.name !== id;
  if (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassDeclaration(p) || ts.isClassExpression(p)) return p.name !== id;
  if (ts.isBindingElement(p)) return p.name !== id && p.propertyName !== id ? true : false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p) || ts.isQualifiedName(p) || ts.isMetaProperty(p)) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)) return false;
  if (ts.isJsxAttribute(p)) return false;
  return true;
}

