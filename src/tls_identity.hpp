// Prisma's `sslidentity`: a PKCS#12 file with the client certificate and key. libpq reads PEM
// files only, so the identity is unpacked into a private temporary directory for the moment of
// the TLS handshake and removed right after.
#pragma once

#include <filesystem>
#include <string>

namespace ratchet::detail {

class pem_identity {
public:
    /// Unpacks `pkcs12_file` (decrypted with `password`) into cert.pem and key.pem (mode 0600)
    /// in a new directory only this user can read.
    /// @throws ratchet::error (invalid_input) naming the file, never the password.
    pem_identity(const std::string& pkcs12_file, const std::string& password);
    pem_identity(const pem_identity&) = delete;
    pem_identity& operator=(const pem_identity&) = delete;
    /// Removes the files.
    ~pem_identity();

    [[nodiscard]] std::string cert_file() const { return (dir_ / "cert.pem").string(); }
    [[nodiscard]] std::string key_file() const { return (dir_ / "key.pem").string(); }

private:
    std::filesystem::path dir_;
};

}  // namespace ratchet::detail
