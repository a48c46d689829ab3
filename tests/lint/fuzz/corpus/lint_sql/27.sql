ALTER TABLE "Post" ADD CONSTRAINT "title_len" CHECK (char_length("title") <= 200);
