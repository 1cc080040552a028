import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type {
  FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault,
} from "fastify";

/** The server's Fastify instance, typed by the TypeBox schemas of each route. */
export type App = FastifyInstance<
  RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider
>;

export interface Caller {
  userId: string;
  username: string;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the authenticate hook on routes that require a token. */
    caller: Caller | null;
  }
}
