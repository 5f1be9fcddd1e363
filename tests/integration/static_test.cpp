// The web apps' static files: content types, caching, security headers, and
// no way out of the web root.
#include <filesystem>

#include "common.hpp"

namespace centrala::testing {
namespace {

namespace fs = std::filesystem;

const std::string kIndex = "<!doctype html><html><head><title>centrala</title></head><body>konsola</body></html>\n";
const std::string kScript = "export const answer = 42;\n";
const std::string kStyle = "body { color: #123456; }\n";

// Status code of a raw HTTP response ("HTTP/1.1 404 Not Found ..."), 0 when none.
int raw_status(const std::string& response) {
    if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
    return std::stoi(response.substr(9, 3));
}

std::string directive(const std::string& csp, const std::string& name) {
    size_t pos = 0;
    while (pos < csp.size()) {
        size_t end = csp.find(';', pos);
        std::string part = csp.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        part.erase(0, part.find_first_not_of(' '));
        if (part.rfind(name + " ", 0) == 0 || part == name) return part;
        if (end == std::string::npos) break;
        pos = end + 1;
    }
    return {};
}

void expect_security_headers(const HttpResponse& r, const std::string& what) {
    auto csp = r.header("Content-Security-Policy");
    ASSERT_TRUE(csp.has_value()) << what << ": " << r;
    std::string script = directive(*csp, "script-src");
    if (script.empty()) script = directive(*csp, "default-src");
    EXPECT_FALSE(script.empty()) << what << ": CSP without script-src or default-src: " << *csp;
    EXPECT_EQ(script.find("'unsafe-inline'"), std::string::npos) << what << ": " << *csp;
    EXPECT_EQ(script.find("'unsafe-eval'"), std::string::npos) << what << ": " << *csp;
    EXPECT_EQ(to_lower(r.header("X-Content-Type-Options").value_or("")), "nosniff") << what << ": " << r;
    EXPECT_TRUE(r.header("Referrer-Policy").has_value()) << what << ": " << r;
    EXPECT_NE(r.header("Referrer-Policy").value_or(""), "unsafe-url") << what;
}

class StaticTest : public ServerTest {
protected:
    void configure(nlohmann::json& c) override {
        // A web root of known files, with secrets next to it to try to reach.
        const fs::path web = env.dir() / "web";
        fs::create_directories(web / "sub");
        write_file((web / "index.html").string(), kIndex);
        write_file((web / "app.js").string(), kScript);
        write_file((web / "style.css").string(), kStyle);
        write_file((web / "sub" / "page.html").string(), "<p>sub</p>");
        write_file((web / ".hidden").string(), "SENTINEL_HIDDEN");
        write_file((env.dir() / "CMakeLists.txt").string(), "SENTINEL_CMAKE");
        fs::create_directories(env.dir() / "config");
        write_file((env.dir() / "config" / "centrala.json").string(), "{\"SENTINEL_CONFIG\": true}");
        c["web_root"] = web.string();
    }
};

TEST_F(StaticTest, IndexIsServedAsHtmlWithSecurityHeaders) {
    auto r = http->get("/");
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.header("Content-Type").value_or("").rfind("text/html", 0), 0u) << r;
    EXPECT_EQ(r.body, kIndex);
    expect_security_headers(r, "GET /");
    auto same = http->get("/index.html");
    EXPECT_EQ(same.status, 200) << same;
    EXPECT_EQ(same.body, kIndex);
}

TEST_F(StaticTest, EveryKindOfResponseCarriesTheSecurityHeaders) {
    Login l = must_login("anna");
    struct Case {
        std::string what;
        HttpResponse r;
    };
    std::vector<Case> cases;
    cases.push_back({"static js", http->get("/app.js")});
    cases.push_back({"static 404", http->get("/missing.html")});
    cases.push_back({"static 405", http->request("POST", "/index.html", "x", {{"Content-Type", "text/plain"}})});
    cases.push_back({"healthz", http->get("/healthz")});
    cases.push_back({"metrics", http->get("/metrics")});
    cases.push_back({"api 200", http->get("/api/v1/me", {bearer(l.token)})});
    cases.push_back({"api 401", http->get("/api/v1/me")});
    cases.push_back({"api 404", http->get("/api/v1/nothing")});
    cases.push_back({"api 400", http->request("POST", "/api/v1/auth/login", "{", {{"Content-Type", "application/json"}})});
    cases.push_back({"api 204", http->post("/api/v1/auth/logout", nlohmann::json::object(), {bearer(l.token)})});
    auto etag = http->get("/app.js").header("ETag").value_or("\"x\"");
    cases.push_back({"static 304", http->get("/app.js", {{"If-None-Match", etag}})});
    for (const auto& c : cases) {
        EXPECT_NE(c.r.status, 0) << c.what << ": " << c.r;
        expect_security_headers(c.r, c.what);
        // RFC 9110 §8.6: never on 204 or 304; on every other answer, so keep-alive clients find the end.
        const bool bodiless = c.r.status == 204 || c.r.status == 304;
        EXPECT_EQ(c.r.header("Content-Length").has_value(), !bodiless) << c.what << ": " << c.r;
    }
}

TEST_F(StaticTest, ContentTypesMatchTheFiles) {
    auto html = http->get("/sub/page.html");
    ASSERT_EQ(html.status, 200) << html;
    EXPECT_EQ(html.header("Content-Type").value_or("").rfind("text/html", 0), 0u) << html;
    auto js = http->get("/app.js");
    ASSERT_EQ(js.status, 200) << js;
    EXPECT_EQ(js.body, kScript);
    const auto js_type = js.header("Content-Type").value_or("");
    EXPECT_TRUE(js_type.rfind("text/javascript", 0) == 0 || js_type.rfind("application/javascript", 0) == 0) << js;
    auto css = http->get("/style.css");
    ASSERT_EQ(css.status, 200) << css;
    EXPECT_EQ(css.body, kStyle);
    EXPECT_EQ(css.header("Content-Type").value_or("").rfind("text/css", 0), 0u) << css;
}

TEST_F(StaticTest, ETagAndIfNoneMatchGive304) {
    for (const std::string path : {"/app.js", "/style.css", "/"}) {
        auto first = http->get(path);
        ASSERT_EQ(first.status, 200) << first;
        auto etag = first.header("ETag");
        ASSERT_TRUE(etag.has_value()) << path << ": " << first;
        auto cached = http->get(path, {{"If-None-Match", *etag}});
        EXPECT_EQ(cached.status, 304) << path << ": " << cached;
        EXPECT_TRUE(cached.body.empty()) << cached;
        EXPECT_EQ(cached.header("ETag").value_or(""), *etag) << cached;
        // A Content-Length on a 304 would describe the cached copy (RFC 9110 §8.6): 0 would be wrong.
        EXPECT_FALSE(cached.header("Content-Length").has_value()) << cached;
        auto stale = http->get(path, {{"If-None-Match", "\"some-other-version\""}});
        EXPECT_EQ(stale.status, 200) << path << ": " << stale;
        EXPECT_FALSE(stale.body.empty());
    }
    // A changed file gets a new ETag, so browsers do not keep the old one.
    auto before = http->get("/app.js").header("ETag").value_or("");
    write_file((env.dir() / "web" / "app.js").string(), "export const answer = 43; // changed\n");
    auto after = http->get("/app.js");
    EXPECT_EQ(after.body, "export const answer = 43; // changed\n");
    EXPECT_NE(after.header("ETag").value_or(""), before);
    EXPECT_EQ(http->get("/app.js", {{"If-None-Match", before}}).status, 200);
}

TEST_F(StaticTest, PathTraversalNeverLeavesTheWebRoot) {
    const std::vector<std::string> targets = {
        "/../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2fCMakeLists.txt",
        "/%2e%2e%2fconfig/centrala.json",
        "/../CMakeLists.txt",
        "/../../../../../../etc/passwd",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/sub/../../CMakeLists.txt",
        "/sub/..%2f..%2fCMakeLists.txt",
        "/.%2e/CMakeLists.txt",
        "/%2E%2E/CMakeLists.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/..\\CMakeLists.txt",
        "/..%5cCMakeLists.txt",
        "/.hidden",
        "/%2ehidden",
        "/sub/%2e%2e/%2e%2e/config/centrala.json",
        "/..%00/CMakeLists.txt",
        "/..%c0%afCMakeLists.txt",
    };
    for (const auto& t : targets) {
        const std::string resp =
            raw_exchange(server->port(), "GET " + t + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        const int status = raw_status(resp);
        EXPECT_TRUE(status == 404 || status == 400) << t << " -> " << resp.substr(0, 400);
        for (const char* secret : {"SENTINEL", "root:x:", "root:*:", "cmake_minimum_required", "\"security\""})
            EXPECT_EQ(resp.find(secret), std::string::npos) << t << " leaked " << secret << ": " << resp.substr(0, 400);
    }
    EXPECT_EQ(http->get("/healthz").status, 200);
}

// The same with the repository's own web/ root, next to the sources and the config.
class RepositoryWebRootTest : public ServerTest {};

TEST_F(RepositoryWebRootTest, PathTraversalDoesNotReachTheSourceTree) {
    for (const std::string t : {"/..%2fCMakeLists.txt", "/%2e%2e%2fconfig/centrala.json", "/../CMakeLists.txt",
                                "/%2e%2e/config/centrala.json", "/..%2fsrc%2fapp%2fmain.cpp", "/../.git/config"}) {
        const std::string resp =
            raw_exchange(server->port(), "GET " + t + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        const int status = raw_status(resp);
        EXPECT_TRUE(status == 404 || status == 400) << t << " -> " << resp.substr(0, 400);
        for (const char* secret : {"cmake_minimum_required", "\"security\"", "int main", "[core]"})
            EXPECT_EQ(resp.find(secret), std::string::npos) << t << " leaked " << secret;
    }
}

}  // namespace
}  // namespace centrala::testing
