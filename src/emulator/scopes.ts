/**
 * @module X's OAuth 2.0 scopes: every scope X's OpenAPI document lists (`OAuth2UserToken`), and
 * `users.email` (X's authentication docs; not in the OpenAPI). See docs/x-fidelity.md.
 */

export const X_SCOPES = new Set([
  'tweet.read',
  'tweet.write',
  'tweet.moderate.write',
  'users.read',
  'users.email',
  'follows.read',
  'follows.write',
  'offline.access',
  'space.read',
  'mute.read',
  'mute.write',
  'like.read',
  'like.write',
  'list.read',
  'list.write',
  'block.read',
  'block.write',
  'bookmark.read',
  'bookmark.write',
  'dm.read',
  'dm.write',
  'media.write',
  'timeline.read',
  'broadcast.read',
  'broadcast.write',
]);

/** Scopes each emulated endpoint needs. */
export const REQUIRED_SCOPES = {
  usersMe: ['tweet.read', 'users.read'],
  createPost: ['tweet.read', 'tweet.write', 'users.read'],
  deletePost: ['tweet.read', 'tweet.write', 'users.read'],
  userPosts: ['tweet.read', 'users.read'],
  uploadMedia: ['media.write'],
} as const;
