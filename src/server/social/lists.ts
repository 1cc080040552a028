// The social lists' paging glue: every list is one keyset list of the one paginator
// (db/pagination.ts), named by an identity its cursors are bound to, so a cursor from another
// list (or the same list for another user, post or tag) is 400 on cursor.
import type { PostPage, User, UserPage } from "../../api/index.js";
import { parsePageRequest, timeIdKeyset, toPage, type PageQueryInput, type PageRequest } from "../db/pagination.js";
import type { Keyed, PageKey } from "./common.js";

/** The cursors' codec: a (timestamp, id) key. The SQL is the page functions' own. */
export const ENTRY_KEYSET = timeIdKeyset("created_at", "id");

/** The list identities (each bound into its cursors). */
export const LISTS = {
  home: (userId: string) => `home:${userId}`,
  followers: (userId: string) => `followers:${userId}`,
  following: (userId: string) => `following:${userId}`,
  likes: (postId: string) => `likes:${postId}`,
  reposts: (postId: string) => `reposts:${postId}`,
  thread: (postId: string) => `thread:${postId}`,
  tag: (tag: string) => `tag:${tag}`,
};

export function pageRequest(query: PageQueryInput, list: string): PageRequest<PageKey> {
  return parsePageRequest(query, list, ENTRY_KEYSET);
}

function keyedPage<T>(rows: Array<Keyed<T>>, request: PageRequest<PageKey>) {
  const page = toPage(rows, request, ENTRY_KEYSET, (row) => row.key);
  return { items: page.items.map((row) => row.item), next_cursor: page.next_cursor, has_more: page.has_more };
}

export function userPage(rows: Array<Keyed<User>>, request: PageRequest<PageKey>): UserPage {
  const { items, ...rest } = keyedPage(rows, request);
  return { users: items, ...rest };
}

export function postPage<P extends PostPage["posts"][number]>(rows: Array<Keyed<P>>, request: PageRequest<PageKey>): { posts: P[]; next_cursor: string | null; has_more: boolean } {
  const { items, ...rest } = keyedPage(rows, request);
  return { posts: items, ...rest };
}

export { keyedPage };
