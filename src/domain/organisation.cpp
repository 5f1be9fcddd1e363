#include "centrala/domain/organisation.hpp"

namespace centrala {

bool valid_topic(std::string_view s) {
    for (auto t : topic_ids)
        if (t == s) return true;
    return false;
}

}  // namespace centrala
