#include "core/simd.h"

#include <emmintrin.h>

#include <algorithm>
#include <cstdint>

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

namespace privaudit::simd {

size_t count_byte(const char* p, size_t n, char c) {
  const __m128i needle = _mm_set1_epi8(c);
  const __m128i zero = _mm_setzero_si128();
  size_t count = 0, i = 0;
  // Byte counters (a match compares as -1, and is subtracted): each lane
  // gains at most 4 per 64 bytes, so 63 rounds fit in a byte; then psadbw
  // sums them.
  while (i + 64 <= n) {
    size_t rounds = std::min<size_t>((n - i) / 64, 63);
    __m128i acc = zero;
    for (size_t r = 0; r < rounds; ++r, i += 64) {
      const auto* q = reinterpret_cast<const __m128i*>(p + i);
      __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128(q), needle);
      __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128(q + 1), needle);
      __m128i c2 = _mm_cmpeq_epi8(_mm_loadu_si128(q + 2), needle);
      __m128i d = _mm_cmpeq_epi8(_mm_loadu_si128(q + 3), needle);
      acc = _mm_sub_epi8(acc, a);
      acc = _mm_sub_epi8(acc, b);
      acc = _mm_sub_epi8(acc, c2);
      acc = _mm_sub_epi8(acc, d);
    }
    __m128i sums = _mm_sad_epu8(acc, zero);
    count += static_cast<size_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
  for (; i < n; ++i) count += p[i] == c;
  return count;
}

size_t count_non_continuation(const char* p, size_t n) {
  // A continuation byte (10xxxxxx) is, as a signed byte, below -64.
  const __m128i limit = _mm_set1_epi8(-64);
  size_t cont = 0, i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    cont += static_cast<size_t>(__builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmplt_epi8(v, limit)))));
  }
  for (; i < n; ++i) cont += (static_cast<unsigned char>(p[i]) & 0xC0) == 0x80;
  return n - cont;
}

}  // namespace privaudit::simd
