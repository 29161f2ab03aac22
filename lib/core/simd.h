// Byte searches used on every byte of a document, 16 bytes at a time.
#pragma once
#include <cstddef>

namespace privaudit::simd {

// Position of the first byte of p[0, n) equal to one of set[0, k) (k <= 8);
// n if there is none.
size_t find_any(const char* p, size_t n, const char* set, int k);

// How many bytes of p[0, n) equal c.
size_t count_byte(const char* p, size_t n, char c);

// How many bytes of p[0, n) are not UTF-8 continuation bytes (10xxxxxx):
// the code points of valid UTF-8.
size_t count_non_continuation(const char* p, size_t n);

}  // namespace privaudit::simd
