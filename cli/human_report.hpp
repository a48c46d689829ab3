// Human output modelled on Prisma's CLI texts (same sentences where Prisma has one).
#pragma once

#include <ratchet/ratchet.hpp>

#include <string>

namespace ratchet_cli {

/// "3 migrations found in prisma/migrations" / "No migration found in prisma/migrations".
std::string found_line(std::size_t count, const std::string& dir);

/// "No pending migrations to apply." or Prisma's tree of applied migrations.
std::string deploy_text(const ratchet::deploy_report& r);

/// Status output split by stream, and the exit code Prisma would use.
struct status_output {
    std::string out;
    std::string err;
    int exit_code = 0;
};
status_output status_text(const ratchet::status_report& r, const std::string& dir);

std::string plan_text(const ratchet::plan_report& r);

}  // namespace ratchet_cli
