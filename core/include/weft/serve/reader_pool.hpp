// Read connections for the API: SQLite connections are not shared between threads, so each
// request borrows one (WAL lets readers run beside the writer) and gives it back.
#pragma once

#include "weft/store/store.hpp"

#include <memory>
#include <mutex>
#include <exception>
#include <string>
#include <vector>

namespace weft {

class ReaderPool {
public:
  explicit ReaderPool(std::string location) : location_(std::move(location)) {}

  class Lease {
  public:
    Lease(ReaderPool& pool, std::unique_ptr<Store> store)
        : pool_(pool), store_(std::move(store)), exceptions_(std::uncaught_exceptions()) {}
    Lease(Lease&&) = default;
    ~Lease();
    Store& operator*() const { return *store_; }
    Store* operator->() const { return store_.get(); }

  private:
    ReaderPool& pool_;
    std::unique_ptr<Store> store_;
    int exceptions_;  // to tell a normal end from unwinding after a failure
  };

  // A connection of its own for the caller; opens one when none is free. Throws StoreError.
  Lease acquire();

private:
  std::string location_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Store>> idle_;
};

}  // namespace weft
