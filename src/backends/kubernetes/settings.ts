/**
 * The `kubernetes:` settings (under a job or `defaults:`): their JSON Schema fragment, which
 * scripts/assemble-schema.mjs puts into schemas/schedules.schema.json, and their resolution into
 * {@link KubernetesSettings}. Pure data and one pure function: cheap to load with the provider.
 */
import type { KubernetesSettings } from '../../model/job.js';
import type { ProviderSettings, SettingsResolution } from '../provider.js';

/** The `$defs` entries of the `kubernetes:` block (`kubernetes` is the block itself). */
const KUBERNETES_SCHEMA_DEFS = {
  kubernetes: {
    description: 'Settings for backend: kubernetes (CronJobs).',
    type: 'object',
    additionalProperties: false,
    properties: {
      namespace: {
        description: 'Namespace of the CronJobs.',
        type: 'string',
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
        maxLength: 63,
        patternErrorMessage: "a namespace is lower-case letters, digits and '-' (a DNS label)",
        examples: ['batch'],
      },
      image: {
        description: 'Container image the command runs in.',
        type: 'string',
        minLength: 1,
        examples: ['ghcr.io/acme/billing:1.4.2'],
      },
      context: {
        description: 'kubectl context to use. Default: the current context.',
        type: 'string',
        minLength: 1,
        examples: ['prod-eu'],
      },
      service_account: {
        description: 'ServiceAccount the pods run as.',
        type: 'string',
        minLength: 1,
        examples: ['billing-jobs'],
      },
      resources: {
        description: 'Container resources (requests/limits), as in a Pod spec.',
        type: 'object',
        additionalProperties: false,
        properties: {
          requests: {
            description: 'Resources the scheduler reserves for the container (cpu, memory…).',
            $ref: '#/$defs/resourceList',
          },
          limits: {
            description: 'Most the container may use (cpu, memory…).',
            $ref: '#/$defs/resourceList',
          },
        },
        examples: [
          {
            requests: {
              cpu: '100m',
              memory: '128Mi',
            },
            limits: {
              memory: '256Mi',
            },
          },
        ],
      },
      working_dir: {
        description:
          "Absolute working directory inside the container (the job's host working_dir means nothing in a pod). Default: the image's WORKDIR.",
        type: 'string',
        pattern: '^/',
        patternErrorMessage: 'a container working directory is an absolute path, e.g. /app',
        examples: ['/app'],
      },
      env_from_secret: {
        description:
          'Name of a Secret whose keys become environment variables (the cluster counterpart of env_file).',
        type: 'string',
        pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
        maxLength: 253,
        patternErrorMessage: "a Secret name is lower-case letters, digits, '-' and '.'",
        examples: ['billing-secrets'],
      },
      history: {
        description: 'How many finished Jobs the CronJob keeps.',
        type: 'object',
        additionalProperties: false,
        properties: {
          successful: {
            description: "successfulJobsHistoryLimit. Kubernetes' default: 3.",
            type: 'integer',
            minimum: 0,
            examples: [3],
          },
          failed: {
            description: "failedJobsHistoryLimit. Kubernetes' default: 1.",
            type: 'integer',
            minimum: 0,
            examples: [1],
          },
        },
        examples: [
          {
            successful: 3,
            failed: 5,
          },
        ],
      },
      strict_clock_changes: {
        description:
          "What to do when the cluster (robfig/cron) fires differently from Debian cron at daylight-saving changes of the job's zone within the next 5 years. Unset: refuse only when runs would be lost outright (30-minute changes, e.g. Australia/Lord_Howe) and warn about the rest (a fixed time in the spring gap skipped, one in the repeated hour run twice). true: refuse any difference. false: never refuse; validate, plan and render still name every difference.",
        type: 'boolean',
        examples: [true],
      },
    },
    examples: [
      {
        namespace: 'batch',
        image: 'ghcr.io/acme/billing:1.4.2',
      },
    ],
  },
  resourceList: {
    type: 'object',
    additionalProperties: {
      anyOf: [
        {
          type: 'string',
          minLength: 1,
        },
        {
          type: 'number',
          minimum: 0,
        },
      ],
    },
    examples: [
      {
        cpu: '100m',
        memory: '128Mi',
      },
    ],
  },
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The merged `kubernetes:` block of a job (the defaults' keys, then the job's) as the backend
 * reads it. Missing namespace/image stay empty: the kubernetes backend's check names what is
 * missing, at plan time, with the job's name.
 */
export function resolveKubernetesSettings(
  raw: Record<string, unknown>,
): SettingsResolution<KubernetesSettings> {
  const ks: KubernetesSettings = {
    namespace: typeof raw.namespace === 'string' ? raw.namespace : '',
    image: typeof raw.image === 'string' ? raw.image : '',
  };
  if (typeof raw.context === 'string') ks.context = raw.context;
  if (typeof raw.service_account === 'string') ks.serviceAccount = raw.service_account;
  if (isObject(raw.resources)) ks.resources = raw.resources;
  if (typeof raw.env_from_secret === 'string') ks.envFromSecret = raw.env_from_secret;
  if (typeof raw.working_dir === 'string') ks.workingDir = raw.working_dir;
  if (typeof raw.strict_clock_changes === 'boolean') ks.strictClockChanges = raw.strict_clock_changes;
  if (isObject(raw.history)) ks.history = raw.history as { successful?: number; failed?: number };
  return { settings: ks, diagnostics: [] };
}

export const kubernetesSettings: ProviderSettings<'kubernetes'> = {
  key: 'kubernetes',
  schemaDefs: KUBERNETES_SCHEMA_DEFS,
  resolve: resolveKubernetesSettings,
  inertJobKeys: {
    keys: ['notify', 'healthcheck'],
    why: 'the CronJob runs the command itself, not sched run',
    hint: "use the cluster's alerting (e.g. kube-state-metrics' kube_cronjob_status_last_successful_time)",
  },
};
