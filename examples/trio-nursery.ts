// Seed: Trio's nursery tutorial (parent spawning two children).
import { openNursery, run, sleep } from '../src';
import { SECOND } from './seconds';

async function child1(): Promise<void> {
  console.log('  child1: started! sleeping now...');
  await sleep(1 * SECOND);
  console.log('  child1: exiting!');
}

async function child2(): Promise<void> {
  console.log('  child2: started! sleeping now...');
  await sleep(1 * SECOND);
  console.log('  child2: exiting!');
}

async function parent(): Promise<void> {
  console.log('parent: started!');
  await openNursery(async (nursery) => {
    console.log('parent: spawning child1...');
    nursery.startSoon(child1);

    console.log('parent: spawning child2...');
    nursery.startSoon(child2);

    console.log('parent: waiting for children to finish...');
    // -- we exit the nursery block here --
  });
  console.log('parent: all done!');
}

run(parent);
