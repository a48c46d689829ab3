-- Built without blocking writes to "Post". CREATE INDEX CONCURRENTLY cannot run inside a
-- transaction block, so ratchet runs this migration in autocommit (Prisma-style bookkeeping).
-- CreateIndex
CREATE INDEX CONCURRENTLY "Post_authorId_idx" ON "Post"("authorId");
