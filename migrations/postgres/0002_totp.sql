-- One-time codes (RFC 6238) for administrators: the secret sealed with AES-256-GCM under a key
-- derived from the portal's own key file (portal.key), never in clear here; the last step used,
-- so a code works once.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
