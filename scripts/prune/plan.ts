/**
 * Which of the stack's kept Models and EndpointConfigurations can go. The program keeps both on replace
 * (retainOnDelete, docs/updates.md "Rollbacks"), so every image or setting change leaves one of each behind. This
 * keeps the newest `keep` of each, and always what any endpoint of the account runs or is being updated to (and the
 * models those configurations name), whatever their age; the rest is the plan to delete.
 */
import {
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  type SageMakerClient,
} from "@aws-sdk/client-sagemaker";

export interface PruneOptions {
  /** Newest Models and EndpointConfigurations of each kind to keep besides those in service. At least 1. */
  readonly keep: number;
  /** Name prefix of the stack's Models (the program's `<service>-endpoint-model-`). */
  readonly modelPrefix: string;
  /** Name prefix of the stack's EndpointConfigurations (`<service>-endpoint-config-`). */
  readonly configPrefix: string;
}

export interface PrunePlan {
  /** EndpointConfigurations an endpoint runs or is being updated to, and the Models they name: never deleted. */
  readonly inService: { readonly configs: string[]; readonly models: string[] };
  readonly keepConfigs: string[];
  readonly deleteConfigs: string[];
  readonly keepModels: string[];
  readonly deleteModels: string[];
}

interface Named {
  readonly name: string;
  readonly created: number;
}

/** Every page of a SageMaker list call. */
async function allPages<T>(page: (token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const result = await page(token);
    items.push(...result.items);
    token = result.next;
  } while (token);
  return items;
}

/** The names with `prefix`, newest first. */
function newestFirst(items: Named[], prefix: string): string[] {
  return items
    .filter((item) => item.name.startsWith(prefix))
    .sort((a, b) => b.created - a.created || b.name.localeCompare(a.name))
    .map((item) => item.name);
}

/** Configurations every endpoint of the account runs or is being updated to, and the models they name. */
async function inService(client: SageMakerClient): Promise<{ configs: string[]; models: string[] }> {
  const endpoints = await allPages(async (NextToken) => {
    const page = await client.send(new ListEndpointsCommand({ NextToken }));
    return { items: (page.Endpoints ?? []).map((e) => e.EndpointName!), next: page.NextToken };
  });
  const configs = new Set<string>();
  for (const EndpointName of endpoints) {
    const endpoint = await client.send(new DescribeEndpointCommand({ EndpointName }));
    for (const name of [endpoint.EndpointConfigName, endpoint.PendingDeploymentSummary?.EndpointConfigName]) {
      if (name) configs.add(name);
    }
  }
  const models = new Set<string>();
  for (const EndpointConfigName of configs) {
    const config = await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName }));
    for (const variant of config.ProductionVariants ?? []) if (variant.ModelName) models.add(variant.ModelName);
  }
  return { configs: [...configs].sort(), models: [...models].sort() };
}

/** Reads the account and returns what to keep and what to delete; deletes nothing. */
export async function planPrune(client: SageMakerClient, options: PruneOptions): Promise<PrunePlan> {
  if (!Number.isInteger(options.keep) || options.keep < 1) {
    throw new Error(`keep must be an integer of at least 1, got ${options.keep}`);
  }
  const configs = await allPages(async (NextToken) => {
    const page = await client.send(new ListEndpointConfigsCommand({ NameContains: options.configPrefix, NextToken }));
    const items = (page.EndpointConfigs ?? []).map((c) => ({
      name: c.EndpointConfigName!,
      created: c.CreationTime?.getTime() ?? 0,
    }));
    return { items, next: page.NextToken };
  });
  const models = await allPages(async (NextToken) => {
    const page = await client.send(new ListModelsCommand({ NameContains: options.modelPrefix, NextToken }));
    const items = (page.Models ?? []).map((m) => ({ name: m.ModelName!, created: m.CreationTime?.getTime() ?? 0 }));
    return { items, next: page.NextToken };
  });
  const running = await inService(client);
  const split = (names: string[], protectedNames: string[]) => {
    const keep = names.filter((name, i) => i < options.keep || protectedNames.includes(name));
    return { keep, remove: names.filter((name) => !keep.includes(name)) };
  };
  const configPlan = split(newestFirst(configs, options.configPrefix), running.configs);
  // A kept configuration's models stay too: deleting them would break a rollback to it.
  const keptConfigModels = new Set(running.models);
  for (const EndpointConfigName of configPlan.keep.filter((name) => !running.configs.includes(name))) {
    const config = await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName }));
    for (const variant of config.ProductionVariants ?? [])
      if (variant.ModelName) keptConfigModels.add(variant.ModelName);
  }
  const modelPlan = split(newestFirst(models, options.modelPrefix), [...keptConfigModels]);
  return {
    inService: running,
    keepConfigs: configPlan.keep,
    deleteConfigs: configPlan.remove,
    keepModels: modelPlan.keep,
    deleteModels: modelPlan.remove,
  };
}

/** Deletes what `plan` lists, configurations first (a Model a configuration names cannot be in use once it is gone). */
export async function applyPrune(client: SageMakerClient, plan: PrunePlan): Promise<void> {
  for (const EndpointConfigName of plan.deleteConfigs) {
    await client.send(new DeleteEndpointConfigCommand({ EndpointConfigName }));
  }
  for (const ModelName of plan.deleteModels) await client.send(new DeleteModelCommand({ ModelName }));
}
