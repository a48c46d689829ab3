CREATE TABLE "Comment" ("id" BIGSERIAL PRIMARY KEY, "postId" BIGINT NOT NULL);
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id");
