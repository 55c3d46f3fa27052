// list-append: transactions of reads and appends over lists (Elle's workload). Appended values are unique
// per key, so every read list reveals the order of writes that produced it, which transactional checks need.
import { defineTxnWorkload } from './txnWorkload.ts';

export const listAppend = defineTxnWorkload({
  name: 'list-append',
  description: 'transactions of reads and appends over lists, unique appended values (Elle-style checks)',
  model: 'list-append',
  write: 'append',
});
