SELECT 1;
-- ratchet:lint-ignore no-such-rule because
SELECT 2;
