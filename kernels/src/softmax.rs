//! Softmax, log-softmax and log-sum-exp by four algorithms (ALGORITHMS.md §1.2–1.4), each a SIMD128 kernel with a
//! bit-identical scalar twin.
//!
//! - Three-pass *reload*: max; `y = exp(x − m)` stored while summing; `y *= 1/S`. 3 reads + 2 writes per element.
//! - Three-pass *recompute*: max; `S = Σ exp(x − m)`; `y = exp(x − m)·(1/S)`. 3 reads + 1 write, two exps.
//! - *Online* (Milakov & Gimelshein 2018): running (max, sum) per lane, merged; then the recompute pass.
//! - *Two-pass* (Dukhan & Ablavatski 2020): `exp(x) = μ·2^ν` accumulated without a max pass; then
//!   `y = μ·(1/μ_S)·2^(ν − ν_S)`. 2 reads + 1 write.
//!
//! Numerics, shared by every algorithm and both twins:
//! - Sums run in 16 f32 accumulators (four vectors of four lanes) over blocks of 4096 elements; block sums are
//!   added in f64 and `1/S` is rounded once to f32. This keeps the sum's relative error near 2⁻²⁴·√256 however long
//!   the row, so every probability is within 2e-6 of the f64 softmax (tested up to n = 65 537).
//! - `exp(x − m)` is the rr2_p5 kernel of [`crate::exp`] (≤ 2.5 ULP) with the rounding of `x − m` compensated
//!   (see [`crate::exp`]); results below 2⁻¹²⁶ of the maximum flush to 0.
//! - NaN anywhere in a row: every output of the row is NaN.
//! - +∞ entries (and no NaN): the limit, i.e. the k entries equal to +∞ each get 1/k and all others 0;
//!   log-softmax gives −ln k and −∞; log-sum-exp gives +∞.
//! - A row of only −∞: every output is NaN (no entry carries mass); log-sum-exp is −∞.
//! - −∞ entries in a row with a finite maximum get probability 0 (log-probability −∞).
//! - Two-pass only: the exponent split `x = ν·ln 2 + t` is exact for |x| < 2¹²·ln 2; inputs below −1400 are
//!   clamped there (they carry no mass unless the whole row is that low), and rows whose maximum lies beyond
//!   about ±1386 are computed by the three-pass reload algorithm instead, so every row gets an accurate result.

use crate::error::{check_elementwise, KernelError};
use crate::exp::{exp_diff_scalar, C1, C2, C3, C4, C5, LOG2E};

/// Elements per block of the blocked summation.
const BLOCK: usize = 4096;
/// Accumulators: four SIMD128 vectors of four lanes.
const LANES: usize = 16;
/// ln 2 in three parts for the two-pass reduction: the first two have ≤ 12 significant bits, so `ν·part` is
/// exact for |ν| < 2¹²; the third carries the rest.
const LN2_A: f32 = f32::from_bits(0x3F31_7000); // 0.693115234375 = 2839/4096
const LN2_B: f32 = f32::from_bits(0x3806_0000); // 3.1948089599609375e-5
const LN2_C: f32 = f32::from_bits(0xB102_E308); // −1.9046542e-9

/// Two-pass clamps inputs from below here, where its reduction is still exact; anything lower only matters in a
/// row whose maximum is below [`EXT_MAX_RANGE`], and such rows fall back to three passes.
const EXT_LOWEST: f32 = -1400.0;
/// Rows whose sum exponent ν_S lies outside ±this (maximum beyond ≈ ±1386) leave two-pass's exact range.
const EXT_MAX_RANGE: f32 = 2000.0;

/// A softmax algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// Max pass, exp-store-sum pass, scale pass.
    ThreePassReload,
    /// Max pass, exp-sum pass, exp-scale pass.
    ThreePassRecompute,
    /// Max and sum in one pass, then exp-scale.
    Online,
    /// Extended-exponent sum without a max pass, then scale.
    TwoPass,
}

impl Algorithm {
    /// Every algorithm.
    pub const ALL: [Algorithm; 4] = [Self::ThreePassReload, Self::ThreePassRecompute, Self::Online, Self::TwoPass];

    /// Memory traffic per element: (reads, writes).
    pub fn traffic(self) -> (u32, u32) {
        match self {
            Self::ThreePassReload => (3, 2),
            Self::ThreePassRecompute => (3, 1),
            Self::Online => (2, 1),
            Self::TwoPass => (2, 1),
        }
    }
}

/// `b < a ? b : a` reversed: the exact semantics of `f32x4.pmax` (NaN in `b` is ignored).
#[inline]
fn pmax(a: f32, b: f32) -> f32 {
    if a < b {
        b
    } else {
        a
    }
}

