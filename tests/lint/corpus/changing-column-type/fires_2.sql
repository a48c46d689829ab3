-- Without a database the old type is unknown, so a widening still fires; with --url a
-- numeric(10,2) column becomes an info (metadata-only: binary-coercible).
ALTER TABLE "Post" ALTER COLUMN "price" SET DATA TYPE NUMERIC(12,2);
