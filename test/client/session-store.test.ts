import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listSessions, readTokenClaims, sessionFileName, SessionStore } from "../../src/client/config/session-store.js";
import { DraftStore } from "../../src/client/config/draft-store.js";
import { parseConfigYaml, readConfig, writeConfig } from "../../src/client/config/config-file.js";
import { chooseServerUrl } from "../../src/client/config/server-url.js";
import { configDir } from "../../src/client/config/paths.js";
import { makeTokens, makeUser } from "./helpers/fixtures.js";

const created: string[] = [];
const tempDir = (): string => {
  const root = mkdtempSync(join(tmpdir(), "nb-store-"));
  created.push(root);
  return join(root, "niotebook");
};
afterAll(() => {
  for (const root of created) rmSync(root, { recursive: true, force: true });
});
const tokens = makeTokens(makeUser("alice"));

describe("SessionStore", () => {
  it("creates the folder and writes auth.json with mode 0600", () => {
    const dir = tempDir();
    new SessionStore(dir, "http://a.example").save(tokens);
    const path = join(dir, "auth.json");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ ...tokens, server_url: "http://a.example" });
  });

  it("writes atomically: no temp files left behind, and a rewrite replaces the file whole", () => {
    const dir = tempDir();
    const store = new SessionStore(dir, "http://a.example");
    store.save(tokens);
    const before = statSync(join(dir, "auth.json")).ino;
    store.save(makeTokens(makeUser("alice")));
    expect(readdirSync(dir)).toEqual(["auth.json"]);
    // rename() gives the path a new inode; writing in place would keep the old one
    expect(statSync(join(dir, "auth.json")).ino).not.toBe(before);
  });

  it("hands tokens only to the server that issued them", () => {
    const dir = tempDir();
    new SessionStore(dir, "http://a.example/").save(tokens);
    expect(new SessionStore(dir, "http://a.example").load()?.access_token).toBe(tokens.access_token);
    expect(new SessionStore(dir, "http://b.example").load()).toBeNull();
  });

  it("takes the original client's auth.json (no server_url) as the configured server's, and only that server's", () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    // The original writes these three keys, and "" as expires_at after a refresh.
    writeFileSync(join(dir, "auth.json"), JSON.stringify({ ...tokens, expires_at: "" }));
    const loaded = new SessionStore(dir, "http://a.example", "http://a.example/").load();
    expect(loaded).toMatchObject({ access_token: tokens.access_token, refresh_token: tokens.refresh_token, server_url: "http://a.example" });
    // Its expiry is then the access token's own (exp, whole seconds)...
    expect(Date.parse(loaded!.expires_at)).toBe(Math.floor(Date.parse(tokens.expires_at) / 1000) * 1000);
    // ...and without one it counts as expired, so the first thing done is a refresh.
    writeFileSync(join(dir, "auth.json"), JSON.stringify({ access_token: "no.claims.here", refresh_token: "r", expires_at: "" }));
    expect(Date.parse(new SessionStore(dir, "http://a.example", "http://a.example").load()!.expires_at)).toBe(0);
    writeFileSync(join(dir, "auth.json"), JSON.stringify({ ...tokens, expires_at: "" }));
    // Pointed elsewhere (--server, NIOTEBOOK_SERVER), or with no config.yaml to say whose they are: not sent.
    expect(new SessionStore(dir, "http://b.example", "http://a.example").load()).toBeNull();
    expect(new SessionStore(dir, "http://a.example").load()).toBeNull();
    writeFileSync(join(dir, "auth.json"), JSON.stringify(tokens));
    expect(new SessionStore(dir, "http://a.example", "http://a.example").load()?.expires_at).toBe(tokens.expires_at);
  });

  it("ignores a corrupt auth.json", () => {
    const dir = tempDir();
    const store = new SessionStore(dir, "http://a.example");
    store.save(tokens);
    writeFileSync(join(dir, "auth.json"), "{not json");
    expect(store.load()).toBeNull();
    writeFileSync(join(dir, "auth.json"), JSON.stringify({ access_token: 1, refresh_token: "x", server_url: "http://a.example" }));
    expect(store.load()).toBeNull();
  });

  it("clear removes the file", () => {
    const dir = tempDir();
    const store = new SessionStore(dir, "http://a.example");
    store.save(tokens);
    store.clear();
    expect(store.load()).toBeNull();
  });

  it("reads sub, username and exp from the access token", () => {
    const user = makeUser("carol");
    const tokens = makeTokens(user);
    expect(readTokenClaims(tokens.access_token)).toEqual({ sub: user.id, username: "carol", exp: Math.floor(Date.parse(tokens.expires_at) / 1000) });
    expect(readTokenClaims("garbage")).toEqual({});
  });
});

