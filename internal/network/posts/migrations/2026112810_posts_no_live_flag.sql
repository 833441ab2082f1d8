-- +goose Up
-- Whether a post has expired is decided from expires_on inside the search
-- query (search.Request.Where); the index no longer carries it.
ALTER TABLE network_posts DROP COLUMN live_indexed;

-- +goose Down
ALTER TABLE network_posts ADD COLUMN live_indexed BOOLEAN NOT NULL DEFAULT FALSE;
