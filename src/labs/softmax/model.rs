//! The softmax lab's pure model: the logits (generated or edited) and temperature, every variant's distribution
//! with its measures, the emulated-precision report, the algorithms' passes, and the CSV export.

use crate::url_state::{Choice, Chosen, QueryValue, Range};
use softscope_kernels::alternatives::{
    entmax15, entropy, relu_normalised, sigmoid, softplus_normalised, sparsemax, stablemax,
};
use softscope_kernels::precision::{self, Order, Precision};
use softscope_kernels::rng::SplitMix64;
use softscope_kernels::softmax::{log_softmax, softmax_with_temperature, Algorithm};

/// The most logits a link carries explicitly; larger rows travel as their generator and seed.
pub const URL_LOGIT_LIMIT: usize = 64;
/// The precision panel emulates this many logits at most (every operation of four methods in four formats).
pub const PRECISION_LIMIT: usize = 4096;
/// Up to this many logits the figures draw one bar each; beyond, histograms.
pub const BAR_LIMIT: usize = 128;

/// How the logits are generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogitShape {
    /// Standard normal, scaled by 2.
    Normal,
    /// Uniform in [−4, 4].
    Uniform,
    /// Mostly small with one dominant logit, as after confident training.
    Spiky,
}

impl Choice for LogitShape {
    const ALL: &'static [Self] = &[Self::Normal, Self::Uniform, Self::Spiky];
    fn slug(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Uniform => "uniform",
            Self::Spiky => "spiky",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::Normal => "Normal (σ = 2)",
            Self::Uniform => "Uniform [−4, 4]",
            Self::Spiky => "One dominant logit",
        }
    }
}

/// A map from logits to weights shown side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// exp(x)/Σexp(x).
    Softmax,
    /// log softmax, computed directly.
    LogSoftmax,
    /// StableMax (Prieto et al. 2025).
    StableMax,
    /// Sparsemax (Martins & Astudillo 2016).
    Sparsemax,
    /// Entmax-1.5 (Peters et al. 2019).
    Entmax15,
    /// Element-wise sigmoid with bias −ln n: not normalised.
    Sigmoid,
    /// softplus / Σ softplus.
    Softplus,
    /// ReLU / Σ ReLU.
    Relu,
}

impl Choice for Variant {
    const ALL: &'static [Self] = &[
        Self::Softmax,
        Self::LogSoftmax,
        Self::StableMax,
        Self::Sparsemax,
        Self::Entmax15,
        Self::Sigmoid,
        Self::Softplus,
        Self::Relu,
    ];
    fn slug(self) -> &'static str {
        match self {
            Self::Softmax => "softmax",
            Self::LogSoftmax => "log_softmax",
            Self::StableMax => "stablemax",
            Self::Sparsemax => "sparsemax",
            Self::Entmax15 => "entmax15",
            Self::Sigmoid => "sigmoid",
            Self::Softplus => "softplus",
            Self::Relu => "relu",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::Softmax => "softmax",
            Self::LogSoftmax => "log-softmax",
            Self::StableMax => "StableMax",
            Self::Sparsemax => "sparsemax",
            Self::Entmax15 => "entmax-1.5",
            Self::Sigmoid => "sigmoid (b = −ln n)",
            Self::Softplus => "softplus, normalised",
            Self::Relu => "ReLU, normalised",
        }
    }
}

impl Choice for Precision {
    const ALL: &'static [Self] = &Precision::ALL;
    fn slug(self) -> &'static str {
        match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
            Precision::Bf16 => "bf16",
            Precision::F16 => "f16",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Precision::F64 => "float64",
            Precision::F32 => "float32",
            Precision::Bf16 => "bfloat16",
            Precision::F16 => "float16",
        }
    }
}

impl Choice for Order {
    const ALL: &'static [Self] = &[Order::Given, Order::SmallestFirst];
    fn slug(self) -> &'static str {
        match self {
            Order::Given => "given",
            Order::SmallestFirst => "smallest-first",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Order::Given => "In the given order",
            Order::SmallestFirst => "Smallest terms first",
        }
    }
}

