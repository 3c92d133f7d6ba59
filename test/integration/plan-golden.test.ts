/**
 * Golden plan output: what `sched plan` shows (text without colour, and --json) for each folder
 * under test/golden/plan/. Each case runs the real services against a fake host (FakeCrontab, or
 * a fake systemctl over a real unit directory) in a temp dir; `before.yaml`, when present, is
 * applied first to put the host in the state the case starts from.
 *
 * Normalised here, not in the product: the temp dir (→ `<dir>`), content hashes (they cover
 * paths under the temp dir → `sha256:<hash>`), and in JSON created_at, file, file_hash and
 * host_fingerprint. Error cases compare the error text as the CLI prints it (BaseCommand:
 * `Error:`/`Hint:` lines, or diagnostics through formatText).
 *
 * Each case also checks its point independently of the golden files (actions, reasons, notes).
 * UPDATE_GOLDEN=1 rewrites expected.txt / expected.json.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatJson, formatText } from '../../src/config/diagnostic.js';
import { InvalidConfigError, UserError } from '../../src/errors.js';
import type { Plan } from '../../src/plan/types.js';
import { REASONS } from '../../src/plan/types.js';
import { planToJson } from '../../src/plan/view-json.js';
import { renderPlanText } from '../../src/plan/view-text.js';
import type { Runner } from '../../src/platform/ports.js';
import { FakeCrontab } from '../backends/crontab/fixtures.js';
import { expectGolden } from '../helpers/golden.js';
import { actions, FakeSystemctl, put, reasonsOf, sandbox } from './helpers.js';
import type { Sandbox } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../golden/plan');
/** A fixed "now": nine days before Berlin's spring DST change (2026-03-29). */
const NOW = new Date('2026-03-20T10:00:00Z');

type Fake = 'crontab' | 'systemd';

interface GoldenCase {
  fake: Fake;
  /** The host's zone (its /etc/localtime, and TZ in the test's shell); UTC unless given. */
  tz?: string;
  /** `$TZ` of the shell that runs sched, when it is not the host's zone (the scheduler never sees it). */
  shellTz?: string;
  /** A file applied before the plan (relative to the case folder). */
  before?: string;
  /** Changes the host after `before` was applied, as a person would. */
  tamper?(sb: Sandbox<Runner>): Promise<void>;
  /** The case's point, checked without the golden files. */
  check(result: { plan?: Plan; error?: unknown }): void;
}

const unitDir = (home: string) => path.join(home, '.config', 'systemd', 'user');

