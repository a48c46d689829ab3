ANALYZE "Post";
