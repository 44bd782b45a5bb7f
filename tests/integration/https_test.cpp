// weft serve over HTTPS (SPEC 16), with certificates the test makes with openssl: webhooks,
// signatures and limits over TLS beside plain HTTP on another address, TLS 1.1 refused, a
// renewed certificate seen by new connections after SIGHUP, a silent TCP client blocking no
// one, and start-up and reload errors that name the file.
#include "server_process.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/StreamCopier.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

using weft::test::http;
using weft::test::json_member;
using weft::test::ServerProcess;
using weft::test::TempDir;

namespace {

// A self-signed certificate for CN=`name` and its key, as cert.pem and key.pem in `folder`.
void make_certificate(const std::filesystem::path& folder, const std::string& name) {
  std::filesystem::create_directories(folder);
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name + " -keyout " +
                              (folder / "key.pem").string() + " -out " + (folder / "cert.pem").string() + " > /dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
}

Poco::Net::Context::Ptr client_context() {
  static Poco::Net::Context::Ptr context = [] {
    Poco::Net::initializeSSL();
    return Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_NONE));
  }();
  return context;
}

struct HttpsAnswer {
  int status = 0;
  std::string body;
  std::string certificate_name;  // the server certificate's common name
};

// `claimed_length`, when set, is the Content-Length sent instead of the body's (a sender
// announcing a body over the limit, which the server refuses before reading it).
HttpsAnswer send(Poco::Net::HTTPSClientSession& session, const std::string& method, const std::string& path, const std::string& body = "",
                 const std::vector<std::pair<std::string, std::string>>& headers = {}, std::streamsize claimed_length = -1) {
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/json");
  request.setContentLength(claimed_length >= 0 ? claimed_length : static_cast<std::streamsize>(body.size()));
  for (const auto& [name, value] : headers) request.set(name, value);
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpsAnswer answer;
  answer.status = response.getStatus();
  Poco::StreamCopier::copyToString(in, answer.body);
  answer.certificate_name = session.serverCertificate().commonName();
  return answer;
}

HttpsAnswer https(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body = "",
                  const std::vector<std::pair<std::string, std::string>>& headers = {}, std::streamsize claimed_length = -1) {
  Poco::Net::HTTPSClientSession session("127.0.0.1", port, client_context());
  session.setTimeout(Poco::Timespan(10, 0));
  return send(session, method, path, body, headers, claimed_length);
}

std::string hmac_hex(const std::string& secret, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest,
       &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += "0123456789abcdef"[digest[i] >> 4];
    hex += "0123456789abcdef"[digest[i] & 15];
  }
  return hex;
}

const std::string signed_flow = "id: signed\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                "    with: { signature: { scheme: hmac-sha256, secret_env: WEFT_TEST_SECRET, prefix: 'sha256=' } }\n"
                                "  - id: user\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                                "  - id: group\n    plugin: profile_grouper\n";

struct TlsServer {
  TempDir dir;
  std::unique_ptr<ServerProcess> server;
  std::uint16_t https_port = 0;
  explicit TlsServer(const std::string& name = "first") {
    make_certificate(dir.path() / "tls", name);
    dir.write("flows/signed.yaml", signed_flow);
    weft::test::ServeOptions options;
    options.workflows = (dir.path() / "flows").string();
    options.listen = "[127.0.0.1:0, 'https://127.0.0.1:0']";
    options.extra_config = "tls: { certificate: tls/cert.pem, key: tls/key.pem }\n";
    options.env = {{"WEFT_TEST_SECRET", "s3cret"}};
    server = std::make_unique<ServerProcess>(dir, options);
    https_port = server->port_of("https://127.0.0.1:");
    REQUIRE(https_port != 0);
  }
};

}  // namespace

TEST_CASE("HTTPS: webhooks with their signatures and limits over TLS, and plain HTTP on another address") {
  TlsServer s;
  const std::string body = R"({"user":"u1"})";
  auto r = https(s.https_port, "POST", "/collect/signed", body, {{"X-Signature", "sha256=" + hmac_hex("s3cret", body)}});
  CHECK(r.status == 200);
  CHECK(json_member(r.body, "$.status") == "processed");
  CHECK(r.certificate_name == "first");
  r = https(s.https_port, "POST", "/collect/signed", body, {{"X-Signature", "sha256=" + hmac_hex("wrong", body)}});
  CHECK(r.status == 401);
  CHECK(json_member(r.body, "$.error") == "bad_signature");
  r = https(s.https_port, "POST", "/collect/signed", "{}", {}, 2 * 1024 * 1024);  // announced over max_body_bytes
  CHECK(r.status == 413);
  CHECK(json_member(r.body, "$.error") == "too_large");
  // the same server answers plain HTTP on its other address
  CHECK(http(s.server->port(), "GET", "/healthz").status == 200);
  CHECK(s.server->output().find("listening on http://127.0.0.1:" + std::to_string(s.server->port()) + ", https://127.0.0.1:" +
                                std::to_string(s.https_port)) != std::string::npos);
}