const CASES: Record<string, GoldenCase> = {
  'all-new': {
    fake: 'crontab',
    check: ({ plan }) => {
      expect(actions(plan!)).toEqual({
        'nightly-report': 'create',
        'quarter-hourly': 'create',
        'weekday-sync': 'create',
      });
      expect(plan!.summary).toEqual({ add: 3, change: 0, delete: 0 });
      // catch_up on a crontab: the project-wide @reboot entry is created too.
      expect(plan!.jobs.find((j) => j.job === '')?.action).toBe('create');
    },
  },
  'no-changes': {
    fake: 'crontab',
    before: 'schedules.yaml',
    check: ({ plan }) => {
      expect(plan!.jobs.every((j) => j.action === 'no-op')).toBe(true);
      expect(plan!.summary).toEqual({ add: 0, change: 0, delete: 0 });
    },
  },
  'drift-removed-changed': {
    fake: 'systemd',
    before: 'before.yaml',
    async tamper(sb) {
      const file = path.join(unitDir(sb.dir), 'sched-billing-nightly-report.timer');
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace(/^OnCalendar=.*$/m, 'OnCalendar=*-*-* 03:00:00 UTC'));
    },
    check: ({ plan }) => {
      expect(actions(plan!)).toEqual({
        cleanup: 'delete',
        'nightly-report': 'update',
        'weekday-sync': 'update',
      });
      expect(reasonsOf(plan!, 'nightly-report')).toEqual([REASONS.handEdited]);
      expect(reasonsOf(plan!, 'weekday-sync')).toEqual([REASONS.changed]);
      expect(reasonsOf(plan!, 'cleanup')).toEqual([REASONS.removed]);
      expect(plan!.summary).toEqual({ add: 0, change: 2, delete: 1 });
    },
  },
  'dst-note': {
    fake: 'systemd',
    check: ({ plan }) => {
      const job = plan!.jobs.find((j) => j.job === 'berlin-night')!;
      expect(job.timezone).toBe('Europe/Berlin');
      // 2026-03-29: 02:30 does not exist in Berlin; 2026-10-25: 02:30 happens twice. The timer
      // follows Debian cron (after the jump; once in autumn) and says how far that reaches.
      expect(job.notes).toHaveLength(3);
      expect(job.notes[0]).toMatch(
        /^the 2026-03-29 02:30 run falls in the DST gap .*systemd timer runs it once right after the jump/,
      );
      expect(job.notes[2]).toMatch(/^clock changes compensated until 2040-01-01/);
      const timer = job.changes.find((c) => c.kind === 'timer')!.after!.content;
      expect(timer).toMatch(/^OnCalendar=2026-03-29 01:00:00 UTC$/m);
    },
  },
  'dst-note-crontab': {
    fake: 'crontab',
    tz: 'Europe/Berlin', // crontab jobs run in the host zone: the host is in Berlin
    check: ({ plan }) => {
      const night = plan!.jobs.find((j) => j.job === 'berlin-night')!;
      const poll = plan!.jobs.find((j) => j.job === 'berlin-every-10')!;
      expect(night.timezone).toBe('Europe/Berlin');
      // Fixed time: moved after the spring jump, once in autumn. Wildcard minutes: lost in spring, doubled in autumn.
      expect(night.notes).toHaveLength(2);
      expect(night.notes.join('\n')).toMatch(/Debian cron runs it once right after the jump/);
      expect(night.notes.join('\n')).toMatch(/Debian cron runs it once, in the first pass/);
      expect(poll.notes).toHaveLength(2);
      expect(poll.notes.join('\n')).toMatch(/lost on every backend/);
      expect(poll.notes.join('\n')).toMatch(/Debian cron fires in both passes/);
    },
  },
  'shell-tz': {
    fake: 'crontab',
    shellTz: 'Asia/Kolkata', // the host (its /etc/localtime) is in UTC
    check: ({ plan }) => {
      const morning = plan!.jobs.find((j) => j.job === 'morning-report')!;
      // Rendered and planned in the host's zone: cron fires 09:00 UTC, and so does the plan.
      expect(morning.timezone).toBe('UTC');
      expect(morning.nextRuns?.[0]).toBe('2026-03-21T09:00:00+00:00');
      expect(plan!.hostTimezone).toEqual({ zone: 'UTC', source: '/etc/localtime' });
      expect(plan!.warnings.join('\n')).toMatch(
        /^TZ=Asia\/Kolkata is set here, but the scheduler does not see it: morning-report runs in the host's zone, UTC/,
      );
    },
  },
  paused: {
    fake: 'crontab',
    before: 'before.yaml',
    check: ({ plan }) => {
      expect(actions(plan!)).toEqual({ 'year-end': 'update' });
      const job = plan!.jobs.find((j) => j.job === 'year-end')!;
      // Registered nowhere (its crontab entry goes), its applied spec is kept and says paused.
      expect(job.changes.map((c) => `${c.action} ${c.target}`).sort()).toEqual([
        'delete crontab',
        'update state',
      ]);
      expect(job.reasons).toContain(REASONS.paused);
      expect(job.enabled).toBe(false);
      expect(job.nextRuns ?? []).toEqual([]);
    },
  },
  'name-clash': {
    fake: 'systemd',
    async tamper(sb) {
      await put(
        path.join(unitDir(sb.dir), 'sched-billing-nightly-report.timer'),
        '[Timer]\nOnCalendar=daily\n',
      );
    },
    check: ({ error }) => {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(/name clash: sched-billing-nightly-report\.timer/);
    },
  },
  inexpressible: {
    fake: 'crontab',
    check: ({ error }) => {
      expect(error).toBeInstanceOf(InvalidConfigError);
      const diags = (error as InvalidConfigError).diagnostics;
      expect(diags).toHaveLength(1);
      expect(diags[0]).toMatchObject({ severity: 'error', code: 'backend-crontab' });
      // Within job new-york-open (lines 10-13 of its schedules.yaml).
      expect(diags[0]!.line).toBeGreaterThanOrEqual(10);
      expect(diags[0]!.line).toBeLessThanOrEqual(13);
      expect(diags[0]!.message).toMatch(/new-york-open/);
      expect(diags[0]!.message).toMatch(/America\/New_York/);
    },
  },
};

