ALTER TABLE "Post" ALTER COLUMN "slug" SET EXPRESSION AS (lower("title"));
CREATE INDEX "x" ON "Post"("slug");
