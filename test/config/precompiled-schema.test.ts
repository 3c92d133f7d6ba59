/**
 * The CLI validates with the validator precompiled at build time (scripts/compile-schema.mjs);
 * tests from src/ compile the schema. Both must report exactly the same errors.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv, loadSchema, PRECOMPILED_VALIDATOR } from '../../src/config/schema.js';

const repo = path.resolve(import.meta.dirname, '../..');
const precompiledFile = path.join(repo, 'dist', 'config', PRECOMPILED_VALIDATOR);
const skip = existsSync(precompiledFile)
  ? undefined
  : 'sched is not built (npm run build writes the precompiled validator)';
if (skip) console.warn(`[skip] precompiled schema validator: ${skip}`);

function inputs(): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const dirs = [path.join(repo, 'test/golden/validate'), path.join(repo, 'examples')];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'schedules.yaml') {
        try {
          out.push([path.relative(repo, p), parse(readFileSync(p, 'utf8'), { logLevel: 'error' })]);
        } catch {
          // not YAML at all (binary, tabs…): nothing for the schema to say
        }
      }
    }
  };
  dirs.forEach(walk);
  return out;
}

describe.skipIf(skip)('the precompiled schema validator', () => {
  it('reports the same errors as the schema compiled at run time, on every golden case and example', () => {
    const compiled = createAjv().compile(loadSchema());
    const precompiled = createRequire(import.meta.url)(precompiledFile) as ValidateFunction;
    const cases = inputs();
    expect(cases.length).toBeGreaterThan(30);
    const strip = (errors: ValidateFunction['errors']) =>
      (errors ?? []).map(({ instancePath, keyword, params, message, schemaPath }) => ({
        instancePath,
        keyword,
        params,
        message,
        schemaPath,
      }));
    for (const [name, data] of cases) {
      const a = compiled(data);
      const b = precompiled(data);
      expect(b, name).toBe(a);
      expect(strip(precompiled.errors), name).toEqual(strip(compiled.errors));
    }
  });
});
