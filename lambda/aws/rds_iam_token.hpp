/// @file rds_iam_token.hpp
/// RDS IAM authentication token: a SigV4 pre-signed "connect" URL without its scheme,
/// valid for 15 minutes, computed locally (no network). The result is a secret.
#pragma once

#include "aws/sigv4.hpp"

#include <chrono>
#include <string>

namespace ratchet::lambda {

struct rds_token_request {
    std::string host;
    int port = 5432;
    std::string user;
    std::string region;
    std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
};

/// `<host>:<port>/?Action=connect&DBUser=..&X-Amz-...&X-Amz-Signature=..` (service rds-db,
/// signed header host, payload hash of the empty string, X-Amz-Expires=900).
[[nodiscard]] std::string rds_iam_token(const rds_token_request& r,
                                        const sigv4::credentials& creds);

}  // namespace ratchet::lambda
