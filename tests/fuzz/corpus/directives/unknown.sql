-- ratchet:transaction=off
SELECT 1;