describe("a session per server", () => {
  const HOME = "http://localhost:8080";
  const LOCAL = "http://127.0.0.1:4722";
  const bob = makeTokens(makeUser("bob"));

  it("names each server's file by host and port", () => {
    expect(sessionFileName("http://127.0.0.1:4722/")).toBe("127.0.0.1_4722.json");
    expect(sessionFileName("https://social.example")).toBe("social.example_443.json");
    expect(sessionFileName("http://social.example")).toBe("social.example_80.json");
    expect(sessionFileName("http://[::1]:8080")).toBe("-1_8080.json");
    expect(sessionFileName("https://example.org/niotebook/")).toBe("example.org_443_niotebook.json");
  });

  it("keeps config.yaml's server in auth.json and another server beside it: logging in to one never replaces the other", () => {
    const dir = tempDir();
    new SessionStore(dir, HOME, HOME).save(tokens);
    new SessionStore(dir, LOCAL, HOME).save(bob);
    const authJson = JSON.parse(readFileSync(join(dir, "auth.json"), "utf8")) as Record<string, unknown>;
    // The original client's three keys, plus server_url.
    expect(Object.keys(authJson).sort()).toEqual(["access_token", "expires_at", "refresh_token", "server_url"]);
    expect(authJson.access_token).toBe(tokens.access_token);
    const other = join(dir, "sessions", "127.0.0.1_4722.json");
    expect(statSync(other).mode & 0o777).toBe(0o600);
    expect(new SessionStore(dir, HOME, HOME).load()?.access_token).toBe(tokens.access_token);
    expect(new SessionStore(dir, LOCAL, HOME).load()?.access_token).toBe(bob.access_token);
    // Logging out of one leaves the other.
    new SessionStore(dir, LOCAL, HOME).clear();
    expect(existsSync(other)).toBe(false);
    expect(new SessionStore(dir, HOME, HOME).load()?.access_token).toBe(tokens.access_token);
  });

  it("still finds a session this client kept in auth.json for another server, and moves it out on the next save", () => {
    const dir = tempDir();
    // Written by the version before sessions had files: auth.json bound to LOCAL while config says HOME.
    new SessionStore(dir, LOCAL).save(bob);
    expect(new SessionStore(dir, LOCAL, HOME).load()?.access_token).toBe(bob.access_token);
    expect(new SessionStore(dir, HOME, HOME).load()).toBeNull();
    const renewed = makeTokens(makeUser("bob"));
    new SessionStore(dir, LOCAL, HOME).save(renewed);
    expect(existsSync(join(dir, "auth.json"))).toBe(false);
    expect(new SessionStore(dir, LOCAL, HOME).load()?.access_token).toBe(renewed.access_token);
  });

  it("moves another server's session out of auth.json before config.yaml's server takes it", () => {
    const dir = tempDir();
    new SessionStore(dir, LOCAL).save(bob);
    new SessionStore(dir, HOME, HOME).save(tokens);
    expect(new SessionStore(dir, HOME, HOME).load()?.access_token).toBe(tokens.access_token);
    expect(new SessionStore(dir, LOCAL, HOME).load()?.access_token).toBe(bob.access_token);
  });

  it("follows config.yaml when it switches server: no session is lost or handed to the wrong server", () => {
    const dir = tempDir();
    new SessionStore(dir, HOME, HOME).save(tokens);
    new SessionStore(dir, LOCAL, HOME).save(bob);
    // config.yaml now names LOCAL: its session is still found in sessions/, HOME's in auth.json.
    expect(new SessionStore(dir, LOCAL, LOCAL).load()?.access_token).toBe(bob.access_token);
    expect(new SessionStore(dir, HOME, LOCAL).load()?.access_token).toBe(tokens.access_token);
    // Clearing LOCAL's session leaves auth.json, which is HOME's.
    new SessionStore(dir, LOCAL, LOCAL).clear();
    expect(new SessionStore(dir, HOME, LOCAL).load()?.access_token).toBe(tokens.access_token);
    // LOCAL's next session takes auth.json; HOME's moves to its own file.
    const bobAgain = makeTokens(makeUser("bob"));
    new SessionStore(dir, LOCAL, LOCAL).save(bobAgain);
    expect((JSON.parse(readFileSync(join(dir, "auth.json"), "utf8")) as { server_url: string }).server_url).toBe(LOCAL);
    expect(new SessionStore(dir, HOME, LOCAL).load()?.access_token).toBe(tokens.access_token);
    expect(existsSync(join(dir, "sessions", "localhost_8080.json"))).toBe(true);
    expect(existsSync(join(dir, "sessions", "127.0.0.1_4722.json"))).toBe(false);
  });

  it("clearIf removes only this server's file, and only while it holds what the caller expects", () => {
    const dir = tempDir();
    new SessionStore(dir, HOME, HOME).save(tokens);
    const local = new SessionStore(dir, LOCAL, HOME);
    local.save(bob);
    local.clearIf((onDisk) => onDisk.refresh_token === "someone else's");
    expect(local.load()).not.toBeNull();
    local.clearIf((onDisk) => onDisk.refresh_token === bob.refresh_token);
    expect(local.load()).toBeNull();
    expect(new SessionStore(dir, HOME, HOME).load()).not.toBeNull();
  });

  it("lists every session: the original client's auth.json as config.yaml's server's, then the others", () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "auth.json"), JSON.stringify({ ...tokens, expires_at: "" }));
    new SessionStore(dir, LOCAL, HOME).save(bob);
    writeFileSync(join(dir, "sessions", "junk.json"), "{not json");
    expect(listSessions(dir, HOME)).toEqual([
      { server_url: HOME, username: "alice", user_id: readTokenClaims(tokens.access_token).sub, expires_at: expect.any(String), file: join(dir, "auth.json") },
      { server_url: LOCAL, username: "bob", user_id: readTokenClaims(bob.access_token).sub, expires_at: bob.expires_at, file: join(dir, "sessions", "127.0.0.1_4722.json") },
    ]);
    expect(listSessions(tempDir())).toEqual([]);
  });
});

