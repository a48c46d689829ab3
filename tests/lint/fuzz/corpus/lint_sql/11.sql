ALTER TABLE "Legacy" ADD CONSTRAINT "Legacy_pkey" PRIMARY KEY ("id");
