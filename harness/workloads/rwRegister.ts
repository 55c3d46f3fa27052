// rw-register: transactions of reads and writes over registers (Elle's rw-register workload). Written values
// are unique per key (one counter for the whole run), so each read names the txn it read from, which the
// isolation checker's rw-register inference needs (checkers/transactional/rwRegister.ts); null is the
// initial value and is never written. Values are unique whatever `uniqueValues` says: repeated values would
// make every history unjudgeable.
import { defineTxnWorkload } from './txnWorkload.ts';

export const rwRegister = defineTxnWorkload({
  name: 'rw-register',
  description: 'transactions of reads and writes over registers, unique written values (Elle-style checks)',
  model: 'rw-register',
  write: 'w',
});
