#include "risk/estimators.h"

#include <array>
#include <cmath>
#include <functional>
#include <limits>

namespace privaudit::risk {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kAccuracy = 1e-6;    // ARX's solver default
constexpr int kIterationsPerTry = 1000;
constexpr int kIterationsTotal = 10000;

struct Sample {
  double n = 0;   // records
  double u = 0;   // classes
  double c1 = 0;  // classes of size 1
  double c2 = 0;  // classes of size 2
};

Sample describe(const Histogram& h) {
  Sample s;
  for (auto& e : h) {
    s.n += static_cast<double>(e.size) * static_cast<double>(e.classes);
    s.u += static_cast<double>(e.classes);
    if (e.size == 1) s.c1 = static_cast<double>(e.classes);
    if (e.size == 2) s.c2 = static_cast<double>(e.classes);
  }
  return s;
}

using Vec2 = std::array<double, 2>;
using Mat2 = std::array<double, 4>;  // row-major: d f0/dx0, d f0/dx1, d f1/dx0, d f1/dx1

// Deterministic points in (0,1)^2 (Halton, bases 2 and 3) for restarts.
double halton(int i, int base) {
  double f = 1, r = 0;
  for (; i > 0; i /= base) {
    f /= base;
    r += f * (i % base);
  }
  return r;
}

// Newton-Raphson in two dimensions as ARX's solver runs it: from `start`,
// then from restarts at fractions of it, until |f| <= accuracy in both
// components. `valid` rejects points outside the domain (ends that try).
// Returns NaNs when no try converged.
Vec2 solve(const std::function<Vec2(const Vec2&)>& f, const std::function<Mat2(const Vec2&)>& jac,
           Vec2 start, const std::function<bool(const Vec2&)>& valid) {
  int total = 0;
  for (int attempt = 0; total <= kIterationsTotal; ++attempt) {
    Vec2 x = attempt == 0 ? start : Vec2{halton(attempt, 2) * start[0], halton(attempt, 3) * start[1]};
    ++total;  // a failed start costs an iteration too, so the loop ends
    for (int it = 0; it <= kIterationsPerTry && total <= kIterationsTotal; ++it, ++total) {
      Vec2 y = f(x);
      if (std::isnan(y[0]) || std::isnan(y[1])) break;
      if (std::fabs(y[0]) <= kAccuracy && std::fabs(y[1]) <= kAccuracy) return x;
      Mat2 j = jac(x);
      double det = j[0] * j[3] - j[1] * j[2];
      if (!std::isfinite(det) || det == 0) break;
      double dx = (j[3] * y[0] - j[1] * y[1]) / det;
      double dy = (-j[2] * y[0] + j[0] * y[1]) / det;
      x = {x[0] - dx, x[1] - dy};
      if (std::isnan(x[0]) || std::isnan(x[1]) || !valid(x)) break;
    }
  }
  return {kNaN, kNaN};
}

// Central-difference Jacobian.
Mat2 numeric_jacobian(const std::function<Vec2(const Vec2&)>& f, const Vec2& x) {
  Mat2 j{};
  for (int k = 0; k < 2; ++k) {
    double h = 1e-7 * std::max(1.0, std::fabs(x[k]));
    Vec2 a = x, b = x;
    a[k] += h;
    b[k] -= h;
    Vec2 fa = f(a), fb = f(b);
    j[static_cast<size_t>(k)] = (fa[0] - fb[0]) / (2 * h);
    j[static_cast<size_t>(2 + k)] = (fa[1] - fb[1]) / (2 * h);
  }
  return j;
}

// P(X = 1) for X hypergeometric: `draws` from `total` items of which
// `marked` are marked. Computed as a product, exact for small marked.
double hypergeometric_one(double total, uint64_t marked, double draws) {
  double p = static_cast<double>(marked) * draws / total;
  for (uint64_t i = 1; i < marked && p > 0; ++i) {
    double di = static_cast<double>(i);
    p *= (total - draws - di + 1) / (total - di);
  }
  return p < 0 ? 0 : p;
}

// Shlosser's estimate of the number of non-empty classes in the population
// (Haas et al. 1995, D_Sh3). ARX's code subtracts 1 per histogram entry in the
// second sum where the estimator multiplies by ((1+f)^i - 1); `arx` keeps that.
double shlosser(const Histogram& h, double u, double c1, double f, bool arx) {
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  for (auto& e : h) {
    double i = static_cast<double>(e.size), n = static_cast<double>(e.classes);
    double q = std::pow(1 - f, i) * n;
    s1 += i * f * f * std::pow(1 - f * f, i - 1) * n;
    s2 += arx ? q * std::pow(1 + f, i) - 1 : q * (std::pow(1 + f, i) - 1);
    s3 += q;
    s4 += i * f * std::pow(1 - f, i - 1) * n;
  }
  return u + c1 * (s1 / s2) * (s3 / s4) * (s3 / s4);
}

}  // namespace

