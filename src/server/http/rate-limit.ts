// The contract's abuse limits: one token bucket per client and category. A bucket holds
// `burst` requests and refills continuously at `rate` per minute.
import ipaddr from "ipaddr.js";

export type LimitCategory = "auth" | "write" | "read";

const BUDGETS: Record<LimitCategory, { rate: number; burst: number }> = {
  auth: { rate: 10, burst: 5 },
  write: { rate: 30, burst: 10 },
  read: { rate: 120, burst: 30 },
};

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Where the buckets live: this process's memory, or Redis when several processes serve. */
export interface RateLimiter {
  take(client: string, category: LimitCategory): TakeResult | Promise<TakeResult>;
  close?(): Promise<void>;
}

export function budget(category: LimitCategory, multiplier: number): { capacity: number; perMs: number } {
  const { rate, burst } = BUDGETS[category];
  return { capacity: burst * multiplier, perMs: (rate * multiplier) / 60_000 };
}

export class TokenBuckets implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private sweepAtMs = 0;

  constructor(private readonly multiplier: number, private readonly now: () => number = Date.now) {}

  take(client: string, category: LimitCategory): TakeResult {
    const { capacity, perMs } = budget(category, this.multiplier);
    const now = this.now();
    this.sweep(now);
    const key = `${category}|${client}`;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedMs: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updatedMs) * perMs);
    bucket.updatedMs = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
  }

  /** Buckets held in memory (for tests of the sweep). */
  get size(): number {
    return this.buckets.size;
  }

  /** Forgets buckets that have refilled completely, so memory tracks active clients only. */
  private sweep(now: number): void {
    if (now < this.sweepAtMs) return;
    this.sweepAtMs = now + 60_000;
    for (const [key, bucket] of this.buckets) {
      const category = key.slice(0, key.indexOf("|")) as LimitCategory;
      const { rate, burst } = BUDGETS[category];
      const full = bucket.tokens + ((now - bucket.updatedMs) * rate * this.multiplier) / 60_000 >= burst * this.multiplier;
      if (full) this.buckets.delete(key);
    }
  }
}

/** Which budget a request draws from (the contract's table). */
export function limitCategory(method: string, path: string): LimitCategory | null {
  if (!path.startsWith("/api/v1/") && path !== "/api/v1") return null;
  if (path.startsWith("/api/v1/auth/")) return "auth";
  // They check a password: guessing one with a stolen token is held to the log-in budget.
  if ((method === "POST" && path === "/api/v1/users/me/password") || (method === "DELETE" && path === "/api/v1/users/me")) return "auth";
  if (method === "POST" && path === "/api/v1/posts") return "write";
  // Deleting a post; liking, reposting and undoing them; following and unfollowing; profile edits.
  if ((method === "POST" || method === "DELETE") && path.startsWith("/api/v1/posts/")) return "write";
  if ((method === "POST" || method === "DELETE" || method === "PATCH") && path.startsWith("/api/v1/users/")) return "write";
  return "read";
}

/** Clients are limited per IPv4 address (a v4-mapped IPv6 one included), and per /64 for IPv6. */
export function clientKey(ip: string): string {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(ip);
  } catch {
    return ip; // not an address (a socket path): its own key
  }
  if (address.kind() === "ipv4") return address.toString();
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${v6.parts.slice(0, 4).map((part) => part.toString(16)).join(":")}::/64`;
}
