-- Which side of its registration a notice went to: `registrant`, the organisation that
-- registered, or `known`, the one that knew the youth (involved now, or in its archive) or
-- another youth of the family. A historic match says different things to each (§8).
ALTER TABLE match_notices ADD COLUMN recipient_side TEXT NOT NULL DEFAULT 'known'
    CHECK (recipient_side IN ('registrant', 'known'));
-- Notices from before: the registrant's involvement began at the notice's moment.
UPDATE match_notices SET recipient_side = 'registrant' WHERE EXISTS (
    SELECT 1 FROM involvements i WHERE i.youth_id = match_notices.youth_id
        AND i.org_id = match_notices.to_org_id AND i.registered_at = match_notices.delivered_at);