describe("DraftStore", () => {
  const SERVER = "http://127.0.0.1:4722";
  it("keeps the draft across instances and deletes it when emptied", () => {
    const dir = tempDir();
    new DraftStore(dir, SERVER).save("u1", "half a thought\nline two");
    expect(new DraftStore(dir, SERVER).load("u1")).toBe("half a thought\nline two");
    expect(statSync(join(dir, "draft.json")).mode & 0o777).toBe(0o600);
    new DraftStore(dir, SERVER).save("u1", "");
    expect(new DraftStore(dir, SERVER).load("u1")).toBe("");
    expect(existsSync(join(dir, "draft.json"))).toBe(false);
  });

  it("keeps one draft per account: another user or another server never sees it", () => {
    const dir = tempDir();
    new DraftStore(dir, SERVER).save("u1", "mine");
    expect(new DraftStore(dir, SERVER).load("u2")).toBe("");
    expect(new DraftStore(dir, "http://other.example").load("u1")).toBe("");
    new DraftStore(dir, SERVER).save("u2", "theirs");
    new DraftStore(dir, SERVER).clear("u2");
    expect(new DraftStore(dir, SERVER).load("u1")).toBe("mine");
  });

  it("gives a draft saved before drafts had owners back to whoever composes next", () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "draft.json"), JSON.stringify({ text: "old draft" }));
    expect(new DraftStore(dir, SERVER).load("u1")).toBe("old draft");
  });
});

describe("config", () => {
  it("parses server_url from config.yaml, with quotes and comments", () => {
    expect(parseConfigYaml('# hi\nserver_url: "http://x.example:9000"  # mine\nother: 1\n')).toEqual({
      server_url: "http://x.example:9000",
    });
    expect(parseConfigYaml("server_url: 'http://y'\n").server_url).toBe("http://y");
  });

  it("round-trips through the file", () => {
    const dir = tempDir();
    writeConfig(join(dir, ".."), { server_url: "http://z.example" });
    expect(readConfig(join(dir, "..")).server_url).toBe("http://z.example");
  });

  it("resolves the server URL: flag, then env, then config, then default", () => {
    expect(chooseServerUrl({ flag: "http://f/", env: "http://e", config: "http://c" }).url).toBe("http://f");
    expect(chooseServerUrl({ env: "http://e", config: "http://c" }).url).toBe("http://e");
    expect(chooseServerUrl({ env: "", config: "http://c" }).url).toBe("http://c");
    expect(chooseServerUrl({}).url).toBe("http://localhost:8080");
  });

  it("checks the URL it will use, wherever it came from, and says where", () => {
    expect(chooseServerUrl({ env: "not-a-url" }).problem).toBe("NIOTEBOOK_SERVER expects an http(s) URL, got not-a-url");
    expect(chooseServerUrl({ config: "localhost:8080" }).problem).toBe("server_url in config.yaml expects an http(s) URL, got localhost:8080");
    // Only the one that wins counts: a good flag over a bad variable is fine.
    expect(chooseServerUrl({ flag: "http://f", env: "not-a-url" }).problem).toBeNull();
    expect(chooseServerUrl({ env: "", config: "https://c.example" }).problem).toBeNull();
    expect(chooseServerUrl({}).problem).toBeNull();
  });

  it("puts the config folder under XDG_CONFIG_HOME, else ~/.config", () => {
    expect(configDir({ XDG_CONFIG_HOME: "/x/cfg" })).toBe("/x/cfg/niotebook");
    expect(configDir({})).toMatch(/\.config\/niotebook$/);
  });
});
