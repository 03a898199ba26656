/**
 * The functions of ./http-workload.ts pinned to one pool (`executor: 'thread'` or
 * `'process'`): the fixed routings benchmarks/http-mixed.ts compares `'auto'` with.
 */
import { unsync } from '../../src';
import * as W from './http-workload';

export const onThread = {
  hashPassword: unsync(function hashPasswordT(password: string): string {
    return W.hashPassword(password);
  }, { executor: 'thread' }),
  renderMarkdown: unsync(function renderMarkdownT(text: string): string {
    return W.renderMarkdown(text);
  }, { executor: 'thread' }),
  parseYaml: unsync(function parseYamlT(text: string): number {
    return W.parseYaml(text);
  }, { executor: 'thread' }),
  gzipBody: unsync(function gzipBodyT(body: Uint8Array): number {
    return W.gzipBody(body);
  }, { executor: 'thread' }),
};

export const onProcess = {
  hashPassword: unsync(function hashPasswordP(password: string): string {
    return W.hashPassword(password);
  }, { executor: 'process' }),
  renderMarkdown: unsync(function renderMarkdownP(text: string): string {
    return W.renderMarkdown(text);
  }, { executor: 'process' }),
  parseYaml: unsync(function parseYamlP(text: string): number {
    return W.parseYaml(text);
  }, { executor: 'process' }),
  gzipBody: unsync(function gzipBodyP(body: Uint8Array): number {
    return W.gzipBody(body);
  }, { executor: 'process' }),
};
