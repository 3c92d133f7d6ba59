/**
 * Prometheus text exposition (format 0.0.4) of a project's jobs. Pure: job facts in, text out.
 * Every metric has HELP and TYPE lines and the labels `project` and `job`.
 */

export interface JobMetrics {
  project: string;
  job: string;
  /** Seconds since the epoch; undefined: never. */
  lastRun?: number;
  lastSuccess?: number;
  lastExitCode?: number;
  lastDurationSeconds?: number;
  /** Recorded outcomes by result (over the kept history). */
  runs: Record<string, number>;
  nextRun?: number;
  overdue: boolean;
  /** undefined: not known here (the textfile written by `sched run` does not compute drift). */
  drift?: boolean;
}

interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  samples: (m: JobMetrics) => { labels?: Record<string, string>; value: number }[];
}

const one = (v: number | undefined) => (v === undefined ? [] : [{ value: v }]);

export const FAMILIES: readonly Family[] = [
  {
    name: 'sched_job_last_run_timestamp_seconds',
    type: 'gauge',
    help: 'When the last run of the job started (any result), seconds since the epoch.',
    samples: (m) => one(m.lastRun),
  },
  {
    name: 'sched_job_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'When the last successful run of the job ended, seconds since the epoch.',
    samples: (m) => one(m.lastSuccess),
  },
  {
    name: 'sched_job_last_exit_code',
    type: 'gauge',
    help: 'Exit code of the last finished run of the job.',
    samples: (m) => one(m.lastExitCode),
  },
  {
    name: 'sched_job_last_duration_seconds',
    type: 'gauge',
    help: 'How long the last finished run of the job took.',
    samples: (m) => one(m.lastDurationSeconds),
  },
  {
    name: 'sched_job_runs_total',
    type: 'counter',
    help: 'Recorded runs of the job by result, over its kept history (the last 1000 runs).',
    samples: (m) =>
      Object.keys(m.runs)
        .sort()
        .map((result) => ({ labels: { result }, value: m.runs[result]! })),
  },
  {
    name: 'sched_job_next_run_timestamp_seconds',
    type: 'gauge',
    help: 'Next fire time of the job, seconds since the epoch.',
    samples: (m) => one(m.nextRun),
  },
  {
    name: 'sched_job_overdue',
    type: 'gauge',
    help: '1 when a fire time passed with no run recorded (the scheduler did not start the job).',
    samples: (m) => [{ value: m.overdue ? 1 : 0 }],
  },
  {
    name: 'sched_job_drift',
    type: 'gauge',
    help: "1 when what is installed differs from schedules.yaml (what 'sched plan' would change).",
    samples: (m) => (m.drift === undefined ? [] : [{ value: m.drift ? 1 : 0 }]),
  },
];

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(v);
}

/** The exposition text for `jobs` (families with no sample are left out). */
export function renderMetrics(jobs: readonly JobMetrics[]): string {
  const out: string[] = [];
  for (const f of FAMILIES) {
    const lines: string[] = [];
    for (const m of jobs) {
      for (const s of f.samples(m)) {
        const labels = { project: m.project, job: m.job, ...s.labels };
        const text = Object.entries(labels)
          .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
          .join(',');
        lines.push(`${f.name}{${text}} ${formatValue(s.value)}`);
      }
    }
    if (!lines.length) continue;
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...lines);
  }
  return out.length ? out.join('\n') + '\n' : '';
}
