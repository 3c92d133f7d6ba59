/**
 * The layering rules of eslint.config.js catch what ARCHITECTURE.md forbids: a planted import is
 * linted as if it lived at a path in src/, through ESLint's own API and the repository's config.
 */
import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: REPO });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering enforced by the linter', () => {
  it('refuses an import from src/schedule/ into src/services/', async () => {
    const found = await restrictedImports(
      'src/schedule/planted.ts',
      "import { applyPlan } from '../services/apply.js';\nexport const x = applyPlan;\n",
    );
    expect(found).toEqual([expect.stringContaining('src/services/')]);
  });

  it('keeps the shared YAML editor (src/edit/) between config and its callers', async () => {
    const up = await restrictedImports(
      'src/edit/planted.ts',
      "import { appendJobs } from '../import/yaml.js';\nexport const x = appendJobs;\n",
    );
    expect(up).toEqual([expect.stringContaining('src/import/')]);
    const down = await restrictedImports(
      'src/config/planted.ts',
      "import { lineEnd } from '../edit/yaml-text.js';\nexport const x = lineEnd;\n",
    );
    expect(down).toEqual([expect.stringContaining('src/edit/')]);
    const allowed = await restrictedImports(
      'src/import/planted.ts',
      "import { lineEnd } from '../edit/yaml-text.js';\nexport const x = lineEnd;\n",
    );
    expect(allowed).toEqual([]);
  });

  it("refuses a backend importing another backend's render.ts", async () => {
    const found = await restrictedImports(
      'src/backends/crontab/planted.ts',
      "import { renderUnits } from '../systemd/render.js';\nexport const x = renderUnits;\n",
    );
    expect(found).toEqual([expect.stringContaining('src/backends/systemd/')]);
  });

  it('refuses node:fs in src/plan/ and in a backend render.ts', async () => {
    for (const file of ['src/plan/planted.ts', 'src/backends/systemd/render.ts', 'src/model/job.ts']) {
      const found = await restrictedImports(
        file,
        "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      );
      expect(found, file).toEqual([expect.stringContaining('pure layer')]);
    }
  });

  it('allows the imports the layers are built on', async () => {
    expect(
      await restrictedImports(
        'src/services/planted.ts',
        "import { cron } from '../schedule/cron.js';\nimport { readFileSync } from 'node:fs';\nexport const x = [cron, readFileSync];\n",
      ),
    ).toEqual([]);
    expect(
      await restrictedImports(
        'src/backends/systemd/adapter.ts',
        "import type { Backend } from '../types.js';\nimport { spawn } from 'node:child_process';\nexport type B = Backend;\nexport const s = spawn;\n",
      ),
    ).toEqual([]);
  });
});