impl Choice for Algorithm {
    const ALL: &'static [Self] = &Algorithm::ALL;
    fn slug(self) -> &'static str {
        match self {
            Algorithm::ThreePassReload => "reload",
            Algorithm::ThreePassRecompute => "recompute",
            Algorithm::Online => "online",
            Algorithm::TwoPass => "two-pass",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Algorithm::ThreePassReload => "Three-pass, reload",
            Algorithm::ThreePassRecompute => "Three-pass, recompute",
            Algorithm::Online => "Online (Milakov & Gimelshein)",
            Algorithm::TwoPass => "Two-pass (Dukhan & Ablavatski)",
        }
    }
}

/// Explicit logits in the URL: comma-separated; empty means "use the generator".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogitList(pub Vec<f32>);

impl QueryValue for LogitList {
    fn parse_query(text: &str, _: Option<Range>) -> Result<Self, String> {
        parse_logits(text).map(Self)
    }
    fn to_query(&self) -> String {
        self.0.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
    }
}

/// Reads a pasted or linked list of logits: numbers separated by commas, spaces, semicolons or new lines.
pub fn parse_logits(text: &str) -> Result<Vec<f32>, String> {
    let values = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| match t.parse::<f32>() {
            Ok(v) if v.is_finite() => Ok(v),
            Ok(_) => Err(format!("“{t}” is not a finite number (NaN and ±∞ are refused)")),
            Err(_) => Err(format!("“{t}” is not a number")),
        })
        .collect::<Result<Vec<f32>, String>>()?;
    match values.len() {
        0 => Ok(values),
        1 => Err("softmax needs at least two logits".into()),
        n if n > URL_LOGIT_LIMIT => {
            Err(format!("a list holds at most {URL_LOGIT_LIMIT} logits; use the generator for more"))
        }
        _ => Ok(values),
    }
}

/// The variants shown, as a comma-separated list of slugs.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantList(pub Vec<Variant>);

impl Default for VariantList {
    fn default() -> Self {
        Self(Variant::ALL.to_vec())
    }
}

