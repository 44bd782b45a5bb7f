#include "weft/serve/erasure_completion.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <memory>

namespace weft {

ErasureCompletion::ErasureCompletion(Committer& committer, std::chrono::milliseconds first_retry)
    : committer_(committer), first_retry_(first_retry), thread_([this] { run(); }) {}

ErasureCompletion::~ErasureCompletion() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ErasureCompletion::settled(const std::string& operation_id, bool scrubbed) {
  if (scrubbed && mark_complete({operation_id})) return;
  {
    std::lock_guard lock(mutex_);
    pending_.insert(operation_id);
  }
  wake_.notify_all();
}

bool ErasureCompletion::scrub() {
  auto wait = std::make_shared<std::function<void()>>();
  auto done = committer_.submit_operation([wait](EventWriter& writer) -> OperationResult {
    return {{200, ""}, [wait, &writer] { *wait = writer.store().scrub_after_erasure(); }};
  });
  if (!done || done->get().status != 200) return false;
  try {
    if (*wait) (*wait)();
    return true;
  } catch (const StoreError& e) {
    Poco::Logger::get("weft.store").warning(std::string("an erasure's scrub is still not done; retrying: ") + e.what());
    return false;
  }
}

bool ErasureCompletion::mark_complete(const std::set<std::string>& ids) {
  auto done = committer_.submit_operation([ids](EventWriter& writer) -> OperationResult {
    for (const std::string& id : ids) writer.store().mark_erasure_complete(id);
    return {{200, ""}, {}};
  });
  return done && done->get().status == 200;
}

void ErasureCompletion::run() {
  {  // the erasures an earlier run left incomplete
    auto found = std::make_shared<std::vector<std::string>>();
    auto done = committer_.submit_operation([found](EventWriter& writer) -> OperationResult {
      *found = writer.store().incomplete_erasures();
      return {{200, ""}, {}};
    });
    if (done && done->get().status == 200) {
      std::lock_guard lock(mutex_);
      pending_.insert(found->begin(), found->end());
    }
  }
  auto wait = first_retry_;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (stopping_) return;
    const std::set<std::string> ids = pending_;
    lock.unlock();
    const bool done = scrub() && mark_complete(ids);
    lock.lock();
    if (done) {
      for (const std::string& id : ids) pending_.erase(id);
      wait = first_retry_;
    } else {
      wake_.wait_for(lock, wait, [&] { return stopping_; });
      wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::seconds(30));
    }
  }
}

}  // namespace weft
