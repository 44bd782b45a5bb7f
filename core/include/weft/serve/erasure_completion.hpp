// Erasures whose scrub of the files could not be done in time (a long reader or writer beside
// the server holds the log): the scrub is asked for again until it is done, and then they are
// marked complete in the operations log (SPEC 14). One thread, idle while nothing waits; at
// start it takes the erasures an earlier run left incomplete. Everything it changes in the
// store goes through the committer.
#pragma once

#include "weft/serve/committer.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace weft {

class ErasureCompletion {
public:
  // Retries after `first_retry`, doubling up to 30 s.
  explicit ErasureCompletion(Committer& committer, std::chrono::milliseconds first_retry = std::chrono::seconds(1));
  ~ErasureCompletion();  // ends the thread; before the committer stops
  ErasureCompletion(const ErasureCompletion&) = delete;
  ErasureCompletion& operator=(const ErasureCompletion&) = delete;

  // What an erasure's requester reports once its scrub was tried: marked complete now (and
  // waited for), or retried until it can be.
  void settled(const std::string& operation_id, bool scrubbed);

private:
  void run();
  bool scrub();  // asks for a scrub on the committer's thread and waits for it
  bool mark_complete(const std::set<std::string>& ids);

  Committer& committer_;
  const std::chrono::milliseconds first_retry_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::set<std::string> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace weft
