/** The seed's three workers: each prints when it starts and finishes, and returns its letter. */
import { sleep } from '../src';
import { SECOND } from './seconds';

export async function a(): Promise<string> {
  console.log('A: started');
  await sleep(2 * SECOND);
  console.log('A: finished');
  return 'a';
}

export async function b(): Promise<string> {
  console.log('B: started');
  await sleep(1 * SECOND);
  console.log('B: finished');
  return 'b';
}

export async function c(): Promise<string> {
  console.log('C: started');
  await sleep(3 * SECOND);
  console.log('C: finished');
  return 'c';
}
