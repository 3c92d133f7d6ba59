import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { kubernetesScheduleProblem } from '../../../src/backends/kubernetes/cron.js';
import {
  checkJob,
  checkName,
  cronJobHash,
  escapeDollar,
  renderCronJob,
  renderManifests,
  startingDeadlineSeconds,
  toYaml,
} from '../../../src/backends/kubernetes/render.js';
import { KubernetesBackend } from '../../../src/backends/kubernetes/index.js';
import { InexpressibleError } from '../../../src/errors.js';
import { cronMatches, cronMatchesDay, parseCron } from '../../../src/schedule/cron.js';
import { FakeCluster } from './fake-cluster.js';
import { cron, ctx, job, twelveJobs } from './jobs.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests walk parsed manifests freely
type Obj = Record<string, any>;
const obj = (j: Parameters<typeof renderCronJob>[0]) => parse(renderCronJob(j).content) as Obj;
const container = (o: Obj) => o.spec.jobTemplate.spec.template.spec.containers[0];

describe('mapping', () => {
  it('maps overlap to concurrencyPolicy and refuses queue', () => {
    expect(obj(job('a', { overlap: 'skip' })).spec.concurrencyPolicy).toBe('Forbid');
    expect(obj(job('a', { overlap: 'replace' })).spec.concurrencyPolicy).toBe('Replace');
    expect(obj(job('a', { overlap: 'allow' })).spec.concurrencyPolicy).toBe('Allow');
    expect(checkJob(job('a', { overlap: 'queue' })).join()).toMatch(/queue has no CronJob equivalent/);
  });

  it('maps schedule, zone, timeout, retries, paused, history', () => {
    const o = obj(job('a', { timeoutSeconds: 90, retries: { max: 3, delaySeconds: 0 }, enabled: false }));
    expect(o.spec.schedule).toBe('0 2 * * *');
    expect(o.spec.timeZone).toBe('Europe/Istanbul');
    expect(o.spec.suspend).toBe(true);
    expect(o.spec.successfulJobsHistoryLimit).toBe(3);
    expect(o.spec.failedJobsHistoryLimit).toBe(1);
    expect(o.spec.jobTemplate.spec.backoffLimit).toBe(3);
    expect(o.spec.jobTemplate.spec.template.spec.activeDeadlineSeconds).toBe(90);
    expect(o.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
    expect(obj(job('b')).spec.suspend).toBe(false);
  });

  it('maps argv to command + args and a string to /bin/sh -c, escaping $ against $(VAR) expansion', () => {
    const a = container(obj(job('a', { command: { argv: ['node', 'x.js', '$(HOME)'] } })));
    expect(a.command).toEqual(['node']);
    expect(a.args).toEqual(['x.js', '$$(HOME)']);
    const s = container(obj(job('a', { command: { shell: 'echo $HOME 100%' } })));
    expect(s.command).toEqual(['/bin/sh', '-c', 'echo $$HOME 100%']);
    expect(s.args).toBeUndefined();
  });

  it('maps env (sorted), env_from_secret, resources, service account, working_dir; never the host working dir', () => {
    const k = {
      namespace: 'ns1',
      image: 'img:1',
      envFromSecret: 'sec',
      serviceAccount: 'sa',
      resources: { limits: { cpu: 1 } },
      workingDir: '/app',
    };
    const o = obj(job('a', { env: { B: '2', A: '$x' }, kubernetes: k }));
    const c = container(o);
    expect(c.env).toEqual([
      { name: 'A', value: '$$x' },
      { name: 'B', value: '2' },
    ]);
    expect(c.envFrom).toEqual([{ secretRef: { name: 'sec' } }]);
    expect(c.resources).toEqual({ limits: { cpu: '1' } });
    expect(c.workingDir).toBe('/app');
    expect(o.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe('sa');
    expect(container(obj(job('b'))).workingDir).toBeUndefined();
  });

  it('labels and annotates the object with the hash of its fields', () => {
    const r = renderCronJob(job('a'));
    const o = parse(r.content) as Obj;
    const labels = {
      'app.kubernetes.io/managed-by': 'sched',
      'sched.dev/project': 'billing',
      'sched.dev/job': 'a',
    };
    expect(o.metadata.labels).toEqual(labels);
    expect(o.spec.jobTemplate.metadata.labels).toEqual(labels);
    expect(o.metadata.annotations['sched.dev/hash']).toBe(r.hash);
    expect(cronJobHash(o)).toBe(r.hash);
    expect(o.metadata.name).toBe('billing-a');
  });

  it('refuses what a CronJob cannot express, naming why', () => {
    const problems = (j: ReturnType<typeof job>) => checkJob(j).join(' | ');
    expect(problems(job('a', { schedule: { kind: 'event', event: 'boot', source: 'boot' } }))).toMatch(
      /event \(boot\)/,
    );
    expect(problems(job('a', { schedule: { kind: 'at', local: '2026-12-31 09:00', source: '' } }))).toMatch(
      /one-shot/,
    );
    expect(problems(job('a', { jitterSeconds: 300 }))).toMatch(/jitter/);
    expect(problems(job('a', { retries: { max: 2, delaySeconds: 60 } }))).toMatch(/back-off/);
    expect(problems(job('a', { envFile: '/srv/.env' }))).toMatch(/env_from_secret/);
    expect(problems(job('a', { kubernetes: undefined }))).toMatch(/kubernetes.namespace/);
    expect(problems(job('a', { kubernetes: { namespace: 'n', image: 'i', workingDir: 'rel' } }))).toMatch(
      /absolute/,
    );
    expect(problems(job('a', { schedule: cron('0 0 * * 7') }))).toMatch(/0-6 only/);
    expect(problems(job('a', { schedule: cron('0 0 */2 * 1') }))).toMatch(/different days/);
    expect(() => renderCronJob(job('a', { overlap: 'queue' }))).toThrow(InexpressibleError);
  });
});

describe('checkName', () => {
  it('allows up to 52 characters and says by how much to shorten', () => {
    expect(checkName('billing', 'x'.repeat(44))).toBeUndefined(); // 7 + 1 + 44 = 52
    expect(checkName('billing', 'x'.repeat(45))).toMatch(/53 characters; Kubernetes allows 52.*at most 44/);
    expect(checkName('billing', 'trailing-')).toMatch(/not a valid Kubernetes name/);
  });
});

describe('startingDeadlineSeconds', () => {
  it('catch_up false: 60 s; true: the longest gap, capped by the 100-missed-runs rule', () => {
    expect(startingDeadlineSeconds('0 2 * * *', false)).toBe(60);
    expect(startingDeadlineSeconds('0 2 * * *', true)).toBe(86_400);
    expect(startingDeadlineSeconds('@hourly', true)).toBe(3600);
    expect(startingDeadlineSeconds('0 9 * * 1-5', true)).toBe(3 * 86_400); // Friday 09:00 → Monday 09:00
    // */5 9-17: longest gap 15 h 05 min, but 99 × 5 min is smaller
    expect(startingDeadlineSeconds('*/5 9-17 * * *', true)).toBe(99 * 300);
    expect(startingDeadlineSeconds('0 0 1 1 *', true)).toBe(366 * 86_400); // 2024 is a leap year
  });
});

/**
 * robfig/cron v3 transcribed as an oracle (parser.go getRange + spec.go dayMatches): the star
 * bit comes from a `*` element with step 1; dow bounds are 0–6.
 */
function robfigDay(expr: string): ((month: number, dom: number, dow: number) => boolean) | undefined {
  const f = expr.split(' ');
  const field = (text: string, min: number, max: number) => {
    const bits = new Set<number>();
    let star = false;
    for (const part of text.split(',')) {
      const [range, stepText] = part.split('/');
      const step = stepText ? Number(stepText) : 1;
      let lo: number, hi: number;
      if (range === '*') {
        [lo, hi] = [min, max];
        if (step === 1) star = true;
      } else {
        const [a, b] = range!.split('-');
        lo = Number(a);
        hi = b === undefined ? (stepText ? max : lo) : Number(b);
      }
      if (hi > max) return undefined;
      for (let v = lo; v <= hi; v += step) bits.add(v);
    }
    return { bits, star };
  };
  const dom = field(f[2]!, 1, 31);
  const month = field(f[3]!, 1, 12);
  const dow = field(f[4]!, 0, 6);
  if (!dom || !month || !dow) return undefined;
  return (m, d, w) => {
    if (!month.bits.has(m)) return false;
    const dm = dom.bits.has(d);
    const wm = dow.bits.has(w);
    return dom.star || dow.star ? dm && wm : dm || wm;
  };
}

describe('schedule check against Debian (src/schedule/cron.ts) and robfig/cron (transcribed) semantics', () => {
  const element = (min: number, max: number) =>
    fc.oneof(
      fc.constant('*'),
      fc.integer({ min: 1, max: 4 }).map((s) => `*/${s}`),
      fc.integer({ min, max }),
      fc
        .tuple(fc.integer({ min, max }), fc.integer({ min, max }), fc.integer({ min: 1, max: 3 }))
        .map(([a, b, s]) => `${Math.min(a, b)}-${Math.max(a, b)}${s > 1 ? `/${s}` : ''}`),
    );
  const field = (min: number, max: number) =>
    fc.array(element(min, max), { minLength: 1, maxLength: 3 }).map((a) => a.join(','));
  const exprs = fc
    .tuple(field(1, 31), fc.oneof(fc.constant('*'), field(1, 12)), field(0, 7))
    .map(([d, m, w]) => `0 0 ${d} ${m} ${w}`);
  const DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

  it('accepts an expression exactly when both read it as the same days', () => {
    fc.assert(
      fc.property(exprs, (expr) => {
        const problem = kubernetesScheduleProblem(expr);
        const robfig = robfigDay(expr);
        const debian = parseCron(expr);
        let same = robfig !== undefined;
        if (robfig) {
          for (let m = 1; m <= 12 && same; m++)
            for (let d = 1; d <= DAYS[m]! && same; d++)
              for (let w = 0; w < 7 && same; w++)
                if (cronMatchesDay(debian, m, d, w) !== robfig(m, d, w)) same = false;
        }
        expect(problem === undefined).toBe(same);
      }),
      { numRuns: 400 },
    );
  });

  it('accepted expressions fire at the same minutes over a year (Debian cronMatches vs robfig transcription)', () => {
    const full = fc
      .tuple(field(0, 59), field(0, 23), field(1, 31), fc.oneof(fc.constant('*'), field(1, 12)), field(0, 6))
      .map((f) => f.join(' '))
      .filter((e) => kubernetesScheduleProblem(e) === undefined);
    fc.assert(
      fc.property(full, (expr) => {
        const f = expr.split(' ');
        const set = (text: string, min: number, max: number) => {
          const out = new Set<number>();
          for (const part of text.split(',')) {
            const [range, st] = part.split('/');
            const step = st ? Number(st) : 1;
            const [a, b] = range === '*' ? [min, max] : range!.split('-').map(Number);
            for (let v = a!; v <= (b ?? a!); v += step) out.add(v);
          }
          return out;
        };
        const minutes = set(f[0]!, 0, 59);
        const hours = set(f[1]!, 0, 23);
        const day = robfigDay(expr)!;
        const debian = parseCron(expr);
        const start = Date.UTC(2027, 0, 1);
        for (let t = start; t < start + 365 * 86_400_000; t += 60_000) {
          const d = new Date(t);
          const fields = {
            minute: d.getUTCMinutes(),
            hour: d.getUTCHours(),
            dom: d.getUTCDate(),
            month: d.getUTCMonth() + 1,
            dow: d.getUTCDay(),
          };
          const robfig =
            minutes.has(fields.minute) && hours.has(fields.hour) && day(fields.month, fields.dom, fields.dow);
          if (robfig !== cronMatches(debian, fields))
            throw new Error(`${expr} differs at ${d.toISOString()}`);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('passes presets and macros through', () => {
    for (const e of [
      '0 9 * * 1-5',
      '0 9 * * 1',
      '0 9 1 * *',
      '0 * * * *',
      '@daily',
      '@weekly',
      '@monthly',
      '@yearly',
      '@hourly',
      '@midnight',
      '*/15 9-17 * * mon-fri',
      '0 0 1,15 * 3',
    ]) {
      expect(kubernetesScheduleProblem(e), e).toBeUndefined();
    }
  });
});

/** Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion), as documented: `$$` → `$`, `$(NAME)` → value when defined. */
function k8sExpand(input: string, env: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const n = input[i + 1]!;
    if (n === '$') {
      out += '$';
      i++;
    } else if (n === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += c;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += name in env ? env[name] : `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

describe('escaping', () => {
  it('every string reaches the process unchanged after Kubernetes expansion', () => {
    const text = fc.string({
      unit: fc.constantFrom('$', '(', ')', 'H', 'O', 'M', 'E', ' ', '%', '"', "'", '\n', 'é', '🙂'),
    });
    fc.assert(
      fc.property(text, (s) => {
        expect(k8sExpand(escapeDollar(s), { HOME: '/root', H: 'x' })).toBe(s);
      }),
    );
  });

  it('round-trips argv and env with quotes, newlines, unicode through the manifest', () => {
    const text = fc.string({ minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 4 }), text, (argv, value) => {
        const c = container(obj(job('a', { command: { argv }, env: { V: value } })));
        expect([...c.command, ...(c.args ?? [])].map((x: string) => k8sExpand(x, {}))).toEqual(argv);
        expect(k8sExpand(c.env[0].value, {})).toBe(value);
      }),
      { numRuns: 200 },
    );
  });
});

describe('every rendered manifest', () => {
  const manifests = renderManifests(twelveJobs());
  it('has the labels, fits the name limit and round-trips through yaml unchanged', () => {
    expect(manifests).toHaveLength(12);
    for (const m of manifests) {
      const o = parse(m.content) as Obj;
      expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBe('sched');
      expect(o.metadata.labels['sched.dev/project']).toBe('billing');
      expect(o.metadata.name.length).toBeLessThanOrEqual(52);
      expect(toYaml(o)).toBe(m.content);
      expect(parse(stringify(o))).toEqual(o);
      // kubectl reads manifests as YAML 1.1: the same object there too.
      expect(parse(m.content, { version: '1.1' })).toEqual(o);
      expect(m.file).toBe(`billing-${o.metadata.name}.yaml`);
    }
  });

  it('is byte-stable', () => {
    expect(renderManifests(twelveJobs())).toEqual(manifests);
  });

  it('backend render gives one cronjob artifact with id <namespace>/<name>', () => {
    const b = new KubernetesBackend({ runner: new FakeCluster() });
    const [a, ...rest] = b.render(job('a'), ctx);
    expect(rest).toHaveLength(0);
    expect(a).toMatchObject({ id: 'billing/billing-a', job: 'a', kind: 'cronjob' });
    expect(
      b.render(job('a', { kubernetes: { namespace: 'n', image: 'i', context: 'prod' } }), ctx)[0]!.id,
    ).toBe('prod:n/billing-a');
  });
});
