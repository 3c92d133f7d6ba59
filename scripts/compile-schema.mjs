#!/usr/bin/env node
// Build step: compiles schemas/schedules.schema.json with the same ajv settings sched uses and
// writes the validator as code to dist/config/schema-validator.cjs, so the CLI does not spend
// ~200 ms compiling the schema on every start. src/config/schema.ts falls back to compiling
// when the file is absent (tests run from src/).
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { createAjv, loadSchema, PRECOMPILED_VALIDATOR } from '../dist/config/schema.js';

const ajv = createAjv();
const validate = ajv.compile(loadSchema());
const code = standaloneCode.default ? standaloneCode.default(ajv, validate) : standaloneCode(ajv, validate);
const target = new URL(`../dist/config/${PRECOMPILED_VALIDATOR}`, import.meta.url);
writeFileSync(target, code);
console.log(`wrote ${target.pathname}`);

// A new id per build: the loader's cache (src/state/load-cache.ts) ignores entries of other builds.
const buildId = new URL('../dist/build-id.txt', import.meta.url);
writeFileSync(buildId, `${new Date().toISOString()} ${randomUUID()}\n`);
console.log(`wrote ${buildId.pathname}`);
