// The overlays table: one line per overlay (what it is called in the header, the key scopes
// it takes, how it is drawn), as views.ts is for views. Adding an overlay is a component plus
// one line here; the shell hands each the same context.
import type { ReactNode } from "react";
import type { User } from "../../api/index.js";
import { ComposeOverlay } from "../components/ComposeOverlay.js";
import { EditProfileOverlay } from "../components/EditProfileOverlay.js";
import { HelpOverlay } from "../components/HelpOverlay.js";
import { ReportOverlay } from "../components/ReportOverlay.js";
import { SearchOverlay } from "../components/SearchOverlay.js";
import type { Scope } from "../keys/bindings.js";
import type { SocialPost } from "../social.js";
import type { StatusApi } from "./status.js";
import type { Me } from "./view-types.js";
import type { Overlay, Route } from "./views.js";

/** What the shell gives every overlay. */
export interface OverlayContext {
  me: Me | null;
  meUser: User | null;
  areaWidth: number;
  areaHeight: number;
  status: StatusApi;
  /** The scopes and title of what is under help. */
  scopes: Scope[];
  title: string;
  /** This overlay is on top and has the keyboard. */
  active: (kind: Overlay["overlay"]) => boolean;
  close: (kind: Overlay["overlay"]) => void;
  openHelp: () => void;
  /** A post (or, with replyTo, a reply) was published. */
  published: (post: SocialPost, draftKept: boolean, replyTo: SocialPost | null) => void;
  profileSaved: (user: User) => void;
  /** Closes the overlay and opens a view (a search result). */
  openFrom: (kind: Overlay["overlay"], route: Route) => void;
}

export interface OverlaySpec<O extends Overlay> {
  /** An edit box takes the keyboard: its scopes, and its header title (none: the view's). */
  edit?: { title?: (overlay: O) => string; scopes: Scope[] };
  render: (overlay: O, ctx: OverlayContext) => ReactNode;
}

type OverlayTable = { [K in Overlay["overlay"]]: OverlaySpec<Extract<Overlay, { overlay: K }>> };

/** The edit boxes' shared frame: where they sit, the status line, help, closing. */
const frame = (kind: Overlay["overlay"], ctx: OverlayContext) => ({
  areaWidth: ctx.areaWidth,
  areaHeight: ctx.areaHeight,
  status: ctx.status,
  active: ctx.active(kind),
  onHelp: ctx.openHelp,
  onClose: () => ctx.close(kind),
});

export const OVERLAYS: OverlayTable = {
  compose: {
    edit: { title: () => "New post", scopes: ["compose", "text-field"] },
    render: (_, ctx) => (ctx.me ? <ComposeOverlay key="compose" userId={ctx.me.id} {...frame("compose", ctx)} onPublished={(post, kept) => ctx.published(post, kept, null)} /> : null),
  },
  reply: {
    edit: { title: (o) => `Reply to @${o.params.post.author?.username ?? "unknown"}`, scopes: ["compose", "text-field"] },
    render: (o, ctx) =>
      ctx.me ? (
        <ComposeOverlay key={`reply:${o.params.post.id}`} userId={ctx.me.id} replyTo={o.params.post} {...frame("reply", ctx)} onPublished={(post, kept) => ctx.published(post, kept, o.params.post)} />
      ) : null,
  },
  "edit-profile": {
    edit: { scopes: ["edit-profile", "text-field"] },
    render: (_, ctx) => (ctx.meUser ? <EditProfileOverlay key="edit-profile" user={ctx.meUser} {...frame("edit-profile", ctx)} onSaved={ctx.profileSaved} /> : null),
  },
  report: {
    edit: { title: (o) => `Report ${o.params.label}`, scopes: ["report", "text-field"] },
    render: (o, ctx) => <ReportOverlay key="report" target={o.params} {...frame("report", ctx)} />,
  },
  search: {
    edit: { title: () => "Search", scopes: ["search", "text-field"] },
    render: (_, ctx) => <SearchOverlay key="search" {...frame("search", ctx)} onOpen={(route) => ctx.openFrom("search", route)} />,
  },
  help: {
    render: (_, ctx) => <HelpOverlay key="help" scopes={ctx.scopes} viewName={ctx.title} areaWidth={ctx.areaWidth} areaHeight={ctx.areaHeight} onClose={() => ctx.close("help")} />,
  },
  // Asked in the status line.
  confirm: { render: () => null },
};

export function overlaySpec<O extends Overlay>(overlay: O): OverlaySpec<O> {
  return OVERLAYS[overlay.overlay] as unknown as OverlaySpec<O>;
}
