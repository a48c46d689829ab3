CREATE TABLE "scratch" ("id" BIGINT);
DROP TABLE "scratch";
