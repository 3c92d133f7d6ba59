import { open } from 'node:fs/promises';
import path from 'node:path';
import { Flags } from '@oclif/core';
import { UserError } from '../errors.js';
import { BACKENDS, isValidProjectName, slugifyProjectName, type BackendChoice } from '../model/job.js';
import { schemaReference, starterYaml } from '../config/starter.js';
import { selectBackend } from '../backends/registry.js';
import { defaultHost, hostOptions } from '../services/host.js';
import { BaseCommand } from './base.js';

/** Which backend `auto` picks here, in words; undefined when detection fails or takes too long. */
async function detectBackend(): Promise<string | undefined> {
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5000).unref());
  const detect = selectBackend('auto', hostOptions(defaultHost()))
    .then((s) => `${s.backend.name} (${s.reason.replace(/^auto: /, '')})`)
    .catch(() => undefined);
  return Promise.race([detect, timeout]);
}

export default class Init extends BaseCommand {
  static override summary = 'Write a starter schedules.yaml.';

  static override description = `Writes a commented starter schedules.yaml with the schema modeline, so that editors using the YAML language server complete and document every key. Never overwrites an existing file.`;

  static override examples = [
    { description: 'Start a schedules.yaml in this folder', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Name the project and pick the backend',
      command: '<%= config.bin %> <%= command.id %> --project billing --backend systemd',
    },
    {
      description: 'Write it elsewhere',
      command: '<%= config.bin %> <%= command.id %> -f deploy/schedules.yaml',
    },
  ];

  static override flags = {
    file: Flags.string({ char: 'f', description: 'file to create', default: 'schedules.yaml' }),
    backend: Flags.string({
      description: 'backend to write into the file [default: auto, which picks one on each host]',
      options: ['auto', ...BACKENDS],
    }),
    project: Flags.string({ description: 'project name (default: the folder name, slugified)' }),
  };

  public async run(): Promise<void> {
    const { flags } = await this.parse(Init);
    const file = path.resolve(flags.file);
    const dir = path.dirname(file);
    const project = flags.project ?? slugifyProjectName(path.basename(dir));
    if (!isValidProjectName(project))
      throw new UserError(
        `invalid project name '${project}'`,
        "use 1-63 lower-case letters, digits and '-', starting with a letter or digit",
      );
    const backend = (flags.backend ?? 'auto') as BackendChoice;
    const detected = flags.backend === undefined ? await detectBackend() : undefined;
    const text = starterYaml({ project, backend, schemaRef: schemaReference(dir), detected });
    let handle;
    try {
      // 'wx': create, and fail if the file exists — no check-then-write race.
      handle = await open(file, 'wx', 0o644);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST')
        throw new UserError(
          `${flags.file} already exists; not overwriting it`,
          'edit it, or pass -f NEW-FILE',
        );
      if (code === 'ENOENT') throw new UserError(`folder ${path.dirname(flags.file)} does not exist`);
      throw new UserError(`cannot create ${flags.file}: ${code ?? (err as Error).message}`);
    }
    try {
      await handle.writeFile(text, 'utf8');
    } finally {
      await handle.close();
    }
    this.log(
      `Wrote ${flags.file} (project '${project}', backend ${backend}${detected ? `; here auto picks ${detected}` : ''}).`,
    );
    this.log(
      `Next: edit it, then run \`sched validate${flags.file === 'schedules.yaml' ? '' : ` -f ${flags.file}`}\` and \`sched plan\`.`,
    );
  }
}