/// Sum of 16 accumulators in the SIMD kernel's order: vectors pairwise, then lanes pairwise.
#[inline]
fn reduce16(acc: &[f32; LANES]) -> f32 {
    let v: [f32; 4] = core::array::from_fn(|l| (acc[l] + acc[4 + l]) + (acc[8 + l] + acc[12 + l]));
    (v[0] + v[1]) + (v[2] + v[3])
}

/// What the max pass found, deciding whether the row needs the documented special cases.
enum RowKind {
    /// A finite maximum: the ordinary path.
    Finite(f32),
    /// NaN somewhere, or only −∞: every output is NaN.
    Undefined,
    /// This many +∞ entries (and no NaN).
    Infinite(usize),
}

/// Classifies a row by its maximum (which ignores NaN). NaN in a row with a finite maximum is caught later, when
/// it turns the sum into NaN; only the rare +∞ rows pay for a scan.
fn classify(x: &[f32], max: f32) -> RowKind {
    if max == f32::NEG_INFINITY {
        RowKind::Undefined
    } else if max == f32::INFINITY {
        if x.iter().any(|v| v.is_nan()) {
            RowKind::Undefined
        } else {
            RowKind::Infinite(x.iter().filter(|&&v| v == f32::INFINITY).count())
        }
    } else {
        RowKind::Finite(max)
    }
}

/// Writes the documented special-case row; `log` selects log-probabilities.
fn special_row(x: &[f32], kind: &RowKind, y: &mut [f32], log: bool) {
    match *kind {
        RowKind::Undefined => y.fill(f32::NAN),
        RowKind::Infinite(k) => {
            let (hit, miss) = if log { (-(k as f32).ln(), f32::NEG_INFINITY) } else { (1.0 / k as f32, 0.0) };
            for (y, &v) in y.iter_mut().zip(x) {
                *y = if v == f32::INFINITY { hit } else { miss };
            }
        }
        RowKind::Finite(_) => {}
    }
}

/// Scalar twins of the passes.
mod scalar {
    use super::*;

    pub(super) fn max(x: &[f32]) -> f32 {
        x.iter().fold(f32::NEG_INFINITY, |m, &v| pmax(m, v))
    }

    /// `Σ exp(x − m)` in the blocked order; with `store`, also writes each term.
    pub(super) fn sum_exp(x: &[f32], m: f32, mut store: Option<&mut [f32]>) -> f64 {
        let mut total = 0.0f64;
        for (b, block) in x.chunks(BLOCK).enumerate() {
            let mut acc = [0.0f32; LANES];
            let full = block.len() / LANES * LANES;
            for (i, &v) in block[..full].iter().enumerate() {
                let e = exp_diff_scalar(v, m);
                acc[i % LANES] += e;
                if let Some(y) = store.as_deref_mut() {
                    y[b * BLOCK + i] = e;
                }
            }
            let mut tail = 0.0f32;
            for (i, &v) in block[full..].iter().enumerate() {
                let e = exp_diff_scalar(v, m);
                tail += e;
                if let Some(y) = store.as_deref_mut() {
                    y[b * BLOCK + full + i] = e;
                }
            }
            total += f64::from(reduce16(&acc) + tail);
        }
        total
    }

    pub(super) fn scale(y: &mut [f32], s: f32) {
        y.iter_mut().for_each(|v| *v *= s);
    }

    pub(super) fn exp_scale(x: &[f32], m: f32, s: f32, y: &mut [f32]) {
        for (y, &v) in y.iter_mut().zip(x) {
            *y = exp_diff_scalar(v, m) * s;
        }
    }

    pub(super) fn log_shift(x: &[f32], m: f32, ln_s: f32, y: &mut [f32]) {
        for (y, &v) in y.iter_mut().zip(x) {
            *y = (v - m) - ln_s;
        }
    }

    /// One online step of a lane: the new (max, sum) after seeing `v`.
    #[inline]
    pub(super) fn online_step(m: f32, d: f32, v: f32) -> (f32, f32) {
        let m_new = pmax(m, v);
        let rescale = if m == m_new { 1.0 } else { exp_diff_scalar(m, m_new) };
        let term = if v == f32::NEG_INFINITY { 0.0 } else { exp_diff_scalar(v, m_new) };
        (m_new, d * rescale + term)
    }

    /// The online pass: (max, Σ exp(x − max)), per lane within a block, blocks merged in f64.
    pub(super) fn online(x: &[f32]) -> (f32, f64) {
        let mut total = (f32::NEG_INFINITY, 0.0f64);
        for block in x.chunks(BLOCK) {
            let mut m = [f32::NEG_INFINITY; LANES];
            let mut d = [0.0f32; LANES];
            let full = block.len() / LANES * LANES;
            for (i, &v) in block[..full].iter().enumerate() {
                (m[i % LANES], d[i % LANES]) = online_step(m[i % LANES], d[i % LANES], v);
            }
            let (mut tm, mut td) = (f32::NEG_INFINITY, 0.0f32);
            for &v in &block[full..] {
                (tm, td) = online_step(tm, td, v);
            }
            total = merge_running(total, merge_online(&m, &d, tm, td));
        }
        total
    }

