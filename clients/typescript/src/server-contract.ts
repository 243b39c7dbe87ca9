/**
 * The server's request contract: contract/server-contract.json, generated from the server's own declarations
 * (`npm run contract`, inference/whisper_server/contract.py). The options header, each option's type and range,
 * the Accept media types and the error codes are read from here, never restated; a pytest fails when the
 * committed file is not what the server generates, and the type check fails when a name used here is gone.
 */
import contract from "../../../contract/server-contract.json";

/** The contract as generated (typed by the JSON import, so a renamed key fails `tsc`). */
export const SERVER_CONTRACT = contract;

/** The header SageMaker forwards custom attributes in; the server reads the options from it. */
export const OPTIONS_HEADER: string = contract.optionsHeader.name;
/** SageMaker's limit for CustomAttributes (InvokeEndpoint and InvokeEndpointAsync), in characters. */
export const MAX_OPTIONS_HEADER_LENGTH: number = contract.optionsHeader.maxLength;

/** The request options the server accepts (keys of the custom attributes). */
export type ServerOptionName = keyof typeof contract.options.properties;
/** One option as the server declares it (a JSON Schema property). */
export interface ServerOption {
  readonly type: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
}
export const SERVER_OPTIONS = contract.options.properties satisfies Record<ServerOptionName, ServerOption>;

/** The output formats by short name (`--format`), with the media type each asks for in Accept. */
export type ServerFormatName = keyof typeof contract.accept;

/** The `error` codes of the server's failure bodies, with their HTTP status and whether a retry may succeed. */
export type ServerErrorCode = keyof typeof contract.errors;
export const SERVER_ERRORS: Readonly<
  Record<ServerErrorCode, { readonly status: number; readonly retryable: boolean }>
> = contract.errors;
