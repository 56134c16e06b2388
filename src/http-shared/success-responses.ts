import { Type } from 'typebox';

/**
 * A JSON body the OpenAPI document describes only in words: Metacat and Genie DTOs are loose
 * (compatible clients send and receive fields no schema here lists), so an empty schema — any JSON,
 * serialized whole — is the honest contract where a route has no precise one.
 */
export const AnyJson = (description: string) => Type.Unsafe<unknown>({ description });

/** A success with no body (204, or 202 for accepted work): JSON Schema `null`, which the OpenAPI document shows as no content. */
export const NoBody = (description: string) => Type.Unsafe<undefined>({ type: 'null', description });
