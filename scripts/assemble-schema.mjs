#!/usr/bin/env node
// Build step, after tsc and before compile-schema.mjs: writes schemas/schedules.schema.json from
// schemas/schedules.base.json and the backend providers' parts (src/backends/schema-assembly.ts),
// formatted as the repository formats JSON. The result is checked in; test/config/schema.test.ts
// fails when it is not what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allProviders } from '../dist/backends/registry.js';
import { assembleSchema } from '../dist/backends/schema-assembly.js';

const base = JSON.parse(readFileSync(new URL('../schemas/schedules.base.json', import.meta.url), 'utf8'));
const target = fileURLToPath(new URL('../schemas/schedules.schema.json', import.meta.url));
const schema = assembleSchema(base, allProviders());
// prettier is a dev dependency: a build without it writes indented JSON (the same data). With it,
// one line in, so prettier keeps on one line every object that fits (as the file was written).
const prettier = await import('prettier').catch(() => undefined);
const text = prettier
  ? await prettier.format(JSON.stringify(schema), {
      ...(await prettier.resolveConfig(target)),
      filepath: target,
    })
  : `${JSON.stringify(schema, null, 2)}\n`;
const before = readFileSync(target, 'utf8');
if (text !== before) writeFileSync(target, text);
console.log(`${text === before ? 'unchanged' : 'wrote'} ${target}`);
