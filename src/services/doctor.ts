/**
 * `sched doctor`: checks what sched depends on here and says, for each finding, how to fix it.
 * Everything OS-facing goes through {@link DoctorDeps} (a Runner, a small file-system view, the
 * backend selection), so tests run without the OS.
 */
import { lstat, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hasErrors } from '../config/diagnostic.js';
import { loadProject } from '../config/load.js';
import { backendSettings, providerOf, selectBackend } from '../backends/registry.js';
import { startsScheduledRun } from '../backends/invocation.js';
import type { BackendSelection } from '../backends/registry.js';
import type { Backend } from '../backends/types.js';
import type { BackendChoice, Project } from '../model/job.js';
import { NodeRunner } from '../platform/node.js';
import type { Runner } from '../platform/ports.js';
import { stateRoot } from '../state/paths.js';
import type { HostSettings } from './host.js';
import { hostOptions, hostZone } from './host.js';

export type FindingStatus = 'ok' | 'warn' | 'fail';

export interface Finding {
  /** Stable id for scripts: `backend`, `reachable`, `linger`, `cron-daemon`, `wake`, `paths`, `state-dir`, `zones`, `path`, `config`. */
  id: string;
  status: FindingStatus;
  /** What was found, in a sentence. */
  message: string;
  /** What to do about it (absent when nothing needs doing). */
  fix?: string;
}

export interface DoctorReport {
  findings: Finding[];
  /** True when a finding failed: the command exits 1. */
  failed: boolean;
}

/** What doctor learns about a path, without following a final symlink. */
export interface PathInfo {
  isSymlink: boolean;
  isDirectory: boolean;
  mode: number;
  uid: number;
}

export interface DoctorFs {
  /** lstat, or undefined when the path does not exist. */
  lstat(p: string): Promise<PathInfo | undefined>;
  readdir(p: string): Promise<string[]>;
}

export interface DoctorDeps {
  runner: Runner;
  fs: DoctorFs;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** The user's uid (undefined on Windows). */
  uid?: number;
  user: string;
  stateRoot: string;
  zoneinfoDir: string;
  /** Picks the backend (registry.selectBackend in production). */
  selectBackend(choice: BackendChoice): Promise<BackendSelection>;
  /** Loads schedules.yaml: the project, or why not. */
  loadProject(file: string): Promise<{ project?: Project; problem?: string }>;
}

export const nodeDoctorFs: DoctorFs = {
  async lstat(p) {
    const st = await lstat(p).catch(() => undefined);
    return (
      st && {
        isSymlink: st.isSymbolicLink(),
        isDirectory: st.isDirectory(),
        mode: st.mode & 0o7777,
        uid: st.uid,
      }
    );
  },
  readdir: (p) => readdir(p),
};

export function defaultDoctorDeps(host: HostSettings): DoctorDeps {
  const options = hostOptions(host);
  const runner = host.runner ?? new NodeRunner();
  return {
    runner,
    fs: nodeDoctorFs,
    env: host.env,
    platform: process.platform,
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    user: host.env.USER || host.env.LOGNAME || os.userInfo().username,
    stateRoot: stateRoot(host.env),
    zoneinfoDir: host.env.TZDIR || '/usr/share/zoneinfo',
    selectBackend: (choice) => selectBackend(choice, { ...options, runner }),
    async loadProject(file) {
      const loaded = await loadProject(file, {
        now: host.now,
        hostTimezone: hostZone(host).zone,
        backendSettings: backendSettings(),
      });
      if (loaded.project && !hasErrors(loaded.diagnostics)) return { project: loaded.project };
      const first = loaded.diagnostics.find((d) => d.severity === 'error');
      return {
        problem: first
          ? `${first.file}:${first.line}:${first.col}: ${first.message}`
          : 'it does not validate',
      };
    },
  };
}

const ok = (id: string, message: string): Finding => ({ id, status: 'ok', message });
const warn = (id: string, message: string, fix: string): Finding => ({ id, status: 'warn', message, fix });
const fail = (id: string, message: string, fix: string): Finding => ({ id, status: 'fail', message, fix });

async function run(deps: DoctorDeps, command: string, args: string[]) {
  return deps.runner.run(command, args).catch(() => undefined);
}

/**
 * The `node` and `sched` paths the installed entries call: the two words before `run --project`
 * in each artifact's text (crontab line, ExecStart=, plist strings, task XML), read with their
 * quotes ('…', "…", <string>…</string>) so paths with blanks are whole.
 */
