// Population uniqueness: how many people in the population are unique on the
// quasi-identifiers, estimated from the sample's equivalence class sizes.
// Three models (Pitman: Hoshino 2001; Zayatz 1991; SNB: Chen and
// Keller-McNulty 1998) and Dankar et al.'s (2012) rule for choosing one, as
// the ARX Data Anonymization Tool implements them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace privaudit::risk {

// Class-size histogram: ascending sizes, each with its number of classes.
struct SizeCount {
  uint64_t size = 0;
  uint64_t classes = 0;
};
using Histogram = std::vector<SizeCount>;

// Polygamma functions (x not a non-positive integer; NaN there).
double digamma(double x);
double trigamma(double x);

// Each returns the estimated number of population uniques, or nullopt when
// the model has no usable solution. `population` must be >= the sample size
// (the sum of size * classes).
std::optional<double> pitman_uniques(const Histogram& h, double population);
std::optional<double> zayatz_uniques(const Histogram& h, double population);

// SNB equations: ARX's implementation (which the decision rule uses, so that
// results agree with ARX), or the published ones (Chen and Keller-McNulty's
// second moment; Haas et al.'s Shlosser estimator), reported alongside.
enum class SnbEquations { arx, published };
std::optional<double> snb_uniques(const Histogram& h, double population, SnbEquations eq);

struct PopulationUniqueness {
  std::string model;  // "pitman", "zayatz", "snb"; "none" without sample uniques
  double population = 0;
  double sampling_fraction = 0;
  double uniques = 0;  // estimated population uniques under `model`
  double value = 0;    // uniques / population
  std::optional<double> pitman, zayatz, snb, snb_published;  // fractions of the population
};

// Runs the models and applies Dankar's decision rule: sampling fraction
// <= 10%: Pitman (Zayatz if Pitman has no solution); above: the smaller of
// Zayatz and SNB (Zayatz if SNB has no solution).
PopulationUniqueness estimate_population_uniqueness(const Histogram& h, double population);

}  // namespace privaudit::risk
