// A fresh directory of one's own for a test. Header-only so that the unit
// tests, which link neither Beast nor the test-support library, share it with
// the integration harness.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace centrala::testing {

// Made with mkdtemp, so tests run in parallel (ctest -j, several fixtures in
// one process) never share a file; removed with everything in it on
// destruction (kept when the environment variable CENTRALA_KEEP_TEST_DIRS is
// set). Throws when the directory cannot be made: gtest reports that as a
// failure of the test that wanted it.
class TempDir {
public:
    explicit TempDir(const std::string& prefix = "centrala-test") {
        std::string templ = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        if (!::mkdtemp(templ.data()))
            throw std::filesystem::filesystem_error("mkdtemp", templ, std::error_code(errno, std::generic_category()));
        path_ = templ;
    }
    ~TempDir() {
        if (std::getenv("CENTRALA_KEEP_TEST_DIRS")) return;
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // The path of `name` inside the directory, as the string SQLite and the stores take.
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace centrala::testing
