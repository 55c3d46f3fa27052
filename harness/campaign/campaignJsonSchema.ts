// campaign.schema.json is generated from the zod schema so editors complete and check campaign files:
// put `# yaml-language-server: $schema=<path>/campaign.schema.json` on a campaign's first line.
// Regenerate with: node --import tsx harness/campaign/campaignJsonSchema.ts (a test fails when it is stale).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { campaignSchema } from './campaignSchema.ts';

export const campaignJsonSchemaPath = fileURLToPath(new URL('./campaign.schema.json', import.meta.url));

export function campaignJsonSchemaText(): string {
  const schema = z.toJSONSchema(campaignSchema, { io: 'input', target: 'draft-2020-12' });
  return JSON.stringify({ ...schema, title: 'faultline campaign' }, null, 2) + '\n';
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(campaignJsonSchemaPath, campaignJsonSchemaText());
}
