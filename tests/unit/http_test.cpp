#include <gtest/gtest.h>

#include "centrala/api/http.hpp"
#include "centrala/api/json_body.hpp"

using namespace centrala;
using namespace centrala::api;

TEST(PercentDecoding, DecodesAndRejectsMalformedEscapes) {
    std::string out;
    ASSERT_TRUE(percent_decode("/a%2Fb%20c", out, false));
    EXPECT_EQ(out, "/a/b c");
    ASSERT_TRUE(percent_decode("a+b", out, true));
    EXPECT_EQ(out, "a b");
    ASSERT_TRUE(percent_decode("a+b", out, false));
    EXPECT_EQ(out, "a+b");
    EXPECT_FALSE(percent_decode("%", out, false));
    EXPECT_FALSE(percent_decode("%4", out, false));
    EXPECT_FALSE(percent_decode("%zz", out, false));
    ASSERT_TRUE(percent_decode("%C5%BC", out, false));
    EXPECT_EQ(out, "ż");
}

TEST(QueryStrings, ParseIntoMap) {
    std::map<std::string, std::string> q;
    ASSERT_TRUE(parse_query("limit=10&q=%C5%BC%C3%B3%C5%82w+nowy&empty&x=", q));
    EXPECT_EQ(q["limit"], "10");
    EXPECT_EQ(q["q"], "żółw nowy");
    EXPECT_EQ(q.count("empty"), 1u);
    std::map<std::string, std::string> bad;
    EXPECT_FALSE(parse_query("a=%G0", bad));
}

TEST(Cookies, FindsTheNamedCookie) {
    EXPECT_EQ(cookie_value("a=1; centrala_session=abc; b=2", "centrala_session"), "abc");
    EXPECT_EQ(cookie_value("centrala_session=abc", "centrala_session"), "abc");
    EXPECT_FALSE(cookie_value("xcentrala_session=abc", "centrala_session").has_value());
    EXPECT_FALSE(cookie_value("", "centrala_session").has_value());
}

TEST(Errors, ContractShapeAndStatuses) {
    auto r = Response::error(Error::conflict("invalid_transition", "Nie można."));
    EXPECT_EQ(r.status, 409);
    auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], "invalid_transition");
    EXPECT_EQ(j["error"]["message"], "Nie można.");
    auto limited = Response::error(Error::rate_limited("slow down", 42));
    EXPECT_EQ(limited.status, 429);
    ASSERT_EQ(limited.headers.size(), 1u);
    EXPECT_EQ(limited.headers[0], (std::pair<std::string, std::string>{"Retry-After", "42"}));
    auto internal = Response::error(Error::internal("sqlite said: disk I/O error at /var/secret"));
    EXPECT_EQ(internal.status, 500);
    EXPECT_EQ(internal.body.find("/var/secret"), std::string::npos) << "internals never reach the client";
}

TEST(JsonBodies, RequireJsonObjects) {
    Request req;
    req.body = R"({"a":1})";
    EXPECT_EQ(json_body(req).error().kind, ErrorKind::unsupported);
    req.headers["content-type"] = "application/json; charset=utf-8";
    EXPECT_TRUE(json_body(req).ok());
    req.body = "{\"a\":";
    EXPECT_EQ(json_body(req).error().code, "malformed_json");
    req.body = "[1,2]";
    EXPECT_EQ(json_body(req).error().code, "invalid_body");
    nlohmann::json o = {{"name", 5}, {"long", std::string(300, 'x')}};
    EXPECT_EQ(string_field(o, "name", 1, 10).error().code, "invalid_field");
    EXPECT_EQ(string_field(o, "missing", 1, 10).error().code, "missing_field");
    EXPECT_FALSE(string_field(o, "long", 1, 100).ok());
}

TEST(Paging, LimitsAreBounded) {
    Request req;
    EXPECT_EQ(page_params(req)->limit, 50);
    req.query["limit"] = "500";
    EXPECT_EQ(page_params(req)->limit, 500);
    req.query["limit"] = "501";
    EXPECT_FALSE(page_params(req).ok());
    req.query["limit"] = "-1";
    EXPECT_FALSE(page_params(req).ok());
    req.query["limit"] = "10";
    req.query["offset"] = "20";
    EXPECT_EQ(page_params(req)->offset, 20u);
    req.query["offset"] = "x";
    EXPECT_FALSE(page_params(req).ok());
}
