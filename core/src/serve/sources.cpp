#include "weft/serve/sources.hpp"

#include "weft/delivery/webhook_signature.hpp"

namespace weft {
namespace {

std::string member(const rapidjson::Value& object, const char* name, const std::string& fallback = "") {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength()) : fallback;
}

}  // namespace

std::map<std::string, Source> make_sources(const std::map<std::string, std::shared_ptr<const Workflow>>& workflows,
                                           const Environment& environment, std::vector<std::string>& problems) {
  std::map<std::string, Source> sources;
  for (const auto& [id, workflow] : workflows) {
    Source source;
    source.workflow = workflow;
    const rapidjson::Value& config = workflow->nodes.front().instance->config();
    source.slack_handshake = member(config, "handshake") == "slack";
    if (auto it = config.FindMember("signature"); it != config.MemberEnd() && it->value.IsObject()) {
      const rapidjson::Value& s = it->value;
      const std::string scheme = member(s, "scheme");
      const std::string secret_env = member(s, "secret_env");
      const char* secret = environment(secret_env.c_str());
      if (!secret || !*secret) {
        problems.push_back(workflow->file + ":" + std::to_string(workflow->id_line) + ":" + std::to_string(workflow->id_column) + ": source '" +
                           id + "': signature.secret_env names " + secret_env +
                           ", which is not set; set it, or remove `signature` to accept unsigned webhooks");
        continue;
      }
      if (scheme == "standard-webhooks" && !webhook_signing_key(secret)) {
        problems.push_back(workflow->file + ":" + std::to_string(workflow->id_line) + ":" + std::to_string(workflow->id_column) + ": source '" +
                           id + "': signature.secret_env names " + secret_env + ", which holds no usable secret (whsec_ must be followed by base64)");
        continue;
      }
      SignatureScheme sig;
      sig.kind = scheme == "slack"               ? SignatureScheme::Kind::slack
                 : scheme == "github"            ? SignatureScheme::Kind::github
                 : scheme == "stripe"            ? SignatureScheme::Kind::stripe
                 : scheme == "standard-webhooks" ? SignatureScheme::Kind::standard_webhooks
                                                 : SignatureScheme::Kind::hmac_sha256;
      sig.secret = secret;
      sig.header = member(s, "header", "X-Signature");
      sig.base64 = member(s, "encoding") == "base64";
      sig.prefix = member(s, "prefix");
      if (auto t = s.FindMember("tolerance_seconds"); t != s.MemberEnd() && t->value.IsInt64()) sig.tolerance_seconds = t->value.GetInt64();
      source.signature = std::move(sig);
    }
    sources.emplace(id, std::move(source));
  }
  return sources;
}

}  // namespace weft
