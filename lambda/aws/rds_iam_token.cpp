#include "aws/rds_iam_token.hpp"

namespace ratchet::lambda {

std::string rds_iam_token(const rds_token_request& r, const sigv4::credentials& creds) {
    const std::string host_port = r.host + ":" + std::to_string(r.port);
    sigv4::request req;
    req.method = "GET";
    req.path = "/";
    req.query = {{"Action", "connect"}, {"DBUser", r.user}};
    req.headers = {{"host", host_port}};
    sigv4::settings s;
    s.region = r.region;
    s.service = "rds-db";
    s.time = r.time;
    s.expires = std::chrono::seconds{900};
    (void)sigv4::presign(req, creds, s);
    return host_port + "/?" + sigv4::query_string(req.query);
}

}  // namespace ratchet::lambda