    /// Extended exponential: `exp(v) = μ·2^ν` with μ ∈ [0.7, 1.42]; μ = 0 for v = −∞.
    #[inline]
    pub(super) fn extexp(v: f32) -> (f32, f32) {
        let v = pmax(v, EXT_LOWEST);
        let n = (v * LOG2E).round_ties_even();
        let t = v - n * LN2_A;
        let t = t - n * LN2_B;
        let t = t - n * LN2_C;
        let p = C5 * t + C4;
        let p = p * t + C3;
        let p = p * t + C2;
        let p = p * t + C1;
        let mu = t * p + 1.0;
        (if v == f32::NEG_INFINITY { 0.0 } else { mu }, n)
    }

    /// The two-pass accumulation step: (μ, ν) += (μ_v, ν_v).
    #[inline]
    pub(super) fn ext_add(mu: f32, nu: f32, mu_v: f32, nu_v: f32) -> (f32, f32) {
        let top = pmax(nu, nu_v);
        (mu * exp2_nonpositive(nu - top) + mu_v * exp2_nonpositive(nu_v - top), top)
    }

    pub(super) fn two_pass_sum(x: &[f32]) -> (f64, f32) {
        let mut total = (0.0f64, f32::NEG_INFINITY);
        for block in x.chunks(BLOCK) {
            let mut mu = [0.0f32; LANES];
            let mut nu = [f32::NEG_INFINITY; LANES];
            let full = block.len() / LANES * LANES;
            for (i, &v) in block[..full].iter().enumerate() {
                let (mu_v, nu_v) = extexp(v);
                (mu[i % LANES], nu[i % LANES]) = ext_add(mu[i % LANES], nu[i % LANES], mu_v, nu_v);
            }
            let (mut tmu, mut tnu) = (0.0f32, f32::NEG_INFINITY);
            for &v in &block[full..] {
                let (mu_v, nu_v) = extexp(v);
                (tmu, tnu) = ext_add(tmu, tnu, mu_v, nu_v);
            }
            total = merge_ext_block(total, &mu, &nu, tmu, tnu);
        }
        total
    }

    pub(super) fn two_pass_scale(x: &[f32], inv_mu: f32, nu_sum: f32, y: &mut [f32]) {
        for (y, &v) in y.iter_mut().zip(x) {
            let (mu, nu) = extexp(v);
            *y = mu * inv_mu * exp2_nonpositive(nu - nu_sum);
        }
    }
}

/// 2^k for an integer-valued k ≤ 0 (as f32): 0 below 2⁻¹²⁶, 1 for NaN (which only arises from −∞ − −∞, where the
/// other factor is 0).
#[inline]
fn exp2_nonpositive(k: f32) -> f32 {
    // Saturating conversion, as i32x4.trunc_sat_f32x4: NaN → 0, −∞ → i32::MIN.
    let e = (k as i32).saturating_add(127).max(0);
    f32::from_bits((e as u32) << 23)
}

/// Merges the 16 online lanes and the tail in a fixed order: the overall max, then each lane's sum rescaled to it.
fn merge_online(m: &[f32; LANES], d: &[f32; LANES], tm: f32, td: f32) -> (f32, f64) {
    let top = m.iter().fold(tm, |a, &b| pmax(a, b));
    let rescaled: [f32; LANES] =
        core::array::from_fn(|l| if m[l] == top { d[l] } else { d[l] * exp_diff_scalar(m[l], top) });
    let tail = if tm == top { td } else { td * exp_diff_scalar(tm, top) };
    (top, f64::from(reduce16(&rescaled) + tail))
}

/// Adds a block's (max, sum) to the running one, in f64.
fn merge_running(total: (f32, f64), block: (f32, f64)) -> (f32, f64) {
    let top = pmax(total.0, block.0);
    let weight = |m: f32| if m == top { 1.0 } else { (f64::from(m) - f64::from(top)).exp() };
    (top, total.1 * weight(total.0) + block.1 * weight(block.0))
}

/// Merges a block's 16 (μ, ν) lanes and its tail into the running f64 total, in a fixed order.
fn merge_ext_block(total: (f64, f32), mu: &[f32; LANES], nu: &[f32; LANES], tmu: f32, tnu: f32) -> (f64, f32) {
    let top = nu.iter().fold(pmax(total.1, tnu), |a, &b| pmax(a, b));
    if top == f32::NEG_INFINITY {
        return total;
    }
    let scaled: [f32; LANES] = core::array::from_fn(|l| mu[l] * exp2_nonpositive(nu[l] - top));
    let block = f64::from(reduce16(&scaled) + tmu * exp2_nonpositive(tnu - top));
    let previous = total.0 * f64::from(exp2_nonpositive(total.1 - top));
    (previous + block, top)
}

