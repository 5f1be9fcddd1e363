// The batching log sink: nothing logged is lost or reordered, warnings reach
// the descriptor without waiting for the batch interval, and a log output that
// cannot keep up costs dropped lines (counted), never a blocked caller.
#include "centrala/app/log_sink.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace {

struct TempLog {
    std::string path;
    int fd = -1;
    TempLog() {
        char tmpl[] = "/tmp/centrala-logsink-XXXXXX";
        fd = ::mkstemp(tmpl);
        path = tmpl;
    }
    ~TempLog() {
        ::close(fd);
        ::unlink(path.c_str());
    }
    std::string text() const {
        std::string out;
        FILE* f = std::fopen(path.c_str(), "rb");
        if (!f) return out;
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
        std::fclose(f);
        return out;
    }
};

size_t count_lines(const std::string& s) {
    size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

}  // namespace

TEST(LogSink, FlushWritesEveryLineInOrder) {
    TempLog out;
    centrala::BatchingSink::Options o;
    o.fd = out.fd;
    o.interval = std::chrono::hours(1);  // only flush() may write
    auto sink = std::make_shared<centrala::BatchingSink>(o);
    spdlog::logger log("t", sink);
    log.set_pattern("%v");
    for (int i = 0; i < 1000; ++i) log.info("request {}", i);
    sink->flush();
    const std::string text = out.text();
    ASSERT_EQ(count_lines(text), 1000u);
    size_t pos = 0;
    for (int i = 0; i < 1000; ++i) {
        const std::string line = "request " + std::to_string(i) + "\n";
        ASSERT_EQ(text.compare(pos, line.size(), line), 0) << "line " << i;
        pos += line.size();
    }
}

TEST(LogSink, WarningIsWrittenWithoutWaitingForTheInterval) {
    TempLog out;
    centrala::BatchingSink::Options o;
    o.fd = out.fd;
    o.interval = std::chrono::hours(1);
    auto sink = std::make_shared<centrala::BatchingSink>(o);
    spdlog::logger log("t", sink);
    log.set_pattern("%l %v");
    log.info("before");
    log.warn("disk almost full");
    std::string text;
    for (int i = 0; i < 200 && text.find("disk almost full") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        text = out.text();
    }
    EXPECT_EQ(text, "info before\nwarning disk almost full\n");
}

TEST(LogSink, InfoLinesAreWrittenWithinTheInterval) {
    TempLog out;
    centrala::BatchingSink::Options o;
    o.fd = out.fd;
    o.interval = std::chrono::milliseconds(20);
    auto sink = std::make_shared<centrala::BatchingSink>(o);
    spdlog::logger log("t", sink);
    log.set_pattern("%v");
    log.info("GET /api/v1/me 200");
    std::string text;
    for (int i = 0; i < 500 && text.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        text = out.text();
    }
    EXPECT_EQ(text, "GET /api/v1/me 200\n");
}

TEST(LogSink, OverflowDropsAndReportsInsteadOfBlocking) {
    TempLog out;
    centrala::BatchingSink::Options o;
    o.fd = out.fd;
    o.interval = std::chrono::hours(1);
    o.wake_at_bytes = 1 << 30;
    o.max_buffered_bytes = 100;
    auto sink = std::make_shared<centrala::BatchingSink>(o);
    spdlog::logger log("t", sink);
    log.set_pattern("%v");
    for (int i = 0; i < 50; ++i) log.info("line {:04}", i);  // 10 bytes each: 10 fit
    EXPECT_EQ(sink->dropped(), 40u);
    sink->flush();
    const std::string text = out.text();
    EXPECT_NE(text.find("line 0009\n"), std::string::npos);
    EXPECT_EQ(text.find("line 0010"), std::string::npos);
    EXPECT_NE(text.find("40 lines dropped"), std::string::npos) << text;
}

TEST(LogSink, DestructionWritesWhatIsLeft) {
    TempLog out;
    {
        centrala::BatchingSink::Options o;
        o.fd = out.fd;
        o.interval = std::chrono::hours(1);
        auto sink = std::make_shared<centrala::BatchingSink>(o);
        spdlog::logger log("t", sink);
        log.set_pattern("%v");
        log.info("stopped");
    }
    EXPECT_EQ(out.text(), "stopped\n");
}
