#include "forwarded.hpp"

#include <algorithm>

namespace centrala::net {

namespace {
std::string trim(std::string s) {
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    return s;
}
bool lower_equals(const std::string& a, const char* b) {
    std::string l = a;
    for (auto& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
    return l == b;
}
}  // namespace

ClientOrigin resolve_client(const std::string& peer, bool tls_here, const std::string& forwarded_for,
                            const std::string& forwarded_proto, const std::vector<std::string>& trusted) {
    auto is_trusted = [&](const std::string& a) { return std::find(trusted.begin(), trusted.end(), a) != trusted.end(); };
    if (!is_trusted(peer)) return {peer, tls_here};
    // Walk the list from the right (the hop nearest to us): the first address
    // that is not one of our own proxies is the client. Anything further left
    // was written by the client and cannot be believed.
    std::string client = peer;
    size_t end = forwarded_for.size();
    while (end > 0) {
        const size_t comma = forwarded_for.rfind(',', end - 1);
        const size_t start = comma == std::string::npos ? 0 : comma + 1;
        const std::string item = trim(forwarded_for.substr(start, end - start));
        if (!item.empty()) {
            client = item;
            if (!is_trusted(item)) break;
        }
        if (comma == std::string::npos) break;
        end = comma;
    }
    bool secure = tls_here;
    if (!forwarded_proto.empty()) secure = lower_equals(trim(forwarded_proto), "https");
    return {client.substr(0, 64), secure};
}

}  // namespace centrala::net
