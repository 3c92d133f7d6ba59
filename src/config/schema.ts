/**
 * The JSON Schema check (schemas/schedules.schema.json, the same file editors use) and the
 * translation of ajv's errors into sentences a person understands, each tied to the path of
 * the key or value at fault.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { BACKENDS } from '../model/job.js';
import type { PathSegment } from './locate.js';
import { suggest } from './suggest.js';
import { describePath as label, showValue as show } from './words.js';

/** Where the schema file lives: `schemas/` beside `src/` (and beside `dist/` once built). */
export const SCHEMA_URL = new URL('../../schemas/schedules.schema.json', import.meta.url);

/** The published schema, for modelines in files that cannot reach a local copy. */
export const PUBLISHED_SCHEMA_URL =
  'https://raw.githubusercontent.com/sched-dev/sched/main/schemas/schedules.schema.json';

/**
 * Job keys a misplaced key is recognised by (at the top level, or in `defaults` where it cannot
 * be set), in the order the schema lists them. The backends' settings keys (`kubernetes:`) are
 * added from the schema, where each is a job property named after its backend.
 */
export const JOB_KEYS = [
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
] as const;

let jobKeys: readonly string[] | undefined;

/** Is `key` a job setting ({@link JOB_KEYS} or a backend's settings key)? Reads the schema once. */
function isJobKey(key: string): boolean {
  if (!jobKeys) {
    const job = ((loadSchema().$defs as Json | undefined)?.job ?? {}) as Json;
    const backendKeys = Object.keys((job.properties as Json | undefined) ?? {}).filter((k) =>
      (BACKENDS as readonly string[]).includes(k),
    );
    jobKeys = [...JOB_KEYS, ...backendKeys];
  }
  return jobKeys.includes(key);
}

type Json = Record<string, unknown>;

let compiled: ValidateFunction | undefined;

/**
 * The ajv instance the schema is compiled with — also by scripts/compile-schema.mjs, which
 * writes the compiled validator to dist/ at build time (compiling costs ~200 ms per run).
 */
export function createAjv(): Ajv2020 {
  // Loaded only here: the built CLI uses the precompiled validator and never needs ajv's compiler.
  const { Ajv2020: Ajv } = createRequire(import.meta.url)(
    'ajv/dist/2020.js',
  ) as typeof import('ajv/dist/2020.js');
  // strictTuples off: argv is "one non-empty string, then any strings", which strict mode flags.
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTuples: false,
    code: { source: true },
  });
  // Editor-only keywords (VS Code / yaml-language-server) that ajv must accept and ignore.
  ajv.addVocabulary(['markdownDescription', 'errorMessage', 'patternErrorMessage', 'defaultSnippets']);
  return ajv;
}

export function loadSchema(): Json {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Json;
}

/** File name of the validator precompiled at build time, beside this module in dist/. */
export const PRECOMPILED_VALIDATOR = 'schema-validator.cjs';

/** The precompiled validator when this is the built CLI, else one compiled now (tests run from src/). */
export function validator(): ValidateFunction {
  if (compiled) return compiled;
  const precompiled = new URL(`./${PRECOMPILED_VALIDATOR}`, import.meta.url);
  if (existsSync(precompiled)) {
    const mod = createRequire(import.meta.url)(fileURLToPath(precompiled)) as { default?: ValidateFunction };
    compiled = (mod.default ?? mod) as ValidateFunction;
  } else {
    compiled = createAjv().compile(loadSchema());
  }
  return compiled;
}

/** One schema problem: where (key or value of `path`) and what. */
export interface SchemaProblem {
  path: PathSegment[];
  at: 'key' | 'value';
  code: string;
  message: string;
  hint?: string;
}

function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Json)[seg] : undefined;
    }
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'empty',
};

/** What kind of mapping a path is, for "unknown key … in …". */
function containerWords(p: readonly PathSegment[]): string {
  if (p.length === 0) return 'at the top level';
  if (p[0] === 'jobs' && p.length === 2) return `in job '${String(p[1])}'`;
  return `in ${label(p)}`;
}

function childPaths(all: ErrorObject[], instancePath: string): ErrorObject[] {
  return all.filter((e) => e.instancePath === instancePath || e.instancePath.startsWith(instancePath + '/'));
}