/// Which pass implementations to use: the scalar twins or the SIMD128 kernels.
#[derive(Clone, Copy)]
enum Passes {
    Scalar,
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd,
}

impl Passes {
    fn fastest() -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            Self::Simd
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            Self::Scalar
        }
    }

    fn max(self, x: &[f32]) -> f32 {
        match self {
            Self::Scalar => scalar::max(x),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Self::Simd => simd128::max(x),
        }
    }

    fn sum_exp(self, x: &[f32], m: f32, store: Option<&mut [f32]>) -> f64 {
        match self {
            Self::Scalar => scalar::sum_exp(x, m, store),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Self::Simd => simd128::sum_exp(x, m, store),
        }
    }

    fn scale(self, y: &mut [f32], s: f32) {
        match self {
            Self::Scalar => scalar::scale(y, s),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Self::Simd => simd128::scale(y, s),
        }
    }

    fn exp_scale(self, x: &[f32], m: f32, s: f32, y: &mut [f32]) {
        match self {
            Self::Scalar => scalar::exp_scale(x, m, s, y),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Self::Simd => simd128::exp_scale(x, m, s, y),
        }
    }

    fn log_shift(self, x: &[f32], m: f32, ln_s: f32, y: &mut [f32]) {
        match self {
            Self::Scalar => scalar::log_shift(x, m, ln_s, y),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Self::Simd => simd128::log_shift(x, m, ln_s, y),
        }
    }

    fn online(self, x: &[f32]) -> (f32, f64) {
        match self {
            Self::Scalar => scalar::online(x),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Self::Simd => simd128::online(x),
        }
    }

    fn two_pass_sum(self, x: &[f32]) -> (f64, f32) {
        match self {
            Self::Scalar => scalar::two_pass_sum(x),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Self::Simd => simd128::two_pass_sum(x),
        }
    }

    fn two_pass_scale(self, x: &[f32], inv_mu: f32, nu_sum: f32, y: &mut [f32]) {
        match self {
            Self::Scalar => scalar::two_pass_scale(x, inv_mu, nu_sum, y),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Self::Simd => simd128::two_pass_scale(x, inv_mu, nu_sum, y),
        }
    }

    fn softmax(self, x: &[f32], y: &mut [f32], algorithm: Algorithm) -> Result<(), KernelError> {
        check_elementwise(x, y)?;
        match algorithm {
            Algorithm::ThreePassReload | Algorithm::ThreePassRecompute => {
                let kind = classify(x, self.max(x));
                let RowKind::Finite(m) = kind else {
                    special_row(x, &kind, y, false);
                    return Ok(());
                };
                if algorithm == Algorithm::ThreePassReload {
                    let s = self.sum_exp(x, m, Some(y));
                    if s.is_nan() {
                        y.fill(f32::NAN);
                    } else {
                        self.scale(y, (1.0 / s) as f32);
                    }
                } else {
                    let s = self.sum_exp(x, m, None);
                    if s.is_nan() {
                        y.fill(f32::NAN);
                    } else {
                        self.exp_scale(x, m, (1.0 / s) as f32, y);
                    }
                }
            }
            Algorithm::Online => {
                let (m, s) = self.online(x);
                match classify(x, m) {
                    RowKind::Finite(_) if s.is_nan() => y.fill(f32::NAN),
                    RowKind::Finite(m) => self.exp_scale(x, m, (1.0 / s) as f32, y),
                    kind => special_row(x, &kind, y, false),
                }
            }
            Algorithm::TwoPass => {
                let (mu, nu) = self.two_pass_sum(x);
                // NaN and +∞ entries make μ_S non-finite; an all-−∞ row leaves ν_S = −∞. Rows outside the exact
                // range of the reduction are computed by three passes instead.
                if mu.is_finite() && nu.abs() <= EXT_MAX_RANGE {
                    self.two_pass_scale(x, (1.0 / mu) as f32, nu, y);
                } else {
                    return self.softmax(x, y, Algorithm::ThreePassReload);
                }
            }
        }
        Ok(())
    }

    fn log_softmax(self, x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
        check_elementwise(x, y)?;
        let kind = classify(x, self.max(x));
        let RowKind::Finite(m) = kind else {
            special_row(x, &kind, y, true);
            return Ok(());
        };
        let ln_s = self.sum_exp(x, m, None).ln() as f32;
        self.log_shift(x, m, ln_s, y);
        Ok(())
    }

    fn logsumexp(self, x: &[f32]) -> Result<f32, KernelError> {
        if x.is_empty() {
            return Err(KernelError::Empty);
        }
        Ok(match classify(x, self.max(x)) {
            RowKind::Finite(m) => (f64::from(m) + self.sum_exp(x, m, None).ln()) as f32,
            RowKind::Infinite(_) => f32::INFINITY,
            RowKind::Undefined if x.iter().any(|v| v.is_nan()) => f32::NAN,
            RowKind::Undefined => f32::NEG_INFINITY,
        })
    }
}

