-- ratchet:lock-timeout=5s
-- AlterTable
ALTER TABLE "visits" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'startup';

-- CreateIndex
CREATE INDEX "visits_at_idx" ON "visits"("at");
