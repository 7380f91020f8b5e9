import { componentNames, modelKey, type Baseline, type BaselineInput, type BaselineScope, type BaselineTarget, type FirmwareDescription } from '../../../../shared/domain/firmware-repository.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { CabinetTemplate } from '../../../../shared/domain/cabinet.js';
import { descriptionOf } from './firmware-repository.js';
import type { FirmwareStore } from './firmware-store.js';

/** What one package of a baseline asks of a model: a component at a version, and the names a device's inventory may give that component. */
export interface BaselineEntry {
  packageId: string;
  component: string;
  version: string;
  /** Lower case: the package's component and the components it applies to. */
  matches: ReadonlySet<string>;
}

/** The baselines as compliance reads them: which baseline each target has, and per baseline what each model (lower case) should run. */
export interface BaselineIndex {
  baselineOf(scope: BaselineScope, id: string): { id: number; name: string } | undefined;
  entries(baselineId: number, model: string): readonly BaselineEntry[];
}


/**
 * Baselines: named sets of packages, each saying which version a component
 * of the models it lists should run, attached to cabinet models, regions or
 * sites (a target has one baseline at most). Two packages of a baseline
 * may not ask different versions of the same component of the same model.
 */
export class FirmwareBaselines {
  constructor(
    private readonly store: FirmwareStore,
    private readonly templates: ReadonlyMap<string, CabinetTemplate>,
    private readonly now: () => Date,
  ) {}

  list(): Baseline[] {
    const packages = this.store.baselinePackages();
    const targets = this.store.baselineTargets();
    return this.store.baselines().map((row) => ({
      id: row.id,
      name: row.name,
      packages: packages
        .filter((item) => item.baselineId === row.id)
        .map((item) => {
          const pkg = this.store.package(item.packageId)!;
          return { id: pkg.id, vendor: pkg.vendor, component: pkg.component, version: pkg.version, models: descriptionOf(pkg).appliesTo.models };
        }),
      targets: targets.filter((target) => target.baselineId === row.id).map((target) => ({ scope: target.scope, id: target.target, name: this.targetName(target.scope, target.target) ?? target.target })),
      updatedAt: row.updatedAt,
      updatedBy: row.updatedBy,
    }));
  }

  get(id: number): Baseline {
    const found = this.list().find((baseline) => baseline.id === id);
    if (!found) throw new NotFoundError('baseline', String(id));
    return found;
  }

  create(input: BaselineInput, by: string | null): Baseline {
    return this.get(this.store.transaction(() => this.save(null, input, by)));
  }

  update(id: number, input: BaselineInput, by: string | null): Baseline {
    if (!this.store.baseline(id)) throw new NotFoundError('baseline', String(id));
    return this.get(this.store.transaction(() => this.save(id, input, by)));
  }

  remove(id: number): void {
    if (!this.store.deleteBaseline(id)) throw new NotFoundError('baseline', String(id));
  }

  index(): BaselineIndex {
    const names = new Map(this.store.baselines().map((row) => [row.id, row.name]));
    const owners = new Map<string, number>();
    for (const target of this.store.baselineTargets()) owners.set(`${target.scope}:${target.target}`, target.baselineId);
    const descriptions = new Map<string, FirmwareDescription>();
    const byBaseline = new Map<number, Map<string, BaselineEntry[]>>();
    for (const { baselineId, packageId } of this.store.baselinePackages()) {
      let description = descriptions.get(packageId);
      if (!description) descriptions.set(packageId, (description = descriptionOf(this.store.package(packageId)!)));
      const models = byBaseline.get(baselineId) ?? new Map<string, BaselineEntry[]>();
      byBaseline.set(baselineId, models);
      const entry: BaselineEntry = { packageId, component: description.component, version: description.version, matches: componentNames(description) };
      for (const model of description.appliesTo.models) models.set(modelKey(model), [...(models.get(modelKey(model)) ?? []), entry]);
    }
    return {
      baselineOf: (scope, id) => {
        const baselineId = owners.get(`${scope}:${id}`);
        return baselineId === undefined ? undefined : { id: baselineId, name: names.get(baselineId) ?? String(baselineId) };
      },
      entries: (baselineId, model) => byBaseline.get(baselineId)?.get(modelKey(model)) ?? [],
    };
  }

  private save(id: number | null, input: BaselineInput, by: string | null): number {
    const named = this.store.baselineByName(input.name);
    if (named && named.id !== id) throw new ConflictError(`A baseline named "${named.name}" exists already`, 'name');
    const asked = new Map<string, { packageId: string; version: string }>();
    for (const packageId of input.packageIds) {
      const row = this.store.package(packageId);
      if (!row) throw new InvalidInputError([{ field: 'packageIds', code: 'unknown_package', message: `No firmware package ${packageId} in the repository` }]);
      const description = descriptionOf(row);
      for (const model of description.appliesTo.models) {
        const key = `${modelKey(model)}\u0000${description.component.toLowerCase()}`;
        const before = asked.get(key);
        if (before && before.packageId !== packageId) {
          throw new InvalidInputError([{ field: 'packageIds', code: 'two_versions', message: `Two packages ask ${model}'s ${description.component} to run different versions (${before.version} and ${description.version}); a baseline names one` }]);
        }
        asked.set(key, { packageId, version: description.version });
      }
    }
    const seen = new Set<string>();
    for (const target of input.targets) {
      const key = `${target.scope}:${target.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (this.targetName(target.scope, target.id) === undefined) throw new InvalidInputError([{ field: 'targets', code: 'unknown_target', message: `No ${scopeWord(target.scope)} ${target.id}` }]);
      const owner = this.store.targetOwner(target);
      if (owner !== undefined && owner !== id) {
        throw new ConflictError(`The ${scopeWord(target.scope)} ${this.targetName(target.scope, target.id)} follows the baseline "${this.store.baseline(owner)?.name ?? owner}" already; take it out of that one first`, 'targets');
      }
    }
    const targets = [...seen].map((key): BaselineTarget => {
      const [scope, ...rest] = key.split(':');
      return { scope: scope as BaselineScope, id: rest.join(':') };
    });
    return this.store.saveBaseline(id, input.name, input.packageIds, targets, this.now().toISOString(), by);
  }

  private targetName(scope: BaselineScope, id: string): string | undefined {
    if (scope === 'template') return this.templates.get(id)?.name.en;
    if (scope === 'site') return this.store.siteName(id);
    return this.store.regions().find((region) => String(region.id) === id)?.name;
  }
}

const scopeWord = (scope: BaselineScope): string => (scope === 'template' ? 'cabinet model' : scope);
