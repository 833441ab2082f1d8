-- +goose Up
-- A programme office keeps its module's community group but is not one of
-- the community: it saw the community's GREEN records as a member.
DELETE FROM group_members
WHERE org_id IN (SELECT o.id FROM orgs o WHERE o.kind = 'programme_office')
  AND group_id IN (SELECT g.id FROM org_groups g WHERE g.owner_org = group_members.org_id);

-- +goose Down
SELECT 1;
