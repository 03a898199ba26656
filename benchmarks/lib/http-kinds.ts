/**
 * The HTTP benchmark's CPU functions (./http-workload.ts) pinned to the thread pool (`T`)
 * and to the event loop (`L`), for benchmarks/decorator-cpu-share.ts: an explicit executor
 * keeps where each call runs fixed while the decorator still measures its kind. Defined at
 * module top level so the thread workers can find them.
 */
import { unsync } from '../../src';
import * as W from './http-workload';

export const hashPasswordT = unsync(function hashPasswordT(password: string): string {
  return W.hashPassword(password);
}, { executor: 'thread' });
export const renderMarkdownT = unsync(function renderMarkdownT(text: string): string {
  return W.renderMarkdown(text);
}, { executor: 'thread' });
export const parseYamlT = unsync(function parseYamlT(text: string): number {
  return W.parseYaml(text);
}, { executor: 'thread' });
export const gzipBodyT = unsync(function gzipBodyT(body: Uint8Array): number {
  return W.gzipBody(body);
}, { executor: 'thread' });
export const hashPasswordL = unsync(function hashPasswordL(password: string): string {
  return W.hashPassword(password);
}, { executor: 'loop' });
export const renderMarkdownL = unsync(function renderMarkdownL(text: string): string {
  return W.renderMarkdown(text);
}, { executor: 'loop' });
export const parseYamlL = unsync(function parseYamlL(text: string): number {
  return W.parseYaml(text);
}, { executor: 'loop' });
export const gzipBodyL = unsync(function gzipBodyL(body: Uint8Array): number {
  return W.gzipBody(body);
}, { executor: 'loop' });
