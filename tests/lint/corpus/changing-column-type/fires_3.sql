ALTER TABLE "Post" ALTER COLUMN "views" TYPE TEXT USING "views"::text;
