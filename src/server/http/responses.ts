import { Type } from "@sinclair/typebox";

const errorRef = Type.Ref("ErrorBody");

/** Every route answers its errors in the contract's envelope. */
export const errorResponses = { "4xx": errorRef, "5xx": errorRef } as const;

export const noContent = Type.Null({ description: "No content" });

/** Authenticated routes, for the OpenAPI document. */
export const bearer = [{ bearerAuth: [] }];
