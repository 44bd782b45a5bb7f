// What may be shown of a `store:` setting. A PostgreSQL URL may carry a password
// (postgresql://user:PASSWORD@host/db or ?password=...); it is never logged, printed or
// answered: every place that shows the location, or an error about it, goes through here.
#pragma once

#include <string>
#include <string_view>

namespace weft {

// `location` with its password, if any, written as "***".
std::string redacted_location(std::string_view location);

// `message` with every occurrence of `location`'s password written as "***" (for errors from
// libraries that may echo what they were given).
std::string without_password(std::string message, std::string_view location);

}  // namespace weft
