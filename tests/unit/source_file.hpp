// The text of a file shipped in the source tree, for unit tests of what is
// shipped (config/, tests/data/). Needs CENTRALA_SOURCE_DIR, which the test's
// target defines.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#ifndef CENTRALA_SOURCE_DIR
#error "CENTRALA_SOURCE_DIR must be defined (the source tree's root)"
#endif

namespace centrala::testing {

// `relative` to the source tree's root; fails the test (and returns "") when unreadable.
inline std::string source_file(const std::string& relative) {
    const std::string path = std::string(CENTRALA_SOURCE_DIR) + "/" + relative;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ADD_FAILURE() << "cannot read " << path;
        return {};
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace centrala::testing
