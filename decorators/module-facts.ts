/**
 * What a module's source says about its top-level bindings, read once per file with the
 * TypeScript compiler API (parse only: no type checking, no program): which names are
 * `let`/`var`, which `const` objects some function changes after load, which are functions
 * (helpers to follow) and which are imported from where. `./state-analysis.ts` uses it to
 * tell whether moving a function to a worker could change what it computes.
 *
 * TypeScript is loaded lazily, outside any test runner's module registry, the first time a
 * module is read; without it (not installed) nothing is known and the analysis says so.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as TS from 'typescript';

let api: typeof TS | null | undefined;

/** The TypeScript compiler API, or undefined when the package is not installed. */
export function typescript(): typeof TS | undefined {
  if (api === undefined) {
    try {
      // Node's own require: under jest, its module registry would load the compiler again in every test file.
      api = createRequire(__filename)('typescript') as typeof TS;
    } catch {
      api = null;
    }
  }
  return api ?? undefined;
}

/** How a top-level name was declared. */
export type BindingKind = 'let' | 'var' | 'const' | 'function' | 'class' | 'import' | 'other';

/** One top-level name of a module. */
export interface Binding {
  readonly name: string;
  readonly kind: BindingKind;
  /** 1-based line of the declaration. */
  readonly line: number;
  /** The function it names (a function declaration, or a `const` bound to an arrow or function expression). */
  readonly fn: TS.FunctionLikeDeclaration | undefined;
  /** For imports: the specifier, the imported name (`default`, `*` or a name) and the project file it resolves to. */
  readonly from?: { readonly specifier: string; readonly imported: string; readonly file: string | undefined };
}

/** Where a top-level binding is changed after the module loaded. */
export interface Mutation {
  readonly line: number;
  /** The function that changes it (`configure`), or `a function` when it has no name. */
  readonly by: string;
}

/** Everything read from one module's source. */
export interface ModuleFacts {
  readonly file: string;
  /** The file's base name, for messages (`jobs.ts`). */
  readonly base: string;
  readonly ts: typeof TS;
  readonly source: TS.SourceFile;
  readonly bindings: ReadonlyMap<string, Binding>;
  /** Top-level bindings some function in the module writes or mutates (first place found). */
  readonly mutated: ReadonlyMap<string, Mutation>;
  /** Exported name -> local name (`export { a as b }` gives b -> a). */
  readonly exported: ReadonlyMap<string, string>;
}

const cache = new Map<string, ModuleFacts | null>();

/** The facts of `file` (cached per file), or undefined when it cannot be read or parsed. */
export function moduleFacts(file: string): ModuleFacts | undefined {
  let facts = cache.get(file);
  if (facts === undefined) {
    facts = readFacts(file) ?? null;
    cache.set(file, facts);
  }
  return facts ?? undefined;
}

