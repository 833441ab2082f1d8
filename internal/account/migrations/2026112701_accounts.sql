-- +goose Up
CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    pseudonym          TEXT NOT NULL UNIQUE,
    email              TEXT UNIQUE,
    name               TEXT NOT NULL,
    password_hash      TEXT NOT NULL DEFAULT '',
    locale             TEXT NOT NULL DEFAULT '',
    time_zone          TEXT NOT NULL DEFAULT 'UTC',
    email_confirmed_at TIMESTAMP,
    totp_secret        TEXT NOT NULL DEFAULT '',
    totp_enabled_at    TIMESTAMP,
    suspended_at       TIMESTAMP,
    deleted_at         TIMESTAMP,
    created_at         TIMESTAMP NOT NULL
);

CREATE TABLE user_roles (
    user_id    TEXT NOT NULL REFERENCES users(id),
    role       TEXT NOT NULL,
    granted_by TEXT,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY, -- SHA-256 of the cookie value
    user_id      TEXT NOT NULL REFERENCES users(id),
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    mfa_pending  BOOLEAN NOT NULL DEFAULT FALSE,
    client_ip    TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Single-use links: set-up, e-mail confirmation, password reset, e-mail change.
CREATE TABLE links (
    id         TEXT PRIMARY KEY, -- SHA-256 of the secret in the link
    purpose    TEXT NOT NULL,
    user_id    TEXT REFERENCES users(id),
    data       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX links_user ON links (user_id, purpose);

CREATE TABLE signin_failures (
    id        TEXT PRIMARY KEY,
    email     TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    at        TIMESTAMP NOT NULL
);
CREATE INDEX signin_failures_email ON signin_failures (email, at);
CREATE INDEX signin_failures_ip ON signin_failures (client_ip, at);

-- A device that signed in successfully; it is exempt from the per-account
-- slow-down, so that an attacker cannot lock the owner out.
CREATE TABLE known_devices (
    id         TEXT PRIMARY KEY, -- SHA-256 of the cookie value
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX known_devices_user ON known_devices (user_id);

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    user_id      TEXT REFERENCES users(id),
    org_id       TEXT,
    scopes       TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE INDEX api_tokens_org ON api_tokens (org_id);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE recovery_codes;
DROP TABLE known_devices;
DROP TABLE signin_failures;
DROP TABLE links;
DROP TABLE sessions;
DROP TABLE user_roles;
DROP TABLE users;
