-- +goose Up
-- Cooperation posts: announcements, opportunities, requests for partners,
-- market and policy updates. Shareable records (type "network.post"); a
-- GREEN post is for the network's members, so community is always the
-- network's group.
CREATE TABLE network_posts (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,             -- announcement, opportunity_tender, ... (Kinds)
    title        TEXT NOT NULL,             -- text.Text as JSON
    title_plain  TEXT NOT NULL,             -- the title in its original language: share page, feeds, notifications
    body         TEXT NOT NULL,             -- text.Text as JSON, plain text with paragraphs
    country      TEXT NOT NULL,             -- ISO 3166-1 alpha-2 of an African state or CN, or 'africa'
    sectors      TEXT NOT NULL DEFAULT '',  -- space-separated, from org.Sectors (filtered through network_post_sectors)
    expires_on   TIMESTAMP,                 -- the last day it is current, midnight UTC; NULL: no expiry
    live_indexed BOOLEAN NOT NULL DEFAULT FALSE, -- its search document carries the "current" token
    notified_at  TIMESTAMP,                 -- when subscribers were told of it; NULL: not yet
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    owner_org TEXT NOT NULL, marking TEXT NOT NULL, state TEXT NOT NULL, visible_from TIMESTAMP, community TEXT NOT NULL DEFAULT ''
);
CREATE INDEX network_posts_created ON network_posts (created_at, id);
CREATE INDEX network_posts_owner ON network_posts (owner_org, created_at);
CREATE INDEX network_posts_country ON network_posts (country, created_at);
CREATE INDEX network_posts_kind ON network_posts (kind, created_at);
CREATE INDEX network_posts_expires ON network_posts (expires_on);
-- The sweep: posts nobody was told of yet (not on state: that would tempt
-- SQLite away from the primary key when reading search hits back).
CREATE INDEX network_posts_unnotified ON network_posts (notified_at, created_at);

CREATE TABLE network_post_sectors (
    post_id TEXT NOT NULL REFERENCES network_posts (id) ON DELETE CASCADE,
    sector  TEXT NOT NULL,
    PRIMARY KEY (post_id, sector)
);
CREATE INDEX network_post_sectors_sector ON network_post_sectors (sector, post_id);

-- Replies, seen by exactly who sees the post. parent_id is a top-level
-- reply of the same post (threads are one level deep) or NULL.
CREATE TABLE network_post_replies (
    id         TEXT PRIMARY KEY,
    post_id    TEXT NOT NULL REFERENCES network_posts (id) ON DELETE CASCADE,
    parent_id  TEXT REFERENCES network_post_replies (id),
    author_id  TEXT NOT NULL REFERENCES users (id),
    org_id     TEXT NOT NULL REFERENCES orgs (id),   -- the organisation the author replies for
    body       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX network_post_replies_post ON network_post_replies (post_id, created_at, id);

-- +goose Down
DROP TABLE network_post_replies;
DROP TABLE network_post_sectors;
DROP TABLE network_posts;
