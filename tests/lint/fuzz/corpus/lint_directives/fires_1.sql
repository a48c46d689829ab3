SELECT 1;
-- ratchet:lint-ignore ban-drop-table
DROP TABLE "Legacy";
