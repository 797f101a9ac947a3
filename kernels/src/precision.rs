//! Emulated floating-point formats for the precision panel: every operation is done in f64 and rounded to the
//! target format (round to nearest, ties to even, with its subnormals and overflow to ±∞), so f16 and bf16 behave
//! as hardware with those formats would. For +, −, ×, ÷ this is correctly rounded (f64 carries more than twice the
//! bits of every target); `exp` and `ln` are correctly rounded up to f64's own last bit.

/// A floating-point format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// IEEE binary64.
    F64,
    /// IEEE binary32.
    F32,
    /// bfloat16: f32's exponent range, 8 significant bits.
    Bf16,
    /// IEEE binary16: 11 significant bits, largest finite 65504.
    F16,
}

/// 2ᵉ, exactly. PERF: built from its bits for normal results; `powi` is a loop of multiplications on wasm32, and
/// the labs round every element of every row this way.
fn pow2(e: i32) -> f64 {
    if (-1022..=1023).contains(&e) {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        2f64.powi(e)
    }
}

impl Precision {
    /// Every format, widest first.
    pub const ALL: [Precision; 4] = [Self::F64, Self::F32, Self::Bf16, Self::F16];

    /// (significant bits, smallest normal exponent, largest finite value).
    fn shape(self) -> (i32, i32, f64) {
        match self {
            Self::F64 => (53, -1022, f64::MAX),
            Self::F32 => (24, -126, f64::from(f32::MAX)),
            Self::Bf16 => (8, -126, (2.0 - 2f64.powi(-7)) * 2f64.powi(127)),
            Self::F16 => (11, -14, 65504.0),
        }
    }

    /// The unit roundoff u = 2^−p (half the spacing of the format at 1).
    pub fn unit_roundoff(self) -> f64 {
        2f64.powi(-self.shape().0)
    }

    /// `v` rounded to this format.
    pub fn round(self, v: f64) -> f64 {
        if self == Self::F64 || !v.is_finite() || v == 0.0 {
            return v;
        }
        if self == Self::F32 {
            // The hardware conversion rounds to nearest-even with f32's subnormals and overflow: the same answer,
            // and the grokking lab rounds every class of every sample of every step.
            return f64::from(v as f32);
        }
        let (p, emin, max) = self.shape();
        let quantum = self.spacing_exponent(v, p, emin);
        let r = (v * pow2(-quantum)).round_ties_even() * pow2(quantum);
        if r.abs() > max {
            f64::INFINITY.copysign(v)
        } else {
            r
        }
    }

    /// log2 of the spacing of representable values around `v`.
    fn spacing_exponent(self, v: f64, p: i32, emin: i32) -> i32 {
        let exponent = ((v.abs().to_bits() >> 52) as i32 - 1023).max(emin);
        exponent - (p - 1)
    }

    /// The spacing of the format at `v` (one ULP).
    pub fn ulp(self, v: f64) -> f64 {
        let (p, emin, _) = self.shape();
        if self == Self::F64 {
            let next = f64::from_bits(v.abs().to_bits() + 1);
            return next - v.abs();
        }
        pow2(self.spacing_exponent(if v == 0.0 { f64::MIN_POSITIVE } else { v }, p, emin))
    }

    /// The smallest logit gap g at which `1 + e^(−g)` rounds to exactly 1 (absorption), found by bisection on
    /// the emulated arithmetic; ≈ ln(1/u).
    pub fn absorption_gap(self) -> f64 {
        let absorbed = |g: f64| self.round(1.0 + self.round((-g).exp())) == 1.0;
        let (mut lo, mut hi) = (0.0, 800.0);
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if absorbed(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }

    /// `a + b` rounded.
    pub fn add(self, a: f64, b: f64) -> f64 {
        self.round(a + b)
    }
    /// `a − b` rounded.
    pub fn sub(self, a: f64, b: f64) -> f64 {
        self.round(a - b)
    }
    /// `a · b` rounded.
    pub fn mul(self, a: f64, b: f64) -> f64 {
        self.round(a * b)
    }
    /// `a / b` rounded.
    pub fn div(self, a: f64, b: f64) -> f64 {
        self.round(a / b)
    }
    /// `exp(a)` rounded.
    pub fn exp(self, a: f64) -> f64 {
        self.round(a.exp())
    }
}

/// How an emulated softmax is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `exp(x) / Σ exp(x)` without subtracting the maximum: overflows.
    Naive,
    /// Subtract the maximum first (three-pass).
    Shifted,
    /// Online: running maximum and rescaled sum.
    Online,
    /// Two-pass with (mantissa, exponent) pairs.
    TwoPass,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 4] = [Self::Naive, Self::Shifted, Self::Online, Self::TwoPass];
}

