// Password hashing: argon2id from node:crypto with OWASP's parameters (19 MiB, 2 passes,
// parallelism 1), stored as a PHC string. crypto.argon2 runs on libuv's thread pool, so
// hashing never blocks the event loop.
import { argon2, randomBytes, timingSafeEqual } from "node:crypto";
import { availableParallelism } from "node:os";

interface Argon2Cost {
  memory: number;
  passes: number;
  parallelism: number;
  tagLength: number;
}

const PARAMS: Argon2Cost = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 };

// At most one hash per core at a time: more cannot finish sooner, but each holds 19 MiB, and
// a burst of logins would otherwise also fill libuv's pool that file and DNS work share.
const MAX_CONCURRENT_HASHES = Math.min(4, availableParallelism());
let running = 0;
const waiting: Array<() => void> = [];

async function derive(password: string, salt: Buffer, params: Argon2Cost): Promise<Buffer> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await new Promise((resolve, reject) => {
      argon2("argon2id", { message: password, nonce: salt, ...params }, (error, key) =>
        error ? reject(error) : resolve(key),
      );
    });
  } finally {
    // Hand the slot straight to the next waiter, or give it back.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

const b64 = (buf: Buffer) => buf.toString("base64").replace(/=+$/, "");

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return `$argon2id$v=19$m=${PARAMS.memory},t=${PARAMS.passes},p=${PARAMS.parallelism}$${b64(salt)}$${b64(key)}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const match = PHC.exec(phc);
  if (!match) return false;
  const [, m, t, p, salt, hash] = match;
  const expected = Buffer.from(hash!, "base64");
  const key = await derive(password, Buffer.from(salt!, "base64"), {
    memory: Number(m), passes: Number(t), parallelism: Number(p), tagLength: expected.length,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A hash of nothing in particular: login verifies against it when the e-mail is unknown,
 * so an unknown address costs the same time as a wrong password.
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return dummyHash;
}
