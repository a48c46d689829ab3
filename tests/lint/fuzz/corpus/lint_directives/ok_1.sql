SELECT 1;
-- ratchet:lint-ignore ban-drop-table archived in 2024, nothing reads it
DROP TABLE "Legacy";
