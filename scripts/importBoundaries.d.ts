// Types for importBoundaries.js (plain JS, because eslint.config.js loads it without a TypeScript loader).
import type { Rule } from 'eslint';

export declare const importBoundaries: Rule.RuleModule;