/// `y = softmax(x)` by `algorithm`: SIMD128 on wasm32, the scalar twin elsewhere. See the module docs.
pub fn softmax(x: &[f32], y: &mut [f32], algorithm: Algorithm) -> Result<(), KernelError> {
    Passes::fastest().softmax(x, y, algorithm)
}

/// The scalar twin of [`softmax`], bit-identical to it.
pub fn softmax_scalar(x: &[f32], y: &mut [f32], algorithm: Algorithm) -> Result<(), KernelError> {
    Passes::Scalar.softmax(x, y, algorithm)
}

/// `y = log softmax(x) = (x − m) − ln S`, computed directly (never as the log of a rounded probability).
pub fn log_softmax(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    Passes::fastest().log_softmax(x, y)
}

/// The scalar twin of [`log_softmax`].
pub fn log_softmax_scalar(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    Passes::Scalar.log_softmax(x, y)
}

/// `ln Σ exp(x) = m + ln S`.
pub fn logsumexp(x: &[f32]) -> Result<f32, KernelError> {
    Passes::fastest().logsumexp(x)
}

/// The scalar twin of [`logsumexp`].
pub fn logsumexp_scalar(x: &[f32]) -> Result<f32, KernelError> {
    Passes::Scalar.logsumexp(x)
}

/// `y = softmax(x / temperature)`; `scratch` (same length) receives the scaled logits.
pub fn softmax_with_temperature(
    x: &[f32],
    temperature: f32,
    scratch: &mut [f32],
    y: &mut [f32],
    algorithm: Algorithm,
) -> Result<(), KernelError> {
    check_elementwise(x, scratch)?;
    let inverse = 1.0 / temperature;
    scratch.iter_mut().zip(x).for_each(|(s, &v)| *s = v * inverse);
    softmax(scratch, y, algorithm)
}

fn check_rows(x: &[f32], y: &[f32], cols: usize) -> Result<(), KernelError> {
    check_elementwise(x, y)?;
    if cols == 0 || !x.len().is_multiple_of(cols) {
        return Err(KernelError::Shape { len: x.len(), cols });
    }
    Ok(())
}

/// Row-wise softmax of a row-major matrix with `cols` columns.
pub fn softmax_rows(x: &[f32], y: &mut [f32], cols: usize, algorithm: Algorithm) -> Result<(), KernelError> {
    check_rows(x, y, cols)?;
    for (row, out) in x.chunks_exact(cols).zip(y.chunks_exact_mut(cols)) {
        softmax(row, out, algorithm)?;
    }
    Ok(())
}

/// The scalar twin of [`softmax_rows`].
pub fn softmax_rows_scalar(x: &[f32], y: &mut [f32], cols: usize, algorithm: Algorithm) -> Result<(), KernelError> {
    check_rows(x, y, cols)?;
    for (row, out) in x.chunks_exact(cols).zip(y.chunks_exact_mut(cols)) {
        softmax_scalar(row, out, algorithm)?;
    }
    Ok(())
}

/// The bare `y = exp(x − m)` store-and-sum pass, the denominator of the benchmark's "full over exp pass" ratio.
pub fn exp_store_sum(x: &[f32], m: f32, y: &mut [f32]) -> Result<f64, KernelError> {
    check_elementwise(x, y)?;
    Ok(Passes::fastest().sum_exp(x, m, Some(y)))
}

