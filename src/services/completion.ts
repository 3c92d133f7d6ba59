/**
 * Shell completion for bash, zsh and fish: commands, their flags, and job names from the
 * schedules.yaml in reach. The scripts are generated from the CLI's own command table, so a new
 * command or flag completes without editing them; job names are asked of `sched completion
 * --jobs` at completion time, so they follow the file as it is edited.
 */
import { readFile } from 'node:fs/promises';
import { isValidJobName } from '../model/job.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** A flag as completion needs it. */
export interface CompletionFlag {
  name: string;
  char?: string;
  /** Takes a value (`--out FILE`), as opposed to a switch. */
  takesValue: boolean;
  /** The value is a path (complete file names). */
  path?: boolean;
  summary?: string;
}

/** A command as completion needs it. */
export interface CompletionCommand {
  id: string;
  summary?: string;
  flags: CompletionFlag[];
  /** Its first argument is a job of the schedules file. */
  takesJob: boolean;
}

/** Commands whose first argument names a job (add creates a new name: nothing to complete). */
export const JOB_ARGUMENT_COMMANDS = new Set([
  'run',
  'run-now',
  'history',
  'logs',
  'pause',
  'resume',
  'remove',
  'next',
]);
/** Flags whose value is a path. */
const PATH_FLAGS = new Set(['file', 'out', 'state-dir']);

/** The job names of a schedules file, in file order; empty when it cannot be read or parsed. */
export async function jobNamesIn(file: string): Promise<string[]> {
  try {
    const { parse } = await import('yaml');
    const data = parse(await readFile(file, 'utf8'), { uniqueKeys: false }) as { jobs?: unknown };
    const jobs = data?.jobs;
    if (!jobs || typeof jobs !== 'object' || Array.isArray(jobs)) return [];
    return Object.keys(jobs).filter(isValidJobName);
  } catch {
    return [];
  }
}

/** Normalises oclif's flag table into what completion needs (hidden flags left out). */
export function completionFlags(
  flags: Record<
    string,
    { char?: string; type: string; hidden?: boolean; summary?: string; description?: string }
  >,
): CompletionFlag[] {
  return Object.entries(flags)
    .filter(([, f]) => !f.hidden)
    .map(([name, f]) => ({
      name,
      ...(f.char ? { char: f.char } : {}),
      takesValue: f.type === 'option',
      path: PATH_FLAGS.has(name),
      summary: (f.summary ?? f.description ?? '').split('\n')[0],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The completion script for `shell`. Pure. */
export function completionScript(shell: Shell, bin: string, commands: CompletionCommand[]): string {
  const sorted = [...commands].sort((a, b) => a.id.localeCompare(b.id));
  if (shell === 'fish') return fishScript(bin, sorted);
  const body = bashFunction(bin, sorted);
  if (shell === 'bash') {
    return `# ${bin} completion for bash. Install:\n#   ${bin} completion bash > ~/.local/share/bash-completion/completions/${bin}\n${body}complete -o default -F _${fn(bin)} ${bin}\n`;
  }
  return `#compdef ${bin}\n# ${bin} completion for zsh. Install: ${bin} completion zsh > "\${fpath[1]}/_${bin}" (then restart zsh)\n# zsh has a builtin named ${bin} (module zsh/sched) that shadows this tool: put \`disable ${bin}\`\n# in ~/.zshrc so that typing ${bin} runs it.\nautoload -U +X bashcompinit && bashcompinit\n${body}complete -o default -F _${fn(bin)} ${bin}\n`;
}

const fn = (bin: string) => bin.replace(/[^A-Za-z0-9_]/g, '_');
/** Single-quoted for sh: safe for any text. */
const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function bashFunction(bin: string, commands: CompletionCommand[]): string {
  const spell = (f: CompletionFlag) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])];
  const words = (flags: CompletionFlag[]) => flags.flatMap(spell).join(' ');
  // Per command: its flags, the ones that take a value, and the ones whose value is a path.
  const flagCases = commands
    .filter((c) => c.flags.length)
    .map((c) => {
      const values = c.flags.filter((f) => f.takesValue && !f.path);
      const paths = c.flags.filter((f) => f.takesValue && f.path);
      return `    ${c.id}) flags=${sq(words(c.flags))} values=${sq(words(values))} paths=${sq(words(paths))} ;;`;
    })
    .join('\n');
  const jobCommands = commands.filter((c) => c.takesJob).map((c) => c.id);
  return `_${fn(bin)}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local commands=${sq(commands.map((c) => c.id).join(' '))}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "$commands" -- "$cur") )
    return
  fi
  local cmd="\${COMP_WORDS[1]}" flags='' values='' paths='' file=schedules.yaml i
  case "$cmd" in
${flagCases}
  esac
  for (( i = 2; i < COMP_CWORD; i++ )); do
    case " $paths " in *" \${COMP_WORDS[i]} "*)
      case "\${COMP_WORDS[i]}" in -f|--file) file="\${COMP_WORDS[i+1]}" ;; esac ;;
    esac
  done
  if [ -n "$prev" ] && [[ " $paths " == *" $prev "* ]]; then
    COMPREPLY=( $(compgen -f -- "$cur") )
    return
  fi
  if [ -n "$prev" ] && [[ " $values " == *" $prev "* ]]; then
    COMPREPLY=()
    return
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags --help" -- "$cur") )
    return
  fi
  case "$cmd" in
    ${jobCommands.join('|') || 'none'})
      COMPREPLY=( $(compgen -W "$(command ${bin} completion --jobs -f "$file" 2>/dev/null)" -- "$cur") ) ;;
  esac
}
`;
}

function fishScript(bin: string, commands: CompletionCommand[]): string {
  const lines = [
    `# ${bin} completion for fish. Install: ${bin} completion fish > ~/.config/fish/completions/${bin}.fish`,
    `complete -c ${bin} -f`,
  ];
  for (const c of commands) {
    lines.push(`complete -c ${bin} -n __fish_use_subcommand -a ${c.id} -d ${sq(c.summary ?? '')}`);
    for (const f of c.flags) {
      const parts = [`complete -c ${bin} -n ${sq(`__fish_seen_subcommand_from ${c.id}`)}`, `-l ${f.name}`];
      if (f.char) parts.push(`-s ${f.char}`);
      if (f.takesValue) parts.push(f.path ? '-r -F' : '-r');
      if (f.summary) parts.push(`-d ${sq(f.summary)}`);
      lines.push(parts.join(' '));
    }
  }
  const jobCommands = commands.filter((c) => c.takesJob).map((c) => c.id);
  if (jobCommands.length) {
    lines.push(
      `function __${fn(bin)}_jobs`,
      `  set -l file schedules.yaml`,
      `  set -l words (commandline -opc)`,
      `  for i in (seq (count $words))`,
      `    if contains -- $words[$i] -f --file; and test $i -lt (count $words)`,
      `      set file $words[(math $i + 1)]`,
      `    end`,
      `  end`,
      `  command ${bin} completion --jobs -f $file 2>/dev/null`,
      `end`,
      `complete -c ${bin} -n ${sq(`__fish_seen_subcommand_from ${jobCommands.join(' ')}`)} -a '(__${fn(bin)}_jobs)'`,
    );
  }
  return `${lines.join('\n')}\n`;
}
