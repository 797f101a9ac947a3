//! Pure statistics and schema of `make bench`: medians, MAD and the JSON report.

use serde::Serialize;
use std::collections::BTreeMap;

/// The median of `samples` (mean of the middle two for an even count); NaN for none.
pub fn median(samples: &[f64]) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        0.5 * (sorted[mid - 1] + sorted[mid])
    }
}

/// The median absolute deviation from the median: a spread measure that one slow outlier cannot inflate.
pub fn median_absolute_deviation(samples: &[f64]) -> f64 {
    let centre = median(samples);
    let deviations: Vec<f64> = samples.iter().map(|s| (s - centre).abs()).collect();
    median(&deviations)
}

/// Where the numbers were measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BenchEnv {
    /// The browser's user agent.
    pub browser: String,
    /// `navigator.hardwareConcurrency`.
    pub cores: u32,
    /// Whether the page was cross-origin isolated (5 µs timers); results are refused otherwise.
    #[serde(rename = "crossOriginIsolated")]
    pub cross_origin_isolated: bool,
    /// The smallest step of `performance.now()` observed, in µs.
    pub timer_resolution_us: f64,
    /// How many interleaved samples each case took.
    pub samples: usize,
    /// The least duration of one sample, in ms.
    pub min_sample_ms: f64,
}

/// One measured case.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BenchResult {
    /// The group, e.g. `exp`.
    pub suite: String,
    /// What was measured, e.g. `n4096`.
    pub case: String,
    /// Which implementation, e.g. `simd128` or `scalar`.
    #[serde(rename = "impl")]
    pub implementation: String,
    /// Elements per call.
    pub size: usize,
    /// Median time per call, ns.
    pub median_ns: f64,
    /// Median absolute deviation of the time per call, ns.
    pub mad_ns: f64,
    /// `size` / median time.
    pub elements_per_s: f64,
}

impl BenchResult {
    /// Summarises per-call samples in ns.
    pub fn from_samples(suite: &str, case: &str, implementation: &str, size: usize, samples_ns: &[f64]) -> Self {
        let median_ns = median(samples_ns);
        Self {
            suite: suite.into(),
            case: case.into(),
            implementation: implementation.into(),
            size,
            median_ns,
            mad_ns: median_absolute_deviation(samples_ns),
            elements_per_s: size as f64 / (median_ns * 1e-9),
        }
    }
}

/// The whole report written to `bench/results.json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BenchReport {
    /// Where it ran.
    pub env: BenchEnv,
    /// Every case.
    pub results: Vec<BenchResult>,
    /// Named ratios and rates, e.g. `exp.simd_over_scalar`.
    pub ratios: BTreeMap<String, f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_mad_resist_outliers() {
        assert!(median(&[]).is_nan());
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median_absolute_deviation(&[1.0, 2.0, 3.0, 4.0, 1000.0]), 1.0);
    }

    #[test]
    fn report_uses_the_documented_schema() {
        let result = BenchResult::from_samples("exp", "n4096", "simd128", 4096, &[1000.0, 1000.0, 3000.0]);
        assert!((result.elements_per_s / 4.096e9 - 1.0).abs() < 1e-12);
        let report = BenchReport {
            env: BenchEnv {
                browser: "test".into(),
                cores: 2,
                cross_origin_isolated: true,
                timer_resolution_us: 5.0,
                samples: 21,
                min_sample_ms: 10.0,
            },
            results: vec![result],
            ratios: BTreeMap::from([("exp.simd_over_scalar".to_string(), 4.0)]),
        };
        let json: serde_json::Value = serde_json::to_value(&report).unwrap();
        assert_eq!(json["env"]["crossOriginIsolated"], true);
        assert_eq!(json["results"][0]["impl"], "simd128");
        for key in ["suite", "case", "size", "median_ns", "mad_ns", "elements_per_s"] {
            assert!(json["results"][0].get(key).is_some(), "{key}");
        }
        assert_eq!(json["ratios"]["exp.simd_over_scalar"], 4.0);
    }
}