/// The SIMD128 passes, bit-identical to [`scalar`].
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use super::{
        exp_diff_scalar, merge_ext_block, merge_online, merge_running, scalar, BLOCK, EXT_LOWEST, LANES, LN2_A, LN2_B,
        LN2_C,
    };
    use crate::exp::simd128::ExpConstants;
    use crate::exp::{C1, C2, C3, C4, C5, LOG2E};
    use core::arch::wasm32::*;

    #[inline(always)]
    fn load(x: &[f32], i: usize) -> v128 {
        debug_assert!(i + 4 <= x.len());
        // SAFETY: callers only pass i with i + 4 ≤ x.len(); unaligned loads are allowed.
        unsafe { v128_load(x.as_ptr().add(i) as *const v128) }
    }

    #[inline(always)]
    fn store(y: &mut [f32], i: usize, v: v128) {
        debug_assert!(i + 4 <= y.len());
        // SAFETY: as in `load`.
        unsafe { v128_store(y.as_mut_ptr().add(i) as *mut v128, v) }
    }

    fn lanes(v: [v128; 4]) -> [f32; LANES] {
        let mut out = [0.0f32; LANES];
        for (k, v) in v.into_iter().enumerate() {
            out[4 * k] = f32x4_extract_lane::<0>(v);
            out[4 * k + 1] = f32x4_extract_lane::<1>(v);
            out[4 * k + 2] = f32x4_extract_lane::<2>(v);
            out[4 * k + 3] = f32x4_extract_lane::<3>(v);
        }
        out
    }

    fn reduce(acc: [v128; 4]) -> f32 {
        super::reduce16(&lanes(acc))
    }

    pub(super) fn max(x: &[f32]) -> f32 {
        let full = x.len() / LANES * LANES;
        // PERF: four named accumulators, not an array: V8 keeps locals in registers, indexed arrays in memory.
        let lowest = f32x4_splat(f32::NEG_INFINITY);
        let (mut a0, mut a1, mut a2, mut a3) = (lowest, lowest, lowest, lowest);
        let mut i = 0;
        while i < full {
            a0 = f32x4_pmax(a0, load(x, i));
            a1 = f32x4_pmax(a1, load(x, i + 4));
            a2 = f32x4_pmax(a2, load(x, i + 8));
            a3 = f32x4_pmax(a3, load(x, i + 12));
            i += LANES;
        }
        let vector = lanes([a0, a1, a2, a3]).into_iter().fold(f32::NEG_INFINITY, super::pmax);
        x[full..].iter().fold(vector, |m, &v| super::pmax(m, v))
    }

    pub(super) fn sum_exp(x: &[f32], m: f32, store_to: Option<&mut [f32]>) -> f64 {
        match store_to {
            Some(y) => sum_exp_impl::<true>(x, m, y),
            None => sum_exp_impl::<false>(x, m, &mut []),
        }
    }

    fn sum_exp_impl<const STORE: bool>(x: &[f32], m: f32, y: &mut [f32]) -> f64 {
        let k = ExpConstants::new();
        let vm = f32x4_splat(m);
        let mut total = 0.0f64;
        for (b, block) in x.chunks(BLOCK).enumerate() {
            let base = b * BLOCK;
            let full = block.len() / LANES * LANES;
            let zero = f32x4_splat(0.0);
            let (mut acc0, mut acc1, mut acc2, mut acc3) = (zero, zero, zero, zero);
            let mut i = 0;
            // PERF: four independent vectors per iteration, each with its own accumulator.
            while i < full {
                let e0 = k.exp_diff(load(block, i), vm);
                let e1 = k.exp_diff(load(block, i + 4), vm);
                let e2 = k.exp_diff(load(block, i + 8), vm);
                let e3 = k.exp_diff(load(block, i + 12), vm);
                if STORE {
                    store(y, base + i, e0);
                    store(y, base + i + 4, e1);
                    store(y, base + i + 8, e2);
                    store(y, base + i + 12, e3);
                }
                acc0 = f32x4_add(acc0, e0);
                acc1 = f32x4_add(acc1, e1);
                acc2 = f32x4_add(acc2, e2);
                acc3 = f32x4_add(acc3, e3);
                i += LANES;
            }
            let mut tail = 0.0f32;
            for (j, &v) in block[full..].iter().enumerate() {
                let e = exp_diff_scalar(v, m);
                tail += e;
                if STORE {
                    y[base + full + j] = e;
                }
            }
            total += f64::from(reduce([acc0, acc1, acc2, acc3]) + tail);
        }
        total
    }

    pub(super) fn scale(y: &mut [f32], s: f32) {
        let vs = f32x4_splat(s);
        let full = y.len() / LANES * LANES;
        let mut i = 0;
        while i < full {
            let (a, b, c, d) = (load(y, i), load(y, i + 4), load(y, i + 8), load(y, i + 12));
            store(y, i, f32x4_mul(a, vs));
            store(y, i + 4, f32x4_mul(b, vs));
            store(y, i + 8, f32x4_mul(c, vs));
            store(y, i + 12, f32x4_mul(d, vs));
            i += LANES;
        }
        scalar::scale(&mut y[full..], s);
    }

    pub(super) fn exp_scale(x: &[f32], m: f32, s: f32, y: &mut [f32]) {
        let k = ExpConstants::new();
        let (vm, vs) = (f32x4_splat(m), f32x4_splat(s));
        let full = x.len() / 8 * 8;
        let mut i = 0;
        while i < full {
            let a = f32x4_mul(k.exp_diff(load(x, i), vm), vs);
            let b = f32x4_mul(k.exp_diff(load(x, i + 4), vm), vs);
            store(y, i, a);
            store(y, i + 4, b);
            i += 8;
        }
        scalar::exp_scale(&x[full..], m, s, &mut y[full..]);
    }

    pub(super) fn log_shift(x: &[f32], m: f32, ln_s: f32, y: &mut [f32]) {
        let (vm, vl) = (f32x4_splat(m), f32x4_splat(ln_s));
        let full = x.len() / 4 * 4;
        let mut i = 0;
        while i < full {
            store(y, i, f32x4_sub(f32x4_sub(load(x, i), vm), vl));
            i += 4;
        }
        scalar::log_shift(&x[full..], m, ln_s, &mut y[full..]);
    }

    pub(super) fn online(x: &[f32]) -> (f32, f64) {
        let k = ExpConstants::new();
        let (one, neg_inf) = (f32x4_splat(1.0), f32x4_splat(f32::NEG_INFINITY));
        let mut total = (f32::NEG_INFINITY, 0.0f64);
        for block in x.chunks(BLOCK) {
            let step = |(m, d): (v128, v128), v: v128| {
                let m_new = f32x4_pmax(m, v);
                let rescale = v128_bitselect(one, k.exp_diff(m, m_new), f32x4_eq(m, m_new));
                let term = v128_andnot(k.exp_diff(v, m_new), f32x4_eq(v, neg_inf));
                (m_new, f32x4_add(f32x4_mul(d, rescale), term))
            };
            // PERF: named (max, sum) pairs stay in registers; an indexed array would live in memory.
            let start = (neg_inf, f32x4_splat(0.0));
            let (mut l0, mut l1, mut l2, mut l3) = (start, start, start, start);
            let full = block.len() / LANES * LANES;
            let mut i = 0;
            while i < full {
                l0 = step(l0, load(block, i));
                l1 = step(l1, load(block, i + 4));
                l2 = step(l2, load(block, i + 8));
                l3 = step(l3, load(block, i + 12));
                i += LANES;
            }
            let (m, d) = ([l0.0, l1.0, l2.0, l3.0], [l0.1, l1.1, l2.1, l3.1]);
            let (mut tm, mut td) = (f32::NEG_INFINITY, 0.0f32);
            for &v in &block[full..] {
                (tm, td) = scalar::online_step(tm, td, v);
            }
            total = merge_running(total, merge_online(&lanes(m), &lanes(d), tm, td));
        }
        total
    }

    /// Constants of the extended exponential, opaque so that they stay in registers (see `ExpConstants`).
    #[derive(Clone, Copy)]
    struct ExtConstants {
        log2e: v128,
        ln2: [v128; 3],
        c: [v128; 5],
        one: v128,
        neg_inf: v128,
        bias: v128,
        zero: v128,
        lowest: v128,
    }

    impl ExtConstants {
        #[inline(always)]
        fn new() -> Self {
            core::hint::black_box(Self {
                log2e: f32x4_splat(LOG2E),
                ln2: [f32x4_splat(LN2_A), f32x4_splat(LN2_B), f32x4_splat(LN2_C)],
                c: [f32x4_splat(C1), f32x4_splat(C2), f32x4_splat(C3), f32x4_splat(C4), f32x4_splat(C5)],
                one: f32x4_splat(1.0),
                neg_inf: f32x4_splat(f32::NEG_INFINITY),
                bias: i32x4_splat(127),
                zero: i32x4_splat(0),
                lowest: f32x4_splat(EXT_LOWEST),
            })
        }

        #[inline(always)]
        fn extexp(&self, v: v128) -> (v128, v128) {
            let v = f32x4_pmax(v, self.lowest);
            let n = f32x4_nearest(f32x4_mul(v, self.log2e));
            let t = f32x4_sub(v, f32x4_mul(n, self.ln2[0]));
            let t = f32x4_sub(t, f32x4_mul(n, self.ln2[1]));
            let t = f32x4_sub(t, f32x4_mul(n, self.ln2[2]));
            let [c1, c2, c3, c4, c5] = self.c;
            let p = f32x4_add(f32x4_mul(c5, t), c4);
            let p = f32x4_add(f32x4_mul(p, t), c3);
            let p = f32x4_add(f32x4_mul(p, t), c2);
            let p = f32x4_add(f32x4_mul(p, t), c1);
            let mu = f32x4_add(f32x4_mul(t, p), self.one);
            (v128_andnot(mu, f32x4_eq(v, self.neg_inf)), n)
        }

        #[inline(always)]
        fn exp2_nonpositive(&self, k: v128) -> v128 {
            let e = i32x4_max(i32x4_add(i32x4_trunc_sat_f32x4(k), self.bias), self.zero);
            i32x4_shl(e, 23)
        }
    }

    pub(super) fn two_pass_sum(x: &[f32]) -> (f64, f32) {
        let c = ExtConstants::new();
        let mut total = (0.0f64, f32::NEG_INFINITY);
        for block in x.chunks(BLOCK) {
            let full = block.len() / LANES * LANES;
            let add = |(mu, nu): (v128, v128), v: v128| {
                let (mu_v, nu_v) = c.extexp(v);
                let top = f32x4_pmax(nu, nu_v);
                let mu = f32x4_add(
                    f32x4_mul(mu, c.exp2_nonpositive(f32x4_sub(nu, top))),
                    f32x4_mul(mu_v, c.exp2_nonpositive(f32x4_sub(nu_v, top))),
                );
                (mu, top)
            };
            let start = (f32x4_splat(0.0), c.neg_inf);
            let (mut l0, mut l1, mut l2, mut l3) = (start, start, start, start);
            let mut i = 0;
            while i < full {
                l0 = add(l0, load(block, i));
                l1 = add(l1, load(block, i + 4));
                l2 = add(l2, load(block, i + 8));
                l3 = add(l3, load(block, i + 12));
                i += LANES;
            }
            let (mu, nu) = ([l0.0, l1.0, l2.0, l3.0], [l0.1, l1.1, l2.1, l3.1]);
            let (mut tmu, mut tnu) = (0.0f32, f32::NEG_INFINITY);
            for &v in &block[full..] {
                let (mu_v, nu_v) = scalar::extexp(v);
                (tmu, tnu) = scalar::ext_add(tmu, tnu, mu_v, nu_v);
            }
            total = merge_ext_block(total, &lanes(mu), &lanes(nu), tmu, tnu);
        }
        total
    }

    pub(super) fn two_pass_scale(x: &[f32], inv_mu: f32, nu_sum: f32, y: &mut [f32]) {
        let c = ExtConstants::new();
        let (vinv, vnu) = (f32x4_splat(inv_mu), f32x4_splat(nu_sum));
        let full = x.len() / 4 * 4;
        let mut i = 0;
        while i < full {
            let (mu, nu) = c.extexp(load(x, i));
            store(y, i, f32x4_mul(f32x4_mul(mu, vinv), c.exp2_nonpositive(f32x4_sub(nu, vnu))));
            i += 4;
        }
        scalar::two_pass_scale(&x[full..], inv_mu, nu_sum, &mut y[full..]);
    }
}

