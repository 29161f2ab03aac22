#include "core/simd.h"

#include <emmintrin.h>

namespace privaudit::simd {

size_t find_any(const char* p, size_t n, const char* set, int k) {
  __m128i needles[8];
  for (int j = 0; j < k; ++j) needles[j] = _mm_set1_epi8(set[j]);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    __m128i hit = _mm_cmpeq_epi8(v, needles[0]);
    for (int j = 1; j < k; ++j) hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, needles[j]));
    if (int m = _mm_movemask_epi8(hit)) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(m)));
  }
  for (; i < n; ++i)
    for (int j = 0; j < k; ++j)
      if (p[i] == set[j]) return i;
  return n;
}

}  // namespace privaudit::simd
