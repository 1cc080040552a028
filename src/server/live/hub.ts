// One hub per process: it reads new events from the database once (woken by NOTIFY, and by a
// slow safety poll so a lost wake-up never leaves a stream stale), decides for each of its
// streams which events belong there (membership computed at delivery), and writes them.
// A stream that resumes with Last-Event-ID replays from the table, then joins the live feed.
import type { ServerResponse } from "node:http";
import { sql } from "kysely";
import type { StreamTimeline } from "../../api/notifications.js";
import { USER_DELETED_CHANNEL } from "../auth/known-users.js";
import type { DatabaseHandle } from "../db/handle.js";
import { notificationsById, type NotificationOut } from "../notifications/queries.js";
import { NO_VIEWER, renderPostsFor } from "../notifications/render-posts.js";
import { ts, type Db, type SocialPost } from "../social/common.js";
import { canResumeAfter, latestEventId, pruneEvents, readEvents, type EventRow } from "./events.js";
import { EVENTS_CHANNEL } from "./migrations.js";

/** NOTIFY with a user id ("" for everyone) when a user's tokens are revoked (password change, suspension). */
export const TOKENS_REVOKED_CHANNEL = "niotebook_tokens_revoked";
export const MAX_STREAMS_PER_USER = 8;
/** Bytes a stream may have queued unsent before it is closed (it resumes with Last-Event-ID). */
export const BACKLOG_LIMIT_BYTES = 256 * 1024;
const BATCH = 500;
const SAFETY_POLL_MS = 2_000;
const CLEANUP_EVERY_MS = 60_000;
/** Up to this many distinct users with streams here, relations are read from their side in one query. */
export const FEW_VIEWERS = 200;

export interface HubOptions {
  pingMs: number;
  backlogBytes?: number;
  safetyPollMs?: number;
  log?: (message: string, error?: unknown) => void;
  /** Metrics: called as a stream opens; what it returns is called as the stream goes. */
  streamOpened?: () => () => void;
  /** Metrics: from the newest event's commit to its fan-out, per batch delivered live. */
  delivered?: (lagSeconds: number) => void;
}

export interface LiveMetrics {
  openStreams: number;
  /** Milliseconds from the newest delivered event's commit to its delivery. */
  deliveryLagMs: number;
}

/** One open GET /stream. */
export class Stream {
  /** The last event id this stream has been given (or is resuming after). */
  position: bigint;
  /** Frames held while the stream replays; null once it is live. */
  pending: string[] | null = null;
  closed = false;
  private ping: NodeJS.Timeout | undefined;
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    readonly userId: string,
    readonly timeline: StreamTimeline,
    private readonly res: ServerResponse,
    position: bigint,
    private readonly hub: LiveHub,
    expiresAtMs: number,
  ) {
    this.position = position;
    this.armPing();
    this.expiry = setTimeout(() => this.end(), Math.max(0, expiresAtMs - Date.now()));
    res.once("close", () => this.end());
  }

  /** Writes one event (or holds it while replaying); closes the stream past its backlog limit. */
  static frame(id: bigint | string, event: string, data: unknown): string {
    return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  send(id: bigint | string, event: string, data: unknown): void {
    this.sendFrame(Stream.frame(id, event, data));
  }

  sendFrame(frame: string): void {
    if (this.pending) this.pending.push(frame);
    else this.write(frame);
  }

  write(frame: string): void {
    if (this.closed) return;
    this.res.write(frame);
    this.armPing();
    // The client is not reading: stop holding memory for it (it resumes with Last-Event-ID).
    if (this.res.writableLength > this.hub.backlogBytes) this.end(true);
  }

  flushPending(): void {
    const frames = this.pending ?? [];
    this.pending = null;
    for (const frame of frames) this.write(frame);
  }

  // refresh() re-arms the one timer: cheaper than a new timer per event on every stream.
  private armPing(): void {
    if (this.ping) this.ping.refresh();
    else this.ping = setTimeout(() => this.write(": ping\n\n"), this.hub.pingMs);
  }

  end(abort = false): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.ping);
    clearTimeout(this.expiry);
    this.hub.remove(this);
    if (abort) this.res.destroy();
    else this.res.end();
  }
}

