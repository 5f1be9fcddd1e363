#include "centrala/api/router.hpp"

#include <array>
#include <string_view>

namespace centrala::api {
namespace {
// Longer paths than any route has cannot match; 16 covers every route with room.
constexpr size_t max_segments = 16;

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

// Same segments as split(), as views into `path`; false when there are too many.
bool split_views(std::string_view path, std::array<std::string_view, max_segments>& out, size_t& n) {
    n = 0;
    size_t i = 1;
    while (i <= path.size()) {
        if (n == max_segments) return false;
        auto j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        out[n++] = path.substr(i, j - i);
        i = j + 1;
    }
    return true;
}

bool is_param_segment(const std::string& p) { return p.size() > 2 && p.front() == '{' && p.back() == '}'; }
}  // namespace

void Router::add(std::string method, std::string pattern, Access access, Handler h) {
    Route r{std::move(method), pattern, access, std::move(h), split(pattern), {}};
    for (const auto& s : r.segments) r.is_param.push_back(is_param_segment(s));
    const size_t n = r.segments.size();
    if (by_length_.size() <= n) by_length_.resize(n + 1);
    by_length_[n].push_back(routes_.size());
    routes_.push_back(std::move(r));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
    Match m;
    std::array<std::string_view, max_segments> segs;
    size_t n = 0;
    if (!split_views(path, segs, n) || n >= by_length_.size()) return m;
    for (size_t index : by_length_[n]) {
        const Route& r = routes_[index];
        bool ok = true;
        for (size_t i = 0; i < n && ok; ++i)
            ok = r.is_param[i] ? !segs[i].empty() : std::string_view(r.segments[i]) == segs[i];
        if (!ok) continue;
        if (r.method == method || (method == "HEAD" && r.method == "GET")) {
            m.route = &r;
            for (size_t i = 0; i < n; ++i)
                if (r.is_param[i]) m.params.emplace(r.segments[i].substr(1, r.segments[i].size() - 2), segs[i]);
            return m;
        }
        m.allowed_methods.push_back(r.method);
    }
    return m;
}

}  // namespace centrala::api
