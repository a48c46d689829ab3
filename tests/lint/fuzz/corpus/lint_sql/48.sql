SET lock_timeout = '5s';
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
