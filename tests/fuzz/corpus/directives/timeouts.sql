-- Added by hand
--   ratchet:lock-timeout = 500ms
-- ratchet:statement-timeout=2min

ALTER TABLE t ADD COLUMN c int;
