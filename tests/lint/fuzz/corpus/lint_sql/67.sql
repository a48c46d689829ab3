SELECT 1;
-- ratchet:lint-ignore ban-drop-table archived, nothing reads it
DROP TABLE "Legacy";
