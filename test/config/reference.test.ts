/** docs/configuration.md is generated from the schema; this fails when someone forgot to regenerate it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without types
import { renderReference } from '../../scripts/config-reference.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const schema = JSON.parse(readFileSync(path.join(repo, 'schemas/schedules.schema.json'), 'utf8'));

describe('docs/configuration.md', () => {
  it('is what scripts/config-reference.mjs renders from the schema (run it after editing the schema)', () => {
    expect(readFileSync(path.join(repo, 'docs/configuration.md'), 'utf8')).toBe(renderReference(schema));
  });

  it('documents every key of a job and of defaults', () => {
    const doc = readFileSync(path.join(repo, 'docs/configuration.md'), 'utf8');
    for (const key of [
      ...Object.keys(schema.$defs.job.properties),
      ...Object.keys(schema.properties.defaults.properties ?? {}),
    ]) {
      expect(doc).toContain(`| \`${key}\``);
    }
  });
});