/**
 * Collapses ajv's union noise: for an anyOf, keep the errors of the branch whose type matches
 * the value (e.g. "must not be an empty list" for `command: []`), else one sentence for the
 * whole union (the schema's `errorMessage`).
 */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const drop = new Set<ErrorObject>();
  for (const u of errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) {
    const inside = childPaths(errors, u.instancePath).filter((e) => e !== u && !drop.has(e));
    const typeMismatch = inside.filter((e) => e.keyword === 'type' && e.instancePath === u.instancePath);
    const rest = inside.filter(
      (e) => !typeMismatch.includes(e) && e.keyword !== 'anyOf' && e.keyword !== 'oneOf',
    );
    for (const e of typeMismatch) drop.add(e);
    if (rest.length) drop.add(u);
    else for (const e of inside) drop.add(e);
  }
  // The pattern errors inside propertyNames are restated by the propertyNames error itself.
  for (const e of errors) if (e.propertyName !== undefined && e.keyword !== 'propertyNames') drop.add(e);
  return errors.filter((e) => !drop.has(e));
}

function translate(e: ErrorObject, data: unknown): SchemaProblem | undefined {
  const path = pointerToPath(e.instancePath, data);
  const what = label(path);
  const parent = (e.parentSchema ?? {}) as Json;
  const value = e.data;
  const last = path[path.length - 1];
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((parent.properties as Json | undefined) ?? {});
      const guess = suggest(key, known);
      const at: PathSegment[] = [...path, key];
      if (path.length === 0) {
        if (isJobKey(key))
          return {
            path: at,
            at: 'key',
            code: 'unknown-key',
            message: `unknown top-level key '${key}'`,
            hint: `job settings go under 'jobs:', then the job's name`,
          };
        return {
          path: at,
          at: 'key',
          code: 'unknown-key',
          message: `unknown top-level key '${key}'${guess ? ` — did you mean '${guess}'?` : ''}`,
          hint: `the top-level keys are ${known.join(', ')}`,
        };
      }
      if (path.length === 1 && path[0] === 'defaults' && isJobKey(key))
        return {
          path: at,
          at: 'key',
          code: 'not-a-default',
          message: `'${key}' cannot be set in defaults, only in a job`,
        };
      const msg = `unknown key '${key}' ${containerWords(path)}${guess ? ` — did you mean '${guess}'?` : ''}`;
      const p: SchemaProblem = { path: at, at: 'key', code: 'unknown-key', message: msg };
      if (!guess && known.length) p.hint = `allowed here: ${known.join(', ')}`;
      return p;
    }
    case 'propertyNames': {
      const name = String((e.params as { propertyName: string }).propertyName);
      const at: PathSegment[] = [...path, name];
      const names = (parent.propertyNames ?? {}) as Json;
      const why = typeof names.patternErrorMessage === 'string' ? names.patternErrorMessage : 'invalid name';
      if (path.length === 1 && path[0] === 'jobs') {
        const slug = name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '')
          .slice(0, 63);
        return {
          path: at,
          at: 'key',
          code: 'bad-job-name',
          message: `invalid job name '${name}': ${why}`,
          ...(slug ? { hint: `try '${slug}'` } : {}),
        };
      }
      if (last === 'env') {
        const owner = path.length > 1 ? label(path.slice(0, -1)) : 'defaults';
        return {
          path: at,
          at: 'key',
          code: 'bad-env-name',
          message: `invalid environment variable name '${name}' in ${path[0] === 'defaults' ? 'defaults' : owner}: ${why}`,
        };
      }
      return {
        path: at,
        at: 'key',
        code: 'bad-name',
        message: `invalid key '${name}' in ${label(path)}: ${why}`,
      };
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      if (path.length === 0)
        return {
          path: [],
          at: 'value',
          code: 'missing-key',
          message: `missing required top-level key '${missing}'`,
          hint:
            missing === 'version'
              ? 'add `version: 1`'
              : missing === 'jobs'
                ? 'add a `jobs:` mapping'
                : undefined,
        };
      const hints: Record<string, string> = {
        schedule: 'e.g. schedule: "0 2 * * *" (cron), a preset such as day, or {at: "2026-12-31 09:00"}',
        command: 'e.g. command: ["./backup.sh", "--full"] (argv) or command: ./backup.sh (shell)',
      };
      return {
        path,
        at: 'key',
        code: 'missing-key',
        message: `${what} has no '${missing}'`,
        ...(hints[missing] ? { hint: hints[missing] } : {}),
      };
    }
    case 'type': {
      const want = String((e.params as { type: string }).type);
      const words = want
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ');
      let hint: string | undefined;
      if (want === 'string' && (typeof value === 'number' || typeof value === 'boolean'))
        hint =
          typeof last === 'string' ? `quote it: ${last}: "${String(value)}"` : `quote it: "${String(value)}"`;
      if (want === 'boolean' && typeof value === 'string' && /^(yes|no|on|off|true|false|y|n)$/i.test(value))
        hint = `write ${/^(yes|on|true|y)$/i.test(value) ? 'true' : 'false'} (YAML 1.2 reads ${show(value)} as a string)`;
      return {
        path,
        at: 'value',
        code: 'wrong-type',
        message: `${what} must be ${words} (got ${show(value)})`,
        ...(hint ? { hint } : {}),
      };
    }
    case 'enum': {
      const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const guess = typeof value === 'string' ? suggest(value, allowed) : undefined;
      return {
        path,
        at: 'value',
        code: 'bad-value',
        message: `${what} must be one of ${allowed.join(', ')} (got ${show(value)})`,
        ...(guess ? { hint: `did you mean '${guess}'?` } : {}),
      };
    }
    case 'const': {
      const allowed = (e.params as { allowedValue: unknown }).allowedValue;
      return {
        path,
        at: 'value',
        code: path.length === 1 && path[0] === 'version' ? 'bad-version' : 'bad-value',
        message: `${what} must be ${JSON.stringify(allowed)} (got ${show(value)})`,
        ...(path[0] === 'version'
          ? { hint: 'this sched reads version 1 files; upgrade sched for newer ones' }
          : {}),
      };
    }
    case 'pattern': {
      const why =
        typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : 'invalid format';
      const isDuration = /duration/.test(why);
      return {
        path,
        at: 'value',
        code: isDuration ? 'bad-duration' : 'bad-format',
        message: `${what}: ${show(value)} is not valid (${why})`,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      return {
        path,
        at: 'value',
        code: 'out-of-range',
        message: `${what} must be ${comparison} ${limit} (got ${show(value)})`,
      };
    }
    case 'minItems':
      return { path, at: 'value', code: 'empty-value', message: `${what} must not be an empty list` };
    case 'minLength':
      return { path, at: 'value', code: 'empty-value', message: `${what} must not be empty` };
    case 'maxLength': {
      const { limit } = e.params as { limit: number };
      return { path, at: 'value', code: 'too-long', message: `${what} must be at most ${limit} characters` };
    }
    case 'anyOf':
    case 'oneOf': {
      const msg = typeof parent.errorMessage === 'string' ? parent.errorMessage : 'has the wrong form';
      return { path, at: 'value', code: 'wrong-type', message: `${what} ${msg} (got ${show(value)})` };
    }
    default:
      return { path, at: 'value', code: 'schema', message: `${what} ${e.message ?? 'is invalid'}` };
  }
}

/** Validates plain data (the YAML's JS value) against the schema; [] when it conforms. */
export function schemaErrors(data: unknown): SchemaProblem[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = simplify(validate.errors ?? []);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return [
      {
        path: [],
        at: 'value',
        code: 'wrong-type',
        message: `the file must be a mapping with version, jobs and the other settings (got ${show(data)})`,
        hint: 'start from `sched init`',
      },
    ];
  }
  const out: SchemaProblem[] = [];
  for (const e of errors) {
    const p = translate(e, data);
    if (p) out.push(p);
  }
  // `scheduel:` already says "did you mean 'schedule'": don't also say that 'schedule' is missing.
  const typoFor = new Set(
    out
      .filter((p) => p.code === 'unknown-key' && / did you mean '/.test(p.message))
      .map((p) => `${JSON.stringify(p.path.slice(0, -1))}|${/did you mean '([^']+)'/.exec(p.message)![1]}`),
  );
  return out.filter(
    (p) =>
      !(
        p.code === 'missing-key' &&
        typoFor.has(`${JSON.stringify(p.path)}|${/'([^']+)'$/.exec(p.message)?.[1]}`)
      ),
  );
}
