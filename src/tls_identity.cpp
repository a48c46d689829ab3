#include "tls_identity.hpp"

#include <ratchet/error.hpp>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include <sys/stat.h>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace ratchet::detail {
namespace {

template <typename T, void (*Free)(T*)>
struct ossl_deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using bio_ptr = std::unique_ptr<BIO, ossl_deleter<BIO, BIO_free_all>>;
using p12_ptr = std::unique_ptr<PKCS12, ossl_deleter<PKCS12, PKCS12_free>>;
using x509_ptr = std::unique_ptr<X509, ossl_deleter<X509, X509_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, ossl_deleter<EVP_PKEY, EVP_PKEY_free>>;

void x509_stack_free(STACK_OF(X509) * s) {
    sk_X509_pop_free(s, X509_free);
}
using chain_ptr = std::unique_ptr<STACK_OF(X509), ossl_deleter<STACK_OF(X509), x509_stack_free>>;

[[noreturn]] void fail(const std::string& file, const std::string& what) {
    ERR_clear_error();
    throw error(errc::invalid_input, "sslidentity " + file + ": " + what);
}

// Writes through a BIO on a file created with mode 0600 (the key must never be readable by others).
template <typename Write>
void write_private(const std::filesystem::path& path, const std::string& identity, Write write) {
    const auto old = ::umask(077);
    bio_ptr out{BIO_new_file(path.c_str(), "w")};
    ::umask(old);
    if (!out || write(out.get()) != 1)
        fail(identity, "cannot write the unpacked identity to " + path.string());
}

}  // namespace

pem_identity::pem_identity(const std::string& pkcs12_file, const std::string& password) {
    bio_ptr in{BIO_new_file(pkcs12_file.c_str(), "rb")};
    if (!in) fail(pkcs12_file, "cannot open the file");
    p12_ptr p12{d2i_PKCS12_bio(in.get(), nullptr)};
    if (!p12) fail(pkcs12_file, "not a PKCS#12 file");
    EVP_PKEY* key_raw = nullptr;
    X509* cert_raw = nullptr;
    STACK_OF(X509)* chain_raw = nullptr;
    if (PKCS12_parse(p12.get(), password.c_str(), &key_raw, &cert_raw, &chain_raw) != 1) {
        fail(pkcs12_file, "cannot decrypt it (is sslpassword right?)");
    }
    const pkey_ptr key{key_raw};
    const x509_ptr cert{cert_raw};
    const chain_ptr chain{chain_raw};
    if (!key || !cert) fail(pkcs12_file, "it holds no certificate and key");
    std::string templ =
        (std::filesystem::temp_directory_path() / "ratchet-identity-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr)
        fail(pkcs12_file, "cannot create a private temporary directory");
    dir_ = templ;
    write_private(dir_ / "cert.pem", pkcs12_file, [&](BIO* b) {
        int ok = PEM_write_bio_X509(b, cert.get());
        for (int i = 0; chain && ok == 1 && i < sk_X509_num(chain.get()); ++i) {
            ok = PEM_write_bio_X509(b, sk_X509_value(chain.get(), i));
        }
        return ok;
    });
    write_private(dir_ / "key.pem", pkcs12_file, [&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
}

pem_identity::~pem_identity() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

}  // namespace ratchet::detail
