#include "weft/serve/dispatch_lane.hpp"

#include "weft/base/clock.hpp"
#include "weft/workflow/outbox_writer.hpp"

#include <algorithm>
#include <random>

namespace weft {

namespace {
constexpr int max_window = 2000;
constexpr std::int64_t throughput_period_micros = 1'000'000;
}  // namespace

DispatchLane::DispatchLane(const Destination& destination, Metrics& metrics, ReaderPool& readers, Report report, GiveBack give_back)
    : destination_(destination), metrics_(metrics), readers_(readers), report_(std::move(report)), give_back_(std::move(give_back)) {
  for (int i = 0; i < destination_.max_in_flight; ++i) workers_.emplace_back([this] { work(); });
}

DispatchLane::~DispatchLane() {
  std::vector<UnsentClaim> unsent;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    unsent = take_queue();
  }
  ready_.notify_all();
  for (std::thread& t : workers_) t.join();
  if (!unsent.empty()) give_back_(std::move(unsent));
}

void DispatchLane::hand(std::vector<OutboxMessage> messages, std::int64_t lease_until) {
  {
    std::lock_guard lock(mutex_);
    for (OutboxMessage& m : messages) queue_.push_back({std::move(m), lease_until});
  }
  ready_.notify_all();
}

void DispatchLane::set_disabled(bool disabled) {
  std::vector<UnsentClaim> unsent;
  {
    std::lock_guard lock(mutex_);
    disabled_ = disabled;
    if (disabled_) unsent = take_queue();
  }
  ready_.notify_all();
  if (!unsent.empty()) give_back_(std::move(unsent));
}

std::vector<UnsentClaim> DispatchLane::take_queue() {
  std::vector<UnsentClaim> unsent;
  unsent.reserve(queue_.size());
  for (const Claimed& c : queue_) unsent.push_back({destination_.id, c.message.seq, c.lease_until});
  queue_.clear();
  return unsent;
}

void DispatchLane::count_settled(int n, std::int64_t now) {
  settled_since_ += n;
  if (measured_from_ == 0) measured_from_ = now;
  const std::int64_t elapsed = now - measured_from_;
  if (elapsed < throughput_period_micros) return;
  per_second_ = static_cast<double>(settled_since_) * 1e6 / static_cast<double>(elapsed);
  settled_since_ = 0;
  measured_from_ = now;
}

int DispatchLane::window() const {
  const int floor = 2 * destination_.max_in_flight;
  return std::clamp(static_cast<int>(per_second_ / 5), floor, std::max(floor, max_window));
}

void DispatchLane::work() {
  DestinationClient client(destination_);
  std::mt19937_64 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  const std::int64_t timeout = std::chrono::duration_cast<std::chrono::microseconds>(destination_.timeout).count();
  while (true) {
    Claimed c;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || (!queue_.empty() && !disabled_); });
      if (stopping_) return;
      c = std::move(queue_.front());
      queue_.pop_front();
    }
    wait_for_rate();
    const std::int64_t at = now_micros();
    if (at + timeout >= c.lease_until) {  // the claim could run out during the attempt: claim it again
      give_back_({{destination_.id, c.message.seq, c.lease_until}});
      continue;
    }
    const OutboxMessage& m = c.message;
    std::string unreadable;
    const std::optional<std::string> data = data_of(m, unreadable);
    AttemptOutcome outcome;
    if (data) {
      outcome = client.send({m.id, m.type, m.created_at, *data}, at / 1000000);
    } else if (unreadable.empty()) {
      outcome.result = AttemptOutcome::Result::unsendable;
      outcome.error = "the profile was erased or split into others before the message was sent";
    } else {
      outcome.error = unreadable;  // retried by the schedule
    }
    report_(report_of(m, outcome, at, jitter(random)));
  }
}

// The message's data, or the profile's state now (profile.updated); nullopt with `error` set when
// the store could not be read, nullopt alone when the profile is gone.
std::optional<std::string> DispatchLane::data_of(const OutboxMessage& m, std::string& error) {
  if (m.data != profile_state_when_sent) return m.data;
  try {
    auto store = readers_.acquire();
    return data_to_send(*store, m);
  } catch (const std::exception& e) {
    error = std::string("the profile could not be read: ") + e.what();
    return std::nullopt;
  }
}

AttemptReport DispatchLane::report_of(const OutboxMessage& m, const AttemptOutcome& outcome, std::int64_t at, double jitter) {
  metrics_.message_seconds(destination_.id).Observe(static_cast<double>(outcome.ms) / 1000.0);
  AttemptReport r{.destination = destination_.id,
                  .settlement = {.seq = m.seq,
                                 .attempt = {.at = at,
                                             .http_status = outcome.http_status,
                                             .error = outcome.error.empty() ? std::nullopt : std::optional(outcome.error),
                                             .ms = outcome.ms,
                                             .response = outcome.response}},
                  .disable_after = destination_.disable_after};
  MessageSettlement& next = r.settlement;
  if (outcome.result == AttemptOutcome::Result::delivered) {
    next.next = MessageSettlement::Next::delivered;
    next.clear_data = m.type == "profile.erased";  // SPEC 17: its data goes once delivered
    metrics_.messages(destination_.id, "delivered").Increment();
  } else if (outcome.result == AttemptOutcome::Result::gone) {
    next.next = MessageSettlement::Next::stay;
    r.gone = true;
    set_disabled(true);
    metrics_.messages(destination_.id, "retried").Increment();
  } else if (outcome.result == AttemptOutcome::Result::unsendable) {
    next.next = MessageSettlement::Next::failed;
    metrics_.messages(destination_.id, "failed").Increment();
  } else if (const auto wait = next_attempt_after(destination_, static_cast<int>(m.attempts) + 1, outcome.retry_after, jitter)) {
    next.next = MessageSettlement::Next::retry;
    next.next_at = at + std::chrono::duration_cast<std::chrono::microseconds>(*wait).count();
    metrics_.messages(destination_.id, "retried").Increment();
  } else {
    next.next = MessageSettlement::Next::failed;
    metrics_.messages(destination_.id, "failed").Increment();
  }
  return r;
}

// `rate` a second at most, spread evenly over the destination's workers.
void DispatchLane::wait_for_rate() {
  if (destination_.rate_per_second <= 0) return;
  const auto spacing = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / destination_.rate_per_second));
  std::chrono::steady_clock::time_point slot;
  {
    std::lock_guard lock(rate_mutex_);
    next_slot_ = std::max(next_slot_, std::chrono::steady_clock::now());
    slot = next_slot_;
    next_slot_ += spacing;
  }
  std::this_thread::sleep_until(slot);
}

}  // namespace weft
