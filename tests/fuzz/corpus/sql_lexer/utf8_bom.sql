-- ratchet:lock-timeout=5s
INSERT INTO t VALUES ('Ã©tÃ©', 'ÿþ');
