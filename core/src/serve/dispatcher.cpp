#include "weft/serve/dispatcher.hpp"

#include "weft/base/clock.hpp"

#include <Poco/Logger.h>

namespace weft {

using namespace std::chrono_literals;

namespace {

// How long a claim holds a message: its attempt's timeout and time to settle it. A crashed
// process's claims run out after this.
std::int64_t lease_micros(const Destination& d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d.timeout + 30s).count();
}

constexpr std::size_t round_reports = 64;       // a round starts when this many outcomes wait
constexpr auto report_delay = 10ms;             // or this long after the first of them
constexpr auto idle_round = 50ms;               // and at least this often
constexpr std::int64_t idle_poll_micros = 200'000;       // a destination with nothing due: claim again after
constexpr std::int64_t disabled_poll_micros = 1'000'000;  // a disabled one: look for an enable after
constexpr std::int64_t gauge_micros = 5'000'000;

}  // namespace

// One lane's claim in a round: asked for, then what the store gave.
struct Dispatcher::Claim {
  DispatchLane* lane = nullptr;
  int wanted = 0;
  bool disabled = false;
  std::vector<OutboxMessage> messages{};
};

Dispatcher::Dispatcher(Committer& committer, const LiveWorkflows& live, Metrics& metrics, ReaderPool& readers)
    : committer_(committer), live_(live), metrics_(metrics), readers_(readers), thread_([this] { run(); }) {}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  changed_.notify_all();
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::report(AttemptReport report) {
  bool round_due = false;
  {
    std::lock_guard lock(mutex_);
    if (reports_.empty()) first_report_at_ = std::chrono::steady_clock::now();
    reports_.push_back(std::move(report));
    round_due = reports_.size() == 1 || reports_.size() >= round_reports;  // the first sets the round's deadline
  }
  if (round_due) changed_.notify_all();
}

void Dispatcher::give_back(std::vector<UnsentClaim> unsent) {
  std::lock_guard lock(mutex_);
  for (UnsentClaim& u : unsent) unsent_.push_back(std::move(u));
}

std::unique_ptr<DispatchLane> Dispatcher::make_lane(const std::string& id) {
  return std::make_unique<DispatchLane>(
      lanes_of_->destinations.at(id), metrics_, readers_, [this](AttemptReport r) { report(std::move(r)); },
      [this](std::vector<UnsentClaim> u) { give_back(std::move(u)); });
}

void Dispatcher::run() {
  while (true) {
    {
      std::unique_lock lock(mutex_);
      const auto idle_until = std::chrono::steady_clock::now() + idle_round;
      while (!stopping_ && !woken_ && reports_.size() < round_reports) {
        const auto deadline = reports_.empty() ? idle_until : first_report_at_ + report_delay;
        if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) break;
      }
      if (stopping_) break;
      if (woken_)
        for (auto& [id, lane] : lanes_) lane->next_claim_at = 0;
      woken_ = false;
    }
    try {
      sync_lanes();
      round(true);
      if (const std::int64_t now = now_micros(); now >= gauges_at_) update_gauges(now);
    } catch (const std::exception& e) {
      Poco::Logger::get("weft.delivery").error(std::string("dispatcher: ") + e.what());
      std::this_thread::sleep_for(1s);
    }
  }
  lanes_.clear();  // the attempts in flight end and report; the rest is given back
  round(false);
}

// The lanes of the current live set: a reload replaces them all.
void Dispatcher::sync_lanes() {
  const auto live = live_.current();
  if (live == lanes_of_) return;
  lanes_.clear();
  round(false);
  lanes_of_ = live;
  for (const auto& [id, destination] : live->destinations) lanes_.emplace(id, make_lane(id));
}

