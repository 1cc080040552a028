import { RefreshBody, TokensResponse } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { refresh } from "./service.js";

export function refreshRoute(app: App, ctx: AppContext): void {
  app.post("/refresh", {
    schema: {
      tags: ["auth"], summary: "Exchange a refresh token for a new pair (single use)",
      body: RefreshBody, response: { 200: TokensResponse, ...errorResponses(400, 401, 413, 415) },
    },
  }, async (request) => ({ tokens: await refresh(ctx, request.body.refresh_token) }));
}