function makeRunner(fake: Fake, home: string): Runner {
  return fake === 'crontab'
    ? new FakeCrontab('# not sched\n0 5 * * * /usr/local/bin/backup\n')
    : FakeSystemctl.overDirectory(unitDir(home));
}

function normalise(text: string, dir: string): string {
  return text
    .split(dir)
    .join('<dir>')
    .replace(/sha256:[0-9a-f]{16,64}/g, 'sha256:<hash>');
}

function errorText(error: unknown, dir: string): { text: string; json: string } {
  if (error instanceof InvalidConfigError) {
    // The CLI prints these as `sched validate` does; name the file as a user would see it.
    const diagnostics = error.diagnostics.map((d) => ({ ...d, file: 'schedules.yaml' }));
    return {
      text: formatText(diagnostics, { 'schedules.yaml': error.source }),
      json: formatJson(diagnostics),
    };
  }
  if (error instanceof UserError) {
    const text = `Error: ${error.message}\n${error.hint ? `Hint: ${error.hint}\n` : ''}`;
    return {
      text: normalise(text, dir),
      json: JSON.stringify({ error: error.message, hint: error.hint ?? null }, null, 2) + '\n',
    };
  }
  throw error;
}

describe('golden plan output (test/golden/plan)', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await cleanup?.();
    cleanup = undefined;
  });

  it.each(Object.keys(CASES).sort())('%s', async (name) => {
    const spec = CASES[name]!;
    vi.stubEnv('TZ', spec.tz ?? 'UTC');
    const caseDir = path.join(ROOT, name);
    const final = await readFile(path.join(caseDir, 'schedules.yaml'), 'utf8');
    const first = spec.before ? await readFile(path.join(caseDir, spec.before), 'utf8') : final;
    const sb = await sandbox<Runner>((home) => makeRunner(spec.fake, home), first, {
      now: NOW,
      zone: spec.tz ?? 'UTC',
    });
    cleanup = () => sb.cleanup();
    if (spec.shellTz) sb.host.env.TZ = spec.shellTz;
    if (spec.before) await sb.apply();
    await sb.write(final);
    await spec.tamper?.(sb);

    let text: string;
    let json: string;
    let compact: string | undefined;
    // As `sched plan --json` does: every job described, not only the changed ones.
    const outcome = await sb.plan({ describeAll: true }).then(
      (o) => ({ plan: o.plan, error: undefined }),
      (error: unknown) => ({ plan: undefined, error }),
    );
    spec.check(outcome);
    if (outcome.plan) {
      const plan = outcome.plan;
      text = normalise(renderPlanText(plan, { color: false }), sb.dir);
      compact = normalise(renderPlanText(plan, { color: false, compact: true }), sb.dir);
      // --compact: no diff lines, and never longer than the full view.
      expect(compact).not.toMatch(/^\s+(@@|---|\+\+\+) /m);
      expect(compact.split('\n').length).toBeLessThanOrEqual(text.split('\n').length);
      const data = planToJson(plan);
      data.created_at = '<created_at>';
      data.file = '<file>';
      data.file_hash = '<file_hash>';
      data.host_fingerprint = '<host_fingerprint>';
      json = normalise(JSON.stringify(data, null, 2) + '\n', sb.dir);
      // No colour codes when colour is off; colour on adds nothing but SGR codes.
      // eslint-disable-next-line no-control-regex
      const sgr = /\u001b\[\d*m/g;
      expect(text).not.toMatch(sgr);
      expect(normalise(renderPlanText(plan, { color: true }), sb.dir).replace(sgr, '')).toBe(text);
    } else {
      ({ text, json } = errorText(outcome.error, sb.dir));
    }
    expect(text).not.toMatch(/\bat (Object|async|new) |\.ts:\d+/); // never a stack trace

    expectGolden(path.join(caseDir, 'expected.txt'), text);
    expectGolden(path.join(caseDir, 'expected.json'), json);
    if (compact !== undefined) expectGolden(path.join(caseDir, 'expected-compact.txt'), compact);
  });
});
