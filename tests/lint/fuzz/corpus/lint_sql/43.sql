ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
