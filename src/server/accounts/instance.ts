// GET /api/v1/instance: what a client shows before signing up; no token needed.
import { BIO_MAX, DISPLAY_NAME_MAX, InstanceInfo, PAGE_LIMIT_MAX, POST_MAX } from "../../api/index.js";
import type { FeaturePlugin } from "../http/plugin.js";
import { VERSION } from "../version.js";

export const instancePlugin: FeaturePlugin = async (app, { ctx }) => {
  app.get("/instance", {
    schema: { tags: ["service"], summary: "This server: name, version, registration mode, limits", response: { 200: InstanceInfo } },
  }, async () => ({
    name: ctx.config.instanceName,
    version: VERSION,
    registration: ctx.config.registration,
    limits: { post_characters: POST_MAX, display_name_characters: DISPLAY_NAME_MAX, bio_characters: BIO_MAX, page_limit_max: PAGE_LIMIT_MAX },
  }));
};
