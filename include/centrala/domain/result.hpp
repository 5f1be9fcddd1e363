// Errors as values. Every fallible operation inside the server returns
// Result<T>; exceptions never cross a layer boundary.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace centrala {

// The kinds map one-to-one onto the HTTP statuses of the contract's error shape,
// but the inner layers know nothing of HTTP.
enum class ErrorKind {
    invalid,          // 400
    unauthenticated,  // 401
    forbidden,        // 403
    not_found,        // 404
    conflict,         // 409
    too_large,        // 413
    unsupported,      // 415
    rate_limited,     // 429
    unavailable,      // 503
    internal,         // 500: a fault of ours, never of the input
};

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string code;     // snake_case, stable, for clients
    std::string message;  // human sentence
    int retry_after_seconds = 0;  // only for rate_limited

    static Error invalid(std::string code, std::string message) {
        return {ErrorKind::invalid, std::move(code), std::move(message)};
    }
    static Error not_found(std::string code, std::string message) {
        return {ErrorKind::not_found, std::move(code), std::move(message)};
    }
    static Error conflict(std::string code, std::string message) {
        return {ErrorKind::conflict, std::move(code), std::move(message)};
    }
    static Error forbidden(std::string message) {
        return {ErrorKind::forbidden, "forbidden", std::move(message)};
    }
    static Error unauthenticated(std::string message) {
        return {ErrorKind::unauthenticated, "unauthenticated", std::move(message)};
    }
    static Error internal(std::string message) {
        return {ErrorKind::internal, "internal_error", std::move(message)};
    }
    static Error rate_limited(std::string message, int retry_after) {
        return {ErrorKind::rate_limited, "rate_limited", std::move(message), retry_after};
    }
};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

struct Ok {};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Ok) {}
    Result(Error error) : error_(std::move(error)), ok_(false) {}
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return error_; }

private:
    Error error_;
    bool ok_ = true;
};

}  // namespace centrala
