// Notifications and the live stream (social.md, "Notifications" and "Live updates").
import { Type, type Static } from "@sinclair/typebox";

export const NOTIFICATION_TYPES = ["follow", "like", "repost", "reply", "mention"] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const Notification = Type.Object(
  {
    id: Type.String({ description: "opaque; ordered, newest largest" }),
    type: Type.Union(NOTIFICATION_TYPES.map((t) => Type.Literal(t))),
    actor: Type.Ref("User"),
    post: Type.Optional(Type.Unknown({ description: "a Post, as on every timeline; absent for follow" })),
    created_at: Type.String({ format: "date-time" }),
    read: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const NotificationPage = Type.Object(
  {
    notifications: Type.Array(Notification),
    next_cursor: Type.Union([Type.String(), Type.Null()]),
    has_more: Type.Boolean(),
    unread_count: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

/** Body of POST /notifications/read: {} marks all read; up_to_id that one and every older one. */
export const MarkReadBody = Type.Object(
  { up_to_id: Type.Optional(Type.Unknown({ description: "a notification id" })) },
  { additionalProperties: false },
);
export type MarkReadBody = Static<typeof MarkReadBody>;

export const StreamQuery = Type.Object({
  timeline: Type.Optional(Type.String({ description: "home (default) or global" })),
});
export type StreamQuery = Static<typeof StreamQuery>;

export const STREAM_TIMELINES = ["home", "global"] as const;
export type StreamTimeline = (typeof STREAM_TIMELINES)[number];
