-- ratchet:statement-timeout=1h
-- ratchet:lock-timeout=10
SELECT 1;
