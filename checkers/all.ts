// Importing this registers every checker in checkers/registry.ts.
import './linearizable/index.ts';
import './sequential/sequential.ts';
import './causal/causal.ts';
import './causal/causalMemory.ts';
import './session/sessionCheckers.ts';
import './causal/transactionalCausal.ts';
import './transactional/index.ts';
