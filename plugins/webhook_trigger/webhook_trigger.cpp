// webhook_trigger: the first node of every HTTP source (SPEC 5). It declares the request
// settings (signature, handshake) that the server applies, gives the delivery its
// idempotency key (from a JSONPath or a header), and sets the event's type from
// `event_type`: a JSONPath (falling back to "webhook" when it selects no string) or a literal.
#include <weft/sdk.hpp>

#include <string>

class WebhookTrigger {
public:
  static constexpr weft_plugin_kind kind = WEFT_KIND_TRIGGER;
  enum class Port { out };
  static constexpr const char* ports[] = {"out"};

  static constexpr weft_config_field signature_fields[] = {
      {"scheme", WEFT_FIELD_ENUM, 1, nullptr,
       "slack|github|stripe|hmac-sha256|standard-webhooks|hmac|hubspot-v3|intercom|zendesk|calendly|paddle|twilio|sendgrid|basic",
       "how the sender signs the request (SPEC 9, 18)", nullptr, 0},
      weft::optional("secret_env", WEFT_FIELD_STRING, "the environment variable holding the signing secret (every scheme but sendgrid and basic)"),
      weft::optional("public_key_env", WEFT_FIELD_STRING, "sendgrid: the environment variable holding the public key (base64 DER)"),
      weft::optional("user_env", WEFT_FIELD_STRING, "basic: the environment variable holding the user name"),
      weft::optional("password_env", WEFT_FIELD_STRING, "basic: the environment variable holding the password"),
      weft::optional("header", WEFT_FIELD_STRING, "hmac-sha256, hmac: the header with the signature", "X-Signature"),
      weft::choice("encoding", "hex|base64", "hex", "hmac-sha256, hmac: how the digest is written"),
      weft::optional("prefix", WEFT_FIELD_STRING, "hmac-sha256, hmac: text before the digest, e.g. sha256="),
      weft::choice("algorithm", "sha1|sha256|sha512", "sha256", "hmac: the hash function"),
      weft::optional("timestamp_header", WEFT_FIELD_STRING, "hmac: the header with the signed time (Unix seconds, or RFC 3339 in UTC)"),
      weft::optional("id_header", WEFT_FIELD_STRING, "hmac: the header {id} stands for"),
      weft::optional("signed", WEFT_FIELD_STRING, "hmac: what is signed, from {body} {timestamp} {method} {url} {id}; {body} when absent"),
      weft::optional("tolerance_seconds", WEFT_FIELD_INTEGER, "how far a signed timestamp may be from now, 1 to 86400 s", "300"),
  };
  static constexpr weft_config_field fields[] = {
      weft::optional("event_type", WEFT_FIELD_PATH_OR_LITERAL, "the event's type: a JSONPath or a literal", "webhook"),
      weft::object("signature", signature_fields, "verify the sender's signature (none when absent)"),
      weft::choice("handshake", "none|slack", "none", "answer the sender's URL verification"),
      weft::optional("idempotency_key", WEFT_FIELD_PATH_OR_LITERAL, "deduplicate redeliveries by a JSONPath or header:NAME"),
      weft::optional("split", WEFT_FIELD_JSONPATH,
                     "a batch: one event per node this selects in the request, e.g. $.payload.value[*] for a JSON array (SPEC 18)"),
  };

  void configure(const weft::Config& config) {
    event_type_ = config.path_or_literal("event_type");
    if (auto key = config.string("idempotency_key")) {
      if ((*key)[0] == '$')
        idempotency_key_ = config.host().compile(*key);
      else if (key->rfind("header:", 0) == 0 && key->size() > 7)
        idempotency_key_ = config.host().compile(weft::member_path("$.headers", lower_case(key->substr(7))));
      else
        throw weft::Error("'idempotency_key' must be a JSONPath or header:NAME, found '" + *key + "'");
    }
    type_path_ = config.host().compile("$.type");
    if (config.has("signature")) check_signature(config);
    if (config.has("signature.tolerance_seconds")) {  // the server applies the default, 300
      const std::int64_t tolerance = config.integer("signature.tolerance_seconds");
      if (tolerance < 1 || tolerance > max_tolerance_seconds)
        throw weft::Error("'signature.tolerance_seconds' must be between 1 and 86400 (one day), found " + std::to_string(tolerance));
    }
  }

  Port process(weft::Event& event) const {
    if (idempotency_key_)
      if (const auto key = event.id(idempotency_key_)) event.set_idempotency_key(*key);
    if (!event_type_.path) {
      event.write(type_path_, event_type_.literal);
      return Port::out;
    }
    const auto selected = event.read(event_type_.path);
    const bool usable = selected && selected->type == WEFT_TYPE_STRING && selected->length > 0;
    event.write(type_path_, usable ? std::string_view(selected->string, selected->length) : std::string_view("webhook"));
    return Port::out;
  }

private:
  static constexpr std::int64_t max_tolerance_seconds = 86400;

  // What each scheme needs besides its name (the server reads the variables at start-up).
  static void check_signature(const weft::Config& config) {
    const std::string scheme = *config.string("signature.scheme");
    const auto need = [&](const char* key) {
      if (!config.string((std::string("signature.") + key).c_str()))
        throw weft::Error("signature scheme '" + scheme + "' needs 'signature." + key + "' (the environment variable that holds it)");
    };
    if (scheme == "sendgrid") {
      need("public_key_env");
    } else if (scheme == "basic") {
      need("user_env");
      need("password_env");
    } else {
      need("secret_env");
    }
    if (const auto text = config.string("signature.signed")) {
      if (scheme != "hmac") throw weft::Error("'signature.signed' is for scheme hmac only");
      for (std::size_t at = text->find('{'); at != std::string::npos; at = text->find('{', at + 1)) {
        const std::size_t close = text->find('}', at);
        const std::string name = close == std::string::npos ? "" : text->substr(at + 1, close - at - 1);
        if (name != "body" && name != "timestamp" && name != "method" && name != "url" && name != "id")
          throw weft::Error("'signature.signed' may hold {body} {timestamp} {method} {url} {id}, found '" + *text + "'");
      }
    }
  }

  // Header names are lower-case in the event document.
  static std::string lower_case(std::string name) {
    for (char& c : name)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return name;
  }

  weft::Path idempotency_key_;
  weft::PathOrLiteral event_type_;
  weft::Path type_path_;
};

WEFT_PLUGIN(WebhookTrigger, "webhook_trigger", "1.0.0", "Receives a source's webhooks: signature, handshake, type, idempotency")
