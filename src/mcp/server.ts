/**
 * `sched mcp`: sched's schedules as Model Context Protocol tools, for an assistant. Read-only
 * unless the command was started with `--allow-run-now` (adds `run_now`) or `--allow-edit` (adds
 * `pause`/`resume`, which edit schedules.yaml and return the plan; nothing is ever applied).
 * Every tool has input and output schemas; results are capped and paged so they fit a model's
 * context. Loaded only by the `mcp` command: nothing else imports the SDK.
 */
import path from 'node:path';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { jobHistory, jobLogTail, type RunRecord } from '../services/history.js';
import { defaultHost, type HostSettings } from '../services/host.js';
import { loadValidProject, makePlan } from '../services/plan.js';
import { runNow } from '../services/run-now.js';
import { scheduleInfo } from '../services/schedule-info.js';
import { projectStatus } from '../services/status.js';
import { stateRoot } from '../state/paths.js';

export interface McpOptions {
  /** The schedules file the tools answer about. */
  file: string;
  allowRunNow?: boolean;
  allowEdit?: boolean;
  /** The package version, for the server's name. */
  version: string;
  /** Environment (state directory, PATH…). Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Caps that keep one answer small enough for a model's context. */
export const LIMITS = {
  jobs: 100,
  history: 50,
  nextRuns: 50,
  artifactChars: 8000,
  logLines: 200,
  logChars: 16000,
};

const jobName = z.string().min(1).max(63).describe('job name, as in schedules.yaml');
const page = {
  offset: z.number().int().min(0).default(0).describe('index of the first item'),
};
const nextOffset = z
  .number()
  .int()
  .nullable()
  .describe('offset of the next page, or null when this is the last');

const statusRow = z.object({
  job: z.string(),
  state: z
    .enum(['scheduled', 'paused', 'missing', 'not_applied'])
    .describe('what the host does with the job'),
  schedule: z.string().nullable().describe('in words'),
  timezone: z.string().nullable(),
  next_run: z.string().nullable(),
  last_run: z.string().nullable(),
  result: z.string().nullable().describe('how the last run ended (success, failure, timeout…)'),
  exit_code: z.number().nullable(),
  duration_ms: z.number().nullable(),
  drift: z.string().nullable().describe('what `sched plan` would change about the job; null when in sync'),
});

const runRecord = z.object({
  id: z.string(),
  start: z.string(),
  end: z.string().nullable(),
  duration_ms: z.number().nullable(),
  exit_code: z.number().nullable(),
  signal: z.string().nullable(),
  result: z.string(),
  attempt: z.number(),
  trigger: z.string(),
  scheduled: z.string().optional(),
  reason: z.string().optional(),
});

const scheduleOut = {
  schedule: z.string(),
  description: z.string(),
  timezone: z.string(),
  next: z.array(z.string()).describe('ISO-8601 instants with the zone offset'),
  clockChanges: z.array(z.string()).describe('how daylight-saving changes move, skip or double runs'),
};

const scheduleIn = {
  expression: z
    .string()
    .max(200)
    .optional()
    .describe("a cron expression, @-macro or preset ('0 2 * * *', '@daily', 'weekday')"),
  job: jobName.optional().describe('a job of the project: its schedule and zone'),
  zone: z.string().max(64).optional().describe("IANA zone (default: the job's, else the host's)"),
};

const planOut = {
  project: z.string(),
  backend: z.string(),
  summary: z.object({ add: z.number(), change: z.number(), delete: z.number() }),
  total: z.number(),
  jobs: z.array(
    z.object({
      job: z.string(),
      action: z.string(),
      reasons: z.array(z.string()),
      notes: z.array(z.string()),
    }),
  ),
  next_offset: nextOffset,
  warnings: z.array(z.string()),
};

/** A tool answer: the structured result, and the same as JSON text for clients without structure. */
function ok(result: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(result, null, 1) }], structuredContent: result };
}