// One transaction: the outcomes reported since the last round (with the destinations' failure
// records), the claims given back, then, when `claiming`, fresh claims for the lanes below half
// their window.
void Dispatcher::round(bool claiming) {
  std::vector<AttemptReport> reports;
  std::vector<UnsentClaim> unsent;
  {
    std::lock_guard lock(mutex_);
    reports.swap(reports_);
    unsent.swap(unsent_);
  }
  std::map<std::string, int> written;  // per destination: settled or released in this round
  for (const AttemptReport& r : reports) ++written[r.destination];
  for (const UnsentClaim& u : unsent) ++written[u.destination];

  const std::int64_t now = now_micros();
  std::vector<Claim> claims;
  if (claiming)
    for (auto& [id, lane] : lanes_) {
      if (lane->next_claim_at > now) continue;
      const int held = lane->outstanding() - written[id];
      if (held <= lane->window() / 2) claims.push_back({.lane = lane.get(), .wanted = lane->window() - held});
    }
  if (reports.empty() && unsent.empty() && claims.empty()) return;

  auto answer = committer_.submit_operation([&reports, &unsent, &claims, now](EventWriter& writer) -> OperationResult {
    Outbox& outbox = writer.store().outbox();
    outbox.relax_isolation();
    std::map<std::string, DestinationRecord> records;
    for (const AttemptReport& r : reports) {
      outbox.settle(r.settlement);
      auto it = records.find(r.destination);
      if (it == records.end()) it = records.emplace(r.destination, outbox.destination(r.destination)).first;
      DestinationRecord& record = it->second;
      const MessageAttempt& a = r.settlement.attempt;
      if (r.settlement.next == MessageSettlement::Next::delivered) {
        record.failing_since.reset();
        continue;
      }
      if (!record.failing_since) record.failing_since = a.at;
      record.last_error_at = a.at;
      record.last_error = a.error.value_or("HTTP " + std::to_string(a.http_status.value_or(0)));
      if (record.disabled_at) continue;
      if (r.gone) {
        record.disabled_at = a.at;
        record.disabled_reason = "the endpoint answered 410 Gone";
      } else if (a.at - *record.failing_since > std::chrono::duration_cast<std::chrono::microseconds>(r.disable_after).count()) {
        record.disabled_at = a.at;
        record.disabled_reason = "every attempt failed for longer than disable_after";
      }
    }
    for (const auto& [id, record] : records) outbox.save_destination(id, record);
    for (const UnsentClaim& u : unsent) outbox.release(u.seq, u.lease_until);
    for (Claim& c : claims) {
      const Destination& d = c.lane->destination();
      c.disabled = outbox.destination(d.id).disabled_at.has_value();
      if (!c.disabled) c.messages = outbox.claim(d.id, now, now + lease_micros(d), c.wanted, d.per_profile_order);
    }
    return {{200, "{}"}, {}};
  });
  const bool stored = answer && answer->get().status == 200;
  if (!stored && !reports.empty())
    Poco::Logger::get("weft.delivery")
        .error("the outcomes of " + std::to_string(reports.size()) + " attempts were not stored; those messages are sent again when their claims run out");
  for (const auto& [id, n] : written)
    if (const auto lane = lanes_.find(id); lane != lanes_.end()) {
      lane->second->add_outstanding(-n);
      lane->second->count_settled(n, now);
    }
  for (Claim& c : claims) {
    DispatchLane& lane = *c.lane;
    if (!stored) {  // the queue is full or the store unavailable: later
      lane.next_claim_at = now + idle_poll_micros;
      continue;
    }
    lane.set_disabled(c.disabled);
    if (c.disabled) {
      lane.next_claim_at = now + disabled_poll_micros;
      continue;
    }
    const int got = static_cast<int>(c.messages.size());
    lane.next_claim_at = got < c.wanted ? now + idle_poll_micros : 0;
    if (got == 0) continue;
    lane.add_outstanding(got);
    lane.hand(std::move(c.messages), now + lease_micros(lane.destination()));
  }
}

void Dispatcher::update_gauges(std::int64_t now) {
  gauges_at_ = now + gauge_micros;
  if (lanes_.empty()) return;
  auto store = readers_.acquire();
  for (const auto& [id, lane] : lanes_) {
    const DestinationCounts counts = store->outbox().counts(id);
    metrics_.messages_pending(id).Set(static_cast<double>(counts.pending));
    metrics_.message_oldest_pending(id).Set(counts.oldest_pending_at ? static_cast<double>(now - *counts.oldest_pending_at) / 1e6 : 0.0);
  }
}

}  // namespace weft