export function invokedPaths(content: string): string[] {
  const words: string[] = [];
  for (const m of content.matchAll(
    /'([^']*)'|"((?:[^"\\]|\\.)*)"|<string>([^<]*)<\/string>|<[^>]*>|([^\s<>'"]+)/g,
  )) {
    const w = m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3] ?? m[4];
    if (w !== undefined)
      words.push(w.replace(/\$\$/g, '$').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
  }
  const out = new Set<string>();
  for (let i = 2; i + 1 < words.length; i++) {
    if (startsScheduledRun(words, i)) {
      out.add(words[i - 2]!);
      out.add(words[i - 1]!);
    }
  }
  return [...out];
}

async function checkReachable(backend: Backend): Promise<Finding> {
  const d = await backend.detect().catch((e: Error) => ({ available: false, reason: e.message }));
  if (d.available) return ok('reachable', `${backend.name} is reachable: ${d.reason}`);
  return fail(
    'reachable',
    `${backend.name} is not reachable: ${d.reason}`,
    providerOf(backend.name).unreachableFix,
  );
}

async function checkInstalledPaths(deps: DoctorDeps, backend: Backend, project: Project): Promise<Finding> {
  let artifacts;
  try {
    artifacts = await backend.readInstalled(project.name);
  } catch (err) {
    return warn(
      'paths',
      `cannot read what is installed on ${backend.name}: ${(err as Error).message}`,
      "Run 'sched plan' for details.",
    );
  }
  const paths = new Set(artifacts.flatMap((a) => invokedPaths(a.content)));
  if (paths.size === 0)
    return ok('paths', `no installed entries of project ${project.name} on ${backend.name} to check`);
  const missing: string[] = [];
  for (const p of paths) if (!(await deps.fs.lstat(p))) missing.push(p);
  if (missing.length) {
    return fail(
      'paths',
      `installed entries call paths that no longer exist: ${missing.join(', ')} (node or sched moved or was upgraded)`,
      "Run 'sched apply' from the sched you use now: it rewrites the entries with the current paths.",
    );
  }
  return ok('paths', `the node and sched paths the installed entries call exist (${[...paths].join(', ')})`);
}

async function checkStateDir(deps: DoctorDeps): Promise<Finding> {
  const root = deps.stateRoot;
  const top = await deps.fs.lstat(root);
  if (!top) return ok('state-dir', `the state dir ${root} does not exist yet (apply creates it, 0700)`);
  if (top.isSymlink)
    return fail(
      'state-dir',
      `the state dir ${root} is a symbolic link`,
      `Replace it with a real directory: mv ${root} ${root}.old && mkdir -m 700 ${root}`,
    );
  if (!top.isDirectory)
    return fail(
      'state-dir',
      `${root} is not a directory`,
      `Move it away; sched creates the directory on the next apply.`,
    );
  const problems: string[] = [];
  const notOwned: string[] = [];
  const links: string[] = [];
  let seen = 0;
  const walk = async (dir: string, info: PathInfo): Promise<void> => {
    if (deps.uid !== undefined && info.uid !== deps.uid) notOwned.push(dir);
    if (info.mode & 0o077) problems.push(`${dir} is ${octal(info.mode)} (should be 700)`);
    for (const name of await deps.fs.readdir(dir).catch(() => [] as string[])) {
      if (++seen > 5000) return; // enough to judge; do not crawl huge logs folders forever
      const p = path.join(dir, name);
      const st = await deps.fs.lstat(p);
      if (!st) continue;
      if (st.isSymlink) links.push(p);
      else if (st.isDirectory) await walk(p, st);
      else {
        if (deps.uid !== undefined && st.uid !== deps.uid) notOwned.push(p);
        if (st.mode & 0o077) problems.push(`${p} is ${octal(st.mode)} (should be 600)`);
      }
    }
  };
  await walk(root, top);
  if (links.length)
    return fail(
      'state-dir',
      `symbolic links in the state dir: ${links.slice(0, 5).join(', ')}`,
      'Remove them: sched never follows links in its state dir.',
    );
  if (notOwned.length) {
    return fail(
      'state-dir',
      `not owned by you (uid ${deps.uid}): ${notOwned.slice(0, 5).join(', ')}${notOwned.length > 5 ? ', …' : ''}`,
      `chown -R ${deps.user} ${root}`,
    );
  }
  if (problems.length) {
    return warn(
      'state-dir',
      `others can read or write parts of the state dir: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}`,
      `chmod -R go-rwx ${root}`,
    );
  }
  return ok('state-dir', `the state dir ${root} is yours, 0700, with private files`);
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(3, '0');
}

