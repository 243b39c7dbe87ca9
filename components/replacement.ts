/**
 * How a resource with a name we set is replaced: the new one is created first, the old one deleted after.
 *
 * The AWS provider (pulumi-terraform-bridge) asks the engine to delete before it replaces whenever a resource's name
 * property is set by the program rather than auto-named, whether or not the name changes, because a same-named
 * create would collide. The engine follows an explicit `deleteBeforeReplace` over the provider's wish. Every resource
 * we name takes the endpoint name, which includes the instance type (endpointNameFor), and is replaced only when that
 * name changes, so old and new never share a name and can exist side by side: a new instance type keeps the live
 * endpoint serving until its successor is InService, and a failed create (no quota for the type, an image that does
 * not start) leaves the old endpoint as it was. tests/program/replacements.test.ts checks every named resource.
 */
export const CREATE_BEFORE_DELETE = { deleteBeforeReplace: false } as const;
