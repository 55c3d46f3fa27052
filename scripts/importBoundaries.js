// An ESLint rule for the layer allow-lists (as Playwright's DEPS lists are): each area (a folder or a file,
// named by its path from the project root) may import only the areas its entry lists, plus itself. Import
// specifiers are resolved to paths from the root, so the rule does not depend on how deep a file sits. The
// table itself is in eslint.config.js; docs/architecture.md draws it. (eslint-plugin-boundaries does this
// too, with element types and a resolver; a path-prefix table needs neither, nor a new dependency.)
import { dirname, join, relative } from 'node:path';

/**
 * @typedef {{ area: string, may: string[], typesFrom?: string[] }} Boundary
 * `may`: path prefixes this area may import; `typesFrom`: prefixes it may import types from only.
 */

/** The boundary whose area is the longest prefix of this path, or undefined when none applies. */
function boundaryOf(path, boundaries) {
  let best;
  for (const b of boundaries) {
    if (path === b.area || (b.area.endsWith('/') && path.startsWith(b.area))) {
      if (best === undefined || b.area.length > best.area.length) best = b;
    }
  }
  return best;
}

const within = (path, prefixes) => prefixes.some((p) => path === p || (p.endsWith('/') && path.startsWith(p)));

/** True when the import brings in types only (`import type`, `export type`, or every specifier marked type). */
function typesOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

/** @type {import('eslint').Rule.RuleModule} */
export const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'each area imports only what its allow-list in eslint.config.js names' },
    schema: [
      {
        type: 'object',
        properties: { root: { type: 'string' }, boundaries: { type: 'array' } },
        required: ['root', 'boundaries'],
        additionalProperties: false,
      },
    ],
    messages: {
      outside:
        '{{target}} is outside what {{area}} may import ({{allowed}}): see the allow-lists in eslint.config.js and docs/architecture.md.',
    },
  },
  create(context) {
    const { root, boundaries } = context.options[0];
    const file = relative(root, context.filename);
    const own = boundaryOf(file, boundaries);
    if (own === undefined) return {};
    const check = (node, source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = relative(root, join(dirname(context.filename), source.value));
      if (target === own.area || (own.area.endsWith('/') && target.startsWith(own.area))) return;
      if (within(target, own.may)) return;
      if (typesOnly(node) && within(target, own.typesFrom ?? [])) return;
      const allowed = [...own.may, ...(own.typesFrom ?? []).map((t) => `types of ${t}`)];
      context.report({
        node: source,
        messageId: 'outside',
        data: {
          file,
          area: own.area,
          allowed: allowed.length > 0 ? allowed.join(', ') : 'nothing outside itself',
          target,
        },
      });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};
