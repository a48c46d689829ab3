CREATE TABLE "Draft" ("id" BIGINT PRIMARY KEY, "name" TEXT);
ALTER TABLE "Draft" RENAME COLUMN "name" TO "title";
