#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so that users' own system modules (.ts or .js) load with no
// build step, exactly like faultline's own.
import { register } from 'tsx/esm/api';

register();
await import('../harness/cli/main.ts');
