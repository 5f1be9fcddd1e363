#include "centrala/api/router.hpp"

namespace centrala::api {
namespace {
std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> out;
    size_t i = 1;
    while (i <= path.size()) {
        auto j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        out.push_back(path.substr(i, j - i));
        i = j + 1;
    }
    return out;
}
}  // namespace

void Router::add(std::string method, std::string pattern, Access access, Handler h) {
    Route r{std::move(method), pattern, access, std::move(h), split(pattern)};
    routes_.push_back(std::move(r));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
    Match m;
    const auto segs = split(path);
    for (const auto& r : routes_) {
        if (r.segments.size() != segs.size()) continue;
        std::map<std::string, std::string> params;
        bool ok = true;
        for (size_t i = 0; i < segs.size() && ok; ++i) {
            const auto& p = r.segments[i];
            if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
                if (segs[i].empty()) ok = false;
                else params[p.substr(1, p.size() - 2)] = segs[i];
            } else if (p != segs[i]) {
                ok = false;
            }
        }
        if (!ok) continue;
        if (r.method == method || (method == "HEAD" && r.method == "GET")) {
            m.route = &r;
            m.params = std::move(params);
            return m;
        }
        m.allowed_methods.push_back(r.method);
    }
    return m;
}

}  // namespace centrala::api
