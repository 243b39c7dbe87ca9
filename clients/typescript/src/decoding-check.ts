/**
 * Checks decoding options given in code (the entry point's callers) as the server declares them in its contract:
 * known names, types, ranges and choices; the CLIs check their flags the same way in options.ts.
 */
import { UsageError } from "./errors";
import type { DecodingOptions } from "./options";
import { SERVER_OPTIONS, type ServerOption, type ServerOptionName } from "./server-contract";

function problem(name: string, value: unknown, option: ServerOption): string | undefined {
  switch (option.type) {
    case "boolean":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "integer":
    case "number": {
      const integer = option.type === "integer";
      if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
        return integer ? "must be an integer" : "must be a number";
      }
      const low = option.minimum ?? -Infinity;
      const high = option.maximum ?? Infinity;
      return value < low || value > high ? `must be from ${low} to ${high}` : undefined;
    }
    default:
      if (typeof value !== "string") return "must be a string";
      if (option.enum && !option.enum.includes(value)) return `must be one of ${option.enum.join(", ")}`;
      if (value.length < (option.minLength ?? 1) || value.length > (option.maxLength ?? Infinity)) {
        return `must be ${option.minLength ?? 1} to ${option.maxLength} characters`;
      }
      return name === "language" && !/^[a-z]{2,3}$/.test(value) ? "must be a code such as en or de" : undefined;
  }
}

/** Returns `decoding` when every option is one the server accepts; else throws a UsageError naming the option. */
export function checkDecodingOptions(decoding: DecodingOptions): DecodingOptions {
  for (const [name, value] of Object.entries(decoding)) {
    if (value === undefined) continue;
    const option: ServerOption | undefined = SERVER_OPTIONS[name as ServerOptionName];
    if (!option) {
      throw new UsageError(`unknown option ${name}; the server accepts ${Object.keys(SERVER_OPTIONS).join(", ")}`);
    }
    const why = problem(name, value, option);
    if (why) throw new UsageError(`option ${name} ${why}, got ${JSON.stringify(value)}`);
  }
  return decoding;
}
