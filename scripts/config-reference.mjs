#!/usr/bin/env node
// Writes docs/configuration.md from schemas/schedules.schema.json, so the reference can never
// disagree with what editors and `sched validate` use. test/config/reference.test.ts fails when
// the committed file is out of date: run `node scripts/config-reference.mjs` after editing the schema.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function resolve(schema, node) {
  return node && node.$ref ? resolve(schema, schema.$defs[node.$ref.split('/').pop()]) : node;
}

function typeOf(schema, node) {
  node = resolve(schema, node);
  if (!node) return '';
  if (node.enum) return node.enum.map((v) => `\`${v}\``).join(' | ');
  if (node.const !== undefined) return `\`${node.const}\``;
  // A mapping whose anyOf only says which keys it needs is still a mapping.
  if (node.type === 'object' && node.properties) return 'mapping (see below)';
  const alts = node.oneOf ?? node.anyOf;
  if (alts) return alts.map((a) => typeOf(schema, a)).join(' or ');
  if (node.type === 'array') return `list of ${typeOf(schema, node.items) || 'values'}`;
  if (node.type === 'object' && node.properties) return 'mapping (see below)';
  if (node.type === 'object') return 'mapping';
  return Array.isArray(node.type) ? node.type.join(' or ') : (node.type ?? '');
}

function cell(text) {
  return String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n+- /g, '<br>• ')
    .replace(/\n+/g, ' ');
}

/** The first of `field` met while following a chain of $refs (the outermost wins). */
function firstAlong(schema, node, field) {
  for (let n = node; n; n = n.$ref ? schema.$defs[n.$ref.split('/').pop()] : undefined) {
    if (n[field] !== undefined) return n[field];
  }
  return undefined;
}

function table(schema, props, required = []) {
  const rows = ['| key | type | default | description |', '| --- | --- | --- | --- |'];
  for (const [key, raw] of Object.entries(props)) {
    const description =
      firstAlong(schema, raw, 'markdownDescription') ?? firstAlong(schema, raw, 'description') ?? '';
    const def = firstAlong(schema, raw, 'default');
    const req = required.includes(key) ? ' (required)' : '';
    rows.push(
      `| \`${key}\`${req} | ${cell(typeOf(schema, raw))} | ${def === undefined ? '' : `\`${JSON.stringify(def)}\``} | ${cell(description)} |`,
    );
  }
  return rows.join('\n');
}

export function renderReference(schema) {
  const out = [
    '# schedules.yaml reference',
    '',
    '<!-- Generated from schemas/schedules.schema.json by scripts/config-reference.mjs. Do not edit by hand. -->',
    '',
    schema.description ?? '',
    '',
    'Add `# yaml-language-server: $schema=…/schemas/schedules.schema.json` at the top of the file and',
    'editors with the YAML language server complete and document every key. Schedule semantics:',
    '[schedules.md](schedules.md).',
    '',
    '## Top level',
    '',
    table(schema, schema.properties, schema.required),
  ];
  const sections = [
    ['`defaults`', resolve(schema, schema.properties.defaults)],
    ['A job (`jobs.<name>`)', resolve(schema, schema.$defs.job)],
    ['`retries`', resolve(schema, schema.$defs.retries)],
    ['A notifier (`notify: [...]`)', resolve(schema, schema.$defs.notifier)],
    ['`metrics`', resolve(schema, schema.properties.metrics)],
    ['`kubernetes`', resolve(schema, schema.$defs.kubernetes)],
  ];
  for (const [title, node] of sections) {
    if (!node?.properties) continue;
    out.push(
      '',
      `## ${title}`,
      '',
      node.description ?? '',
      '',
      table(schema, node.properties, node.required),
    );
  }
  out.push('', LIMITS);
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

/** Limits the loader enforces (src/config/parse.ts, src/config/duration.ts), not expressible in the schema. */
const LIMITS = `## Limits

- A schedules file is at most 16 MiB (about 100,000 jobs); a larger one gets \`file-too-large\`.
  Split the jobs into several projects.
- A string (a command, a description, a key) is at most 65,536 characters (\`too-long\`); put long
  scripts in a file and run that file.
- A duration (\`timeout\`, \`jitter\`, \`retries.delay\`) is at most \`24d\` (\`bad-duration\`): the run
  wrapper's timers cannot wait longer, and a longer value is refused, never shortened.`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const schema = JSON.parse(readFileSync(path.join(repo, 'schemas', 'schedules.schema.json'), 'utf8'));
  writeFileSync(path.join(repo, 'docs', 'configuration.md'), renderReference(schema));
  console.log('wrote docs/configuration.md');
}
