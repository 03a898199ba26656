/** The executor contract (define-contract.ts) over the thread link: worker threads on piscina. */
import { defineContract } from './define-contract';
import { threadLink } from './links';

defineContract(threadLink);
