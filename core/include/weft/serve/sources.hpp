// The event sources a server receives webhooks for: each source's workflow and the request
// settings its trigger declares (signature scheme with its secret, handshake), resolved once
// at start-up. The webhook_trigger plugin declares these; the server applies them, because
// they act on the raw request before there is an event.
#pragma once

#include "weft/serve/signature.hpp"
#include "weft/workflow/workflow.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weft {

struct Source {
  std::shared_ptr<const Workflow> workflow;
  std::optional<SignatureScheme> signature;
  bool slack_handshake = false;
};

using Environment = std::function<const char*(const char* name)>;

// Builds the sources; a signature whose secret (or key, or credentials) is unset or empty is a
// problem (a source never runs open), reported with the workflow file, and so is a scheme that
// signs the URL without `public_url` (weft.yaml: the base URL senders call).
std::map<std::string, Source> make_sources(const std::map<std::string, std::shared_ptr<const Workflow>>& workflows,
                                           const Environment& environment, const std::string& public_url, std::vector<std::string>& problems);

}  // namespace weft