impl QueryValue for VariantList {
    fn parse_query(text: &str, _: Option<Range>) -> Result<Self, String> {
        text.split(',')
            .filter(|t| !t.is_empty())
            .map(|t| {
                Variant::ALL.iter().copied().find(|v| v.slug() == t).ok_or_else(|| format!("unknown variant “{t}”"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
    fn to_query(&self) -> String {
        self.0.iter().map(|v| v.slug()).collect::<Vec<_>>().join(",")
    }
}

crate::url_state! {
    /// The softmax lab's parameters, all in the URL.
    pub struct SoftmaxParams {
        logits: LogitList = LogitList::default(), "Logits";
        n: u32 = 12, range(2, 1_000_000), "Number of logits";
        shape: Chosen<LogitShape> = Chosen(LogitShape::Normal), "Logit distribution";
        scale: f64 = 1.0, range(0.01, 1000.0), "Logit scale";
        offset: f64 = 0.0, range(-10000.0, 10000.0), "Logit offset";
        seed: u64 = 1, "Seed";
        temperature: f64 = 1.0, range(0.01, 100.0), "Temperature";
        precision: Chosen<Precision> = Chosen(Precision::F32), "Precision";
        order: Chosen<Order> = Chosen(Order::Given), "Summation order";
        variants: VariantList = VariantList::default(), "Variants";
        algorithm: Chosen<Algorithm> = Chosen(Algorithm::ThreePassReload), "Algorithm";
    }
}

impl SoftmaxParams {
    /// The logits: the edited list, or the generator's, scaled and shifted.
    pub fn logits(&self) -> Vec<f32> {
        if self.logits.0.is_empty() {
            let (scale, offset) = (self.scale as f32, self.offset as f32);
            generate_logits(self.shape.0, self.n as usize, self.seed).iter().map(|v| v * scale + offset).collect()
        } else {
            self.logits.0.clone()
        }
    }
}

/// `n` seeded logits of the given shape.
pub fn generate_logits(shape: LogitShape, n: usize, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|i| match shape {
            LogitShape::Normal => 2.0 * rng.normal(),
            LogitShape::Uniform => rng.uniform(-4.0, 4.0),
            LogitShape::Spiky => {
                let noise = 0.5 * rng.normal();
                if i == n / 3 {
                    6.0 + noise
                } else {
                    noise
                }
            }
        } as f32)
        .collect()
}

/// A softmax distribution and its summary measures, from the kernels.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    /// The probabilities, in logit order.
    pub probabilities: Vec<f32>,
    /// Shannon entropy in nats, −Σ p log p with log p from log-softmax (never ln 0).
    pub entropy: f64,
    /// The index of the largest probability (first on ties).
    pub argmax: usize,
}

impl Distribution {
    /// exp(H): how many outcomes the distribution effectively spreads over.
    pub fn effective_support(&self) -> f64 {
        self.entropy.exp()
    }

    /// The largest probability.
    pub fn max_probability(&self) -> f32 {
        self.probabilities[self.argmax]
    }
}

fn argmax(values: &[f32]) -> usize {
    values.iter().enumerate().fold(0, |best, (i, &v)| if v > values[best] { i } else { best })
}

/// softmax(logits / temperature) by the three-pass kernel; `None` for fewer than one logit or bad values.
pub fn softmax(logits: &[f32], temperature: f64) -> Option<Distribution> {
    let mut scaled = vec![0.0; logits.len()];
    let mut probabilities = vec![0.0; logits.len()];
    softmax_with_temperature(logits, temperature as f32, &mut scaled, &mut probabilities, Algorithm::ThreePassReload)
        .ok()?;
    let mut log_p = vec![0.0; logits.len()];
    log_softmax(&scaled, &mut log_p).ok()?;
    let entropy = entropy(&probabilities, &log_p).ok()?;
    Some(Distribution { argmax: argmax(&probabilities), probabilities, entropy: entropy.max(0.0) })
}

/// One variant's weights and what the page says about them.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantResult {
    /// Which map.
    pub variant: Variant,
    /// The weights (log-probabilities for log-softmax).
    pub values: Vec<f32>,
    /// Entropy in nats of the normalised weights, when they form a distribution.
    pub entropy: Option<f64>,
    /// The largest weight.
    pub max: f32,
    /// Sum of the weights (1 for the normalised maps).
    pub sum: f64,
    /// A caveat shown with the figure.
    pub note: Option<&'static str>,
}

fn entropy_of(p: &[f32]) -> f64 {
    -p.iter().filter(|&&v| v > 0.0).map(|&v| f64::from(v) * f64::from(v).ln()).sum::<f64>()
}

/// Every requested variant on `logits / temperature`.
pub fn variants(logits: &[f32], temperature: f64, shown: &[Variant]) -> Vec<VariantResult> {
    let inverse = (1.0 / temperature) as f32;
    let x: Vec<f32> = logits.iter().map(|v| v * inverse).collect();
    let n = x.len();
    shown
        .iter()
        .filter_map(|&variant| {
            let mut y = vec![0.0f32; n];
            let mut note = None;
            let ok = match variant {
                Variant::Softmax => softmax(logits, temperature).map(|d| y = d.probabilities).is_some(),
                Variant::LogSoftmax => log_softmax(&x, &mut y).is_ok(),
                Variant::StableMax => {
                    note = Some("Not shift-invariant: it uses the logits as they are.");
                    stablemax(&x, &mut y).is_ok()
                }
                Variant::Sparsemax => sparsemax(&x, &mut y).is_ok(),
                Variant::Entmax15 => entmax15(&x, &mut y).is_ok(),
                Variant::Sigmoid => {
                    note = Some("Not normalised: the row sums to the value shown, not 1.");
                    sigmoid(&x, -(n as f32).ln(), &mut y).is_ok()
                }
                Variant::Softplus => softplus_normalised(&x, &mut y).is_ok(),
                Variant::Relu => {
                    note = Some("Rows without a positive logit have no mass (shown as undefined).");
                    relu_normalised(&x, &mut y).is_ok()
                }
            };
            ok.then(|| {
                let sum = y.iter().map(|&v| f64::from(v)).sum::<f64>();
                let entropy = match variant {
                    Variant::LogSoftmax => None,
                    Variant::Sigmoid => {
                        let normalised: Vec<f32> = y.iter().map(|&v| (f64::from(v) / sum) as f32).collect();
                        Some(entropy_of(&normalised))
                    }
                    _ => y.iter().all(|v| v.is_finite()).then(|| entropy_of(&y)),
                };
                let max = y.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                VariantResult { variant, values: y, entropy, max, sum, note }
            })
        })
        .collect()
}

/// One method in one format against the f64 reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrecisionCell {
    /// The largest per-element error in ULPs of the format (∞ for NaN or ∞).
    pub max_ulp: f64,
    /// Whether an intermediate overflowed.
    pub overflowed: bool,
    /// How many terms were absorbed by the running sum.
    pub absorbed: usize,
}

/// The per-element ULP errors of the report's format as CSV: one row per element, one column per method.
pub fn ulp_csv(report: &PrecisionReport, method_name: impl Fn(precision::Method) -> &'static str) -> String {
    let mut csv = String::from("element");
    for (m, _) in &report.strips {
        csv.push(',');
        csv.push_str(method_name(*m));
    }
    csv.push('\n');
    for i in 0..report.strips.first().map_or(0, |s| s.1.len()) {
        csv.push_str(&i.to_string());
        for (_, errors) in &report.strips {
            csv.push_str(&format!(",{}", errors[i]));
        }
        csv.push('\n');
    }
    csv
}

/// The precision panel: each method in each format against the f64 reference.
#[derive(Debug, Clone, PartialEq)]
pub struct PrecisionReport {
    /// How many logits were emulated (at most [`PRECISION_LIMIT`]).
    pub emulated: usize,
    /// For each method, one cell per format in [`Precision::ALL`] order.
    pub rows: Vec<(precision::Method, Vec<PrecisionCell>)>,
    /// Per-element ULP errors in the selected format, one series per method.
    pub strips: Vec<(precision::Method, Vec<f64>)>,
    /// The largest scaled logit (what the naive exp sees).
    pub max_logit: f64,
    /// The gap between the two largest scaled logits.
    pub top_gap: f64,
}

/// Emulates the first [`PRECISION_LIMIT`] scaled logits by every method in every format.
pub fn precision_report(logits: &[f32], temperature: f64, order: Order, selected: Precision) -> PrecisionReport {
    let x: Vec<f64> = logits.iter().take(PRECISION_LIMIT).map(|&v| f64::from(v) / temperature).collect();
    let exact = precision::reference(&x);
    let mut rows = Vec::new();
    let mut strips = Vec::new();
    for method in precision::Method::ALL {
        let mut cells = Vec::new();
        for p in Precision::ALL {
            let e = precision::softmax(&x, p, method, order);
            let errors = precision::ulp_errors(&e.probabilities, &exact, p);
            let max_ulp = errors.iter().copied().fold(0.0, f64::max);
            cells.push(PrecisionCell { max_ulp, overflowed: e.overflowed, absorbed: e.absorbed });
            if p == selected {
                strips.push((method, errors));
            }
        }
        rows.push((method, cells));
    }
    let mut sorted = x.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    PrecisionReport {
        emulated: x.len(),
        rows,
        strips,
        max_logit: sorted.first().copied().unwrap_or(0.0),
        top_gap: if sorted.len() > 1 { sorted[0] - sorted[1] } else { 0.0 },
    }
}

/// The largest argument of `exp` that stays finite in a format: ln of its largest finite value.
pub fn overflow_limit(precision: Precision) -> f64 {
    match precision {
        Precision::F64 => f64::MAX.ln(),
        Precision::F32 => f64::from(f32::MAX).ln(),
        Precision::Bf16 => ((2.0 - 2f64.powi(-7)) * 2f64.powi(127)).ln(),
        Precision::F16 => 65504f64.ln(),
    }
}

/// The overflow sentence of the precision panel, for the current logits.
pub fn overflow_notice(precision: Precision, max_logit: f64) -> String {
    let limit = overflow_limit(precision);
    let name = precision.label();
    if max_logit > limit {
        format!(
            "Overflow: the largest logit/T is {max_logit:.2}, above {limit:.2} = ln(largest {name}), so the naive \
             exp(x) is ∞ and ∞/∞ gives NaN. Subtracting the maximum first keeps every exponent ≤ 0."
        )
    } else {
        format!(
            "No overflow: the largest logit/T is {max_logit:.2}; the naive exp(x) overflows in {name} only above \
             {limit:.2} (e.g. exp(88.8) = ∞ in float32). Add an offset to see it break."
        )
    }
}

/// The absorption sentence of the precision panel, with the exact gap for the format.
pub fn absorption_notice(precision: Precision, top_gap: f64) -> String {
    let gap = precision.absorption_gap();
    let name = precision.label();
    let verdict = if top_gap >= gap {
        "so the runner-up's term is absorbed: the top probability rounds to exactly 1 and its log-loss to exactly 0"
    } else {
        "so nothing is absorbed yet"
    };
    format!(
        "Absorption: in {name}, 1 + e^(−g) rounds to exactly 1 once the gap g ≥ {gap:.2} (unit roundoff 2^{}). The two \
         largest logits/T here differ by g = {top_gap:.2}, {verdict}.",
        precision.unit_roundoff().log2() as i32
    )
}

/// The numbers of the variants as CSV: one row per logit.
pub fn variants_csv(logits: &[f32], results: &[VariantResult]) -> String {
    let mut csv = String::from("index,logit");
    for r in results {
        csv.push(',');
        csv.push_str(r.variant.slug());
    }
    csv.push('\n');
    for (i, x) in logits.iter().enumerate() {
        csv.push_str(&format!("{i},{x}"));
        for r in results {
            csv.push_str(&format!(",{}", r.values[i]));
        }
        csv.push('\n');
    }
    csv
}

/// One pass of an algorithm as the algorithms panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    /// What the pass does.
    pub title: &'static str,
    /// Reads and writes of the row per element in this pass.
    pub traffic: &'static str,
    /// The pass's running state after each element of the small row, as text.
    pub states: Vec<String>,
}

