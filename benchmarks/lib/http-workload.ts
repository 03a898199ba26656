/**
 * The work behind benchmarks/http-mixed.ts's endpoints, as plain functions: password
 * hashing (bcryptjs, pure JavaScript), markdown rendering (marked), YAML parsing (js-yaml),
 * gzip (zlib, sync) and an async I/O handler. Each CPU task takes milliseconds; the inputs
 * are made once per process by {@link inputs}, and passed as arguments (so a pool call
 * carries them, as a real handler's request data would be).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import bcrypt from 'bcryptjs';
import { load } from 'js-yaml';
import { marked } from 'marked';

/** bcrypt cost factor: 2^6 rounds, some ms in pure JavaScript. */
export const BCRYPT_COST = 6;

export function hashPassword(password: string): string {
  return bcrypt.hashSync(password, BCRYPT_COST);
}

export function renderMarkdown(text: string): string {
  return marked.parse(text, { async: false });
}

export function parseYaml(text: string): number {
  const doc = load(text) as { services: unknown[] };
  return doc.services.length;
}

export function gzipBody(body: Uint8Array): number {
  return gzipSync(body).length;
}

/** Async I/O: a file read and a 5 ms wait (a database round trip, say). */
export async function readAndWait(file: string): Promise<number> {
  const text = await readFile(file);
  await sleep(5);
  return text.length;
}

/** The inputs of every endpoint (made once; the same in every variant). */
export interface Inputs {
  readonly password: string;
  readonly markdown: string;
  readonly yaml: string;
  readonly body: Uint8Array;
  readonly file: string;
}

export function inputs(): Inputs {
  const md: string[] = [];
  for (let i = 0; i < 30; i++) {
    md.push(`## Section ${i}\n\nSome *emphasis*, **strong** text, \`code\` and a [link](https://example.com/${i}).\n\n- one\n- two\n\n| a | b |\n| - | - |\n| ${i} | ${i * 2} |\n`);
  }
  const yaml: string[] = ['services:'];
  for (let i = 0; i < 150; i++) yaml.push(`  - name: service-${i}`, `    port: ${3000 + i}`, `    tags: [a, b, "c ${i}"]`, `    env: { LEVEL: debug, RETRIES: ${i % 5} }`);
  const body = new Uint8Array(256 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 7)) % 97;
  return { password: 'correct horse battery staple', markdown: md.join('\n'), yaml: yaml.join('\n'), body, file: __filename };
}
