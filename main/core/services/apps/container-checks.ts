import { resolveParameters, type AppContainer, type AppRelease, type ParameterValue } from '../../../../shared/domain/apps.js';
import { factKey, type IntegrityCheck } from '../../../../shared/domain/integrity.js';
import type { ContainerState, EngineContainerSummary } from '../../protocols/engine/containers.js';
import { containerSpec, LABEL } from './site-deploy.js';

/**
 * One container of a deployed release as the engine shows it, against what
 * EdgeCab deployed: its image against the image the signed release names
 * ("app-image"), and its configuration ("app-config") — the command and
 * environment the manifest and the deployed parameters make, the parameters
 * it says it was made with, and EdgeCab's spec label — each as an integrity
 * check. The drift watch makes these checks and calls an app drifted when
 * one differs; the integrity report shows them.
 */

/** An image ID as `sha256:<hex>` (engines answer with or without the prefix). */
const imageId = (id: string) => `sha256:${id.replace(/^sha256:/, '')}`;

/** Parameters as text with their keys in order, so two sets compare as equal whatever order they were written in. */
const parametersText = (values: Readonly<Record<string, unknown>>) => JSON.stringify(Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b))));

function parsedParameters(label: string | undefined): Record<string, ParameterValue> | null {
  if (label === undefined) return null;
  try {
    const parsed = JSON.parse(label) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, ParameterValue>) : null;
  } catch {
    return null;
  }
}

/** The value of `key` in a container's environment (`KEY=value` entries), or null. */
function envValue(env: readonly string[], key: string): string | null {
  const entry = env.find((each) => each.startsWith(`${key}=`));
  return entry === undefined ? null : entry.slice(key.length + 1);
}

function check(kind: IntegrityCheck['kind'], component: string, property: string, expected: string, actual: string | null, read = true): IntegrityCheck {
  return { key: factKey({ kind, component, property }), kind, component, property, expected, actual, ok: read ? expected === actual : null, source: 'recorded', measuredAt: null };
}

export interface ContainerOnEngine {
  /** As listed (its labels), or null when no container of that name is there. */
  found: EngineContainerSummary | null;
  /** As inspected; null when it is not there. */
  state: ContainerState | null;
}

/**
 * The checks of one declared container, named `name` on the engine.
 * `deployed` are the parameters of the deployment that made the app healthy
 * (null when not known: then those the container was made with, from its
 * label). A container that is gone has every check differ ("missing").
 */
export function containerChecks(release: AppRelease, declared: AppContainer, name: string, deployed: Readonly<Record<string, ParameterValue>> | null, { found, state }: ContainerOnEngine): IntegrityCheck[] {
  const labelled = found ? parsedParameters(found.labels[LABEL.parameters]) : null;
  const values = resolveParameters(release.manifest, deployed ?? labelled ?? {}).values;
  const spec = containerSpec(release, declared, values);
  const present = found !== null && state !== null;
  const checks: IntegrityCheck[] = [];
  // An engine that does not say which image a container runs has not been read on that point: not a difference.
  checks.push(check('app-image', name, 'Image', imageId(declared.image), present && state.imageId ? imageId(state.imageId) : null, !present || state.imageId !== null));
  if (spec.command) checks.push(check('app-config', name, 'Command', JSON.stringify(spec.command), present ? JSON.stringify(state.command) : null));
  for (const [key, value] of Object.entries(spec.env).sort(([a], [b]) => a.localeCompare(b))) checks.push(check('app-config', name, `Environment ${key}`, value, present ? envValue(state.env, key) : null));
  const parametersLabel = found?.labels[LABEL.parameters];
  checks.push(check('app-config', name, 'Parameters', parametersText(values), labelled ? parametersText(labelled) : (parametersLabel ?? null)));
  checks.push(check('app-config', name, 'Spec', spec.hash, found?.labels[LABEL.spec] ?? null));
  return checks;
}