double digamma(double x) {
  if (std::isnan(x) || (x <= 0 && x == std::floor(x))) return kNaN;
  if (x < 0) return digamma(1 - x) - kPi / std::tan(kPi * x);
  double r = 0;
  while (x < 10) {
    r -= 1 / x;
    x += 1;
  }
  double f = 1 / (x * x);
  return r + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

double trigamma(double x) {
  if (std::isnan(x) || (x <= 0 && x == std::floor(x))) return kNaN;
  if (x < 0) {
    double s = std::sin(kPi * x);
    return kPi * kPi / (s * s) - trigamma(1 - x);
  }
  double r = 0;
  while (x < 10) {
    r += 1 / (x * x);
    x += 1;
  }
  double f = 1 / (x * x);
  return r + 1 / x + f / 2 +
         f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30 - f * (5.0 / 66)))));
}

// Pitman: maximum likelihood (theta, alpha) of the Pitman sampling formula
// for the observed class sizes; uniques = Gamma(t+1)/Gamma(t+a) * N^a.
std::optional<double> pitman_uniques(const Histogram& h, double population) {
  Sample s = describe(h);
  if (s.c1 == 0) return 0.0;
  double n = s.n, u = s.u, c1 = s.c1, c2 = s.c2 != 0 ? s.c2 : 1;
  // Moment-based starting point (as ARX).
  double c = c1 * (c1 - 1) / c2;
  double t0 = (n * u * c - c1 * (n - 1) * (2 * u + c)) / (2 * c1 * u + c1 * c - n * c);
  double a0 = (t0 * (c1 - n) + (n - 1) * c1) / (n * u);

  // Sums over i = 1..u-1 of 1/(t+ia) and 1/(t+ia)^2, via polygamma.
  auto sums = [u](double t, double a, double& s1, double& s2) {
    double z = t / a;
    s1 = (digamma(z + u) - digamma(z + 1)) / a;
    s2 = (trigamma(z + 1) - trigamma(z + u)) / (a * a);
  };
  auto f = [&](const Vec2& x) -> Vec2 {
    double t = x[0], a = x[1], s1, s2;
    sums(t, a, s1, s2);
    double g = 0, d1a = digamma(1 - a);
    for (auto& e : h)
      if (e.size != 1) g += static_cast<double>(e.classes) * (digamma(static_cast<double>(e.size) - a) - d1a);
    // d logL / d theta, d logL / d alpha
    return {s1 - (digamma(n + t) - digamma(t + 1)), (u - 1) / a - t / a * s1 - g};
  };
  auto jac = [&](const Vec2& x) -> Mat2 {
    double t = x[0], a = x[1], s1, s2;
    sums(t, a, s1, s2);
    double si = (s1 - t * s2) / a;                           // sum i/(t+ia)^2
    double sii = ((u - 1) - 2 * t * s1 + t * t * s2) / (a * a);  // sum i^2/(t+ia)^2
    double g = 0, t1a = trigamma(1 - a);
    for (auto& e : h)
      if (e.size != 1) g += static_cast<double>(e.classes) * (t1a - trigamma(static_cast<double>(e.size) - a));
    return {trigamma(t + 1) - trigamma(n + t) - s2, -si, -si, -sii - g};
  };
  Vec2 r = solve(f, jac, {t0, a0}, [](const Vec2& x) { return x[0] >= 0; });
  double t = r[0], a = r[1];
  if (std::isnan(t) || std::isnan(a) || a == 0 || t + a <= 0) return std::nullopt;
  double v = std::exp(std::lgamma(t + 1) - std::lgamma(t + a) + a * std::log(population));
  if (!(v >= 0 && v <= population) || v == 0) return std::nullopt;
  return v;
}

