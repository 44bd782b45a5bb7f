#include "weft/serve/dispatcher.hpp"

#include "weft/base/clock.hpp"
#include "weft/delivery/delivery_attempt.hpp"

#include <Poco/Logger.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <random>

namespace weft {

using namespace std::chrono_literals;

// What a worker learned from one attempt.
struct Dispatcher::Settled {
  std::string destination;
  MessageSettlement settlement;
  bool gone = false;  // 410: the destination is disabled
  std::chrono::milliseconds disable_after{};
};

// One destination's claimed messages and the workers that send them.
struct Dispatcher::Lane {
  Lane(const Destination& d, Dispatcher& owner) : destination(d), owner_(owner) {
    for (int i = 0; i < destination.max_in_flight; ++i) workers_.emplace_back([this] { work(); });
  }
  ~Lane() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  // Claimed messages, leased until `lease_until`.
  void hand(std::vector<OutboxMessage> messages, std::int64_t lease_until) {
    {
      std::lock_guard lock(mutex_);
      for (OutboxMessage& m : messages) queue_.push_back({std::move(m), lease_until});
    }
    ready_.notify_all();
  }
  // A disabled destination sends nothing: what it had claimed waits for its leases to run out.
  void set_disabled(bool now_disabled) {
    {
      std::lock_guard lock(mutex_);
      disabled_ = now_disabled;
      if (disabled_) forget_queue();
    }
    ready_.notify_all();
  }
  // Claimed and not yet settled: queued, being sent, or waiting for the next settlement.
  int outstanding() const { return outstanding_.load(); }
  void add_outstanding(int n) { outstanding_ += n; }

  const Destination destination;
  std::int64_t next_claim_at = 0;  // microseconds; the dispatcher's thread only

private:
  struct Claimed {
    OutboxMessage message;
    std::int64_t lease_until = 0;
  };

  void forget_queue() {
    outstanding_ -= static_cast<int>(queue_.size());
    queue_.clear();
  }

  void work() {
    DestinationClient client(destination);
    std::mt19937_64 random(std::random_device{}());
    std::uniform_real_distribution<double> jitter(0.0, 1.0);
    const std::int64_t timeout = std::chrono::duration_cast<std::chrono::microseconds>(destination.timeout).count();
    while (true) {
      OutboxMessage m;
      std::int64_t lease_until = 0;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return stopping_ || (!queue_.empty() && !disabled_); });
        if (stopping_) return;
        m = std::move(queue_.front().message);
        lease_until = queue_.front().lease_until;
        queue_.pop_front();
      }
      wait_for_rate();
      const std::int64_t at = now_micros();
      if (at + timeout >= lease_until) {  // the claim could run out during the attempt: another claim will send it
        outstanding_ -= 1;
        continue;
      }
      const AttemptOutcome outcome = client.send({m.id, m.type, m.created_at, m.data}, at / 1000000);
      owner_.settled(settle(m, outcome, at, jitter(random)));
    }
  }

  Settled settle(const OutboxMessage& m, const AttemptOutcome& outcome, std::int64_t at, double jitter) {
    Metrics& metrics = owner_.metrics_;
    metrics.message_seconds(destination.id).Observe(static_cast<double>(outcome.ms) / 1000.0);
    Settled s{.destination = destination.id,
              .settlement = {.seq = m.seq,
                             .attempt = {.at = at,
                                         .http_status = outcome.http_status,
                                         .error = outcome.error.empty() ? std::nullopt : std::optional(outcome.error),
                                         .ms = outcome.ms,
                                         .response = outcome.response}},
              .disable_after = destination.disable_after};
    MessageSettlement& next = s.settlement;
    if (outcome.result == AttemptOutcome::Result::delivered) {
      next.next = MessageSettlement::Next::delivered;
      next.clear_data = m.type == "profile.erased";  // SPEC 17: its data goes once delivered
      metrics.messages(destination.id, "delivered").Increment();
    } else if (outcome.result == AttemptOutcome::Result::gone) {
      next.next = MessageSettlement::Next::stay;
      s.gone = true;
      set_disabled(true);
      metrics.messages(destination.id, "retried").Increment();
    } else if (const auto wait = next_attempt_after(destination, static_cast<int>(m.attempts) + 1, outcome.retry_after, jitter)) {
      next.next = MessageSettlement::Next::retry;
      next.next_at = at + std::chrono::duration_cast<std::chrono::microseconds>(*wait).count();
      metrics.messages(destination.id, "retried").Increment();
    } else {
      next.next = MessageSettlement::Next::failed;
      metrics.messages(destination.id, "failed").Increment();
    }
    return s;
  }

  // `rate` a second at most, spread evenly over the destination's workers.
  void wait_for_rate() {
    if (destination.rate_per_second <= 0) return;
    const auto spacing = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / destination.rate_per_second));
    std::chrono::steady_clock::time_point slot;
    {
      std::lock_guard lock(rate_mutex_);
      next_slot_ = std::max(next_slot_, std::chrono::steady_clock::now());
      slot = next_slot_;
      next_slot_ += spacing;
    }
    std::this_thread::sleep_until(slot);
  }

  Dispatcher& owner_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Claimed> queue_;
  bool stopping_ = false;
  bool disabled_ = false;
  std::atomic<int> outstanding_{0};
  std::mutex rate_mutex_;
  std::chrono::steady_clock::time_point next_slot_{};
  std::vector<std::thread> workers_;  // last: they start once the rest exists
};

namespace {

// How long a claim holds a message: its attempt's timeout and time to settle it. A crashed
// process's claims run out after this.
std::int64_t lease_micros(const Destination& d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d.timeout + 30s).count();
}

