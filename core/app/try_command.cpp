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
  auto events = delivery_events(workflow, *body, {}, invocation.settings.max_json_depth, invocation.settings.max_items, problem);
  if (!problem.empty()) {
    std::cerr << "weft try: " << problem << "\n";
    return exit_invalid;
  }
  const auto store = open_store_or_report(invocation.settings, "try", StoreUse::beside_others);
  if (!store) return exit_invalid;

  try {
    // Every event of the request (a split request's items) in one transaction, as weft serve
    // stores them; what each did is read before the rollback.
    struct Tried {
      RunResult run;
      std::string profile, traits_after = "{}";
      std::vector<std::string> merged = {};
    };
    std::vector<Tried> tried;
    EventWriter writer(*store);
    writer.begin_batch();
    for (auto& event : events) {
      Tried t{writer.write(workflow, *event), std::string(event->string("profile_id"))};
      if (!t.profile.empty() && t.run.outcome == Outcome::processed) {
        if (const auto p = store->load_profile(t.profile)) t.traits_after = p->traits;
        for (const MergeRecord& m : store->merges(t.profile))
          if (m.event_id && *m.event_id == event->string("id")) t.merged.push_back(m.merged);
      }
      tried.push_back(std::move(t));
    }
    writer.rollback_batch();  // nothing of this run is kept

    std::cout << "source " << workflow.id << " (" << workflow.file << ")\n";
    if (workflow.split) std::cout << "split: " << events.size() << " item(s)\n";
    for (std::size_t i = 0; i < events.size(); ++i) {
      const Tried& t = tried[i];
      const EventDocument& event = *events[i];
      if (workflow.split) std::cout << "item " << i + 1 << ":\n";
      const auto before = t.profile.empty() ? std::nullopt : store->load_profile(t.profile);
      print_trace(workflow, t.run);
      std::cout << "status: " << outcome_name(t.run.outcome) << (t.run.error.empty() ? "" : " (" + t.run.error + ")") << "\n"
                << "type: " << event.string("type") << "\n"
                << "properties: " << to_json(events[i]->properties()) << "\n";
      if (t.run.outcome != Outcome::processed) {
        std::cout << "profile: none would change\n";
      } else if (t.profile.empty()) {
        std::cout << "profile: none (stored without a profile)\n";
      } else {
        std::cout << "profile: " << t.profile << (before ? " (existing)" : " (created)") << "\n";
        for (const auto& id : t.merged) std::cout << "  merged into it: " << id << "\n";
        std::cout << "  traits:\n";
        print_trait_changes(before ? before->traits : "{}", t.traits_after);
      }
    }
    std::cout << "nothing was stored (weft try rolls its transaction back)\n";
  } catch (const StoreError& e) {
    std::cerr << "weft try: the store failed: " << e.what() << "\n";
    return exit_invalid;
  }
  return exit_ok;
}

}  // namespace weft::app