/// `Σ term(i)` over `0..n` in the blocked order of this module (16 lanes, blocks of 4096, f64 between blocks);
/// the scalar side of [`blocked_sum_simd`], for other kernels that sum a mapped row.
pub(crate) fn blocked_sum_scalar(n: usize, mut term: impl FnMut(usize) -> f32) -> f64 {
    let mut total = 0.0f64;
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let full = start + (end - start) / LANES * LANES;
        let mut acc = [0.0f32; LANES];
        for i in start..full {
            acc[(i - start) % LANES] += term(i);
        }
        let mut tail = 0.0f32;
        for i in full..end {
            tail += term(i);
        }
        total += f64::from(reduce16(&acc) + tail);
        start = end;
    }
    total
}

/// The SIMD128 twin of [`blocked_sum_scalar`]: `vector(i)` gives the terms i..i+4 and `scalar(i)` one tail term.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) fn blocked_sum_simd(
    n: usize,
    mut vector: impl FnMut(usize) -> core::arch::wasm32::v128,
    mut scalar: impl FnMut(usize) -> f32,
) -> f64 {
    use core::arch::wasm32::*;
    let mut total = 0.0f64;
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let full = start + (end - start) / LANES * LANES;
        let zero = f32x4_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (zero, zero, zero, zero);
        let mut i = start;
        while i < full {
            a0 = f32x4_add(a0, vector(i));
            a1 = f32x4_add(a1, vector(i + 4));
            a2 = f32x4_add(a2, vector(i + 8));
            a3 = f32x4_add(a3, vector(i + 12));
            i += LANES;
        }
        let mut tail = 0.0f32;
        for i in full..end {
            tail += scalar(i);
        }
        let mut lanes = [0.0f32; LANES];
        for (k, v) in [a0, a1, a2, a3].into_iter().enumerate() {
            lanes[4 * k] = f32x4_extract_lane::<0>(v);
            lanes[4 * k + 1] = f32x4_extract_lane::<1>(v);
            lanes[4 * k + 2] = f32x4_extract_lane::<2>(v);
            lanes[4 * k + 3] = f32x4_extract_lane::<3>(v);
        }
        total += f64::from(reduce16(&lanes) + tail);
        start = end;
    }
    total
}

/// `y *= s`, SIMD128 on wasm32, for other kernels' normalisation.
pub(crate) fn scale_in_place(y: &mut [f32], s: f32, fast: bool) {
    if fast {
        Passes::fastest().scale(y, s);
    } else {
        Passes::Scalar.scale(y, s);
    }
}
