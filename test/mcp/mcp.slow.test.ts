/**
 * `sched mcp` driven by the MCP SDK's own client over stdio, spawning the built CLI: the tool
 * list (read-only by default, write tools only with their flags), every tool's output against
 * its declared schema, errors for unknown jobs, the log resources. Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Ajv } from 'ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apply, plan, loadProject } from '../../src/api.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/run.js');
const READ_ONLY = ['explain_schedule', 'get_job', 'history', 'list_jobs', 'next_runs', 'plan'];

let dir: string;
let file: string;
let env: Record<string, string>;
const clients: Client[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sched-mcp-'));
  file = path.join(dir, 'schedules.yaml');
  env = { ...(process.env as Record<string, string>), SCHED_HOME: path.join(dir, 'state') };
  writeFileSync(
    file,
    [
      'version: 1',
      'project: mcp-test',
      'backend: embedded',
      'jobs:',
      '  nightly:',
      '    schedule: "30 2 * * *"',
      '    command: ["echo", "nightly ran"]',
      '    timezone: Europe/Berlin',
      '  hourly:',
      '    schedule: "@hourly"',
      '    command: "exit 3"',
      '',
    ].join('\n'),
  );
  const project = await loadProject(file, { env });
  await apply(await plan(project, { env }), { confirm: true, env });
  // One recorded run each, through the real wrapper: a success and a failure.
  for (const job of ['nightly', 'hourly']) {
    const r = spawnSync(process.execPath, [bin, 'run', '--project', 'mcp-test', job], {
      env,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(job === 'nightly' ? 0 : 3);
  }
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function connect(...flags: string[]): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, 'mcp', '-f', file, ...flags],
    env,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'sched-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

type ToolResult = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: { type: string; text?: string }[];
};

/** Calls a tool and checks its structured result against the output schema the server declared. */
async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { tools } = await client.listTools();
  const tool = tools.find((t) => t.name === name)!;
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const validate = new Ajv({ strict: false }).compile(tool.outputSchema!);
  expect(validate(result.structuredContent), JSON.stringify(validate.errors)).toBe(true);
  return result.structuredContent!;
}

describe('sched mcp', () => {
  it('offers only read-only tools by default, each with input and output schemas', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(READ_ONLY);
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type).toBe('object');
      expect(t.annotations?.readOnlyHint).toBe(true);
    }
  });

  it('adds run_now with --allow-run-now and pause/resume with --allow-edit, nothing else', async () => {
    const runNow = await connect('--allow-run-now');
    expect((await runNow.listTools()).tools.map((t) => t.name).sort()).toEqual(
      [...READ_ONLY, 'run_now'].sort(),
    );
    const edit = await connect('--allow-edit');
    expect((await edit.listTools()).tools.map((t) => t.name).sort()).toEqual(
      [...READ_ONLY, 'pause', 'resume'].sort(),
    );
  });

  it('lists the jobs with their last results; every read-only tool answers within its schema', async () => {
    const client = await connect();
    const list = await call(client, 'list_jobs', {});
    expect(list.total).toBe(2);
    const rows = list.jobs as {
      job: string;
      result: string;
      exit_code: number;
      next_run: string;
      drift: null;
    }[];
    expect(rows.map((r) => [r.job, r.result, r.exit_code, r.drift])).toEqual([
      ['hourly', 'failed', 3, null],
      ['nightly', 'ok', 0, null],
    ]);
    // 02:30 in the job's zone (UTC+1 or +2), as an ISO instant in UTC.
    expect(rows[1]!.next_run).toMatch(/T0[01]:30:00\.000Z$/);
    const paged = await call(client, 'list_jobs', { limit: 1 });
    expect([(paged.jobs as unknown[]).length, paged.next_offset]).toEqual([1, 1]);

    const job = await call(client, 'get_job', { job: 'nightly' });
    expect((job.spec as { timezone: string }).timezone).toBe('Europe/Berlin');
    expect((job.native as unknown[]).length).toBeGreaterThan(0);
    expect(job.drift).toBeNull();

    const hist = await call(client, 'history', { job: 'hourly', limit: 5 });
    expect((hist.runs as { result: string }[]).map((r) => r.result)).toEqual(['failed']);

    const nextRuns = await call(client, 'next_runs', {
      expression: '30 2 * * *',
      zone: 'Europe/Berlin',
      count: 3,
    });
    expect((nextRuns.next as string[]).length).toBe(3);
    const explained = await call(client, 'explain_schedule', { job: 'nightly' });
    expect(explained.timezone).toBe('Europe/Berlin');
    expect((explained.clockChanges as string[]).length).toBeGreaterThan(0); // 02:30 falls in the spring gap

    const planned = await call(client, 'plan', {});
    expect(planned.summary).toEqual({ add: 0, change: 0, delete: 0 });
  });

  it('answers an unknown job with an error result that names the jobs', async () => {
    const client = await connect('--allow-run-now', '--allow-edit');
    for (const name of ['get_job', 'history', 'explain_schedule', 'run_now', 'pause']) {
      const result = (await client.callTool({ name, arguments: { job: 'nigthly' } })) as ToolResult;
      expect(result.isError, name).toBe(true);
      expect(result.content[0]!.text, name).toMatch(/no job nigthly .*\n.*hourly, nightly/);
    }
    const bad = (await client.callTool({
      name: 'next_runs',
      arguments: { expression: '61 * * * *' },
    })) as ToolResult;
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toMatch(/invalid schedule/);
  });

  it('serves each job log tail as a resource', async () => {
    const client = await connect();
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual([
      'sched://jobs/hourly/log',
      'sched://jobs/nightly/log',
    ]);
    const log = await client.readResource({ uri: 'sched://jobs/nightly/log' });
    expect((log.contents[0] as { text: string }).text).toContain('nightly ran');
  });

  it('pause edits schedules.yaml and returns the plan without applying it', async () => {
    const before = readFileSync(file, 'utf8');
    const client = await connect('--allow-edit');
    try {
      const paused = await call(client, 'pause', { job: 'hourly' });
      expect(paused.changed).toBe(true);
      expect(readFileSync(file, 'utf8')).toMatch(/hourly:[\s\S]*enabled: false/);
      const p = paused.plan as { summary: { add: number; change: number; delete: number } };
      expect(p.summary.add + p.summary.change + p.summary.delete).toBeGreaterThan(0);
      // Not applied: a fresh plan still shows the change.
      expect((await call(client, 'plan', {})).summary as typeof p.summary).toEqual(p.summary);
    } finally {
      writeFileSync(file, before);
    }
  });
});

describe('start-up stays light', () => {
  it('no built module outside the mcp command imports the MCP SDK', () => {
    const r = spawnSync('grep', ['-rl', '@modelcontextprotocol', path.join(repo, 'dist'), '--include=*.js'], {
      encoding: 'utf8',
    });
    const files = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => path.relative(repo, f))
      .sort();
    expect(files).toEqual(['dist/mcp/server.js']);
  });
});
