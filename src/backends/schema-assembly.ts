/**
 * Assembles schemas/schedules.schema.json from the base schema (schemas/schedules.base.json,
 * what no backend owns) and the providers: the `backend:` choices and their descriptions come
 * from the provider table, each backend's settings block from its provider (`settings`). Run
 * at build time by scripts/assemble-schema.mjs; test/config/schema.test.ts proves the
 * checked-in schema is what this returns. Pure.
 */
import type { BackendProvider } from './provider.js';

/**
 * The key the base schema writes in a `properties` object where the backends' settings keys go
 * (under a job and under `defaults:`), so that they keep their place among the other keys.
 */
export const SETTINGS_PLACEHOLDER = '$backend_settings';

type Json = Record<string, unknown>;

/** The schema editors and `sched validate` use: `base` with the providers' parts put in. */
export function assembleSchema(base: Json, providers: readonly BackendProvider[]): Json {
  const schema = structuredClone(base);
  const at = (node: unknown, key: string, where: string): Json => {
    const child = (node as Json)[key];
    if (!child || typeof child !== 'object') throw new Error(`the base schema has no ${where}`);
    return child as Json;
  };
  const properties = at(schema, 'properties', 'properties');
  const backend = at(properties, 'backend', 'properties.backend');
  backend.enum = ['auto', ...providers.map((p) => p.name)];
  if (typeof backend.markdownDescription !== 'string')
    throw new Error('the base schema has no properties.backend.markdownDescription');
  backend.markdownDescription = [
    backend.markdownDescription,
    ...providers.map((p) => `- \`${p.name}\`: ${p.schemaDoc}`),
  ].join('\n');

  const settings = providers.flatMap((p) => (p.settings ? [p.settings] : []));
  const settingsProperties = Object.fromEntries(
    settings.map((s) => [s.key, { $ref: `#/$defs/${s.key}` }] as const),
  );
  const defs = at(schema, '$defs', '$defs');
  for (const where of [
    at(at(properties, 'defaults', 'properties.defaults'), 'properties', 'properties.defaults.properties'),
    at(at(defs, 'job', '$defs.job'), 'properties', '$defs.job.properties'),
  ])
    replaceKey(where, SETTINGS_PLACEHOLDER, settingsProperties);

  for (const s of settings) {
    if (!(s.key in s.schemaDefs)) throw new Error(`the ${s.key} settings have no $defs entry named ${s.key}`);
    for (const [name, def] of Object.entries(s.schemaDefs)) {
      if (name in defs) throw new Error(`$defs.${name} of the ${s.key} settings is already defined`);
      defs[name] = def;
    }
  }
  return schema;
}

/** Replaces `key` of `object` by `entries`, in its place (JSON key order is what editors show). */
function replaceKey(object: Json, key: string, entries: Json): void {
  if (!(key in object)) throw new Error(`the base schema has no ${key} placeholder`);
  const rebuilt = Object.entries(object).flatMap(([k, v]) =>
    k === key ? Object.entries(entries) : [[k, v]],
  );
  for (const k of Object.keys(object)) delete object[k];
  Object.assign(object, Object.fromEntries(rebuilt));
}