constexpr std::int64_t idle_poll_micros = 200'000;       // a destination with nothing due: claim again after
constexpr std::int64_t disabled_poll_micros = 1'000'000;  // a disabled one: look for an enable after
constexpr std::int64_t gauge_micros = 5'000'000;

}  // namespace

Dispatcher::Dispatcher(Committer& committer, const LiveWorkflows& live, Metrics& metrics, ReaderPool* readers)
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

void Dispatcher::settled(Settled settled) {
  {
    std::lock_guard lock(mutex_);
    settlements_.push_back(std::move(settled));
  }
  changed_.notify_all();
}

void Dispatcher::run() {
  while (true) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, 50ms, [&] { return stopping_ || woken_ || !settlements_.empty(); });
      if (stopping_) break;
      if (woken_)
        for (auto& [id, lane] : lanes_) lane->next_claim_at = 0;
      woken_ = false;
    }
    try {
      sync_lanes();
      flush_settlements();
      const std::int64_t now = now_micros();
      for (auto& [id, lane] : lanes_)
        if (lane->next_claim_at <= now) claim(*lane, now);
      if (now >= gauges_at_) update_gauges(now);
    } catch (const std::exception& e) {
      Poco::Logger::get("weft.delivery").error(std::string("dispatcher: ") + e.what());
      std::this_thread::sleep_for(1s);
    }
  }
  lanes_.clear();  // the attempts in flight end and report
  flush_settlements();
}

// The lanes of the current live set: a reload replaces them all.
void Dispatcher::sync_lanes() {
  const auto live = live_.current();
  if (live == lanes_of_) return;
  lanes_.clear();
  flush_settlements();
  for (const auto& [id, destination] : live->destinations) lanes_.emplace(id, std::make_unique<Lane>(destination, *this));
  lanes_of_ = live;
}

void Dispatcher::claim(Lane& lane, std::int64_t now) {
  const Destination& d = lane.destination;
  const int wanted = 2 * d.max_in_flight - lane.outstanding();
  if (wanted <= 0) return;
  struct Claimed {
    bool disabled = false;
    std::vector<OutboxMessage> messages;
  };
  auto claimed = std::make_shared<Claimed>();
  const std::int64_t lease = now + lease_micros(d);
  auto answer = committer_.submit_operation([claimed, id = d.id, now, lease, wanted,
                                             per_profile = d.per_profile_order](EventWriter& writer) -> OperationResult {
    Outbox& outbox = writer.store().outbox();
    outbox.relax_isolation();
    claimed->disabled = outbox.destination(id).disabled_at.has_value();
    if (!claimed->disabled) claimed->messages = outbox.claim(id, now, lease, wanted, per_profile);
    return {{200, "{}"}, {}};
  });
  if (!answer || answer->get().status != 200) {  // the queue is full or the store unavailable: later
    lane.next_claim_at = now + idle_poll_micros;
    return;
  }
  lane.set_disabled(claimed->disabled);
  if (claimed->disabled) {
    lane.next_claim_at = now + disabled_poll_micros;
    return;
  }
  const int got = static_cast<int>(claimed->messages.size());
  lane.next_claim_at = got < wanted ? now + idle_poll_micros : 0;
  if (got == 0) return;
  lane.add_outstanding(got);
  lane.hand(std::move(claimed->messages), lease);
}

void Dispatcher::flush_settlements() {
  std::vector<Settled> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(settlements_);
  }
  if (batch.empty()) return;
  auto answer = committer_.submit_operation([&batch](EventWriter& writer) -> OperationResult {
    Outbox& outbox = writer.store().outbox();
    outbox.relax_isolation();
    std::map<std::string, DestinationRecord> records;
    for (const Settled& s : batch) {
      outbox.settle(s.settlement);
      auto it = records.find(s.destination);
      if (it == records.end()) it = records.emplace(s.destination, outbox.destination(s.destination)).first;
      DestinationRecord& r = it->second;
      const MessageAttempt& a = s.settlement.attempt;
      if (s.settlement.next == MessageSettlement::Next::delivered) {
        r.failing_since.reset();
        continue;
      }
      if (!r.failing_since) r.failing_since = a.at;
      r.last_error_at = a.at;
      r.last_error = a.error.value_or("HTTP " + std::to_string(a.http_status.value_or(0)));
      if (r.disabled_at) continue;
      if (s.gone) {
        r.disabled_at = a.at;
        r.disabled_reason = "the endpoint answered 410 Gone";
      } else if (a.at - *r.failing_since > std::chrono::duration_cast<std::chrono::microseconds>(s.disable_after).count()) {
        r.disabled_at = a.at;
        r.disabled_reason = "every attempt failed for longer than disable_after";
      }
    }
    for (const auto& [id, record] : records) outbox.save_destination(id, record);
    return {{200, "{}"}, {}};
  });
  const bool written = answer && answer->get().status == 200;
  if (!written)
    Poco::Logger::get("weft.delivery")
        .error("the outcomes of " + std::to_string(batch.size()) + " attempts were not stored; those messages are sent again when their claims run out");
  for (const Settled& s : batch)
    if (const auto lane = lanes_.find(s.destination); lane != lanes_.end()) lane->second->add_outstanding(-1);
}

void Dispatcher::update_gauges(std::int64_t now) {
  gauges_at_ = now + gauge_micros;
  if (!readers_ || lanes_.empty()) return;
  auto store = readers_->acquire();
  for (const auto& [id, lane] : lanes_) {
    const DestinationCounts counts = store->outbox().counts(id);
    metrics_.messages_pending(id).Set(static_cast<double>(counts.pending));
    metrics_.message_oldest_pending(id).Set(counts.oldest_pending_at ? static_cast<double>(now - *counts.oldest_pending_at) / 1e6 : 0.0);
  }
}

}  // namespace weft
