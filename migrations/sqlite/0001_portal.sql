-- The portal's first schema (SQLite). Nothing here is readable question content: packages and
-- uploads are sealed bytes, releases are signed and public once due, passwords and codes are
-- Argon2id hashes, sessions are SHA-256 hashes of their tokens.
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, len BIGINT NOT NULL, bytes BLOB NOT NULL);
CREATE TABLE outboxes (seq BIGINT PRIMARY KEY, sha256 TEXT NOT NULL, made TEXT NOT NULL, imported TEXT NOT NULL);
CREATE TABLE organisations (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, category TEXT NOT NULL,
  region TEXT NOT NULL, status TEXT NOT NULL, certify TEXT NOT NULL, fingerprint TEXT NOT NULL);
CREATE TABLE sittings (id TEXT PRIMARY KEY, title TEXT NOT NULL, start_at TEXT NOT NULL, end_at TEXT NOT NULL, keys_at TEXT NOT NULL);
CREATE TABLE packages (sitting TEXT NOT NULL, organisation TEXT NOT NULL, sha256 TEXT NOT NULL, len BIGINT NOT NULL,
  PRIMARY KEY (sitting, organisation));
CREATE TABLE releases (sitting TEXT NOT NULL, stage TEXT NOT NULL, due_at TEXT NOT NULL, sha256 TEXT NOT NULL,
  PRIMARY KEY (sitting, stage));
CREATE TABLE enrolments (organisation TEXT PRIMARY KEY, code_hash TEXT NOT NULL, issued TEXT NOT NULL, expires TEXT NOT NULL,
  used TEXT, failures BIGINT NOT NULL DEFAULT 0, last_failure BIGINT NOT NULL DEFAULT 0);
CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, login TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  organisation TEXT, role TEXT NOT NULL, password_hash TEXT NOT NULL, active BIGINT NOT NULL DEFAULT 1,
  failures BIGINT NOT NULL DEFAULT 0, last_failure BIGINT NOT NULL DEFAULT 0, created TEXT NOT NULL);
CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL, created BIGINT NOT NULL, seen BIGINT NOT NULL);
CREATE TABLE uploads (id INTEGER PRIMARY KEY AUTOINCREMENT, organisation TEXT NOT NULL, user_id BIGINT NOT NULL,
  login TEXT NOT NULL, kind TEXT NOT NULL, file_name TEXT NOT NULL, sha256 TEXT NOT NULL, len BIGINT NOT NULL,
  received TEXT NOT NULL, inbox_seq BIGINT, accepted BIGINT, message TEXT);
CREATE TABLE log (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
