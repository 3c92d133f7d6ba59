/**
 * Golden manifests: test/golden/kubernetes/<case>/job.json (overrides of a base job) renders to
 * cronjob.yaml, or is refused with errors.txt. UPDATE_GOLDEN=1 rewrites the expected files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkJob, renderCronJob } from '../../../src/backends/kubernetes/render.js';
import type { Job } from '../../../src/model/job.js';
import { expectGolden } from '../../helpers/golden.js';
import { job } from './jobs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../golden/kubernetes');

describe('golden manifests', () => {
  for (const name of readdirSync(ROOT).sort()) {
    it(name, () => {
      const over = JSON.parse(readFileSync(path.join(ROOT, name, 'job.json'), 'utf8')) as Partial<Job> & {
        name: string;
      };
      const j = job(over.name, over);
      const problems = checkJob(j);
      if (problems.length) {
        expectGolden(
          path.join(ROOT, name, 'errors.txt'),
          problems.map((p) => `job '${j.name}': ${p}`).join('\n') + '\n',
        );
        expect(name).toMatch(/^rejected-/);
      } else {
        expectGolden(path.join(ROOT, name, 'cronjob.yaml'), renderCronJob(j).content);
        expect(name).not.toMatch(/^rejected-/);
      }
    });
  }
});
