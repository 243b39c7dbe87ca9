import { UnknownValueError } from "@pulumi/policy";

/**
 * Stands for a value the engine does not know yet. During `pulumi preview`, an input computed from another
 * resource's output (a bucket ARN, the pushed image digest) is "unknown", and the policy SDK throws
 * `UnknownValueError` as soon as it is read. That would abort a whole check (or, in a stack policy, every check
 * of every resource), and reading it as `undefined` would make it look missing. So policies first copy the
 * properties with {@link plain}, which puts `UNKNOWN` in place of each unknown value; a check that meets
 * `UNKNOWN` lets it pass, and the same check runs again with the real value during `pulumi up`.
 */
export const UNKNOWN: unique symbol = Symbol("unknown until the update runs");
export type Unknown = typeof UNKNOWN;

// The SDK exports this class at runtime (the engine throws it for unknowns) but its typings leave it out, hence
// the explicit type.
const UnknownValueErrorClass: abstract new (...args: never[]) => Error = UnknownValueError;

/** Resource properties as plain data, unknowns replaced by {@link UNKNOWN}. */
export type Plain = string | number | boolean | null | undefined | Unknown | Plain[] | PlainObject;
export interface PlainObject {
  [key: string]: Plain;
}

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

export function isPlainObject(value: Plain): value is PlainObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Runs `read`, turning the SDK's "unknown during preview" error into {@link UNKNOWN}; other errors propagate. */
function readOrUnknown(read: () => unknown): Plain {
  try {
    return toPlain(read());
  } catch (error) {
    if (error instanceof UnknownValueErrorClass) {
      return UNKNOWN;
    }
    throw error;
  }
}

function toPlain(value: unknown): Plain {
  if (value === null || value === undefined) {
    return value;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return value;
  }
  if (Array.isArray(value)) {
    const items: Plain[] = [];
    for (let index = 0; index < value.length; index++) {
      items.push(readOrUnknown(() => value[index]));
    }
    return items;
  }
  if (typeof value === "object") {
    const source = value as Record<string, unknown>;
    const copy: PlainObject = {};
    for (const key of Object.keys(source)) {
      copy[key] = readOrUnknown(() => source[key]);
    }
    return copy;
  }
  // Functions and symbols never occur in deserialized resource properties.
  return undefined;
}

/**
 * Deep copy of resource properties (as the SDK hands them over, behind its unknown-checking proxy) into plain
 * data, with {@link UNKNOWN} where the engine has no value yet. Never throws for unknowns.
 */
export function plain(props: unknown): PlainObject {
  const copy = readOrUnknown(() => props);
  return isPlainObject(copy) ? copy : {};
}

/**
 * Walks `path` through nested objects. Returns {@link UNKNOWN} if any step is unknown, `undefined` if a step is
 * missing or not an object.
 */
export function at(value: Plain, ...path: string[]): Plain {
  let current: Plain = value;
  for (const key of path) {
    if (isUnknown(current)) {
      return UNKNOWN;
    }
    if (!isPlainObject(current)) {
      return undefined;
    }
    current = current[key];
  }
  return current;
}

/**
 * Reads a list-valued property: `undefined`/`null` give an empty list, a single value a one-element list
 * (IAM allows both `"Action": "s3:GetObject"` and `"Action": [...]`), an unknown list {@link UNKNOWN}.
 */
export function listOf(value: Plain): Plain[] | Unknown {
  if (isUnknown(value)) {
    return UNKNOWN;
  }
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/** The objects among a list's items (unknown or scalar items are left out). */
export function objectsIn(value: Plain): PlainObject[] {
  const items = listOf(value);
  return isUnknown(items) ? [] : items.filter(isPlainObject);
}

/** A non-empty string, or undefined; unknown stays {@link UNKNOWN}. */
export function text(value: Plain): string | Unknown | undefined {
  if (isUnknown(value)) {
    return UNKNOWN;
  }
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