/** Relations between the streams' users and the batch's actors, read once per batch. */
interface Relations {
  follows: Set<string>;
  hidden: Set<string>;
}
const pair = (a: string, b: string) => `${a}|${b}`;

export class LiveHub {
  readonly pingMs: number;
  /** Mutable so that a test can lower it. */
  backlogBytes: number;
  /** See relations(); mutable so that a test can take every path with a few users. */
  fewViewers = FEW_VIEWERS;
  private readonly streams = new Set<Stream>();
  private readonly byUser = new Map<string, Set<Stream>>();
  private readonly reserved = new Map<string, number>();
  /** Every event up to this id has been handed to the streams registered at the time. */
  private dispatched = 0n;
  private started: Promise<void> | undefined;
  private pumping: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timers: NodeJS.Timeout[] = [];
  private lagMs = 0;
  private readonly streamClosed = new Map<Stream, () => void>();

  constructor(private readonly database: DatabaseHandle, private readonly options: HubOptions) {
    this.pingMs = options.pingMs;
    this.backlogBytes = options.backlogBytes ?? BACKLOG_LIMIT_BYTES;
  }

  private get db(): Db {
    return this.database.db;
  }

  /** Starts listening on first use (a server that never streams holds no extra connection). */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.dispatched = await latestEventId(this.db);
      this.database.listen(EVENTS_CHANNEL, { notified: () => this.wake(), hearing: (on) => { if (on) this.wake(); } });
      const revoke = { notified: (userId: string) => this.endUser(userId), hearing: () => {} };
      this.database.listen(USER_DELETED_CHANNEL, revoke);
      this.database.listen(TOKENS_REVOKED_CHANNEL, revoke);
      const poll = setInterval(() => this.wake(), this.options.safetyPollMs ?? SAFETY_POLL_MS);
      const cleanup = setInterval(() => void pruneEvents(this.db).catch((e) => this.options.log?.("event cleanup failed", e)), CLEANUP_EVERY_MS);
      for (const t of [poll, cleanup]) t.unref();
      this.timers.push(poll, cleanup);
    })();
    this.started.catch(() => { this.started = undefined; });
    return this.started;
  }

  metrics(): LiveMetrics {
    return { openStreams: this.streams.size, deliveryLagMs: this.lagMs };
  }

  /** How many streams the user has open in this process. */
  streamsOf(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  /**
   * Claims one of the user's MAX_STREAMS_PER_USER places before the stream is opened (false:
   * none left). Synchronous, so concurrent requests cannot all pass the check.
   */
  reserve(userId: string): boolean {
    const held = (this.byUser.get(userId)?.size ?? 0) + (this.reserved.get(userId) ?? 0);
    if (held >= MAX_STREAMS_PER_USER) return false;
    this.reserved.set(userId, (this.reserved.get(userId) ?? 0) + 1);
    return true;
  }

  private release(userId: string): void {
    const n = (this.reserved.get(userId) ?? 1) - 1;
    if (n <= 0) this.reserved.delete(userId);
    else this.reserved.set(userId, n);
  }

  /**
   * Opens a stream whose headers are already written: `ready` first, then (when resuming)
   * the missed events or one `reset`, then the live ones.
   */
  async open(
    res: ServerResponse, userId: string, timeline: StreamTimeline, lastEventId: string | undefined, expiresAtMs: number,
    /** Sends the response headers: called (synchronously with registering the stream) only once nothing can fail. */
    sendHeaders: () => void,
  ): Promise<void> {
    let resumeAfter: bigint | undefined;
    try {
      await this.start();
      if (lastEventId !== undefined && /^\d{1,19}$/.test(lastEventId)) {
        const id = BigInt(lastEventId);
        if (await canResumeAfter(this.db, id)) resumeAfter = id;
      }
    } finally {
      this.release(userId);
    }
    if (res.destroyed || this.stopped || this.draining) return void res.destroy();
    sendHeaders();
    // Registered synchronously with reading `dispatched`: every later batch reaches it live
    // (held in `pending` while it replays up to that mark from the table).
    const upTo = this.dispatched;
    const replay = resumeAfter !== undefined && resumeAfter < upTo;
    const ready = resumeAfter ?? upTo;
    const stream = new Stream(userId, timeline, res, replay ? upTo : ready, this, expiresAtMs);
    this.streams.add(stream);
    const closed = this.options.streamOpened?.();
    if (closed) this.streamClosed.set(stream, closed);
    let mine = this.byUser.get(userId);
    if (!mine) this.byUser.set(userId, (mine = new Set()));
    mine.add(stream);
    stream.send(ready, "ready", {});
    if (lastEventId !== undefined && resumeAfter === undefined) stream.send(ready, "reset", {});
    if (!replay) return;
    stream.pending = [];
    try {
      let after = resumeAfter!;
      while (after < upTo && !stream.closed) {
        const events = await readEvents(this.db, after, BATCH, upTo);
        if (events.length === 0) break;
        await this.deliver(events, [stream], "replay");
        after = BigInt(events[events.length - 1]!.id);
      }
    } catch (error) {
      this.options.log?.("stream replay failed", error);
      stream.end();
      return;
    }
    stream.flushPending();
  }

  remove(stream: Stream): void {
    this.streams.delete(stream);
    this.streamClosed.get(stream)?.();
    this.streamClosed.delete(stream);
    const mine = this.byUser.get(stream.userId);
    mine?.delete(stream);
    if (mine?.size === 0) this.byUser.delete(stream.userId);
  }

  /** Ends a user's streams ("" : everyone's), e.g. when their tokens are revoked. */
  endUser(userId: string): void {
    const targets = userId === "" ? [...this.streams] : [...(this.byUser.get(userId.toLowerCase()) ?? [])];
    for (const stream of targets) stream.end();
  }

  /** SIGTERM: ends every stream cleanly, so that its client resumes elsewhere; opens no more. */
  endAll(): void {
    this.draining = true;
    for (const stream of [...this.streams]) stream.end();
  }

  /** True once the process is shutting down: a new stream should go to another process. */
  draining = false;

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.endAll();
    await this.pumping;
  }

  /** Something may have been committed: read and fan out (one reader at a time). */
  wake(): void {
    if (this.stopped || !this.started) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = (async () => {
      try {
        do {
          this.again = false;
          await this.pump();
        } while (this.again && !this.stopped);
      } catch (error) {
        this.options.log?.("live events: reading failed; retrying at the next wake-up", error);
      } finally {
        this.pumping = undefined;
      }
    })();
  }

  private async pump(): Promise<void> {
    for (;;) {
      const events = await readEvents(this.db, this.dispatched, BATCH);
      if (events.length === 0) return;
      // The mark moves before the batch is delivered: a stream that opens while it is being
      // delivered is not among these and replays up to the new mark itself. If delivery fails,
      // the mark goes back and the batch is read again (positions keep anything from arriving twice).
      const previous = this.dispatched;
      const recipients = [...this.streams];
      this.dispatched = BigInt(events[events.length - 1]!.id);
      try {
        if (recipients.length > 0) await this.deliver(events, recipients);
      } catch (error) {
        this.dispatched = previous;
        throw error;
      }
      this.lagMs = Math.max(0, Date.now() - events[events.length - 1]!.created_ms);
      this.options.delivered?.(this.lagMs / 1000);
      if (events.length < BATCH) return;
    }
  }

  /** Decides and writes each event for each stream, in id order. */
  private async deliver(events: EventRow[], streams: Stream[], mode: "live" | "replay" = "live"): Promise<void> {
    const live = streams.filter((s) => !s.closed);
    if (live.length === 0) return;
    const viewers = new Set(live.map((s) => s.userId));
    const actors = [...new Set(events.flatMap((e) => (e.other_id ? [e.user_id, e.other_id] : [e.user_id])))];
    const postIds = events.filter((e) => e.kind === "post" && e.post_id).map((e) => e.post_id!);
    const repostIds = events.filter((e) => e.kind === "post" && e.repost_id).map((e) => e.repost_id!);
    const [relations, posts, reposts, notifications] = await Promise.all([
      this.relations(viewers, actors, events),
      renderPostsFor(this.db, NO_VIEWER, postIds),
      this.repostsById(repostIds),
      this.notificationsFor(events, viewers),
    ]);
    const sees = (viewer: string, author: string) => !relations.hidden.has(pair(viewer, author));
    const inHome = (viewer: string, author: string) => author === viewer || relations.follows.has(pair(viewer, author));
    for (const e of events) {
      const id = BigInt(e.id);
      // What an event says is the same for every stream it belongs to: serialised once.
      let text: string | undefined;
      for (const s of live) {
        if (mode === "live") {
          if (id <= s.position) continue;
          s.position = id;
        }
        const frame = this.frameFor(e, s, { sees, inHome, posts, reposts, notifications });
        if (!frame) continue;
        text ??= Stream.frame(id, frame[0], frame[1]);
        if (mode === "replay") s.write(text);
        else s.sendFrame(text);
      }
    }
  }

  private frameFor(
    e: EventRow, s: Stream,
    c: {
      sees(v: string, a: string): boolean; inHome(v: string, a: string): boolean;
      posts: Map<string, SocialPost>; reposts: Map<string, { by: SocialPost["author"]; at: string }>;
      notifications: Map<string, NotificationOut>;
    },
  ): [string, unknown] | undefined {
    const v = s.userId;
    switch (e.kind) {
      case "reset":
        return e.user_id === v ? ["reset", {}] : undefined;
      case "notification": {
        const n = e.user_id === v ? c.notifications.get(e.notification_id!) : undefined;
        return n ? ["notification", n] : undefined;
      }
      case "post": {
        const post = c.posts.get(e.post_id!);
        if (!post) return undefined;
        if (e.repost_id === null) {
          if (!c.sees(v, e.user_id)) return undefined;
          return s.timeline === "global" || c.inHome(v, e.user_id) ? ["post", post] : undefined;
        }
        const repost = c.reposts.get(e.repost_id);
        if (s.timeline !== "home" || !repost) return undefined;
        const original = post.author_id;
        if (!c.inHome(v, e.user_id) || c.inHome(v, original) || !c.sees(v, e.user_id) || !c.sees(v, original)) return undefined;
        return ["post", { ...post, repost }];
      }
      case "delete":
        if (e.repost_id === null) return ["delete", { id: e.post_id }];
        return s.timeline === "home" && c.inHome(v, e.user_id) ? ["delete", { id: e.post_id, repost_by: e.user_id }] : undefined;
    }
  }

  /**
   * Who among the streams' users follows, blocks or mutes (or is blocked by) the batch's actors.
   * Read from the actors' side when that is the smaller read: the actors' followers, a few per
   * actor however many streams are open. From the streams' side a batch sends every open
   * stream's user id, and PostgreSQL plans `= ANY` of thousands of ids one id at a time: batches
   * slowed with the number of streams and deliveries queued behind them (docs/bench-stream.md).
   * The streams' side stays for a very followed actor (more followers than streams here).
   */
  private async relations(viewers: Set<string>, actors: string[], events: EventRow[]): Promise<Relations> {
    // The events carry their actors' follower counts (read with them: no extra round trip).
    const fromActors = viewers.size > this.fewViewers && events.reduce((n, e) => n + e.actor_followers, 0) <= viewers.size;
    const v = [...viewers];
    const result = fromActors
      ? await sql<{ kind: "f" | "h"; a: string; b: string }>`
        SELECT 'f' AS kind, follower_id AS a, followee_id AS b FROM follows WHERE followee_id = ANY(${actors}::uuid[])
        UNION ALL SELECT 'h', blocker_id, blocked_id FROM blocks WHERE blocked_id = ANY(${actors}::uuid[])
        UNION ALL SELECT 'h', blocked_id, blocker_id FROM blocks WHERE blocker_id = ANY(${actors}::uuid[])
        UNION ALL SELECT 'h', muter_id, muted_id FROM mutes WHERE muted_id = ANY(${actors}::uuid[])`.execute(this.db)
      : viewers.size <= this.fewViewers
        ? await sql<{ kind: "f" | "h"; a: string; b: string }>`
        SELECT 'f' AS kind, follower_id AS a, followee_id AS b FROM follows
          WHERE follower_id = ANY(${v}::uuid[]) AND followee_id = ANY(${actors}::uuid[])
        UNION ALL SELECT 'h', blocker_id, blocked_id FROM blocks
          WHERE blocker_id = ANY(${v}::uuid[]) AND blocked_id = ANY(${actors}::uuid[])
        UNION ALL SELECT 'h', blocked_id, blocker_id FROM blocks
          WHERE blocked_id = ANY(${v}::uuid[]) AND blocker_id = ANY(${actors}::uuid[])
        UNION ALL SELECT 'h', muter_id, muted_id FROM mutes
          WHERE muter_id = ANY(${v}::uuid[]) AND muted_id = ANY(${actors}::uuid[])`.execute(this.db)
        // Many ids as a joined set: hashed once instead of estimated and matched one by one.
        : await sql<{ kind: "f" | "h"; a: string; b: string }>`
        WITH v AS MATERIALIZED (SELECT DISTINCT unnest(${v}::uuid[]) AS id)
        SELECT 'f' AS kind, follower_id AS a, followee_id AS b FROM follows JOIN v ON v.id = follower_id
          WHERE followee_id = ANY(${actors}::uuid[])
        UNION ALL SELECT 'h', blocker_id, blocked_id FROM blocks JOIN v ON v.id = blocker_id
          WHERE blocked_id = ANY(${actors}::uuid[])
        UNION ALL SELECT 'h', blocked_id, blocker_id FROM blocks JOIN v ON v.id = blocked_id
          WHERE blocker_id = ANY(${actors}::uuid[])
        UNION ALL SELECT 'h', muter_id, muted_id FROM mutes JOIN v ON v.id = muter_id
          WHERE muted_id = ANY(${actors}::uuid[])`.execute(this.db);
    const relations: Relations = { follows: new Set(), hidden: new Set() };
    for (const r of result.rows) {
      if (viewers.has(r.a)) (r.kind === "f" ? relations.follows : relations.hidden).add(pair(r.a, r.b));
    }
    return relations;
  }

  private async repostsById(ids: string[]): Promise<Map<string, { by: SocialPost["author"]; at: string }>> {
    if (ids.length === 0) return new Map();
    const result = await sql<{ id: string; at: string; uid: string; username: string; display_name: string; bio: string; created_at: string }>`
      SELECT r.id, ${ts(sql`r.created_at`)} AS at, u.id AS uid, u.username, u.display_name, u.bio, ${ts(sql`u.created_at`)} AS created_at
      FROM reposts r JOIN users u ON u.id = r.user_id WHERE r.id = ANY(${ids}::uuid[])`.execute(this.db);
    return new Map(result.rows.map((r) => [r.id, {
      by: { id: r.uid, username: r.username, display_name: r.display_name, bio: r.bio, created_at: r.created_at }, at: r.at,
    }]));
  }

  /** The batch's notifications for recipients who have a stream here, as each would list them. */
  private async notificationsFor(events: EventRow[], viewers: Set<string>): Promise<Map<string, NotificationOut>> {
    const byRecipient = new Map<string, string[]>();
    for (const e of events) {
      if (e.kind !== "notification" || !viewers.has(e.user_id)) continue;
      const ids = byRecipient.get(e.user_id) ?? [];
      ids.push(e.notification_id!);
      byRecipient.set(e.user_id, ids);
    }
    const out = new Map<string, NotificationOut>();
    await Promise.all([...byRecipient].map(async ([recipient, ids]) => {
      for (const n of await notificationsById(this.db, recipient, ids)) out.set(n.id, n);
    }));
    return out;
  }
}
