// The TLS certificate holder (SPEC 16): TLS 1.2 as the floor, files checked and named, and a
// reload that keeps the last good pair when the new files are wrong.
#include "weft/serve/http/tls.hpp"

#include "temp_dir.hpp"

#include <openssl/ssl.h>

#include <catch2/catch.hpp>

#include <cstdlib>

using weft::test::TempDir;

namespace {

void make_certificate(const TempDir& dir, const std::string& name) {
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name + " -keyout " +
                              (dir.path() / (name + ".key")).string() + " -out " + (dir.path() / (name + ".pem")).string() +
                              " > /dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
}

}  // namespace

TEST_CASE("TLS: the server context speaks TLS 1.2 and 1.3 only, and never renegotiates") {
  // The end-to-end refusal of a TLS 1.1 client cannot be shown on this machine: its OpenSSL 3
  // cannot complete a TLS 1.1 handshake even against `openssl s_server -tls1_1`, so the floor
  // is checked on the context itself.
  TempDir dir;
  make_certificate(dir, "a");
  weft::TlsCertificate tls(dir.path() / "a.pem", dir.path() / "a.key");
  SSL_CTX* ctx = tls.context()->sslContext();
  CHECK(SSL_CTX_get_min_proto_version(ctx) == TLS1_2_VERSION);
  CHECK(SSL_CTX_get_max_proto_version(ctx) == 0);  // no ceiling: TLS 1.3 included
  CHECK((SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION) != 0);
}

TEST_CASE("TLS: unreadable files and a key of another certificate are errors naming the file") {
  TempDir dir;
  make_certificate(dir, "a");
  make_certificate(dir, "b");
  const auto refusal = [&](const std::string& certificate, const std::string& key) {
    try {
      weft::TlsCertificate tls(dir.path() / certificate, dir.path() / key);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refusal("none.pem", "a.key") == "cannot read the TLS certificate " + (dir.path() / "none.pem").string() + ": No such file or directory");
  CHECK(refusal("a.pem", "b.key") ==
        "the TLS key " + (dir.path() / "b.key").string() + " does not belong to the certificate " + (dir.path() / "a.pem").string());
  CHECK(refusal("a.key", "a.key").rfind("the TLS certificate " + (dir.path() / "a.key").string() + " holds no PEM certificate", 0) == 0);
  CHECK(refusal("a.pem", "a.key") == "accepted");

  // a reload that finds broken files reports them and changes nothing
  weft::TlsCertificate tls(dir.path() / "a.pem", dir.path() / "a.key");
  dir.write("a.key", "garbage\n");
  std::vector<std::string> errors;
  CHECK_FALSE(tls.reload_part()(errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].rfind("the TLS key " + (dir.path() / "a.key").string() + " holds no PEM private key", 0) == 0);
}
