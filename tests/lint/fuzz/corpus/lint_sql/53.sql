CREATE INDEX "tmp_idx" ON "Post"("id");
DROP INDEX "tmp_idx";
