// `weft profiles merge|remove-identifier|rederive ...`: the command-line twins of the API's
// operations (SPEC 13). Without --url each runs the same operation on the configured store,
// which no server may be writing to; with --url it asks that server.
#include "weft/serve/operations.hpp"
#include "operation_runner.hpp"
#include "runtime_setup.hpp"
#include "weft_app.hpp"

#include <Poco/Exception.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <iostream>

namespace weft::app {
namespace {

std::string merge_body(const std::string& other, const std::string& reason) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("profile");
  w.String(other.c_str(), static_cast<rapidjson::SizeType>(other.size()));
  w.Key("reason");
  w.String(reason.c_str(), static_cast<rapidjson::SizeType>(reason.size()));
  w.EndObject();
  return buffer.GetString();
}

const char* const usage =
    "weft profiles: expected `weft profiles merge ID OTHER [--reason TEXT]`, `weft profiles remove-identifier ID TYPE:VALUE [--block]`, "
    "`weft profiles rederive ID` or `weft profiles erase ID|TYPE:VALUE [--no-suppress]`, each with [--url http://HOST:PORT] (run `weft profiles --help`)\n";

}  // namespace

int profiles_command(const Invocation& invocation) {
  const auto& args = invocation.args;
  const std::string verb = args.empty() ? "" : args[0];
  const bool merge = verb == "merge" && args.size() == 3;
  const bool remove = verb == "remove-identifier" && args.size() == 3 && parse_identifier(args[2]);
  const bool rederive = verb == "rederive" && args.size() == 2;
  const bool erase = verb == "erase" && args.size() == 2;
  if (!merge && !remove && !rederive && !erase) {
    std::cerr << usage;
    return exit_usage;
  }
  if ((invocation.reason && !merge) || (invocation.block && !remove) || (invocation.no_suppress && !erase)) {
    std::cerr << "weft profiles: --reason belongs to merge, --block to remove-identifier, --no-suppress to erase\n";
    return exit_usage;
  }
  const std::string reason = invocation.reason.value_or("");
  std::optional<Answer> answer;
  try {
    if (invocation.url) {
      const std::string& url = *invocation.url;
      const std::string profile = "/profiles/" + encoded_segment(args[1]);
      if (merge)
        answer = ask_server(url, "POST", profile + "/merge", merge_body(args[2], reason), invocation.settings);
      else if (remove)
        answer = ask_server(url, "DELETE", profile + "/identifiers/" + encoded_segment(args[2]) + (invocation.block ? "?block=true" : ""), "",
                     invocation.settings);
      else if (erase)
        answer = ask_server(url, "DELETE", profile + (invocation.no_suppress ? "?suppress=false" : ""), "", invocation.settings);
      else
        answer = ask_server(url, "POST", profile + "/rederive", "", invocation.settings);
    } else {
      Metrics unused;  // counted by a serving process only
      answer = run_on_store(invocation.settings, "profiles", [&](const WorkflowsBySource& workflows) -> Operation {
        const auto routing = workflows.empty() ? nullptr : workflows.begin()->second->routing;
        if (merge) return operator_merge({args[1], args[2], TraitPolicy::keep_survivor, reason}, unused, routing);
        if (remove) return remove_identifier(args[1], *parse_identifier(args[2]), invocation.block, workflows, unused);
        if (erase)
          return erase_person(args[1], !invocation.no_suppress, unused, routing);
        return rederive_profile(args[1], workflows, unused);
      });
    }
  } catch (const Poco::Exception& e) {
    std::cerr << "weft profiles: cannot reach " << *invocation.url << ": " << e.displayText() << "\n";
    return exit_invalid;
  } catch (const StoreError& e) {
    std::cerr << "weft profiles: the store failed: " << e.what() << "\n";
    return exit_invalid;
  }
  if (!answer) return exit_invalid;
  (answer->status == 200 ? std::cout : std::cerr) << answer->body << "\n";
  return answer->status == 200 ? exit_ok : exit_invalid;
}

}  // namespace weft::app
