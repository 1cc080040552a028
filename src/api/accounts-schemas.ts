// Schemas of the account routes (social.md, "Accounts" and "SSH keys") and GET /instance.
import { Type, type Static } from "@sinclair/typebox";

const strict = { additionalProperties: false } as const;

export const ChangePasswordBody = Type.Object({
  current_password: Type.String(),
  new_password: Type.String({ description: "8–128 characters" }),
}, strict);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const DeleteAccountBody = Type.Object({ password: Type.String() }, strict);
export type DeleteAccountBody = Static<typeof DeleteAccountBody>;

export const SshKey = Type.Object({
  id: Type.String({ format: "uuid" }),
  type: Type.String({ description: "ssh-ed25519, ecdsa-sha2-nistp256 or ssh-rsa" }),
  fingerprint: Type.String({ description: "SHA256:…, as ssh-keygen -l prints it" }),
  comment: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
}, strict);
export type SshKey = Static<typeof SshKey>;

export const AddSshKeyBody = Type.Object({
  public_key: Type.String({ description: "one line as in ~/.ssh/id_ed25519.pub: `type base64 [comment]`; ed25519, ECDSA P-256, or RSA of at least 2048 bits" }),
}, strict);
export type AddSshKeyBody = Static<typeof AddSshKeyBody>;

export const SshKeyResponse = Type.Object({ key: SshKey }, strict);
export type SshKeyResponse = Static<typeof SshKeyResponse>;
export const SshKeyList = Type.Object({ keys: Type.Array(SshKey) }, strict);
export type SshKeyList = Static<typeof SshKeyList>;

export const SshChallengeBody = Type.Object({ username: Type.String() }, strict);
export type SshChallengeBody = Static<typeof SshChallengeBody>;

export const SshChallengeResponse = Type.Object({
  challenge: Type.String({ description: "niotebook-login <server origin> <nonce>: sign its UTF-8 bytes exactly" }),
  namespace: Type.Literal("niotebook-login"),
  expires_at: Type.String(),
}, strict);
export type SshChallengeResponse = Static<typeof SshChallengeResponse>;

export const SshLoginBody = Type.Object({
  username: Type.String(),
  challenge: Type.String(),
  signature: Type.String({ description: "armored SSHSIG, as `ssh-keygen -Y sign -n niotebook-login` writes it" }),
}, strict);
export type SshLoginBody = Static<typeof SshLoginBody>;

export const InstanceInfo = Type.Object({
  name: Type.String(),
  version: Type.String(),
  registration: Type.Union([Type.Literal("open"), Type.Literal("invite"), Type.Literal("closed")]),
  limits: Type.Object({
    post_characters: Type.Integer(),
    display_name_characters: Type.Integer(),
    bio_characters: Type.Integer(),
    page_limit_max: Type.Integer(),
  }, strict),
}, strict);
export type InstanceInfo = Static<typeof InstanceInfo>;

/** The export archive; lists the social issue adds stay empty until their tables exist. */
export type AccountExport = {
  exported_at: string;
  profile: { id: string; username: string; email: string; display_name: string; bio: string; created_at: string };
  posts: Array<{ id: string; content: string; created_at: string; reply_to_id?: string | null }>;
  following: string[];
  followers: string[];
  likes: string[];
  blocks: string[];
  mutes: string[];
  ssh_keys: Array<{ type: string; fingerprint: string; comment: string | null; created_at: string }>;
};
