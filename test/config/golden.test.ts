/**
 * Golden diagnostics: every folder under test/golden/validate/ is one broken (or warning-only)
 * schedules.yaml with its expected text and JSON output. `case.json` states, independently of the
 * golden files, whether the file is valid and which diagnostic codes it must produce.
 * UPDATE_GOLDEN=1 rewrites expected.txt / expected.json.
 */
import { chmod, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatJson, formatText, hasErrors } from '../../src/config/diagnostic.js';
import { validateFile } from '../../src/services/validate.js';
import { expectGolden } from '../helpers/golden.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../golden/validate');
/** Fixed "now" and host zone: one-shot and default-zone checks must not depend on the machine. */
export const GOLDEN_NOW = new Date('2026-06-01T12:00:00Z');
export const GOLDEN_HOST_ZONE = 'UTC';

interface CaseSpec {
  valid: boolean;
  expect: string[];
  chmod?: Record<string, string>;
}

const cases = (await readdir(ROOT, { withFileTypes: true }))
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('golden diagnostics (test/golden/validate)', () => {
  it('has at least 30 broken cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s', async (name) => {
    const dir = path.join(ROOT, name);
    const spec = JSON.parse(await readFile(path.join(dir, 'case.json'), 'utf8')) as CaseSpec;
    // git keeps no modes: set them before validating.
    for (const [file, mode] of Object.entries(spec.chmod ?? {}))
      await chmod(path.join(dir, file), parseInt(mode, 8));

    // The whole of `sched validate`: loader, schema, meaning, and the named backend's checks.
    const result = await validateFile(path.join(dir, 'schedules.yaml'), {
      displayName: 'schedules.yaml',
      now: GOLDEN_NOW,
      hostTimezone: GOLDEN_HOST_ZONE,
    });
    const text = formatText(result.diagnostics, { 'schedules.yaml': result.source });
    const json = formatJson(result.diagnostics);

    // Independent of the golden files: validity and the codes the case exists for.
    expect(hasErrors(result.diagnostics)).toBe(!spec.valid);
    expect(result.project === undefined).toBe(!spec.valid);
    const codes = new Set(result.diagnostics.map((d) => d.code));
    for (const code of spec.expect) expect(codes, `code ${code}`).toContain(code);
    for (const d of result.diagnostics) {
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.col).toBeGreaterThanOrEqual(1);
      expect(d.message).not.toMatch(/\bat (Object|async|new) |\.ts:\d+/); // no stack traces in messages
    }

    expectGolden(path.join(dir, 'expected.txt'), text);
    expectGolden(path.join(dir, 'expected.json'), json);
  });
});
