// Outgoing HTTP requests (webhooks to the city's gateways). The API layer
// sees only this interface; the net layer implements it with Beast on the
// network thread, so no thread ever blocks on a remote server.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace centrala::api {

struct OutgoingRequest {
    std::string url;  // http://host[:port]/path or https://...
    std::string body;  // sent as application/json
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::seconds timeout{10};
};

struct OutgoingResult {
    int status = 0;     // HTTP status; 0 when no response came
    std::string error;  // transport problem, when status is 0
};

class HttpPoster {
public:
    virtual ~HttpPoster() = default;
    // POSTs and calls done exactly once, on the network thread.
    virtual void post(OutgoingRequest request, std::function<void(OutgoingResult)> done) = 0;
};

}  // namespace centrala::api
