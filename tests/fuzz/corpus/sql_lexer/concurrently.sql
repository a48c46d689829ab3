-- ratchet:no-transaction
CREATE INDEX CONCURRENTLY "a_idx" ON "A"("x");
CREATE INDEX CONCURRENTLY "b_idx" ON "A"("y");
