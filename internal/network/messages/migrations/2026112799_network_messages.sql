-- +goose Up
-- Conversations between two organisations: started by a member of org_a,
-- addressed to org_b, seen by the members of the two only. Messages are
-- numbered within their conversation (seq), and a person has read a
-- conversation up to the seq of the last message they saw.
CREATE TABLE network_conversations (
    id             TEXT PRIMARY KEY,
    org_a          TEXT NOT NULL REFERENCES orgs (id),
    org_b          TEXT NOT NULL REFERENCES orgs (id),
    subject        TEXT NOT NULL,
    subject_search TEXT NOT NULL,
    started_by     TEXT NOT NULL REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    last_at        TIMESTAMP NOT NULL,
    last_seq       INTEGER NOT NULL,
    CHECK (org_a <> org_b)
);
CREATE INDEX network_conversations_a ON network_conversations (org_a, last_at, id);
CREATE INDEX network_conversations_b ON network_conversations (org_b, last_at, id);

CREATE TABLE network_messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES network_conversations (id),
    seq             INTEGER NOT NULL,
    org_id          TEXT NOT NULL REFERENCES orgs (id),
    author_id       TEXT NOT NULL REFERENCES users (id),
    body            TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (conversation_id, seq)
);

CREATE TABLE network_reads (
    user_id         TEXT NOT NULL REFERENCES users (id),
    conversation_id TEXT NOT NULL REFERENCES network_conversations (id),
    seq             INTEGER NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);

-- +goose Down
DROP TABLE network_reads;
DROP TABLE network_messages;
DROP TABLE network_conversations;
