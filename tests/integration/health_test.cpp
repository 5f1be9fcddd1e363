// Health, readiness and metrics (contract §2).
#include "common.hpp"

namespace centrala::testing {
namespace {

class HealthTest : public ServerTest {};

TEST_F(HealthTest, HealthzIsOk) {
    auto r = http->get("/healthz");
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.json(), nlohmann::json({{"status", "ok"}})) << r;
    EXPECT_EQ(r.header("Content-Type").value_or("").rfind("application/json", 0), 0u) << r;
}

TEST_F(HealthTest, ReadyzIsOkOnceTheDatabaseIsOpen) {
    auto r = http->get("/readyz");
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_TRUE(r.json().is_object()) << r;
}

TEST_F(HealthTest, MetricsArePrometheusTextWithoutPersonalData) {
    Login l = must_login("anna");
    ASSERT_EQ(login(*http, "mallory.secret", "a guessed password").status, 401);
    ASSERT_EQ(http->get("/api/v1/me", {bearer(l.token)}).status, 200);
    ASSERT_EQ(http->get("/api/v1/users/" + l.user["id"].get<std::string>(), {bearer(l.token)}).status, 403);
    ASSERT_EQ(http->get("/no/such/page").status, 404);

    auto r = http->get("/metrics");
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.header("Content-Type").value_or("").rfind("text/plain", 0), 0u) << r;
    const std::string& text = r.body;
    EXPECT_NE(text.find("centrala_http_requests_total"), std::string::npos) << text;
    EXPECT_NE(text.find("centrala_websockets_open"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE centrala_http_requests_total counter"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE centrala_websockets_open gauge"), std::string::npos) << text;
    // Requests are counted by status: the 401, 403 and 404 above show up.
    for (const char* status : {"status=\"200\"", "status=\"401\"", "status=\"403\"", "status=\"404\""})
        EXPECT_NE(text.find(status), std::string::npos) << status << " missing:\n" << text;

    // Every line is a comment or "name{labels} value".
    static const std::regex sample(
        R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\n]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\n]*")*\})? (-?[0-9.]+([eE][-+]?[0-9]+)?|[-+]Inf|NaN)( -?[0-9]+)?$)");
    size_t pos = 0, samples = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        const std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? text.size() : end + 1;
        if (line.empty() || line[0] == '#') continue;
        ++samples;
        EXPECT_TRUE(std::regex_match(line, sample)) << "not a Prometheus sample: " << line;
    }
    EXPECT_GT(samples, 0u);

    for (const std::string& secret : {std::string("anna"), std::string("Anna Nowak"), std::string("mallory"),
                                     l.token, l.csrf, std::string(kPassword), std::string("127.0.0.1")})
        EXPECT_EQ(text.find(secret), std::string::npos) << "metrics expose '" << secret << "'";
}

}  // namespace
}  // namespace centrala::testing
