// A user's profile: who they are, then their posts (same cards, same paging).
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { Box, Text } from "ink";
import type { Post, User } from "../../api/index.js";
import { describeError } from "../api-errors.js";
import { useServices, useTheme } from "../app/services.js";
import type { Me, ViewProps } from "../app/view-types.js";
import { applyListCommand, PostList, refreshFeed, type ListGeometry } from "../components/PostList.js";
import { StyledLine } from "../components/StyledLine.js";
import { commandFor, type CommandId } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import type { Line } from "../list/card-layout.js";
import { usePostFeed, type FeedState } from "../state/use-post-feed.js";
import { formatJoined } from "../text/relative-time.js";
import { wrapText } from "../text/wrap.js";
import type { Route } from "../app/views.js";
import type { Relationship, SocialUser } from "../social.js";

type Fetched = { user: SocialUser; relationship?: Relationship; at: number };
const NO_RELATIONSHIP: Relationship = { following: false, followed_by: false, blocking: false, blocked_by: false, muting: false };

/**
 * The profile's header. The bio gets at most `maxBioLines` (a third of the view, so the posts
 * keep most of it); a longer one ends with "… +N lines", as a card does.
 */
export function profileHeaderLines(user: SocialUser, width: number, maxBioLines: number, relationship?: Relationship): Line[] {
  const lines: Line[] = [
    [{ text: `@${user.username}`, token: "username" }, { text: "  " }, { text: user.display_name, token: "title" }],
  ];
  const bio = user.bio.trim() === "" ? [] : wrapText(user.bio, width - 2);
  const room = Math.max(2, maxBioLines);
  if (bio.length <= room) for (const text of bio) lines.push([{ text }]);
  else {
    for (const text of bio.slice(0, room - 1)) lines.push([{ text }]);
    lines.push([{ text: `… +${bio.length - (room - 1)} lines`, token: "dim" }]);
  }
  if (user.posts_count !== undefined || user.following_count !== undefined || user.followers_count !== undefined) {
    const counts = `${plural(user.posts_count ?? 0, "post")} · ${user.following_count ?? 0} following · ${plural(user.followers_count ?? 0, "follower")}`;
    lines.push([{ text: counts }]);
  }
  const standing = [
    relationship?.following ? "Following" : "",
    relationship?.followed_by ? "Follows you" : "",
    relationship?.blocking ? "Blocked" : "",
    relationship?.muting ? "Muted" : "",
  ].filter(Boolean).join(" · ");
  lines.push([{ text: formatJoined(user.created_at), token: "dim" }, ...(standing ? [{ text: `  ${standing}`, token: "accent" as const }] : [])]);
  lines.push([{ text: "━".repeat(Math.max(1, width)), token: "border" }]);
  return lines;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Where a profile was left (going to a post from it, say), to come back to the same place. */
export interface ProfilePlace {
  fetched: Fetched;
  feed: FeedState;
}

export function ProfileView(props: {
  /** A user id, "me", or "@username". */
  userRef: string;
  /** Where this profile was left, when it is opened again by going back to it. */
  resume: ProfilePlace | undefined;
  /** Called when the view closes, with where it was (if its user had loaded). */
  onLeave: (place: ProfilePlace) => void;
  isOwn: (user: User) => boolean;
  /** The user as an edit saved it, and when: shown instead of an earlier fetch. */
  override: { user: User; at: number } | null;
  deletedPostId: string | null;
  width: number;
  height: number;
  maxCardHeight: number;
  dim: boolean;
  active: boolean;
  onError: (message: string) => void;
  /** Shows progress in the status line until the returned function is called. */
  onProgress: (text: string) => () => void;
  onCommand: (command: CommandId, post: Post | undefined, user: User | null) => void;
  onOpen: (route: Route) => void;
  /** After a follow or unfollow went through (Home changes). */
  onFollowChanged: () => void;
  /** After a block or mute went through: the timelines drop the user's posts at once. */
  onHidden: (userId: string) => void;
  onStatus: (message: string) => void;
  onConfirm: (prompt: string, declined: string, yes: () => void) => void;
}): ReactNode {
  const { api } = useServices();
  const theme = useTheme();
  const [fetched, setFetched] = useState<Fetched | null>(props.resume?.fetched ?? null);
  const fetchedNow = useRef(fetched);
  useLayoutEffect(() => {
    fetchedNow.current = fetched;
  });
  const [failed, setFailed] = useState<string | null>(null);
  const edited = props.override;
  const user: SocialUser | null =
    edited && fetched && edited.user.id === fetched.user.id && edited.at > fetched.at ? { ...fetched.user, ...edited.user } : (fetched?.user ?? null);
  const relationship = fetched?.relationship;
  const userId = user?.id ?? null;

  const fetchPage = useCallback(
    (cursor: string | null) => api.userPosts(userId ?? props.userRef, cursor),
    [api, userId, props.userRef],
  );
  // Left before its posts arrived (their answer went to the closed view): loaded afresh.
  const resumeFeed = props.resume?.feed.loaded ? props.resume.feed : undefined;
  const feed = usePostFeed(fetchPage, props.onError, resumeFeed);

  const leaving = useRef({ fetched, feed, onLeave: props.onLeave });
  useLayoutEffect(() => {
    leaving.current = { fetched, feed, onLeave: props.onLeave };
  });
  useEffect(
    () => () => {
      const { fetched: last, feed: lastFeed, onLeave } = leaving.current;
      if (last) onLeave({ fetched: last, feed: lastFeed.snapshot() });
    },
    [],
  );

  // The profile is fetched on opening and again on r: it may have changed since (another client,
  // another session of this user), so the header never shows what log-in saw.
  const live = useRef(true);
  const loadUser = useCallback(() => {
    api.userWithRelationship(props.userRef).then(
      (answer) => live.current && setFetched({ user: answer.user, ...(answer.relationship ? { relationship: answer.relationship } : {}), at: Date.now() }),
      (e: unknown) => {
        if (!live.current) return;
        setFailed(describeError(e));
        props.onError(describeError(e));
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps -- because the profile is fetched again for another user, not for a new onError callback
  }, [api, props.userRef]);
  useEffect(() => {
    live.current = true;
    loadUser();
    return () => {
      live.current = false;
    };
  }, [loadUser]);

  // Opened again where it was left: its posts are there, at the same place (r refreshes).
  const resumed = useRef(resumeFeed !== undefined);
  useEffect(() => {
    if (userId && !resumed.current) void feed.refresh();
    resumed.current = false;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- because feed changes with every page it loads: this refreshes once the user is known
  }, [userId]);

  useEffect(() => {
    if (props.deletedPostId) feed.remove(props.deletedPostId);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- because feed changes with every page it loads: this removes once per deleted post
  }, [props.deletedPostId]);

  const header = user ? profileHeaderLines(user, props.width, Math.floor(props.height / 3), relationship) : [];

  /** `f`: shows at once, and goes back with the server's reason if it refuses. */
  const toggleFollow = async (): Promise<void> => {
    const before = fetchedNow.current;
    if (!before || own) return;
    const on = !(before.relationship?.following ?? false);
    const followers = (before.user.followers_count ?? 0) + (on ? 1 : -1);
    const relationship: Relationship = { ...(before.relationship ?? NO_RELATIONSHIP), following: on };
    setFetched({ ...before, user: { ...before.user, followers_count: Math.max(0, followers) }, relationship, at: Date.now() });
    try {
      const answer = await api.setFollowing(before.user.id, on);
      props.onFollowChanged();
      if (live.current) setFetched({ user: { ...before.user, ...answer.user }, relationship: answer.relationship ?? relationship, at: Date.now() });
      props.onStatus(on ? `Following @${before.user.username}` : `Unfollowed @${before.user.username}`);
    } catch (error) {
      if (live.current) setFetched({ ...before, at: Date.now() });
      props.onError(describeError(error));
    }
  };
  /** `m` and `B`: the relationship as the server answers; a block also empties their posts here. */
  const setStanding = async (what: "muting" | "blocking", on: boolean): Promise<void> => {
    const before = fetchedNow.current;
    if (!before || own) return;
    try {
      const answer = await (what === "muting" ? api.setMuted(before.user.id, on) : api.setBlocked(before.user.id, on));
      props.onFollowChanged(); // Home changes (the stream's reset says so too)
      // Gone from the timelines now, not only once the stream's reset is shown with `.`.
      if (on) props.onHidden(before.user.id);
      if (live.current) {
        setFetched({ user: { ...before.user, ...answer.user }, relationship: answer.relationship ?? { ...(before.relationship ?? NO_RELATIONSHIP), [what]: on }, at: Date.now() });
        void feed.refresh();
      }
      const name = `@${before.user.username}`;
      props.onStatus(what === "muting" ? (on ? `Muted ${name}` : `Unmuted ${name}`) : on ? `Blocked ${name}` : `Unblocked ${name}`);
    } catch (error) {
      props.onError(describeError(error));
    }
  };

  const listHeight = Math.max(1, props.height - header.length);
  const geometry: ListGeometry = {
    width: props.width,
    height: listHeight,
    // Below the header there is less room than on the timeline: a long post is cut to what
    // shows, with its "… +N lines", rather than by the screen's edge.
    maxCardHeight: Math.min(props.maxCardHeight, listHeight),
  };
  const own = user ? props.isOwn(user) : false;

  useKeyHandler(
    LAYER.view,
    (event) => {
      const command = commandFor(event, [own ? "own-profile" : "profile"]);
      if (applyListCommand(command, feed, geometry)) return true;
      if (command === "refresh") {
        loadUser();
        refreshFeed(feed, props.onProgress);
        return true;
      }
      if (command === "follow") {
        void toggleFollow();
        return true;
      }
      if (command === "mute" && fetched) {
        void setStanding("muting", !(fetched.relationship?.muting ?? false));
        return true;
      }
      if (command === "block" && user) {
        const on = !(fetched?.relationship?.blocking ?? false);
        props.onConfirm(on ? `Block @${user.username}? y/n` : `Unblock @${user.username}? y/n`, on ? "Not blocked" : "Still blocked", () => void setStanding("blocking", on));
        return true;
      }
      if ((command === "followers" || command === "following") && user) {
        props.onOpen({ view: "users", params: { userId: user.id, username: user.username, which: command } });
        return true;
      }
      if (command) {
        props.onCommand(command, feed.selectedPost, user);
        return true;
      }
      return false;
    },
    props.active,
  );

  if (!user) {
    return (
      <Box height={props.height} paddingLeft={2}>
        <Text>{theme.paint(failed ? "error" : "dim", failed ?? "Loading profile…")}</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" height={props.height}>
      {header.map((line, i) => (
        <StyledLine key={i} line={line} width={props.width} dim={props.dim} />
      ))}
      <PostList
        feed={feed}
        geometry={geometry}
        authorOf={() => user}
        emptyMessage={own ? "You haven't posted yet — press n to write something." : "No posts yet."}
        endMessage="· No older posts ·"
        dim={props.dim}
      />
    </Box>
  );
}

export interface ProfileParams {
  /** A user id, "me", or "@username". */
  userRef: string;
  /** Where the profile was when a view opened from it covered it. */
  left?: ProfilePlace;
}

export function isOwnProfile(params: ProfileParams, me: Me): boolean {
  return params.userRef === me.id || params.userRef === "me";
}

/** A profile, as a view of the views table. */
export function ProfileScreen(props: ViewProps<ProfileParams>): ReactNode {
  const { params, app } = props;
  return (
    <ProfileView
      userRef={params.userRef}
      resume={params.left}
      onLeave={(place) => props.setParams({ ...params, left: place })}
      isOwn={(user) => user.id === app.me.id}
      override={app.savedProfile}
      deletedPostId={app.deletedPostId}
      width={props.width}
      height={props.height}
      maxCardHeight={props.maxCardHeight}
      dim={props.dim}
      active={props.active}
      onError={app.showError}
      onProgress={app.status.progress}
      onCommand={app.run}
      onOpen={app.open}
      onFollowChanged={app.homeChanged}
      onHidden={app.authorHidden}
      onStatus={(message) => app.status.show("success", message)}
      onConfirm={app.confirm}
    />
  );
}
