// /api/v1/users/me/… (authenticated) and /api/v1/auth/ssh… (not): the account routes.
import {
  AddSshKeyBody, AuthResponse, ChangePasswordBody, DeleteAccountBody, IdParams, SshChallengeBody, SshChallengeResponse,
  SshKeyList, SshKeyResponse, SshLoginBody, TokensResponse,
} from "../../api/index.js";
import { Type } from "@sinclair/typebox";
import { requireAuthentication } from "../auth/authenticate.js";
import type { FeaturePlugin } from "../http/plugin.js";
import { errorResponses, noContent } from "../http/responses.js";
import { changePassword, deleteAccount, exportAccount } from "./service.js";
import { addSshKey, listSshKeys, removeSshKey } from "./ssh-keys.js";
import { createChallenge, serverOrigin, sshLogin } from "./ssh-login.js";

/** Registered with the prefix /api/v1/users, beside the users feature. */
export const accountPlugin: FeaturePlugin = async (app, { ctx }) => {
  requireAuthentication(app, ctx);
  app.post("/me/password", {
    schema: { tags: ["account"], summary: "Change your password; signs out every other session", body: ChangePasswordBody, response: { 200: TokensResponse, ...errorResponses(400, 401, 403, 413, 415) } },
  }, async (request) => ({ tokens: await changePassword(ctx, request.caller!.userId, request.body) }));

  app.delete("/me", {
    schema: { tags: ["account"], summary: "Delete your account and everything in it", body: DeleteAccountBody, response: { 204: noContent, ...errorResponses(400, 401, 403, 413, 415) } },
  }, async (request, reply) => {
    await deleteAccount(ctx, request.caller!.userId, request.body.password);
    return reply.code(204).send(null);
  });

  app.get("/me/export", {
    schema: { tags: ["account"], summary: "Everything of your account as one JSON archive", response: { 200: Type.Unknown(), ...errorResponses(401) } },
  }, async (request) => exportAccount(ctx, request.caller!.userId));

  app.post("/me/keys", {
    schema: { tags: ["account"], summary: "Add an SSH public key for log-in", body: AddSshKeyBody, response: { 201: SshKeyResponse, ...errorResponses(400, 401, 409, 413, 415) } },
  }, async (request, reply) => reply.code(201).send({ key: await addSshKey(ctx, request.caller!.userId, request.body.public_key) }));

  app.get("/me/keys", {
    schema: { tags: ["account"], summary: "Your SSH keys", response: { 200: SshKeyList, ...errorResponses(401) } },
  }, async (request) => ({ keys: await listSshKeys(ctx, request.caller!.userId) }));

  app.delete("/me/keys/:id", {
    schema: { tags: ["account"], summary: "Remove an SSH key", params: IdParams, response: { 204: noContent, ...errorResponses(401, 404) } },
  }, async (request, reply) => {
    await removeSshKey(ctx, request.caller!.userId, request.params.id);
    return reply.code(204).send(null);
  });
};

/** Registered with the prefix /api/v1/auth: SSH-key log-in, without a token (rate-limited as auth). */
export const sshAuthPlugin: FeaturePlugin = async (app, { ctx }) => {
  app.post("/ssh/challenge", {
    schema: { tags: ["auth"], summary: "A challenge to sign with your SSH key", body: SshChallengeBody, response: { 200: SshChallengeResponse, ...errorResponses(400, 413, 415) } },
  }, async (request) => createChallenge(ctx, serverOrigin(ctx, request), request.body.username));

  app.post("/ssh", {
    schema: { tags: ["auth"], summary: "Log in with a signed challenge", body: SshLoginBody, response: { 200: AuthResponse, ...errorResponses(400, 401, 403, 413, 415) } },
  }, async (request) => sshLogin(ctx, request.body));
};
