/** The executor contract (define-contract.ts) over the process link: child processes. */
import { defineContract } from './define-contract';
import { processLink } from './links';

defineContract(processLink);
