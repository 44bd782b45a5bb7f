#include "weft/serve/reader_pool.hpp"

#include "weft/store/store_factory.hpp"

namespace weft {

ReaderPool::Lease::~Lease() {
  // A request that failed may have left its connection broken: close it rather than reuse it.
  if (!store_ || std::uncaught_exceptions() > exceptions_) return;
  std::lock_guard lock(pool_.mutex_);
  pool_.idle_.push_back(std::move(store_));
}

ReaderPool::Lease ReaderPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<Store> store = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(store));
    }
  }
  std::unique_ptr<Store> store = open_store(location_);
  store->expect_reads_only();
  return Lease(*this, std::move(store));
}

}  // namespace weft