/// The order in which the normaliser is summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// In the order the logits are given.
    Given,
    /// From the smallest term to the largest, which absorbs least.
    SmallestFirst,
}

/// An emulated softmax and what went wrong on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Emulated {
    /// The probabilities, each a value of the format (held in f64).
    pub probabilities: Vec<f64>,
    /// Whether an intermediate overflowed to ∞.
    pub overflowed: bool,
    /// How many positive terms vanished entirely when added to the running sum (absorption).
    pub absorbed: usize,
}

fn sum_terms(precision: Precision, terms: &[f64], order: Order) -> (f64, usize) {
    let mut indices: Vec<usize> = (0..terms.len()).collect();
    if order == Order::SmallestFirst {
        indices.sort_by(|&a, &b| terms[a].total_cmp(&terms[b]));
    }
    let mut absorbed = 0;
    let sum = indices.iter().fold(0.0, |s, &i| {
        let next = precision.add(s, terms[i]);
        if next == s && s.is_finite() && terms[i] > 0.0 {
            absorbed += 1;
        }
        next
    });
    (sum, absorbed)
}

/// softmax(x) computed in `precision` by `method`, every operation rounded; `x` is rounded to the format first.
pub fn softmax(x: &[f64], precision: Precision, method: Method, order: Order) -> Emulated {
    let p = precision;
    let x: Vec<f64> = x.iter().map(|&v| p.round(v)).collect();
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (probabilities, absorbed): (Vec<f64>, usize) = match method {
        Method::Naive | Method::Shifted => {
            let shift = if method == Method::Naive { 0.0 } else { m };
            let e: Vec<f64> = x.iter().map(|&v| p.exp(p.sub(v, shift))).collect();
            let (s, absorbed) = sum_terms(p, &e, order);
            (e.iter().map(|&e| p.div(e, s)).collect(), absorbed)
        }
        Method::Online => {
            // The online recurrence fixes the order: it runs through the logits as given.
            let (mut running_max, mut d, mut absorbed) = (f64::NEG_INFINITY, 0.0, 0);
            for &v in &x {
                let new_max = running_max.max(v);
                let rescale = if running_max == new_max { 1.0 } else { p.exp(p.sub(running_max, new_max)) };
                let term = p.exp(p.sub(v, new_max));
                let scaled = p.mul(d, rescale);
                let next = p.add(scaled, term);
                if next == scaled && scaled.is_finite() && term > 0.0 {
                    absorbed += 1;
                }
                (running_max, d) = (new_max, next);
            }
            (x.iter().map(|&v| p.div(p.exp(p.sub(v, running_max)), d)).collect(), absorbed)
        }
        Method::TwoPass => {
            let ln2 = std::f64::consts::LN_2;
            let pairs: Vec<(f64, f64)> = x
                .iter()
                .map(|&v| {
                    let nu = (v * std::f64::consts::LOG2_E).round_ties_even();
                    // The reduction v − ν·ln 2 is exact, as a multi-part Cody–Waite split makes it in the kernel.
                    (p.exp(p.round(v - nu * ln2)), nu)
                })
                .collect();
            let (mut mu_sum, mut nu_sum, mut absorbed) = (0.0, f64::NEG_INFINITY, 0);
            for &(mu, nu) in &pairs {
                let top = nu_sum.max(nu);
                // Scaling by a power of two is exact (until it underflows, which rounding models).
                let a = p.round(mu_sum * 2f64.powf(nu_sum - top));
                let b = p.round(mu * 2f64.powf(nu - top));
                let next = p.add(a, b);
                if next == a && a.is_finite() && b > 0.0 {
                    absorbed += 1;
                }
                (mu_sum, nu_sum) = (next, top);
            }
            let inverse = p.div(1.0, mu_sum);
            (pairs.iter().map(|&(mu, nu)| p.round(p.mul(mu, inverse) * 2f64.powf(nu - nu_sum))).collect(), absorbed)
        }
    };
    let overflowed = probabilities.iter().any(|v| v.is_nan() || v.is_infinite());
    Emulated { probabilities, overflowed, absorbed }
}

