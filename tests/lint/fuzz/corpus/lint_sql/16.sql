CLUSTER "Post" USING "Post_pkey";
