/**
 * The same functions as ./http-workload.ts under `'auto'`: plain `unsync(fn)` with no
 * option, so `inspect()` decides where each runs, from their source and then from what their
 * calls cost. (Defined here, at module top level, so the pools' workers can find them.)
 */
import { unsync } from '../../src';
import * as W from './http-workload';

export const hashPassword = unsync(function hashPassword(password: string): string {
  return W.hashPassword(password);
});
export const renderMarkdown = unsync(function renderMarkdown(text: string): string {
  return W.renderMarkdown(text);
});
export const parseYaml = unsync(function parseYaml(text: string): number {
  return W.parseYaml(text);
});
export const gzipBody = unsync(function gzipBody(body: Uint8Array): number {
  return W.gzipBody(body);
});
export const readAndWait = unsync(W.readAndWait);