/** 1-based line of `node` in its source file. */
export function lineOf(source: TS.SourceFile, node: TS.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

function readFacts(file: string): ModuleFacts | undefined {
  const ts = typescript();
  if (ts === undefined) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(ts, file));
  const bindings = new Map<string, Binding>();
  const exported = new Map<string, string>();
  const add = (name: string, kind: BindingKind, node: TS.Node, fn?: TS.FunctionLikeDeclaration, from?: Binding['from']): void => {
    if (!bindings.has(name)) bindings.set(name, { name, kind, line: lineOf(source, node), fn, from });
  };
  const isExported = (node: TS.Node): boolean =>
    (ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) === true;
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      const flags = statement.declarationList.flags;
      const kind: BindingKind = flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var';
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        const fn = init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? init : undefined;
        for (const name of bindingNames(ts, declaration.name)) {
          add(name, kind, declaration, fn);
          if (isExported(statement)) exported.set(name, name);
        }
        // `const x = require('./y')` (compiled or hand-written CommonJS): an import.
        if (init !== undefined && ts.isIdentifier(declaration.name) && isRequireCall(ts, init)) {
          const specifier = (init as TS.CallExpression).arguments[0] as TS.StringLiteral;
          bindings.set(declaration.name.text, { name: declaration.name.text, kind: 'import', line: lineOf(source, declaration), fn: undefined, from: { specifier: specifier.text, imported: '*', file: resolveProjectFile(file, specifier.text) } });
        }
      }
    } else if (ts.isFunctionDeclaration(statement) && statement.name !== undefined) {
      add(statement.name.text, 'function', statement, statement);
      if (isExported(statement)) exported.set(isDefault(ts, statement) ? 'default' : statement.name.text, statement.name.text);
    } else if (ts.isClassDeclaration(statement) && statement.name !== undefined) {
      add(statement.name.text, 'class', statement);
      if (isExported(statement)) exported.set(isDefault(ts, statement) ? 'default' : statement.name.text, statement.name.text);
    } else if (ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) {
      if (ts.isIdentifier(statement.name)) add(statement.name.text, 'other', statement);
    } else if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const specifier = statement.moduleSpecifier.text;
      const target = resolveProjectFile(file, specifier);
      const clause = statement.importClause;
      if (clause === undefined || clause.isTypeOnly) continue;
      if (clause.name !== undefined) add(clause.name.text, 'import', clause, undefined, { specifier, imported: 'default', file: target });
      const named = clause.namedBindings;
      if (named !== undefined && ts.isNamespaceImport(named)) add(named.name.text, 'import', named, undefined, { specifier, imported: '*', file: target });
      if (named !== undefined && ts.isNamedImports(named)) {
        for (const element of named.elements) {
          if (element.isTypeOnly) continue;
          add(element.name.text, 'import', element, undefined, { specifier, imported: (element.propertyName ?? element.name).text, file: target });
        }
      }
    } else if (ts.isImportEqualsDeclaration(statement)) {
      add(statement.name.text, 'import', statement);
    } else if (ts.isExportDeclaration(statement) && statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        const local = (element.propertyName ?? element.name).text;
        if (statement.moduleSpecifier !== undefined && ts.isStringLiteral(statement.moduleSpecifier)) {
          const specifier = statement.moduleSpecifier.text;
          add(`export:${element.name.text}`, 'import', element, undefined, { specifier, imported: local, file: resolveProjectFile(file, specifier) });
          exported.set(element.name.text, `export:${element.name.text}`);
        } else {
          exported.set(element.name.text, local);
        }
      }
    }
  }
  const facts: ModuleFacts = { file, base: path.basename(file), ts, source, bindings, mutated: new Map(), exported };
  findMutations(facts, facts.mutated as Map<string, Mutation>);
  return facts;
}

function scriptKind(ts: typeof TS, file: string): TS.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.[mc]?ts$/.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

function isDefault(ts: typeof TS, node: TS.Node): boolean {
  return (ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) === true;
}

function isRequireCall(ts: typeof TS, node: TS.Expression): boolean {
  return (
    ts.isCallExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'require' &&
    node.arguments.length === 1 &&
    ts.isStringLiteral(node.arguments[0]!)
  );
}

/** The names a declaration binds (`a`, or every name of a destructuring pattern). */
export function bindingNames(ts: typeof TS, name: TS.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const names: string[] = [];
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) names.push(...bindingNames(ts, element.name));
  return names;
}

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];