/// The exact softmax in f64 (max-shifted), the reference for ULP errors.
pub fn reference(x: &[f64]) -> Vec<f64> {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|&v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// Per-element error of `got` against `exact`, in ULPs of `precision` at the exact value (∞ for NaN or ∞).
pub fn ulp_errors(got: &[f64], exact: &[f64], precision: Precision) -> Vec<f64> {
    got.iter()
        .zip(exact)
        .map(|(&g, &e)| if g.is_finite() { (g - e).abs() / precision.ulp(e) } else { f64::INFINITY })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_two_are_exact_at_every_exponent() {
        for e in -1100..1100 {
            assert_eq!(pow2(e), 2f64.powi(e), "2^{e}");
        }
    }

    #[test]
    fn rounding_matches_the_formats() {
        for v in [1.0 / 3.0, 0.1, 123456.789, 1e-40, 3.4e38, -2.5e-45] {
            assert_eq!(Precision::F32.round(v), f64::from(v as f32), "{v}");
        }
        assert_eq!(Precision::F16.round(1.0 / 3.0), 0.333251953125);
        assert_eq!(Precision::Bf16.round(1.0 / 3.0), 0.333984375);
        assert_eq!(Precision::F16.round(65519.0), 65504.0);
        assert_eq!(Precision::F16.round(65520.0), f64::INFINITY, "ties to even rounds past the largest finite");
        assert_eq!(Precision::F16.round(1e-8), 0.0);
        assert_eq!(Precision::F16.round(6e-8), 2f64.powi(-24), "smallest subnormal");
        assert_eq!(Precision::Bf16.round(1.0 + 2f64.powi(-8)), 1.0, "a tie rounds to even");
        assert_eq!(Precision::F64.round(0.1), 0.1);
        assert_eq!(Precision::F16.ulp(1.0), 2f64.powi(-10));
        assert_eq!(Precision::F32.ulp(1.5), 2f64.powi(-23));
    }

    #[test]
    fn absorption_gaps_match_the_brief() {
        // ALGORITHMS.md §4.1: f16 g ≥ 7.62, bf16 ≥ 5.55, f32 ≥ 16.64, f64 ≥ 36.74.
        for (p, g) in
            [(Precision::F16, 7.62), (Precision::Bf16, 5.55), (Precision::F32, 16.64), (Precision::F64, 36.74)]
        {
            let found = p.absorption_gap();
            // bf16 lands at 5.541: rounding e^(−g) to bf16 first reaches 2⁻⁸ a little earlier than the exact value.
            assert!((found - g).abs() <= 0.01, "{p:?}: {found}");
            assert!((found - (1.0 / p.unit_roundoff()).ln()).abs() < 5e-3, "≈ ln(1/u)");
        }
        // §4.7: f16 at g = 7.0 gives 1.0009765625, and 7.7 absorbs.
        assert_eq!(Precision::F16.add(1.0, Precision::F16.exp(-7.0)), 1.0009765625);
        assert_eq!(Precision::F16.add(1.0, Precision::F16.exp(-7.7)), 1.0);
    }

    #[test]
    fn naive_softmax_overflows_where_shifted_does_not() {
        let x = [1001.0, 1002.0, 1003.0];
        for p in [Precision::F32, Precision::F16] {
            assert!(softmax(&x, p, Method::Naive, Order::Given).overflowed, "{p:?}");
            for method in [Method::Shifted, Method::Online, Method::TwoPass] {
                let e = softmax(&x, p, method, Order::Given);
                assert!(!e.overflowed, "{p:?} {method:?}");
                let errors = ulp_errors(&e.probabilities, &reference(&[1.0, 2.0, 3.0]), p);
                assert!(errors.iter().all(|&u| u <= 4.0), "{p:?} {method:?}: {errors:?}");
            }
        }
        // f32's exp overflows just above 88.72: exp(88.8) is ∞.
        assert_eq!(Precision::F32.exp(88.8), f64::INFINITY);
        assert!(Precision::F32.exp(88.7).is_finite());
    }

    #[test]
    fn summation_order_decides_absorption() {
        // §4.7: 112 competitors at g = 18 in f32: given order from the max absorbs every term; smallest first does not.
        let mut x = vec![0.0; 113];
        x[0] = 18.0;
        let given = softmax(&x, Precision::F32, Method::Shifted, Order::Given);
        assert_eq!(given.absorbed, 112);
        assert_eq!(given.probabilities[0], 1.0, "collapsed: p_c is exactly 1");
        let sorted = softmax(&x, Precision::F32, Method::Shifted, Order::SmallestFirst);
        assert_eq!(sorted.absorbed, 0);
        assert!(sorted.probabilities[0] < 1.0);
    }

    #[test]
    fn f64_emulation_is_the_reference() {
        let x = [0.3, -1.2, 4.0, 2.5];
        let e = softmax(&x, Precision::F64, Method::Shifted, Order::Given);
        let errors = ulp_errors(&e.probabilities, &reference(&x), Precision::F64);
        assert!(errors.iter().all(|&u| u <= 4.0), "{errors:?}");
    }
}