TEST_CASE("HTTPS: TLS 1.2 and 1.3 are both served") {
  // (TLS 1.0 and 1.1 are refused by the context's floor, checked in tls_test.cpp: this
  // machine's OpenSSL cannot make a TLS 1.1 handshake with any server, so a client test of the
  // refusal would pass whatever weft did.)
  TlsServer s;
  const std::string to = " -connect 127.0.0.1:" + std::to_string(s.https_port) + " < /dev/null > /dev/null 2>&1";
  CHECK(std::system(("openssl s_client -tls1_3" + to).c_str()) == 0);
  CHECK(std::system(("openssl s_client -tls1_2" + to).c_str()) == 0);
}

TEST_CASE("HTTPS: TLS 1.2 offers only ECDHE key exchange with AEAD ciphers (Mozilla intermediate)") {
  TlsServer s;
  const std::string to = " -connect 127.0.0.1:" + std::to_string(s.https_port) + " < /dev/null > /dev/null 2>&1";
  const auto handshake = [&](const std::string& cipher) { return std::system(("openssl s_client -tls1_2 -cipher " + cipher + to).c_str()) == 0; };
  REQUIRE(handshake("ECDHE-RSA-AES128-GCM-SHA256"));
  CHECK(handshake("ECDHE-RSA-AES256-GCM-SHA384"));
  CHECK(handshake("ECDHE-RSA-CHACHA20-POLY1305"));
  CHECK_FALSE(handshake("AES128-SHA"));           // static RSA, CBC with SHA-1
  CHECK_FALSE(handshake("AES128-GCM-SHA256"));    // static RSA: no forward secrecy
  CHECK_FALSE(handshake("ECDHE-RSA-AES128-SHA"));  // forward secret, but CBC with SHA-1
  CHECK_FALSE(handshake("DHE-RSA-AES128-GCM-SHA256"));
  CHECK(std::system(("openssl s_client -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256" + to).c_str()) == 0);
}

TEST_CASE("HTTPS: after SIGHUP a renewed certificate is served to new connections: open ones keep going") {
  TlsServer s("first");
  Poco::Net::HTTPSClientSession open_session("127.0.0.1", s.https_port, client_context());
  open_session.setKeepAlive(true);
  CHECK(send(open_session, "GET", "/healthz").certificate_name == "first");

  make_certificate(s.dir.path() / "tls", "second");  // a renewal writes new files in place
  s.server->signal(SIGHUP);
  std::string seen;
  for (int i = 0; i < 100 && seen != "second"; ++i) {
    seen = https(s.https_port, "GET", "/healthz").certificate_name;
    if (seen != "second") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(seen == "second");
  const auto again = send(open_session, "GET", "/healthz");  // the connection opened before
  CHECK(again.status == 200);
  CHECK(again.certificate_name == "first");

  // a broken renewal is refused by the reload, naming the file, and the last good one stays
  s.dir.write("tls/key.pem", "not a key\n");
  const auto refused = http(s.server->port(), "POST", "/admin/reload", "");
  CHECK(refused.status == 422);
  CHECK(json_member(refused.body, "$.errors[0]").find("the TLS key " + (s.dir.path() / "tls/key.pem").string() + " holds no PEM private key") == 0);
  CHECK(https(s.https_port, "GET", "/healthz").certificate_name == "second");
}

TEST_CASE("HTTPS: clients that open TCP and never speak TLS do not block others") {
  TlsServer s;
  std::vector<Poco::Net::StreamSocket> silent;
  for (int i = 0; i < 8; ++i) silent.emplace_back(Poco::Net::SocketAddress("127.0.0.1", s.https_port));
  const auto started = std::chrono::steady_clock::now();
  CHECK(https(s.https_port, "GET", "/healthz").status == 200);
  CHECK(http(s.server->port(), "GET", "/healthz").status == 200);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
}

TEST_CASE("HTTPS: a missing certificate or a key of another certificate stops the start, naming the file") {
  TempDir dir;
  make_certificate(dir.path() / "a", "a");
  make_certificate(dir.path() / "b", "b");
  weft::test::ServeOptions options;
  options.listen = "'https://127.0.0.1:0'";
  options.extra_config = "tls: { certificate: missing.pem, key: a/key.pem }\n";
  auto [code, output] = weft::test::serve_refusal(dir, options);
  CHECK(code == 1);
  CHECK(output.find("weft serve: not starting: cannot read the TLS certificate " + (dir.path() / "missing.pem").string() +
                    ": No such file or directory") != std::string::npos);
  options.extra_config = "tls: { certificate: a/cert.pem, key: b/key.pem }\n";
  std::tie(code, output) = weft::test::serve_refusal(dir, options);
  CHECK(code == 1);
  CHECK(output.find("the TLS key " + (dir.path() / "b/key.pem").string() + " does not belong to the certificate " +
                    (dir.path() / "a/cert.pem").string()) != std::string::npos);
  options.extra_config = "";
  std::tie(code, output) = weft::test::serve_refusal(dir, options);
  CHECK(code == 1);
  CHECK(output.find("https://127.0.0.1:0 needs tls: { certificate: FILE, key: FILE }") != std::string::npos);
}
