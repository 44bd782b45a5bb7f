// Opens the store a `store:` setting names.
#pragma once

#include "weft/store/store.hpp"

#include <memory>
#include <string>

namespace weft {

// "sqlite:PATH" (the folder is created when missing). Throws StoreError with the reason.
std::unique_ptr<Store> open_store(const std::string& location);

}  // namespace weft
