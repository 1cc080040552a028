import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { AppContext } from "../context.js";

/** A feature's routes, registered in app.ts with the feature's prefix. */
export type FeaturePlugin = FastifyPluginAsyncTypebox<{ ctx: AppContext }>;