/** A user's mistake (an unknown job, a bad expression) as an error result, not a protocol failure. */
function failure(err: unknown): CallToolResult {
  if (err instanceof UserError) {
    const diagnostics =
      'diagnostics' in err
        ? (err as { diagnostics: { line: number; col: number; message: string }[] }).diagnostics
        : [];
    const lines = [
      err.message,
      ...diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`),
      ...(err.hint ? [err.hint] : []),
    ];
    return { isError: true, content: [{ type: 'text', text: lines.join('\n') }] };
  }
  return {
    isError: true,
    content: [{ type: 'text', text: `sched failed: ${(err as Error)?.message ?? String(err)}` }],
  };
}

async function guarded(fn: () => Promise<Record<string, unknown>>): Promise<CallToolResult> {
  try {
    return ok(await fn());
  } catch (err) {
    return failure(err);
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters)`;
}

/** Builds the server; the caller connects it to a transport. */
export function createMcpServer(options: McpOptions): McpServer {
  const file = path.resolve(options.file);
  const host = (): HostSettings => defaultHost(options.env ? { env: options.env } : {});
  const load = async () => await loadValidProject(file, host(), options.file);
  const unknownJob = async (job: string): Promise<UserError> => {
    const { project } = await load();
    const names = project.jobs.map((j) => j.name).sort();
    return new UserError(
      `no job ${job} in ${options.file}`,
      names.length ? `Jobs: ${names.join(', ')}.` : 'The file has no jobs.',
    );
  };

  const server = new McpServer(
    { name: 'sched', version: options.version },
    {
      instructions:
        `Answers about the scheduled jobs of ${options.file}: what runs when, how the last runs ended, what a change would do. ` +
        'Times are ISO-8601 with the zone offset.',
    },
  );
  const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

  server.registerTool(
    'list_jobs',
    {
      description:
        'The jobs of the project: schedule in words, next run, last run and how it ended, drift. Paged.',
      inputSchema: { ...page, limit: z.number().int().min(1).max(LIMITS.jobs).default(50) },
      outputSchema: {
        project: z.string(),
        backend: z.string(),
        total: z.number(),
        jobs: z.array(statusRow),
        next_offset: nextOffset,
      },
      annotations: readOnly,
    },
    ({ offset, limit }) =>
      guarded(async () => {
        const st = await projectStatus({ file }, host());
        // Field by field: the answer stays within the declared schema when the status row grows.
        const rows = st.jobs.slice(offset, offset + limit).map((r) => ({
          job: r.job,
          state: r.state,
          schedule: r.schedule,
          timezone: r.timezone,
          next_run: r.next_run,
          last_run: r.last_run,
          result: r.result,
          exit_code: r.exit_code,
          duration_ms: r.duration_ms,
          drift: r.drift,
        }));
        const end = offset + rows.length;
        return {
          project: st.project,
          backend: st.backend,
          total: st.jobs.length,
          jobs: rows,
          next_offset: end < st.jobs.length ? end : null,
        };
      }),
  );

  server.registerTool(
    'get_job',
    {
      description:
        'One job: its resolved spec, the native entry sched installs for it, and drift from what is installed.',
      inputSchema: { job: jobName },
      outputSchema: {
        job: z.string(),
        backend: z.string(),
        spec: z.record(z.unknown()).describe('the resolved job (paths absolute, durations in seconds)'),
        native: z.array(z.object({ id: z.string(), content: z.string() })).describe('what the backend gets'),
        drift: z.object({ action: z.string(), reasons: z.array(z.string()) }).nullable(),
      },
      annotations: readOnly,
    },
    ({ job }) =>
      guarded(async () => {
        const outcome = await makePlan({ file: options.file }, host());
        const spec = outcome.project.jobs.find((j) => j.name === job);
        if (!spec) throw await unknownJob(job);
        const native = outcome.backend
          .render(spec, outcome.ctx)
          .map((a) => ({ id: a.id, content: truncate(a.content, LIMITS.artifactChars) }));
        const planned = outcome.plan.jobs.find((j) => j.job === job);
        return {
          job,
          backend: outcome.backend.name,
          spec: spec as unknown as Record<string, unknown>,
          native,
          drift:
            planned && planned.action !== 'no-op'
              ? { action: planned.action, reasons: planned.reasons }
              : null,
        };
      }),
  );

  server.registerTool(
    'history',
    {
      description: "A job's recorded runs, newest first (runs in progress first). Paged.",
      inputSchema: { job: jobName, ...page, limit: z.number().int().min(1).max(LIMITS.history).default(10) },
      outputSchema: { job: z.string(), runs: z.array(runRecord), next_offset: nextOffset },
      annotations: readOnly,
    },
    ({ job, offset, limit }) =>
      guarded(async () => {
        const { project } = await load();
        if (!project.jobs.some((j) => j.name === job)) throw await unknownJob(job);
        const h = host();
        let all: RunRecord[];
        try {
          all = await jobHistory(stateRoot(h.env), project.name, job, offset + limit + 1, { now: h.now });
        } catch (err) {
          if (err instanceof UserError)
            all = []; // in the file but never applied: no runs yet
          else throw err;
        }
        const runs = all.slice(offset, offset + limit).map((r) => ({
          id: r.id,
          start: r.start,
          end: r.end,
          duration_ms: r.duration_ms,
          exit_code: r.exit_code,
          signal: r.signal,
          result: r.result,
          attempt: r.attempt,
          trigger: r.trigger,
          ...(r.scheduled ? { scheduled: r.scheduled } : {}),
          ...(r.reason ? { reason: r.reason } : {}),
        }));
        return { job, runs, next_offset: all.length > offset + limit ? offset + limit : null };
      }),
  );

  const scheduleOf = async (args: { expression?: string; job?: string; zone?: string }, count: number) => {
    if (!!args.expression === !!args.job)
      throw new UserError('give either expression or job, not both or neither');
    if (args.expression) return scheduleInfo(args.expression, { zone: args.zone, count });
    const { project } = await load();
    const spec = project.jobs.find((j) => j.name === args.job);
    if (!spec) throw await unknownJob(args.job!);
    return scheduleInfo(spec.schedule, { zone: args.zone ?? spec.timezone, count });
  };

  server.registerTool(
    'next_runs',
    {
      description:
        'When a cron expression, preset or job fires next, in a zone (Debian cron semantics, DST included).',
      inputSchema: { ...scheduleIn, count: z.number().int().min(1).max(LIMITS.nextRuns).default(5) },
      outputSchema: scheduleOut,
      annotations: readOnly,
    },
    (args) => guarded(async () => ({ ...(await scheduleOf(args, args.count)) })),
  );

  server.registerTool(
    'explain_schedule',
    {
      description:
        'A schedule in words, its next three runs, and how the clock changes of the coming year affect it.',
      inputSchema: scheduleIn,
      outputSchema: scheduleOut,
      annotations: readOnly,
    },
    (args) => guarded(async () => ({ ...(await scheduleOf(args, 3)) })),
  );

  const planPage = async (offset: number, limit: number) => {
    const { plan } = await makePlan({ file: options.file }, host());
    const jobs = plan.jobs.filter((j) => j.job !== '');
    const shown = jobs
      .slice(offset, offset + limit)
      .map((j) => ({ job: j.job, action: j.action, reasons: [...j.reasons], notes: j.notes }));
    return {
      project: plan.project,
      backend: plan.backend,
      summary: plan.summary,
      total: jobs.length,
      jobs: shown,
      next_offset: offset + shown.length < jobs.length ? offset + shown.length : null,
      warnings: plan.warnings,
    };
  };

  server.registerTool(
    'plan',
    {
      description: 'What `sched apply` would change on this host (nothing is changed). Paged by job.',
      inputSchema: { ...page, limit: z.number().int().min(1).max(LIMITS.jobs).default(50) },
      outputSchema: planOut,
      annotations: readOnly,
    },
    ({ offset, limit }) => guarded(() => planPage(offset, limit)),
  );

  server.registerResource(
    'job-log',
    new ResourceTemplate('sched://jobs/{job}/log', {
      list: async () => {
        const { project } = await load();
        return {
          resources: project.jobs.map((j) => ({
            uri: `sched://jobs/${j.name}/log`,
            name: `${j.name} log`,
            description: `The last ${LIMITS.logLines} lines of ${j.name}'s output`,
            mimeType: 'text/plain',
          })),
        };
      },
    }),
    { description: "The tail of a job's log", mimeType: 'text/plain' },
    async (uri, { job }) => {
      const { project } = await load();
      const name = String(job);
      if (!project.jobs.some((j) => j.name === name)) throw await unknownJob(name);
      let text: string;
      try {
        text = jobLogTail(stateRoot(host().env), project.name, name, LIMITS.logLines).join('\n');
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        text = ''; // never applied: no log yet
      }
      const tail = text.length > LIMITS.logChars ? text.slice(text.length - LIMITS.logChars) : text;
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: tail }] };
    },
  );

  if (options.allowRunNow) {
    server.registerTool(
      'run_now',
      {
        description:
          'Starts an applied job now (the run is recorded like a scheduled one). Returns once it started.',
        inputSchema: { job: jobName },
        outputSchema: { job: z.string(), backend: z.string(), via: z.string() },
        annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
      },
      ({ job }) =>
        guarded(async () => {
          const { project } = await load();
          if (!project.jobs.some((j) => j.name === job)) throw await unknownJob(job);
          return { job, ...(await runNow(options.file, job, host())) };
        }),
    );
  }

  if (options.allowEdit) {
    for (const kind of ['pause', 'resume'] as const) {
      server.registerTool(
        kind,
        {
          description:
            `${kind === 'pause' ? 'Pauses (enabled: false)' : 'Resumes (enabled: true)'} a job in schedules.yaml, keeping comments and layout, ` +
            'and returns the plan. Nothing is applied: run `sched apply` to make it so.',
          inputSchema: { job: jobName },
          outputSchema: {
            job: z.string(),
            changed: z.boolean(),
            note: z.string().nullable(),
            plan: z.object(planOut),
          },
          annotations: {
            readOnlyHint: false,
            destructiveHint: false,
            idempotentHint: true,
            openWorldHint: false,
          },
        },
        ({ job }) =>
          guarded(async () => {
            const { project } = await load();
            if (!project.jobs.some((j) => j.name === job)) throw await unknownJob(job);
            const { editSchedulesFile } = await import('../services/edit.js');
            const edit = await editSchedulesFile(options.file, { kind, name: job });
            return {
              job,
              changed: edit.changed,
              note: edit.note ?? null,
              plan: await planPage(0, LIMITS.jobs),
            };
          }),
      );
    }
  }
  return server;
}

/** Serves over stdin/stdout until the client closes the connection. */
export async function serveStdio(options: McpOptions): Promise<void> {
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const server = createMcpServer(options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
