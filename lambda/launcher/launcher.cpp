// The `bootstrap` at the root of the Lambda zip: a tiny static executable that starts the real
// runtime (bin/bootstrap) with the dynamic loader and libraries shipped in lib/, so nothing
// is taken from the Lambda image (provided.al2023 has glibc 2.34; we are built against 2.36).
// Static, so it needs neither a shell nor any library of the image.
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

/// LAMBDA_TASK_ROOT (always set by Lambda), else the launcher's own directory, else /var/task.
std::string task_root() {
    const char* env_root = std::getenv("LAMBDA_TASK_ROOT");
    if (env_root != nullptr && *env_root != '\0') return env_root;
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string dir(self, static_cast<std::size_t>(n));
        return dir.substr(0, dir.rfind('/'));
    }
    return "/var/task";
}

}  // namespace

int main() {
    const std::string root = task_root();
    const std::string loader = root + "/lib/ld-linux-x86-64.so.2";
    const std::string libs = root + "/lib";
    const std::string program = root + "/bin/bootstrap";
    char* const argv[] = {const_cast<char*>(loader.c_str()), const_cast<char*>("--library-path"),
                          const_cast<char*>(libs.c_str()), const_cast<char*>(program.c_str()),
                          nullptr};
    ::execv(loader.c_str(), argv);
    std::fprintf(stderr, "bootstrap: cannot exec %s: %s\n", loader.c_str(), std::strerror(errno));
    return 127;
}