/** The project file a relative specifier names (`./state`, `./state.js` for `state.ts`), or undefined. */
function resolveProjectFile(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined; // a package or a built-in: not the project's state
  const base = path.resolve(path.dirname(from), specifier);
  const stem = base.replace(/\.[mc]?jsx?$/, '');
  const candidates = [base, ...EXTENSIONS.map((e) => stem + e), ...EXTENSIONS.map((e) => path.join(base, `index${e}`))];
  for (const candidate of candidates) {
    try {
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Methods that change the object they are called on (arrays, maps, sets, dates). */
export const MUTATING_METHODS: ReadonlySet<string> = new Set([
  'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin',
  'set', 'add', 'delete', 'clear',
  'setTime', 'setFullYear', 'setMonth', 'setDate', 'setHours', 'setMinutes', 'setSeconds', 'setMilliseconds',
]);

/**
 * The identifier at the root of an assignment target or a mutating call (`config` in
 * `config.a.b = 1`, `cache.set(k, v)`, `Object.assign(config, …)`, `hits++`), or undefined.
 */
export function writtenRoot(ts: typeof TS, node: TS.Node): TS.Identifier | TS.ThisExpression | undefined {
  let target: TS.Expression | undefined;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
    target = node.left;
  } else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) {
    target = node.operand;
  } else if (ts.isDeleteExpression(node)) {
    target = node.expression;
  } else if (ts.isCallExpression(node)) {
    const callee = skipParens(ts, node.expression);
    if (ts.isPropertyAccessExpression(callee) && MUTATING_METHODS.has(callee.name.text)) target = callee.expression;
    else if (ts.isPropertyAccessExpression(callee) && /^(assign|defineProperty|defineProperties|setPrototypeOf)$/.test(callee.name.text) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Object') {
      target = node.arguments[0];
    }
  }
  if (target === undefined) return undefined;
  return rootOf(ts, target);
}

function rootOf(ts: typeof TS, expression: TS.Expression): TS.Identifier | TS.ThisExpression | undefined {
  let e = skipParens(ts, expression);
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) e = skipParens(ts, e.expression);
  return ts.isIdentifier(e) || e.kind === ts.SyntaxKind.ThisKeyword ? (e as TS.Identifier | TS.ThisExpression) : undefined;
}

export function skipParens(ts: typeof TS, e: TS.Expression): TS.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** Names declared inside a function (parameters and every declaration in its body, nested ones included). */
export function declaredInside(ts: typeof TS, fn: TS.Node): Set<string> {
  const names = new Set<string>();
  const visit = (node: TS.Node): void => {
    if (ts.isParameter(node) || ts.isVariableDeclaration(node) || ts.isBindingElement(node)) {
      for (const n of bindingNames(ts, node.name)) names.add(n);
    } else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isFunctionExpression(node) || ts.isClassExpression(node)) && node.name !== undefined) {
      names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn, visit);
  return names;
}

/** Record, for each top-level binding, the first place inside a function that writes or mutates it. */
function findMutations(facts: ModuleFacts, mutated: Map<string, Mutation>): void {
  const { ts, source } = facts;
  const scopes: Array<{ names: Set<string>; label: string }> = [];
  const visit = (node: TS.Node): void => {
    const isFunction = ts.isFunctionLike(node) && (node as TS.FunctionLikeDeclaration).body !== undefined;
    if (isFunction) scopes.push({ names: declaredInside(ts, node), label: functionLabel(ts, node as TS.FunctionLikeDeclaration) });
    if (scopes.length > 0) {
      const root = writtenRoot(ts, node);
      if (root !== undefined && ts.isIdentifier(root) && facts.bindings.has(root.text) && !mutated.has(root.text) && !scopes.some((s) => s.names.has(root.text))) {
        mutated.set(root.text, { line: lineOf(source, node), by: scopes[scopes.length - 1]!.label });
      }
    }
    ts.forEachChild(node, visit);
    if (isFunction) scopes.pop();
  };
  ts.forEachChild(source, visit);
}

/** `configure`, `Class.method`, or `a function`. */
export function functionLabel(ts: typeof TS, fn: TS.FunctionLikeDeclaration): string {
  const name = fn.name !== undefined && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name)) ? fn.name.text : undefined;
  if (name !== undefined) {
    const owner = fn.parent !== undefined && ts.isClassLike(fn.parent) && fn.parent.name !== undefined ? `${fn.parent.name.text}.` : '';
    return `\`${owner}${name}\``;
  }
  const parent = fn.parent;
  if (parent !== undefined && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return `\`${parent.name.text}\``;
  return 'a function';
}