/// The passes of `algorithm` over a small row (the first 8 scaled logits), computed step by step in f64.
pub fn passes(algorithm: Algorithm, logits: &[f32], temperature: f64) -> Vec<Pass> {
    let x: Vec<f64> = logits.iter().take(8).map(|&v| f64::from(v) / temperature).collect();
    let fmt = |v: f64| format!("{v:.4}");
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    let running = |values: &[f64]| -> Vec<f64> {
        values
            .iter()
            .scan(0.0, |acc, v| {
                *acc += v;
                Some(*acc)
            })
            .collect()
    };
    let max_pass = Pass {
        title: "m = max x",
        traffic: "read x",
        states: x
            .iter()
            .scan(f64::NEG_INFINITY, |acc, &v| {
                *acc = acc.max(v);
                Some(format!("m = {}", fmt(*acc)))
            })
            .collect(),
    };
    let y: Vec<String> = e.iter().map(|v| format!("y = {}", fmt(v / s))).collect();
    match algorithm {
        Algorithm::ThreePassReload => vec![
            max_pass,
            Pass {
                title: "y = exp(x − m), S = Σ y",
                traffic: "read x, write y",
                states: e.iter().zip(running(&e)).map(|(v, s)| format!("y = {}, S = {}", fmt(*v), fmt(s))).collect(),
            },
            Pass { title: "y = y · (1/S)", traffic: "read y, write y", states: y },
        ],
        Algorithm::ThreePassRecompute => vec![
            max_pass,
            Pass {
                title: "S = Σ exp(x − m)",
                traffic: "read x",
                states: running(&e).into_iter().map(|s| format!("S = {}", fmt(s))).collect(),
            },
            Pass { title: "y = exp(x − m) · (1/S)", traffic: "read x, write y", states: y },
        ],
        Algorithm::Online => {
            let states = x
                .iter()
                .scan((f64::NEG_INFINITY, 0.0), |(m, d), &v| {
                    let m_new = m.max(v);
                    *d = *d * (*m - m_new).exp() + (v - m_new).exp();
                    *m = m_new;
                    Some(format!("m = {}, d = {}", fmt(*m), fmt(*d)))
                })
                .collect();
            vec![
                Pass {
                    title: "(m, d): m′ = max(m, x), d′ = d·e^(m−m′) + e^(x−m′)", traffic: "read x", states
                },
                Pass { title: "y = exp(x − m) / d", traffic: "read x, write y", states: y },
            ]
        }
        Algorithm::TwoPass => {
            let states = x
                .iter()
                .scan((0.0f64, f64::NEG_INFINITY), |(mu_sum, nu_sum), &v| {
                    let nu = (v * std::f64::consts::LOG2_E).round();
                    let mu = (v - nu * std::f64::consts::LN_2).exp();
                    let top = nu_sum.max(nu);
                    *mu_sum = *mu_sum * 2f64.powf(*nu_sum - top) + mu * 2f64.powf(nu - top);
                    *nu_sum = top;
                    Some(format!("(μ, ν) = ({}, {nu}), sum = ({}, {top})", fmt(mu), fmt(*mu_sum)))
                })
                .collect();
            vec![
                Pass { title: "exp(x) = μ·2^ν; (μ_S, ν_S) += (μ, ν), no max needed", traffic: "read x", states },
                Pass { title: "y = μ · (1/μ_S) · 2^(ν − ν_S)", traffic: "read x, write y", states: y },
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url_state::UrlState;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn matches_the_hand_checked_fixture() {
        // ALGORITHMS.md §1.7: x = [1, 2, 3] → p = [0.090031, 0.244728, 0.665241], H = 0.832396 nats.
        let d = softmax(&[1.0, 2.0, 3.0], 1.0).unwrap();
        for (p, want) in d.probabilities.iter().zip([0.090031, 0.244728, 0.665241]) {
            assert!(close(f64::from(*p), want, 1e-6), "{p} vs {want}");
        }
        assert!(close(d.entropy, 0.832396, 1e-6));
        assert_eq!(d.argmax, 2);
        assert!(close(softmax(&[1.0, 2.0, 3.0], 0.5).unwrap().entropy, 0.441057, 1e-6));
        assert!(close(softmax(&[1.0, 2.0, 3.0], 2.0).unwrap().entropy, 1.020191, 1e-6));
    }

    #[test]
    fn extreme_temperatures_give_one_hot_and_uniform() {
        let logits = generate_logits(LogitShape::Normal, 12, 3);
        let cold = softmax(&logits, 0.01).unwrap();
        assert!(cold.max_probability() > 0.999 && cold.entropy < 0.01);
        let hot = softmax(&logits, 100.0).unwrap();
        assert!(close(hot.entropy, (12f64).ln(), 0.01));
        assert!(close(hot.effective_support(), 12.0, 0.2));
        assert_eq!(softmax(&[], 1.0), None);
    }

    #[test]
    fn every_variant_is_computed_and_flagged() {
        let results = variants(&[1.0, 2.0, 3.0], 1.0, Variant::ALL);
        assert_eq!(results.len(), Variant::ALL.len());
        let get = |v: Variant| results.iter().find(|r| r.variant == v).unwrap();
        assert!(close(f64::from(get(Variant::StableMax).values[0]), 0.222222, 1e-6));
        assert_eq!(get(Variant::Sparsemax).values, [0.0, 0.0, 1.0]);
        assert!(close(get(Variant::Sigmoid).sum, 2.056650, 1e-5));
        assert!(get(Variant::Sigmoid).note.is_some());
        assert_eq!(get(Variant::LogSoftmax).entropy, None);
        assert!(close(get(Variant::Softmax).entropy.unwrap(), 0.832396, 1e-6));
        assert!(close(get(Variant::Sparsemax).entropy.unwrap(), 0.0, 1e-12));
    }

    #[test]
    fn logit_lists_and_variants_round_trip_through_the_url() {
        let params = SoftmaxParams {
            logits: LogitList(vec![1.5, -2.0, 3.25]),
            variants: VariantList(vec![Variant::Softmax, Variant::Entmax15]),
            precision: Chosen(Precision::F16),
            ..SoftmaxParams::default()
        };
        let query = params.to_query_string();
        assert_eq!(query, "logits=1.5,-2,3.25&precision=f16&variants=softmax,entmax15");
        assert_eq!(SoftmaxParams::from_query_string(&query), (params, vec![]));
        for bad in ["logits=1,x", "logits=1", "logits=1,NaN", "variants=softmax,bogus"] {
            let (state, notices) = SoftmaxParams::from_query_string(bad);
            assert_eq!(state, SoftmaxParams::default(), "{bad}");
            assert_eq!(notices.len(), 1, "{bad}");
        }
        assert_eq!(parse_logits("1, 2;3\n4").unwrap(), [1.0, 2.0, 3.0, 4.0]);
        assert!(parse_logits(&vec!["1"; 65].join(",")).is_err());
    }

    #[test]
    fn precision_report_explains_overflow_and_absorption() {
        let report = precision_report(&[0.0, -8.0], 1.0, Order::Given, Precision::F16);
        assert_eq!(report.rows.len(), 4);
        assert!(close(report.top_gap, 8.0, 1e-12));
        let text = absorption_notice(Precision::F16, report.top_gap);
        assert!(text.contains("g ≥ 7.62") && text.contains("absorbed: the top probability"), "{text}");
        assert!(absorption_notice(Precision::F32, 8.0).contains("g ≥ 16.64"));
        assert!(overflow_notice(Precision::F32, 88.8).starts_with("Overflow"));
        assert!(overflow_notice(Precision::F16, 11.2).starts_with("Overflow"));
        assert!(overflow_notice(Precision::F16, 11.0).starts_with("No overflow"));
        // Naive softmax of large logits overflows in f32; shifted stays within a few ULP.
        let big = precision_report(&[1001.0, 1002.0, 1003.0], 1.0, Order::Given, Precision::F32);
        let naive = &big.rows[0].1[1];
        assert!(naive.overflowed, "naive overflows in f32");
        let shifted = &big.rows[1].1[1];
        assert!(!shifted.overflowed && shifted.max_ulp <= 4.0, "{shifted:?}");
    }

    #[test]
    fn passes_trace_each_algorithm() {
        for algorithm in Algorithm::ALL {
            let p = passes(algorithm, &[1.0, 3.0, 2.0], 1.0);
            assert!(p.len() >= 2 && p.iter().all(|pass| pass.states.len() == 3), "{algorithm:?}");
            assert_eq!(p.last().unwrap().states[1], "y = 0.6652");
        }
        // §1.7 online trace for [1, 3, 2]: (1, 1) → (3, 1.135335) → (3, 1.503215).
        let online = passes(Algorithm::Online, &[1.0, 3.0, 2.0], 1.0);
        assert_eq!(online[0].states, ["m = 1.0000, d = 1.0000", "m = 3.0000, d = 1.1353", "m = 3.0000, d = 1.5032"]);
    }

    #[test]
    fn ulp_errors_export_as_csv() {
        let report = precision_report(&[1.0, 2.0, 3.0], 1.0, precision::Order::Given, precision::Precision::F16);
        let csv = ulp_csv(&report, |_| "m");
        assert_eq!(csv.lines().count(), 4);
        assert_eq!(csv.lines().nth(1).unwrap().split(',').count(), report.strips.len() + 1);
    }

    #[test]
    fn histograms_and_csv() {
        let results = variants(&[1.0, 2.0], 1.0, &[Variant::Softmax]);
        let csv = variants_csv(&[1.0, 2.0], &results);
        assert!(csv.starts_with("index,logit,softmax\n0,1,0.26894"), "{csv}");
        assert_eq!(csv.lines().count(), 3);
    }
}