// Zayatz: sample uniques times the estimated probability that a sample
// unique is a population unique, scaled by the sampling fraction.
std::optional<double> zayatz_uniques(const Histogram& h, double population) {
  Sample s = describe(h);
  if (s.c1 == 0) return 0.0;
  double total = 0;
  for (auto& e : h) total += static_cast<double>(e.classes) / s.u * hypergeometric_one(population, e.size, s.n);
  double p1 = s.c1 / s.u * hypergeometric_one(population, 1, s.n);
  double v = s.c1 * (p1 / total) / (s.n / population);
  if (!std::isfinite(v) || v == 0) return std::nullopt;
  return v;
}

// SNB: population class sizes are 1 + negative binomial(alpha, beta); the
// expected numbers of sample classes of size 1 and 2 are matched to c1, c2,
// and uniques = K * beta^alpha with K the estimated number of population classes.
std::optional<double> snb_uniques(const Histogram& h, double population, SnbEquations eq) {
  Sample s = describe(h);
  if (s.c1 == 0) return 0.0;
  bool arx = eq == SnbEquations::arx;
  double f = s.n / population, c1 = s.c1, c2 = s.c2;
  double k = shlosser(h, s.u, c1, f, arx);
  auto fn = [=](const Vec2& x) -> Vec2 {
    double a = x[0], b = x[1];
    double d = (1 - f) * (1 - b);
    double e1 = k * f * std::pow(b / (1 - d), a) * (a * d / (1 - d) + 1) - c1;
    // Published: divided by (1-d)^(a+2); ARX's code multiplies by it.
    double m = std::pow(1 - d, a + 2);
    double e2 = k * a * std::pow(b, a) * f * f * (1 - b) / 2 * (arx ? m : 1 / m) * (2 - (1 - a) * d) - c2;
    return {e1, e2};
  };
  auto jac = [&](const Vec2& x) { return numeric_jacobian(fn, x); };
  Vec2 r = solve(fn, jac, {1.0, 1.0}, [](const Vec2& x) { return x[0] > 0 && x[1] > 0 && x[1] < 1; });
  double v = k * std::pow(r[1], r[0]);
  if (!std::isfinite(v) || v <= 0 || v > population) return std::nullopt;
  return v;
}

PopulationUniqueness estimate_population_uniqueness(const Histogram& h, double population) {
  PopulationUniqueness p;
  Sample s = describe(h);
  p.population = population;
  p.sampling_fraction = population > 0 ? s.n / population : 0;
  auto frac = [&](std::optional<double> v) -> std::optional<double> {
    if (!v) return std::nullopt;
    return *v / population;
  };
  if (s.c1 == 0) {
    p.model = "none";
    p.pitman = p.zayatz = p.snb = p.snb_published = 0.0;
    return p;
  }
  auto pit = pitman_uniques(h, population);
  auto zay = zayatz_uniques(h, population);
  auto snb = snb_uniques(h, population, SnbEquations::arx);
  auto snb2 = snb_uniques(h, population, SnbEquations::published);
  p.pitman = frac(pit);
  p.zayatz = frac(zay);
  p.snb = frac(snb);
  p.snb_published = frac(snb2);
  if (p.sampling_fraction <= 0.1) {
    if (pit) {
      p.model = "pitman";
      p.uniques = *pit;
    } else {
      p.model = "zayatz";
      p.uniques = zay.value_or(0);
    }
  } else if (snb && (!zay || !(*zay < *snb))) {
    p.model = "snb";
    p.uniques = *snb;
  } else {
    p.model = "zayatz";
    p.uniques = zay.value_or(0);
  }
  p.value = p.uniques / population;
  return p;
}

}  // namespace privaudit::risk
