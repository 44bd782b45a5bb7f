// weft try --source ID [FILE|-] (SPEC 15): runs one payload through a source's workflow on the
// configured store, by the path every event takes (EventWriter), prints what each node did and
// what the profile would become, then rolls the transaction back: nothing is stored.
#include "delivery.hpp"
#include "runtime_setup.hpp"
#include "weft_app.hpp"

#include "weft/base/suggest.hpp"
#include "weft/event/json.hpp"
#include "weft/workflow/event_writer.hpp"

#include <rapidjson/document.h>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>

namespace weft::app {
namespace {

std::optional<std::string> read_input(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::ifstream in(args[0], std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void print_trace(const Workflow& workflow, const RunResult& run) {
  std::cout << "trace:\n";
  for (const TraceEntry& t : run.trace) {
    const WorkflowNode& node = workflow.nodes[t.node];
    std::cout << "  " << std::left << std::setw(20) << node.id << std::setw(30) << node.plugin().name << std::setw(12) << node.port_name(t.port)
              << std::right << std::setw(8) << t.micros << " µs\n";
  }
}

// "name: "Jane" -> "Jane D."" lines for the keys whose values differ.
void print_trait_changes(const std::string& before_json, const std::string& after_json) {
  rapidjson::Document before, after;
  before.Parse(before_json.c_str());
  after.Parse(after_json.c_str());
  std::set<std::string> keys;
  for (const auto& m : before.GetObject()) keys.insert(m.name.GetString());
  for (const auto& m : after.GetObject()) keys.insert(m.name.GetString());
  bool any = false;
  for (const auto& key : keys) {
    const auto b = before.FindMember(key.c_str());
    const auto a = after.FindMember(key.c_str());
    const std::string was = b == before.MemberEnd() ? "(none)" : to_json(b->value);
    const std::string now = a == after.MemberEnd() ? "(none)" : to_json(a->value);
    if (was == now) continue;
    std::cout << "    " << key << ": " << was << " -> " << now << "\n";
    any = true;
  }
  if (!any) std::cout << "    (no change)\n";
}

}  // namespace

int try_command(const Invocation& invocation) {
  if (!invocation.source || invocation.args.size() > 1) {
    std::cerr << "weft try: expected --source ID and at most one FILE (or - for standard input); run `weft try --help`\n";
    return exit_usage;
  }
  const auto body = read_input(invocation.args);
  if (!body) {
    std::cerr << "weft try: cannot read " << invocation.args[0] << "\n";
    return exit_invalid;
  }
  const auto loaded = load_workflows_or_report(invocation.settings, "try");
  if (!loaded) return exit_invalid;
  const auto found = loaded->by_source.find(*invocation.source);
  if (found == loaded->by_source.end()) {
    std::vector<std::string> sources;
    for (const auto& [id, w] : loaded->by_source) sources.push_back(id);
    std::cerr << "weft try: no workflow defines source '" << *invocation.source << "'" << did_you_mean(*invocation.source, sources) << "\n";
    return exit_invalid;
  }
  const Workflow& workflow = *found->second;
  std::string problem;
  auto event = delivery_event(workflow.id, *body, {}, invocation.settings.max_json_depth, problem);
  if (!event) {
    std::cerr << "weft try: " << problem << "\n";
    return exit_invalid;
  }
  const auto store = open_store_or_report(invocation.settings, "try", StoreUse::beside_others);
  if (!store) return exit_invalid;

  try {
    EventWriter writer(*store);
    writer.begin_batch();
    const RunResult run = writer.write(workflow, *event);
    const std::string profile(event->string("profile_id"));
    std::string traits_after = "{}";
    std::vector<std::string> merged;
    if (!profile.empty() && run.outcome == Outcome::processed) {
      if (const auto p = store->load_profile(profile)) traits_after = p->traits;
      for (const MergeRecord& m : store->merges(profile))
        if (m.event_id && *m.event_id == event->string("id")) merged.push_back(m.merged);
    }
    writer.rollback_batch();  // nothing of this run is kept
    const auto before = profile.empty() ? std::nullopt : store->load_profile(profile);

    std::cout << "source " << workflow.id << " (" << workflow.file << ")\n";
    print_trace(workflow, run);
    std::cout << "status: " << outcome_name(run.outcome) << (run.error.empty() ? "" : " (" + run.error + ")") << "\n"
              << "type: " << event->string("type") << "\n"
              << "properties: " << to_json(event->properties()) << "\n";
    if (run.outcome != Outcome::processed) {
      std::cout << "profile: none would change\n";
    } else if (profile.empty()) {
      std::cout << "profile: none (stored without a profile)\n";
    } else {
      std::cout << "profile: " << profile << (before ? " (existing)" : " (created)") << "\n";
      for (const auto& id : merged) std::cout << "  merged into it: " << id << "\n";
      std::cout << "  traits:\n";
      print_trait_changes(before ? before->traits : "{}", traits_after);
    }
    std::cout << "nothing was stored (weft try rolls its transaction back)\n";
  } catch (const StoreError& e) {
    std::cerr << "weft try: the store failed: " << e.what() << "\n";
    return exit_invalid;
  }
  return exit_ok;
}

}  // namespace weft::app
