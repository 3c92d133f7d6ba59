/** Asking before changing the host, Terraform-style: only "yes" proceeds. */
import { UserError } from '../errors.js';

export async function confirmOrRefuse(question: string, autoApprove: boolean): Promise<boolean> {
  if (autoApprove) return true;
  if (!process.stdin.isTTY) {
    throw new UserError(
      'refusing to change the host without confirmation: standard input is not a terminal',
      'Review the plan above, then run again with --auto-approve (or apply a saved plan: sched plan --out plan.json && sched apply plan.json).',
    );
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question}\n  Only 'yes' will be accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
