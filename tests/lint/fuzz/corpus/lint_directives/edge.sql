-- ratchet:lint-ignore
-- ratchet:lint-ignore   ban-cluster   
--ratchet:lint-ignoreX y z
SELECT 1; -- ratchet:lint-ignore ban-cluster ok
