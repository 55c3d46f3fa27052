// docs/architecture.md draws the layer allow-lists; eslint.config.js enforces them. This keeps the two the
// same: every area of the lint table has a row in the document's table and a line in its diagram, with the
// same imports and type-only imports (the diagram's lines are checked for presence only), and the document
// names no area the lint does not check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const boundarySchema = z.object({
  area: z.string(),
  may: z.array(z.string()),
  typesFrom: z.array(z.string()).optional(),
});
const configSchema = z.array(z.unknown());

async function enforcedBoundaries(): Promise<z.output<typeof boundarySchema>[]> {
  // A URL, not a literal specifier: eslint.config.js has no type declarations, and its shape is checked here.
  const mod: unknown = await import(new URL('../eslint.config.js', import.meta.url).href);
  const config = configSchema.parse(z.object({ default: z.unknown() }).parse(mod).default);
  for (const entry of config) {
    const rule = z
      .object({ rules: z.object({ 'faultline/import-boundaries': z.tuple([z.string(), z.unknown()]) }) })
      .safeParse(entry);
    if (rule.success) {
      const options = z.object({ boundaries: z.array(boundarySchema) });
      return options.parse(rule.data.rules['faultline/import-boundaries'][1]).boundaries;
    }
  }
  throw new Error('eslint.config.js has no faultline/import-boundaries rule');
}

const backticked = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** The rows of the document's allow-list table: area → what it may import, and what only types from. */
function documentedRows(doc: string): Map<string, { may: string[]; typesFrom: string[] }> {
  const rows = new Map<string, { may: string[]; typesFrom: string[] }>();
  const start = doc.indexOf('| area | may import');
  assert.notEqual(start, -1, 'docs/architecture.md has no "| area | may import" table');
  for (const line of doc.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [, areaCell = '', mayCell = ''] = line.split('|').map((c) => c.trim());
    const [area] = backticked(areaCell);
    assert.ok(area !== undefined, `a row without an area: ${line}`);
    // Before the first ';' the imports; after "types only from" the type-only imports; the rest is prose.
    const [mayPart = '', ...rest] = mayCell.split(';');
    const typesPart = rest.join(';').split('types only from')[1] ?? '';
    rows.set(area, { may: backticked(mayPart), typesFrom: backticked(typesPart) });
  }
  return rows;
}

test('docs/architecture.md draws the allow-lists exactly as eslint.config.js enforces them', async () => {
  const boundaries = await enforcedBoundaries();
  const doc = await readFile(new URL('../docs/architecture.md', import.meta.url), 'utf8');
  const rows = documentedRows(doc);
  const diagram = doc.slice(doc.indexOf('```'), doc.indexOf('```', doc.indexOf('```') + 3));
  assert.ok(boundaries.length > 0);
  for (const b of boundaries) {
    const row = rows.get(b.area);
    assert.ok(row !== undefined, `${b.area} is enforced but has no row in docs/architecture.md's table`);
    assert.deepEqual([...row.may].sort(), [...b.may].sort(), `what ${b.area} may import`);
    assert.deepEqual([...row.typesFrom].sort(), [...(b.typesFrom ?? [])].sort(), `what ${b.area} imports types from`);
    assert.match(diagram, new RegExp(`^${b.area.replaceAll('.', '\\.')}\\s+─▶`, 'm'), `${b.area} in the diagram`);
  }
  const enforced = new Set(boundaries.map((b) => b.area));
  for (const area of rows.keys()) assert.ok(enforced.has(area), `${area} is documented but not enforced`);
});
