/** The `kubernetes:` block as its provider resolves it (the loader calls this for each job). */
import { describe, expect, it } from 'vitest';
import { kubernetesProvider } from '../../../src/backends/kubernetes/provider.js';
import { resolveKubernetesSettings } from '../../../src/backends/kubernetes/settings.js';

describe('kubernetes settings', () => {
  it('maps every YAML key to its field', () => {
    const resolved = resolveKubernetesSettings({
      namespace: 'batch',
      image: 'img:1',
      context: 'prod',
      service_account: 'exporter',
      resources: { limits: { cpu: '1' } },
      env_from_secret: 'env',
      working_dir: '/app',
      strict_clock_changes: false,
      history: { successful: 2, failed: 1 },
    });
    expect(resolved).toEqual({
      settings: {
        namespace: 'batch',
        image: 'img:1',
        context: 'prod',
        serviceAccount: 'exporter',
        resources: { limits: { cpu: '1' } },
        envFromSecret: 'env',
        workingDir: '/app',
        strictClockChanges: false,
        history: { successful: 2, failed: 1 },
      },
      diagnostics: [],
    });
  });

  it('leaves a missing namespace and image empty for the backend check to name', () => {
    expect(resolveKubernetesSettings({ context: 'prod' })).toEqual({
      settings: { namespace: '', image: '', context: 'prod' },
      diagnostics: [],
    });
  });

  it('is the provider settings block, with its schema fragment', () => {
    const settings = kubernetesProvider.settings!;
    expect(settings.key).toBe('kubernetes');
    expect(settings.resolve).toBe(resolveKubernetesSettings);
    expect(Object.keys(settings.schemaDefs)).toEqual(['kubernetes', 'resourceList']);
  });
});
