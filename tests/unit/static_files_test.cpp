#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../support/temp_dir.hpp"
#include "static_files.hpp"

using namespace centrala;
namespace fs = std::filesystem;

namespace {
class StaticFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(base_ / "web" / "css");
        write(base_ / "web" / "index.html", "<!doctype html>home");
        write(base_ / "web" / "wallboard.html", "board");
        write(base_ / "web" / "css" / "app.css", "body{}");
        write(base_ / "web" / ".secret", "hidden");
        write(base_ / "outside.txt", "secret outside");
        fs::create_symlink(base_ / "outside.txt", base_ / "web" / "link.txt");
        root_ = (base_ / "web").string();
    }
    static void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }
    centrala::testing::TempDir temp_;
    const fs::path base_ = temp_.path();
    std::string root_;
};
}  // namespace

TEST_F(StaticFilesTest, ServesFilesWithMimeTypes) {
    auto home = net::load_static(root_, "/");
    ASSERT_TRUE(home.ok());
    EXPECT_EQ(home->body, "<!doctype html>home");
    EXPECT_EQ(home->content_type, "text/html; charset=utf-8");
    EXPECT_TRUE(home->html);
    EXPECT_FALSE(home->etag.empty());
    auto css = net::load_static(root_, "/css/app.css");
    ASSERT_TRUE(css.ok());
    EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
    EXPECT_EQ(net::load_static(root_, "/wallboard")->body, "board");
    EXPECT_EQ(net::mime_type("x.js"), "text/javascript; charset=utf-8");
}

TEST_F(StaticFilesTest, NeverLeavesTheRoot) {
    for (const char* p : {"/../outside.txt", "/css/../../outside.txt", "/..", "/.secret", "/link.txt",
                          "/css/..\\..\\outside.txt", "", "outside.txt", "/css/", "/missing.js"}) {
        auto r = net::load_static(root_, p);
        EXPECT_FALSE(r.ok()) << p;
        if (!r.ok()) {
            EXPECT_EQ(r.error().kind, ErrorKind::not_found) << p;
        }
    }
    EXPECT_FALSE(net::load_static(root_, std::string("/index.html\0x", 13)).ok());
}
