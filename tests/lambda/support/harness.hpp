/// @file harness.hpp
/// One bootstrap process wired to loopback fakes: Runtime API, Secrets Manager, ResponseURL;
/// optionally a scratch database. Collects everything the process said or answered, so tests
/// can check that no secret ever appears.
#pragma once

#include "fake_aws.hpp"
#include "fake_runtime_api.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"

#include <nlohmann/json.hpp>

#include <memory>

namespace ratchet::lambda::test {

using json = nlohmann::json;

/// Hash of a fixture directory, as the CDK construct computes it.
std::string fixture_hash(const std::string& fixture);
std::string fixture_dir(const std::string& fixture);

class harness {
public:
    explicit harness(std::string fixture, bool with_db = true);
    ~harness();

    std::map<std::string, std::string> env;
    fake_runtime_api runtime;
    fake_secrets_manager secrets;
    fake_response_url cfn{};
    std::unique_ptr<ratchet_test::scratch_db> db;  ///< owned by a login role with a password

    /// Starts (or restarts with the current env) the bootstrap; program defaults to the build's.
    void start(const std::string& program = RATCHET_LAMBDA_BOOTSTRAP,
               const std::string& chroot_dir = {});
    void stop();
    /// True while the bootstrap process runs.
    [[nodiscard]] bool running();
    /// Waits (up to max) for the bootstrap to exit by itself.
    bool wait_exit(std::chrono::milliseconds max);
    void use_fixture(const std::string& fixture);

    /// Resource properties pointing at the scratch database through the secret "db-secret".
    [[nodiscard]] json db_props() const;
    /// A CloudFormation event; service_token defaults to the CDK framework's function.
    [[nodiscard]] json cfn_event(const std::string& type, const json& props,
                                 const std::string& physical_id = {},
                                 const std::string& service_token = {}) const;

    /// Queues payload and waits for the answer (fails the test when none comes in time).
    fake_runtime_api::result invoke(const std::string& payload,
                                    std::chrono::milliseconds timeout = std::chrono::seconds{60},
                                    std::chrono::milliseconds wait = std::chrono::seconds{60});

    /// Output of the process plus every answer and every PUT body.
    [[nodiscard]] std::string everything() const;
    /// Fails the test if a password, token, key, signed URL or ResponseURL appears anywhere.
    void check_no_secrets() const;

    std::string fixture;

private:
    std::unique_ptr<ratchet_test::child_process> proc_;
    std::string log_file_;
    std::string task_root_;
};

}  // namespace ratchet::lambda::test
