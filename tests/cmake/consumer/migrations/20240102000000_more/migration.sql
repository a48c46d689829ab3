-- ratchet:no-transaction
CREATE INDEX CONCURRENTLY t_id ON t (id);
