#include "weft/serve/sources.hpp"

#include "weft/base/hmac.hpp"
#include "weft/delivery/webhook_signature.hpp"

namespace weft {
namespace {

std::string member(const rapidjson::Value& object, const char* name, const std::string& fallback = "") {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength()) : fallback;
}

}  // namespace

namespace {

bool signs_url(const SignatureScheme& s) {
  return s.kind == SignatureScheme::Kind::twilio || (s.kind == SignatureScheme::Kind::hmac && s.signed_template.find("{url}") != std::string::npos);
}

// The variable `key` names, set and not empty; otherwise a problem.
const char* variable(const rapidjson::Value& s, const char* key, const Environment& environment, std::string& problem) {
  const std::string name = member(s, key);
  const char* value = name.empty() ? nullptr : environment(name.c_str());
  if (value && *value) return value;
  if (problem.empty())
    problem = name.empty() ? std::string("signature.") + key + " is required by this scheme"
                           : std::string("signature.") + key + " names " + name + ", which is not set; set it, or remove `signature` to accept unsigned webhooks";
  return nullptr;
}

// The source's scheme, with its secrets from the environment; "" in `problem` when usable.
SignatureScheme signature_of(const rapidjson::Value& s, const Environment& environment, const std::string& public_url, std::string& problem) {
  const std::string name = member(s, "scheme");
  auto found = signature_scheme_named(name);
  if (!found) {
    problem = "signature.scheme '" + name + "' is not a scheme weft knows";
    return {};
  }
  SignatureScheme sig = std::move(*found);
  using Kind = SignatureScheme::Kind;
  if (sig.kind == Kind::sendgrid) {
    if (const char* key = variable(s, "public_key_env", environment, problem)) {
      const auto der = from_base64(key);
      if (der) sig.public_key = PublicKey::from_der(*der);
      if (!sig.public_key) problem = "signature.public_key_env names " + member(s, "public_key_env") + ", which holds no public key (base64 DER, as SendGrid shows it)";
    }
  } else if (sig.kind == Kind::basic) {
    const char* user = variable(s, "user_env", environment, problem);
    const char* password = variable(s, "password_env", environment, problem);
    if (user && password) sig.user = user, sig.password = password;
  } else if (const char* secret = variable(s, "secret_env", environment, problem)) {
    sig.secret = secret;
    if (sig.kind == Kind::standard_webhooks && !webhook_signing_key(secret))
      problem = "signature.secret_env names " + member(s, "secret_env") + ", which holds no usable secret (whsec_ must be followed by base64)";
  }
  if (name == "hmac-sha256" || name == "hmac") {
    sig.header = member(s, "header", "X-Signature");
    sig.base64 = member(s, "encoding") == "base64";
    sig.prefix = member(s, "prefix");
  }
  if (name == "hmac") {
    const std::string algorithm = member(s, "algorithm", "sha256");
    sig.algorithm = algorithm == "sha1" ? HmacAlgorithm::sha1 : algorithm == "sha512" ? HmacAlgorithm::sha512 : HmacAlgorithm::sha256;
    sig.timestamp_header = member(s, "timestamp_header");
    sig.id_header = member(s, "id_header");
    sig.signed_template = member(s, "signed", "{body}");
  }
  if (auto t = s.FindMember("tolerance_seconds"); t != s.MemberEnd() && t->value.IsInt64()) sig.tolerance_seconds = t->value.GetInt64();
  sig.public_url = public_url;
  if (problem.empty() && signs_url(sig) && public_url.empty())
    problem = "signature.scheme '" + name + "' signs the URL the sender called: set public_url in weft.yaml (the base URL you paste into the sender, e.g. https://hooks.example.com)";
  return sig;
}

}  // namespace

std::map<std::string, Source> make_sources(const std::map<std::string, std::shared_ptr<const Workflow>>& workflows,
                                           const Environment& environment, const std::string& public_url, std::vector<std::string>& problems) {
  std::map<std::string, Source> sources;
  for (const auto& [id, workflow] : workflows) {
    Source source;
    source.workflow = workflow;
    const rapidjson::Value& config = workflow->nodes.front().instance->config();
    source.slack_handshake = member(config, "handshake") == "slack";
    if (auto it = config.FindMember("signature"); it != config.MemberEnd() && it->value.IsObject()) {
      std::string problem;
      SignatureScheme sig = signature_of(it->value, environment, public_url, problem);
      if (!problem.empty()) {
        problems.push_back(workflow->file + ":" + std::to_string(workflow->id_line) + ":" + std::to_string(workflow->id_column) + ": source '" +
                           id + "': " + problem);
        continue;
      }
      source.signature = std::move(sig);
    }
    sources.emplace(id, std::move(source));
  }
  return sources;
}

}  // namespace weft