async function checkZones(deps: DoctorDeps, project: Project): Promise<Finding> {
  const zones = [...new Set(project.jobs.map((j) => j.timezone))].sort();
  if (deps.platform === 'win32')
    return ok('zones', `zones used: ${zones.join(', ') || 'none'} (Windows has no tzdata files to check)`);
  const missing: string[] = [];
  for (const z of zones) if (!(await deps.fs.lstat(path.join(deps.zoneinfoDir, z)))) missing.push(z);
  if (missing.length) {
    return fail(
      'zones',
      `time zones used in the file are missing from the host's tzdata (${deps.zoneinfoDir}): ${missing.join(', ')}`,
      "Install or update tzdata ('apt-get install tzdata'), or use a zone the host knows.",
    );
  }
  return ok(
    'zones',
    zones.length
      ? `the zones used exist in ${deps.zoneinfoDir}: ${zones.join(', ')}`
      : 'no jobs, so no zones to check',
  );
}

async function checkPath(deps: DoctorDeps): Promise<Finding> {
  const r = await run(deps, 'sh', ['-c', 'command -v node']);
  const found = r && r.exitCode === 0 ? r.stdout.trim() : '';
  if (!found) {
    return warn(
      'path',
      `node is not on PATH (${deps.env.PATH ?? 'PATH unset'}); installed entries use absolute paths, but running sched by hand needs it`,
      'Add the directory of node to PATH in your shell profile.',
    );
  }
  const dirs = (deps.env.PATH ?? '').split(':');
  if (dirs.some((d) => d === '' || d === '.')) {
    return warn(
      'path',
      `PATH contains the current directory ('.' or an empty entry): ${deps.env.PATH}`,
      'Remove it: a command could then be replaced by a file in whatever directory a job starts in.',
    );
  }
  return ok('path', `node on PATH: ${found}`);
}

/** Runs every check. `file` is schedules.yaml (it may be missing: doctor still checks the host). */
export async function doctor(file: string, deps: DoctorDeps): Promise<DoctorReport> {
  const findings: Finding[] = [];
  const exists = await deps.fs.lstat(file);
  let project: Project | undefined;
  if (!exists) {
    findings.push(
      warn(
        'config',
        `${file} does not exist: checking the host only (backend: auto)`,
        "Run 'sched init' to create one, or pass -f FILE.",
      ),
    );
  } else {
    const loaded = await deps.loadProject(file);
    project = loaded.project;
    if (project)
      findings.push(ok('config', `${file} is valid (project ${project.name}, ${project.jobs.length} jobs)`));
    else
      findings.push(
        fail(
          'config',
          `${file} does not validate: ${loaded.problem}`,
          "Run 'sched validate' and fix what it shows.",
        ),
      );
  }
  const choice: BackendChoice = project?.backend ?? 'auto';
  let selection: BackendSelection | undefined;
  try {
    selection = await deps.selectBackend(choice);
  } catch (err) {
    findings.push(
      fail(
        'backend',
        `no backend: ${(err as Error).message}`,
        'Set backend: in schedules.yaml to one this host has.',
      ),
    );
  }
  if (selection) {
    const backend = selection.backend;
    const provider = providerOf(backend.name);
    if (provider.fallback && choice === 'auto') {
      findings.push(
        warn(
          'backend',
          `backend: embedded (${selection.reason})`,
          'Install cron or run under a systemd user manager, or keep `sched daemon` running (it fires the jobs).',
        ),
      );
    } else {
      findings.push(ok('backend', `backend: ${backend.name} (${selection.reason})`));
    }
    const reachable = await checkReachable(backend);
    findings.push(reachable);
    if (provider.doctor) findings.push(...(await provider.doctor({ ...deps, jobs: project?.jobs })));
    if (project && reachable.status === 'ok')
      findings.push(await checkInstalledPaths(deps, backend, project));
  }
  findings.push(await checkStateDir(deps));
  if (project) findings.push(await checkZones(deps, project));
  findings.push(await checkPath(deps));
  return { findings, failed: findings.some((f) => f.status === 'fail') };
}
