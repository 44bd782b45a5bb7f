// How the commands that are twins of the API's writes reach the store: through a running
// server (--url), or by running the same committer Operation on the configured store, which no
// server may be writing to.
#pragma once

#include <Poco/Net/HTTPRequest.h>

#include "weft/base/settings.hpp"
#include "weft/serve/committer.hpp"
#include "weft/workflow/rederivation.hpp"

#include <functional>
#include <optional>
#include <string>

namespace weft::app {

// Adds the API token of api.token_env, when it is set, to a request for a running server.
void authorize(Poco::Net::HTTPRequest& request, const Settings& settings);

// Sends `body` with `method` to `path` of the server at `url`, with the API token of
// api.token_env if set. Throws Poco::Exception when the server cannot be reached.
Answer ask_server(const std::string& url, const std::string& method, const std::string& path, const std::string& body,
                  const Settings& settings);

// Runs the operation `make` builds (with the current workflows) on the configured store in a
// transaction; nullopt when the workflows or the store do not load (reported as `command`).
std::optional<Answer> run_on_store(const Settings& settings, const std::string& command,
                                   const std::function<Operation(const WorkflowsBySource&)>& make);

// A path segment with '/', '?', '#' and '%' encoded.
std::string encoded_segment(const std::string& segment);

}  // namespace weft::app
