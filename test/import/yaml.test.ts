import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UserError } from '../../src/errors.js';
import type { JobProposal } from '../../src/import/types.js';
import { appendJobs, defaultTimezone, existingJobNames } from '../../src/import/yaml.js';

const proposal = (name: string, extra: Partial<JobProposal> = {}): JobProposal => ({
  name,
  schedule: '*/5 * * * *',
  command: 'date +%F >> /tmp/x # not a comment',
  working_dir: '/home/u',
  notes: [`imported from crontab line 3: */5 * * * * date +\\%F >> /tmp/x`],
  source: { scheduler: 'crontab', where: 'crontab line 3', original: 'x', line: 2 },
  ...extra,
});

const EXISTING = `# top comment
version: 1
project: demo   # the project
jobs:
  # existing job
  old:
    schedule: "0 2 * * *"   # nightly
    command: ["echo", "old"]   # argv

# trailing comment
`;

describe('appendJobs', () => {
  it('keeps every byte of the file and adds the jobs with their notes as comments', () => {
    const out = appendJobs(EXISTING, [
      proposal('backup', { description: 'Nightly', env: { PATH: '/bin' } }),
      proposal('argv', { command: ['/bin/bash', '-c', 'x'] }),
    ]);
    // Everything before the insertion point and after it is unchanged.
    const at = EXISTING.indexOf('\n# trailing comment');
    expect(out.startsWith(EXISTING.slice(0, at + 1))).toBe(true);
    expect(out.endsWith(EXISTING.slice(at))).toBe(true);
    expect(out).toContain('  # imported from crontab line 3: */5 * * * * date +\\%F >> /tmp/x\n  backup:\n');
    expect(parse(out)).toEqual({
      version: 1,
      project: 'demo',
      jobs: {
        old: { schedule: '0 2 * * *', command: ['echo', 'old'] },
        backup: {
          description: 'Nightly',
          schedule: '*/5 * * * *',
          command: 'date +%F >> /tmp/x # not a comment',
          working_dir: '/home/u',
          env: { PATH: '/bin' },
        },
        argv: { schedule: '*/5 * * * *', command: ['/bin/bash', '-c', 'x'], working_dir: '/home/u' },
      },
    });
  });

  it('follows the file’s indentation', () => {
    const src =
      'version: 1\njobs:\n    a:\n        schedule: day\n        command: |\n          echo 1\n\n          echo 2\n';
    const out = appendJobs(src, [proposal('b')]);
    expect(out.startsWith(src)).toBe(true);
    expect(out).toContain('\n    b:\n');
    expect(parse(out).jobs.a.command).toBe('echo 1\n\necho 2\n');
    expect(Object.keys(parse(out).jobs)).toEqual(['a', 'b']);
  });

  it('creates the file with version: 1, or jobs: when missing, or fills an empty jobs:', () => {
    expect(parse(appendJobs(undefined, [proposal('a')]))).toMatchObject({ version: 1, jobs: { a: {} } });
    expect(parse(appendJobs('version: 1\nproject: p\n', [proposal('a')]))).toMatchObject({
      project: 'p',
      jobs: { a: {} },
    });
    const empty = appendJobs('version: 1\njobs:   # none yet\nproject: p\n', [proposal('a')]);
    expect(empty.startsWith('version: 1\njobs:   # none yet\n')).toBe(true);
    expect(parse(empty)).toMatchObject({ project: 'p', jobs: { a: {} } });
    expect(parse(appendJobs('version: 1\njobs: {}\n', [proposal('a')]))).toMatchObject({ jobs: { a: {} } });
  });

  it('refuses a file it cannot edit without changing it, and taken names', () => {
    expect(() => appendJobs('version: 1\njobs: [\n', [proposal('a')])).toThrow(UserError);
    expect(() => appendJobs('version: 1\njobs: {a: {schedule: day, command: x}}\n', [proposal('b')])).toThrow(
      /flow mapping/,
    );
    expect(() => appendJobs(EXISTING, [proposal('old')])).toThrow(/already has a job named 'old'/);
  });

  it('refuses the layouts where a splice would break the file, instead of writing broken YAML', () => {
    // `{…, jobs: {}}`: dropping the braces inside a flow mapping leaves it unparsable.
    expect(() => appendJobs('{version: 1, jobs: {}}\n', [proposal('a')])).toThrow(
      /flow mapping .* top level/,
    );
    // An indented `jobs:` would get the new job as its sibling, not its child.
    expect(() => appendJobs('  version: 1\n  jobs:\n', [proposal('a')])).toThrow(
      /indented top-level mapping/,
    );
  });
});

describe('file facts', () => {
  it('reads job names and defaults.timezone', () => {
    expect([...existingJobNames(EXISTING)]).toEqual(['old']);
    expect(defaultTimezone('defaults:\n  timezone: Asia/Tokyo\n')).toBe('Asia/Tokyo');
    expect(defaultTimezone(EXISTING)).toBeUndefined();
  });
});
