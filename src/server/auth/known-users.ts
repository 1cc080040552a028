// Users known to exist, with what authentication needs of them (token epoch, suspension), so
// that authenticating a request need not ask the database each time (that query was a
// quarter of the CPU of serving the cached first timeline page).
// The database tells every process when a user row goes, or its token epoch or suspension
// changes: triggers notify 'niotebook_user_deleted' (migrations 0003 and 0030), and the
// entry is forgotten, so the next request reads the new state. While this process is not hearing those
// notifications — before the first LISTEN, or while its connection is down — nothing is
// answered from memory, and what was known is forgotten, since deletions may have been missed.
export const USER_DELETED_CHANNEL = "niotebook_user_deleted";

/** What authenticating a request needs to know of its user. */
export interface UserAccess {
  /** Tokens issued in another epoch are revoked. */
  tokenEpoch: number;
  suspended: boolean;
}

export class KnownUsers {
  private readonly ids = new Map<string, UserAccess>();
  private hearing = false;
  /** Advances with every deletion or change of hearing, so a lookup that one overtook is not kept. */
  private epoch = 0;

  constructor(private readonly maxEntries = 100_000) {}

  get isHearing(): boolean {
    return this.hearing;
  }

  /** The user's access state if known (so the user exists), else undefined. */
  get(userId: string): UserAccess | undefined {
    return this.hearing ? this.ids.get(userId) : undefined;
  }

  has(userId: string): boolean {
    return this.get(userId) !== undefined;
  }

  /** Call before looking a user up; pass the result to remember(). */
  lookupStarted(): number {
    return this.epoch;
  }

  /** Records that the user existed at a lookup that started at `epoch`. */
  remember(userId: string, epoch: number, access: UserAccess): void {
    if (!this.hearing || epoch !== this.epoch) return;
    if (this.ids.size >= this.maxEntries) this.ids.delete(this.ids.keys().next().value!);
    this.ids.set(userId, access);
  }

  /**
   * A notification (the user was deleted or its access changed: forget it), the user's id, or
   * "" when the table was truncated. The process making a change calls it too, so its own
   * next request sees the change without waiting for the notification.
   */
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
