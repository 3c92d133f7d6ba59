/** The schema file itself: documented for editors, and in step with the TypeScript model. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allProviders } from '../../src/backends/registry.js';
import { assembleSchema, SETTINGS_PLACEHOLDER } from '../../src/backends/schema-assembly.js';
import { SCHEMA_URL } from '../../src/config/schema.js';
import { BACKENDS, JOB_NAME_PATTERN, OVERLAP_POLICIES, PROJECT_NAME_PATTERN } from '../../src/model/job.js';

type Json = Record<string, unknown>;
const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Json;
const defs = schema.$defs as Record<string, Json>;

function deref(node: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const target = defs[ref.replace('#/$defs/', '')];
  if (!target) throw new Error(`dangling $ref ${ref}`);
  return { ...deref(target), ...node };
}

/** Every named property in the schema, with its path. */
function properties(node: Json, at: string, out: [string, Json][] = []): [string, Json][] {
  const n = deref(node);
  for (const [k, v] of Object.entries((n.properties as Record<string, Json> | undefined) ?? {})) {
    out.push([`${at}.${k}`, v]);
    properties(v, `${at}.${k}`, out);
  }
  if (n.additionalProperties && typeof n.additionalProperties === 'object')
    properties(n.additionalProperties as Json, `${at}.*`, out);
  for (const branch of (n.anyOf as Json[] | undefined) ?? []) properties(branch, at, out);
  return out;
}

const BASE_URL = new URL('schedules.base.json', SCHEMA_URL);
const base = JSON.parse(readFileSync(BASE_URL, 'utf8')) as Json;

describe('schemas/schedules.schema.json', () => {
  const all = properties(schema, '$');

  it("is the base schema with the backend providers' parts, as scripts/assemble-schema.mjs writes it", () => {
    const assembled = assembleSchema(base, allProviders());
    expect(schema).toEqual(assembled);
    // Key order too: editors list properties in the file's order.
    expect(JSON.stringify(schema)).toBe(JSON.stringify(assembled));
    expect(JSON.stringify(schema)).not.toContain(SETTINGS_PLACEHOLDER);
  });

  it('takes each backend settings block from its provider, under every job and defaults', () => {
    const withSettings = allProviders().filter((p) => p.settings);
    expect(withSettings.length).toBeGreaterThan(0);
    const baseDefs = base.$defs as Record<string, Json>;
    const defaults = (schema.properties as Record<string, Json>).defaults!.properties as Json;
    const job = defs.job!.properties as Json;
    for (const { settings } of withSettings) {
      const key = settings!.key;
      expect(baseDefs[key], `$defs.${key} belongs to its provider, not the base schema`).toBeUndefined();
      for (const [name, def] of Object.entries(settings!.schemaDefs)) expect(defs[name]).toEqual(def);
      expect(defaults[key]).toEqual({ $ref: `#/$defs/${key}` });
      expect(job[key]).toEqual({ $ref: `#/$defs/${key}` });
    }
  });

  it('lists the backend choices and their words from the providers, in table order', () => {
    const backend = (schema.properties as Record<string, Json>).backend!;
    const baseBackend = (base.properties as Record<string, Json>).backend!;
    expect(baseBackend.enum).toEqual(['auto']);
    const lines = (backend.markdownDescription as string).split('\n');
    const own = allProviders().map((p) => `- \`${p.name}\`: ${p.schemaDoc}`);
    expect(lines.slice(-own.length)).toEqual(own);
    for (const p of allProviders()) expect(baseBackend.markdownDescription).not.toContain(`\`${p.name}\`:`);
  });

  it('refuses a provider whose settings clash with the base schema', () => {
    const [first] = allProviders();
    const clash = { ...first!, settings: { key: 'kubernetes', schemaDefs: { kubernetes: {}, job: {} } } };
    expect(() => assembleSchema(base, [clash as never])).toThrow(/\$defs\.job .*already defined/);
    expect(() => assembleSchema({ ...base, $defs: {} }, allProviders())).toThrow(/no \$defs\.job/);
  });

  it('is JSON Schema 2020-12', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('covers every key of the configuration the README documents', () => {
    const names = new Set(all.map(([p]) => p));
    for (const k of ['version', 'project', 'backend', 'defaults', 'jobs']) expect(names).toContain(`$.${k}`);
    for (const k of [
      'description',
      'schedule',
      'command',
      'working_dir',
      'env',
      'env_file',
      'timezone',
      'timeout',
      'overlap',
      'catch_up',
      'retries',
      'jitter',
      'enabled',
      'on_failure',
      'kubernetes',
    ])
      expect(names).toContain(`$.jobs.*.${k}`);
    for (const k of ['max', 'delay']) expect(names).toContain(`$.jobs.*.retries.${k}`);
    for (const k of [
      'namespace',
      'image',
      'context',
      'service_account',
      'resources',
      'env_from_secret',
      'history',
      'working_dir',
    ])
      expect(names).toContain(`$.jobs.*.kubernetes.${k}`);
  });

  it('documents every property for editors (description and examples)', () => {
    expect(all.length).toBeGreaterThan(40);
    for (const [p, node] of all) {
      const n = deref(node);
      expect(typeof n.description, `${p} description`).toBe('string');
      expect(Array.isArray(n.examples) || typeof n.markdownDescription === 'string', `${p} examples`).toBe(
        true,
      );
    }
  });

  it('closes every object so typos are caught', () => {
    const objects: Json[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const n = v as Json;
        if (n.type === 'object' && n.properties) objects.push(n);
        Object.values(n).forEach(walk);
      }
    };
    walk(schema);
    expect(objects.length).toBeGreaterThan(7);
    for (const o of objects) expect(o.additionalProperties).toBe(false);
  });

  it('agrees with the TypeScript model', () => {
    const props = schema.properties as Record<string, Json>;
    expect(props.backend!.enum).toEqual(['auto', ...BACKENDS]);
    expect(defs.overlap!.enum).toEqual([...OVERLAP_POLICIES]);
    expect((props.jobs!.propertyNames as Json).pattern).toBe(JOB_NAME_PATTERN.source);
    expect(props.project!.pattern).toBe(PROJECT_NAME_PATTERN.source);
  });

  it('documents the defaults sched applies', () => {
    expect(defs.overlap!.default).toBe('skip');
    expect(defs.catch_up!.default).toBe(false);
    expect(defs.enabled!.default).toBe(true);
    expect(defs.jitter!.default).toBe('0s');
    expect(((defs.retries!.properties as Record<string, Json>).max as Json).default).toBe(0);
  });
});
