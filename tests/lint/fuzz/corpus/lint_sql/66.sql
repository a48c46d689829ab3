SELECT 1;
-- ratchet:lint-ignore ban-drop-table archived
DROP INDEX CONCURRENTLY "x";
