-- +goose Up
-- What a person follows: countries (or 'africa'), sectors and organisations.
CREATE TABLE network_subscriptions (
    user_id     TEXT NOT NULL REFERENCES users (id),
    target_kind TEXT NOT NULL CHECK (target_kind IN ('country', 'sector', 'org')),
    target      TEXT NOT NULL,   -- a country code, a sector, an organisation id
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, target_kind, target)
);
CREATE INDEX network_subscriptions_target ON network_subscriptions (target_kind, target, user_id);

-- +goose Down
DROP TABLE network_subscriptions;
