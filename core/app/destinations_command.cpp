// `weft destinations list|retry|enable|disable`: the command-line twins of the API's routes for
// destinations (SPEC 17). Without --url they work on the configured store (list beside a
// server; the writes only while no server writes to it); with --url they ask that server.
#include "weft/base/clock.hpp"
#include "weft/serve/destination_operations.hpp"
#include "operation_runner.hpp"
#include "runtime_setup.hpp"
#include "weft_app.hpp"

#include <Poco/Exception.h>

#include <iostream>

namespace weft::app {
namespace {

const char* const usage =
    "weft destinations: expected `weft destinations list`, `weft destinations retry ID MID`, `weft destinations retry ID --failed`, "
    "`weft destinations enable ID` or `weft destinations disable ID`, each with [--url http://HOST:PORT] (run `weft destinations --help`)\n";

std::optional<Answer> list_on_store(const Settings& settings) {
  const auto loaded = load_workflows_or_report(settings, "destinations");
  if (!loaded) return std::nullopt;
  const auto store = open_store_or_report(settings, "destinations", StoreUse::beside_others);
  if (!store) return std::nullopt;
  return Answer{200, destinations_json(*store, loaded->destinations, now_micros())};
}

}  // namespace

int destinations_command(const Invocation& invocation) {
  const auto& args = invocation.args;
  const std::string verb = args.empty() ? "" : args[0];
  const bool list = verb == "list" && args.size() == 1;
  const bool retry_one = verb == "retry" && args.size() == 3 && !invocation.failed;
  const bool retry_failed = verb == "retry" && args.size() == 2 && invocation.failed;
  const bool enable = (verb == "enable" || verb == "disable") && args.size() == 2;
  if (!list && !retry_one && !retry_failed && !enable) {
    std::cerr << usage;
    return exit_usage;
  }
  std::optional<Answer> answer;
  try {
    if (invocation.url) {
      const std::string& url = *invocation.url;
      const std::string destination = list ? "" : "/destinations/" + encoded_segment(args[1]);
      if (list)
        answer = ask_server(url, "GET", "/destinations", "", invocation.settings);
      else if (retry_one)
        answer = ask_server(url, "POST", destination + "/messages/" + encoded_segment(args[2]) + "/retry", "", invocation.settings);
      else if (retry_failed)
        answer = ask_server(url, "POST", destination + "/retry-failed", "", invocation.settings);
      else
        answer = ask_server(url, "POST", destination + "/" + verb, "", invocation.settings);
    } else if (list) {
      answer = list_on_store(invocation.settings);
    } else {
      answer = run_on_store(invocation.settings, "destinations", [&](const WorkflowsBySource& workflows) -> Operation {
        const auto routing = workflows.empty() ? nullptr : workflows.begin()->second->routing;
        const std::string& id = args[1];
        if (!routing || !routing->destinations.count(id))
          return [id](EventWriter&) -> OperationResult { return {{404, error_body("not_found", "no destination '" + id + "'")}, {}}; };
        if (retry_one) return retry_message(id, args[2]);
        if (retry_failed) return retry_failed_messages(id);
        return set_destination_state(id, verb == "enable");
      });
    }
  } catch (const Poco::Exception& e) {
    std::cerr << "weft destinations: cannot reach " << *invocation.url << ": " << e.displayText() << "\n";
    return exit_invalid;
  } catch (const StoreError& e) {
    std::cerr << "weft destinations: the store failed: " << e.what() << "\n";
    return exit_invalid;
  }
  if (!answer) return exit_invalid;
  (answer->status == 200 ? std::cout : std::cerr) << answer->body << "\n";
  return answer->status == 200 ? exit_ok : exit_invalid;
}

}  // namespace weft::app
