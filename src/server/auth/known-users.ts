// Users known to exist, so that authenticating a request need not ask the database each
// time (that query was a quarter of the CPU of serving the cached first timeline page).
// The database tells every process when a user row goes: a trigger notifies
// 'niotebook_user_deleted' (migration 0003). While this process is not hearing those
// notifications — before the first LISTEN, or while its connection is down — nothing is
// answered from memory, and what was known is forgotten, since deletions may have been missed.
export const USER_DELETED_CHANNEL = "niotebook_user_deleted";

export class KnownUsers {
  private readonly ids = new Set<string>();
  private hearing = false;
  /** Advances with every deletion or change of hearing, so a lookup that one overtook is not kept. */
  private epoch = 0;

  constructor(private readonly maxEntries = 100_000) {}

  get isHearing(): boolean {
    return this.hearing;
  }

  has(userId: string): boolean {
    return this.hearing && this.ids.has(userId);
  }

  /** Call before looking a user up; pass the result to remember(). */
  lookupStarted(): number {
    return this.epoch;
  }

  /** Records that the user existed at a lookup that started at `epoch`. */
  remember(userId: string, epoch: number): void {
    if (!this.hearing || epoch !== this.epoch) return;
    if (this.ids.size >= this.maxEntries) this.ids.delete(this.ids.values().next().value!);
    this.ids.add(userId);
  }

  /** A deletion notification: the user's id, or "" when the table was truncated. */
  deleted(userId: string): void {
    this.epoch++;
    if (userId === "") this.ids.clear();
    else this.ids.delete(userId.toLowerCase());
  }

  /** Whether deletions are being heard now. */
  setHearing(hearing: boolean): void {
    this.epoch++;
    this.ids.clear();
    this.hearing = hearing;
  }
}
