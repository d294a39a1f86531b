// core/result.h — Result<T, E>: a value or a typed error, for bad input and network conditions
// that the caller counts and reports (std::expected is C++23; tl::expected is its twin).
#pragma once

#include <tl/expected.hpp>

namespace cw {

template <typename T, typename E>
using Result = tl::expected<T, E>;

template <typename E>
constexpr tl::unexpected<E> fail(E error) {
  return tl::unexpected<E>(std::move(error));
}

}  // namespace cw
