// Uses the library as a service would, without a database: version, embedded migrations
// (equal to the directory), and an engine (constructed, never connected).
#include <ratchet/ratchet.hpp>

#include <consumer_migrations.hpp>

#include <iostream>

int main() {
    const ratchet::migration_set embedded = app::consumer_migrations();
    const ratchet::migration_set loaded = ratchet::load_directory(CONSUMER_MIGRATIONS_DIR);
    std::cout << "ratchet " << ratchet::library_version() << " (headers " << ratchet::header_version
              << "): " << embedded.migrations.size() << " migrations from " << embedded.origin
              << '\n';
    int failures = 0;
    auto check = [&](bool ok, const char* what) {
        if (!ok) {
            std::cerr << "FAIL: " << what << '\n';
            ++failures;
        }
    };
    check(ratchet::library_version() == ratchet::header_version,
          "library and header versions differ");
    check(embedded.migrations.size() == 2, "expected 2 embedded migrations");
    check(ratchet::migrations_hash(embedded) == ratchet::migrations_hash(loaded),
          "embedded migrations differ from the directory");
    check(embedded.lock_file == loaded.lock_file, "lock file differs");
    check(embedded.migrations.size() == 2 && embedded.migrations[1].needs_autocommit,
          "CREATE INDEX CONCURRENTLY not detected");
    ratchet::engine engine{
        {.url = "postgresql://app@127.0.0.1:1/app?schema=public", .migrations = embedded}};
    check(engine.settings().migrations.migrations.size() == 2, "engine lost the migrations");
    try {
        ratchet::engine bad{{.url = "postgresql://[::1"}};
        check(false, "a malformed URL was accepted");
    } catch (const ratchet::error& e) {
        check(e.code() == ratchet::errc::invalid_input, "malformed URL: wrong error code");
    }
    if (failures == 0) std::cout << "consumer: OK\n";
    return failures == 0 ? 0 : 1;
}
