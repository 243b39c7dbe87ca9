// Calls policies the way the analyzer does (see @pulumi/policy server.js), without starting the analyzer:
// properties behind the SDK's unknown-checking proxy, `isType` by the class's Pulumi type token,
// `notApplicable` by throwing. What this cannot prove: that the Pulumi CLI loads the pack (pack.test.ts proves that)
// and which properties the engine really sends for a given program (the program's own mock tests cover inputs).
import * as pulumi from "@pulumi/pulumi";
import {
  unknownCheckingProxy,
  type PolicyResource,
  type ReportViolation,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";
import type { ResourceClass } from "../lib/references";

/** What the engine sends for a value that is not known during preview. */
export const UNKNOWN_DURING_PREVIEW = pulumi.runtime.unknownValue;

class NotApplicable extends Error {}

/** The Pulumi type token of a resource class, e.g. "aws:s3/bucket:Bucket". */
export const typeTokenOf = (cls: ResourceClass): string => {
  const token = (cls as unknown as { __pulumiType?: unknown }).__pulumiType;
  if (typeof token !== "string") {
    throw new Error(`${cls.name} has no Pulumi type token`);
  }
  return token;
};

const isTypeFor = (type: string) => (cls: ResourceClass) => typeTokenOf(cls) === type;

/** The URN the fake stacks give a resource. */
export const urnOf = (type: string, name: string) => `urn:pulumi:test::whisper-async::${type}::${name}`;

const fakeOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

const neverCalled = () => {
  throw new Error("not used by these policies");
};

/** Violations reported by a resource policy for one resource, or "not applicable" if it skipped the type. */
export async function checkResource(
  policy: ResourceValidationPolicy,
  cls: ResourceClass,
  props: Record<string, unknown>,
): Promise<string[] | "not applicable"> {
  const type = typeTokenOf(cls);
  const proxied = unknownCheckingProxy(props) as Record<string, unknown>;
  const args: ResourceValidationArgs = {
    type,
    props: proxied,
    urn: urnOf(type, "subject"),
    name: "subject",
    opts: fakeOptions,
    stackTags: new Map(),
    isType: isTypeFor(type),
    asType: neverCalled,
    getConfig: neverCalled,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  };
  const violations: string[] = [];
  const report: ReportViolation = (message) => violations.push(message);
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  let applicable = 0;
  for (const validate of validations) {
    try {
      await validate?.(args, report);
      applicable++;
    } catch (error) {
      if (!(error instanceof NotApplicable)) {
        throw error;
      }
    }
  }
  return applicable === 0 ? "not applicable" : violations;
}

/** A resource of a fake stack. `dependsOn` maps a property to the names of resources it was computed from. */
export interface StackEntry {
  cls: ResourceClass;
  name: string;
  props: Record<string, unknown>;
  dependsOn?: Record<string, string[]>;
}

export interface StackViolation {
  message: string;
  /** Name of the resource the violation points at; undefined for the whole stack. */
  resource?: string;
}

/** Violations reported by a stack policy over `entries`. */
export async function checkStack(policy: StackValidationPolicy, entries: StackEntry[]): Promise<StackViolation[]> {
  const resources: PolicyResource[] = entries.map((entry) => {
    const type = typeTokenOf(entry.cls);
    return {
      type,
      props: unknownCheckingProxy(entry.props) as Record<string, unknown>,
      urn: urnOf(type, entry.name),
      name: entry.name,
      opts: fakeOptions,
      dependencies: [],
      propertyDependencies: {},
      isType: isTypeFor(type),
      asType: neverCalled,
    };
  });
  const byName = new Map(resources.map((resource) => [resource.name, resource]));
  entries.forEach((entry, index) => {
    for (const [property, names] of Object.entries(entry.dependsOn ?? {})) {
      const dependencies = names.map((name) => {
        const dependency = byName.get(name);
        if (!dependency) {
          throw new Error(`${entry.name}.${property} depends on unknown resource ${name}`);
        }
        return dependency;
      });
      resources[index].propertyDependencies[property] = dependencies;
      resources[index].dependencies.push(...dependencies);
    }
  });
  const urnToName = new Map(resources.map((resource) => [resource.urn, resource.name]));
  const violations: StackViolation[] = [];
  const args: StackValidationArgs = {
    resources,
    stackTags: new Map(),
    getConfig: neverCalled,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  };
  await policy.validateStack(args, (message, urn) =>
    violations.push({ message, resource: urn === undefined ? undefined : urnToName.get(urn) }),
  );
  return violations;
}
