// Login timing: an unknown e-mail and a wrong password should cost about the same, so the
// answer time does not reveal who has an account. Measured and reported, not asserted
// (target: medians within 20% of each other).
import { afterAll, describe, expect, it } from "vitest";
import { httpRequest, registerUser, removeTempDirs, startServerProcess, tempDataDir } from "../support/server-process.js";

afterAll(removeTempDirs);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("login timing", () => {
  it("reports the medians of unknown e-mail versus wrong password", async () => {
    const server = await startServerProcess({ NIOTEBOOK_DATA_DIR: tempDataDir() });
    try {
      await registerUser(server.url, "timed");
      const samples = { unknown: [] as number[], wrong: [] as number[] };
      for (let i = 0; i < 40; i++) {
        const kind = i % 2 ? "unknown" : "wrong";
        const email = kind === "unknown" ? `nobody${i}@example.com` : "timed@example.com";
        const t = process.hrtime.bigint();
        const res = await httpRequest(`${server.url}/api/v1/auth/login`, {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: "wrong-password" }),
        });
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        expect(res.status).toBe(401);
        if (i >= 4) samples[kind].push(ms);
      }
      const unknown = median(samples.unknown);
      const wrong = median(samples.wrong);
      const gap = Math.abs(unknown - wrong) / Math.max(unknown, wrong);
      console.log(`login medians: unknown e-mail ${unknown.toFixed(1)} ms, wrong password ${wrong.toFixed(1)} ms, gap ${(gap * 100).toFixed(1)}% (target ≤ 20%)`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);
});
