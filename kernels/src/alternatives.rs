//! Alternatives to softmax (ALGORITHMS.md §2): StableMax, sparsemax, entmax-1.5, and the unnormalised or
//! re-normalised sigmoid, softplus and ReLU maps, plus the entropy of a distribution.
//!
//! Every kernel has a SIMD128 version and a bit-identical scalar twin (`*_scalar`), in f32 with the blocked
//! summation of [`crate::softmax`]. Sparsemax and entmax-1.5 find their threshold by sorting, which is scalar (in
//! f64) in both twins; applying the threshold and normalising is SIMD128.
//!
//! NaN policy: a NaN anywhere makes every output of the row NaN. ±∞ inputs follow each map's limits where they
//! exist (documented per function); a row that leaves a normalised map without mass gives NaN.

use crate::error::{check_elementwise, KernelError};

fn poisoned(x: &[f32], y: &mut [f32]) -> bool {
    if x.iter().any(|v| v.is_nan()) {
        y.fill(f32::NAN);
        true
    } else {
        false
    }
}

/// StableMax (Prieto et al. 2025): `s(x) = x + 1` for x ≥ 0, `1/(1 − x)` for x < 0, normalised. Not
/// shift-invariant, so the logits are used as given. +∞ entries make the row NaN (∞/∞). SIMD128 on wasm32.
pub fn stablemax(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    normalised_map(x, y, Map::StableMax, true)
}

/// The scalar twin of [`stablemax`].
pub fn stablemax_scalar(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    normalised_map(x, y, Map::StableMax, false)
}

/// `ReLU(x) / Σ ReLU`; a row without positive entries has no mass and gives NaN; +∞ entries share the mass.
/// SIMD128 on wasm32.
pub fn relu_normalised(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    normalised_map(x, y, Map::Relu, true)
}

/// The scalar twin of [`relu_normalised`].
pub fn relu_normalised_scalar(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    normalised_map(x, y, Map::Relu, false)
}

#[derive(Clone, Copy, PartialEq)]
enum Map {
    StableMax,
    Relu,
    Softplus,
    /// `[(x − top)/2 − τ]₊²`, entmax-1.5's unnormalised weight.
    Entmax {
        top: f32,
        tau: f32,
    },
}

/// `ln(1 + e)` for e ∈ [0, 1] as 2·atanh(e/(2 + e)), a series in s² with s ≤ 1/3 (error below 2⁻²⁶).
#[inline]
fn ln1p_unit_scalar(e: f32) -> f32 {
    let s = e / (2.0 + e);
    let w = s * s;
    let p = LN1P_C[0] * w + LN1P_C[1];
    let p = p * w + LN1P_C[2];
    let p = p * w + LN1P_C[3];
    let p = p * w + LN1P_C[4];
    let p = p * w + LN1P_C[5];
    let p = p * w + 1.0;
    2.0 * s * p
}

/// 1/13, 1/11, 1/9, 1/7, 1/5, 1/3: the atanh series.
const LN1P_C: [f32; 6] = [1.0 / 13.0, 1.0 / 11.0, 1.0 / 9.0, 1.0 / 7.0, 1.0 / 5.0, 1.0 / 3.0];

#[inline]
fn map_scalar(map: Map, v: f32) -> f32 {
    match map {
        Map::StableMax => {
            if v >= 0.0 {
                v + 1.0
            } else {
                1.0 / (1.0 - v)
            }
        }
        Map::Relu => {
            if 0.0 < v {
                v
            } else {
                0.0
            }
        }
        Map::Softplus => {
            let positive = if 0.0 < v { v } else { 0.0 };
            positive + ln1p_unit_scalar(crate::exp::exp_neg_scalar(-v.abs()))
        }
        Map::Entmax { top, tau } => {
            let h = (v - top) * 0.5 - tau;
            let r = if 0.0 < h { h } else { 0.0 };
            r * r
        }
    }
}

/// `y = f(x) / Σ f(x)`: a map-store-sum pass, then a scale pass.
fn normalised_map(x: &[f32], y: &mut [f32], map: Map, fast: bool) -> Result<(), KernelError> {
    check_elementwise(x, y)?;
    if poisoned(x, y) || (matches!(map, Map::Relu | Map::Softplus) && infinite_limit(x, y)) {
        return Ok(());
    }
    map_normalise(x, y, map, fast);
    Ok(())
}

/// The passes of [`normalised_map`] without its checks.
fn map_normalise(x: &[f32], y: &mut [f32], map: Map, fast: bool) {
    let sum = if fast { map_store_sum_fast(x, y, map) } else { map_store_sum_scalar(x, y, map) };
    if sum > 0.0 && sum.is_finite() {
        crate::softmax::scale_in_place(y, (1.0 / sum) as f32, fast);
    } else {
        y.fill(f32::NAN);
    }
}

fn map_store_sum_scalar(x: &[f32], y: &mut [f32], map: Map) -> f64 {
    crate::softmax::blocked_sum_scalar(x.len(), |i| {
        y[i] = map_scalar(map, x[i]);
        y[i]
    })
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn map_store_sum_fast(x: &[f32], y: &mut [f32], map: Map) -> f64 {
    map_store_sum_scalar(x, y, map)
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn map_store_sum_fast(x: &[f32], y: &mut [f32], map: Map) -> f64 {
    use core::arch::wasm32::*;
    let (zero, one, two, half) = (f32x4_splat(0.0), f32x4_splat(1.0), f32x4_splat(2.0), f32x4_splat(0.5));
    let c = LN1P_C.map(|v| f32x4_splat(v));
    let k = crate::exp::simd128::ExpConstants::new();
    let (top, tau) = match map {
        Map::Entmax { top, tau } => (f32x4_splat(top), f32x4_splat(tau)),
        _ => (zero, zero),
    };
    let out = y.as_mut_ptr();
    let vector = |i: usize| {
        debug_assert!(i + 4 <= x.len());
        // SAFETY: the blocked sum asks only for i + 4 ≤ n = x.len() = y.len(); unaligned access is allowed.
        let v = unsafe { v128_load(x.as_ptr().add(i) as *const v128) };
        let r = match map {
            Map::StableMax => v128_bitselect(f32x4_add(v, one), f32x4_div(one, f32x4_sub(one, v)), f32x4_ge(v, zero)),
            Map::Relu => f32x4_pmax(zero, v),
            Map::Softplus => {
                let e = k.exp_neg(f32x4_neg(f32x4_abs(v)));
                let s = f32x4_div(e, f32x4_add(two, e));
                let w = f32x4_mul(s, s);
                let p = f32x4_add(f32x4_mul(c[0], w), c[1]);
                let p = f32x4_add(f32x4_mul(p, w), c[2]);
                let p = f32x4_add(f32x4_mul(p, w), c[3]);
                let p = f32x4_add(f32x4_mul(p, w), c[4]);
                let p = f32x4_add(f32x4_mul(p, w), c[5]);
                let p = f32x4_add(f32x4_mul(p, w), one);
                f32x4_add(f32x4_pmax(zero, v), f32x4_mul(f32x4_mul(two, s), p))
            }
            Map::Entmax { .. } => {
                let h = f32x4_sub(f32x4_mul(f32x4_sub(v, top), half), tau);
                let r = f32x4_pmax(zero, h);
                f32x4_mul(r, r)
            }
        };
        // SAFETY: as above.
        unsafe { v128_store(out.add(i) as *mut v128, r) };
        r
    };
    let scalar = |i: usize| {
        let r = map_scalar(map, x[i]);
        // SAFETY: i < n, as above.
        unsafe { *out.add(i) = r };
        r
    };
    crate::softmax::blocked_sum_simd(x.len(), vector, scalar)
}

/// Entropy in nats, `−Σ p·log p` over the entries with p > 0, given the probabilities and their logarithms (from
/// [`crate::softmax::log_softmax`], so no `ln 0` is ever taken). SIMD128 on wasm32.
pub fn entropy(p: &[f32], log_p: &[f32]) -> Result<f64, KernelError> {
    check_elementwise(p, log_p)?;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let zero = f32x4_splat(0.0);
        let vector = |i: usize| {
            // SAFETY: i + 4 ≤ n = both lengths; unaligned loads are allowed.
            let (a, b) = unsafe {
                (v128_load(p.as_ptr().add(i) as *const v128), v128_load(log_p.as_ptr().add(i) as *const v128))
            };
            v128_and(f32x4_mul(a, b), f32x4_gt(a, zero))
        };
        Ok(-crate::softmax::blocked_sum_simd(p.len(), vector, |i| entropy_term(p[i], log_p[i])))
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        entropy_scalar(p, log_p)
    }
}

/// The scalar twin of [`entropy`].
pub fn entropy_scalar(p: &[f32], log_p: &[f32]) -> Result<f64, KernelError> {
    check_elementwise(p, log_p)?;
    Ok(-crate::softmax::blocked_sum_scalar(p.len(), |i| entropy_term(p[i], log_p[i])))
}

#[inline]
fn entropy_term(p: f32, log_p: f32) -> f32 {
    if p > 0.0 {
        p * log_p
    } else {
        0.0
    }
}

/// Element-wise logistic sigmoid `σ(x + bias)`, not normalised (sigmoid attention uses bias = −ln n); evaluated as
/// `1/(1 + e^(−t))` or `e^t/(1 + e^t)` so the exponent is never positive. NaN stays NaN. SIMD128 on wasm32.
pub fn sigmoid(x: &[f32], bias: f32, y: &mut [f32]) -> Result<(), KernelError> {
    check_elementwise(x, y)?;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let k = crate::exp::simd128::ExpConstants::new();
        let (b, one, zero) = (f32x4_splat(bias), f32x4_splat(1.0), f32x4_splat(0.0));
        let full = x.len() / 4 * 4;
        let mut i = 0;
        while i < full {
            // SAFETY: i + 4 ≤ full ≤ both lengths; unaligned access is allowed.
            let v = unsafe { v128_load(x.as_ptr().add(i) as *const v128) };
            let t = f32x4_add(v, b);
            let e = k.exp_neg(f32x4_neg(f32x4_abs(t)));
            let r = f32x4_div(one, f32x4_add(one, e));
            let out = v128_bitselect(r, f32x4_mul(e, r), f32x4_ge(t, zero));
            // SAFETY: as above.
            unsafe { v128_store(y.as_mut_ptr().add(i) as *mut v128, out) };
            i += 4;
        }
        for (y, &v) in y[full..].iter_mut().zip(&x[full..]) {
            *y = sigmoid_one(v, bias);
        }
        Ok(())
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        sigmoid_scalar(x, bias, y)
    }
}

/// The scalar twin of [`sigmoid`].
pub fn sigmoid_scalar(x: &[f32], bias: f32, y: &mut [f32]) -> Result<(), KernelError> {
    check_elementwise(x, y)?;
    for (y, &v) in y.iter_mut().zip(x) {
        *y = sigmoid_one(v, bias);
    }
    Ok(())
}

#[inline]
fn sigmoid_one(v: f32, bias: f32) -> f32 {
    let t = v + bias;
    let e = crate::exp::exp_neg_scalar(-t.abs());
    let r = 1.0 / (1.0 + e);
    if t >= 0.0 {
        r
    } else {
        e * r
    }
}

/// The StableMax kernel function `s`.
pub fn stablemax_s(v: f64) -> f64 {
    if v >= 0.0 {
        v + 1.0
    } else {
        1.0 / (1.0 - v)
    }
}

/// The logits sorted descending, in f64; ±∞ are kept.
fn sorted_descending(x: &[f32]) -> Vec<f64> {
    let mut z: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    z.sort_by(|a, b| b.total_cmp(a));
    z
}

/// Sparsemax (Martins & Astudillo 2016): the Euclidean projection onto the simplex, `max(x − τ, 0)`, by the
/// exact sort algorithm. Exact zeros outside the support. With +∞ entries, they share the mass equally. The
/// threshold search sorts (scalar, in f64, in both twins); applying it is SIMD128 on wasm32.
pub fn sparsemax(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    sparsemax_impl(x, y, true)
}

/// The scalar twin of [`sparsemax`].
pub fn sparsemax_scalar(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    sparsemax_impl(x, y, false)
}

fn sparsemax_impl(x: &[f32], y: &mut [f32], fast: bool) -> Result<(), KernelError> {
    check_elementwise(x, y)?;
    if poisoned(x, y) || infinite_limit(x, y) {
        return Ok(());
    }
    let z = sorted_descending(x);
    let (mut cumulative, mut support, mut support_sum) = (0.0, 0, 0.0);
    for (k, &v) in z.iter().enumerate() {
        cumulative += v;
        if 1.0 + (k + 1) as f64 * v > cumulative {
            support = k + 1;
            support_sum = cumulative;
        }
    }
    let tau = ((support_sum - 1.0) / support as f64) as f32;
    if fast {
        threshold_fast(x, tau, y);
    } else {
        threshold_scalar(x, tau, y);
    }
    Ok(())
}

fn threshold_scalar(x: &[f32], tau: f32, y: &mut [f32]) {
    for (y, &v) in y.iter_mut().zip(x) {
        let t = v - tau;
        *y = if 0.0 < t { t } else { 0.0 };
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn threshold_fast(x: &[f32], tau: f32, y: &mut [f32]) {
    threshold_scalar(x, tau, y);
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn threshold_fast(x: &[f32], tau: f32, y: &mut [f32]) {
    use core::arch::wasm32::*;
    let (vt, zero) = (f32x4_splat(tau), f32x4_splat(0.0));
    let full = x.len() / 4 * 4;
    let mut i = 0;
    while i < full {
        // SAFETY: i + 4 ≤ full ≤ both lengths; unaligned access is allowed.
        unsafe {
            let v = v128_load(x.as_ptr().add(i) as *const v128);
            v128_store(y.as_mut_ptr().add(i) as *mut v128, f32x4_pmax(zero, f32x4_sub(v, vt)));
        }
        i += 4;
    }
    threshold_scalar(&x[full..], tau, &mut y[full..]);
}

/// The limit for rows with +∞ entries (they share the mass equally); `false` when there are none.
fn infinite_limit(x: &[f32], y: &mut [f32]) -> bool {
    let k = x.iter().filter(|&&v| v == f32::INFINITY).count();
    if k == 0 {
        return false;
    }
    for (y, &v) in y.iter_mut().zip(x) {
        *y = if v == f32::INFINITY { 1.0 / k as f32 } else { 0.0 };
    }
    true
}

/// Entmax-1.5 (Peters, Niculae & Martins 2019): `[(x − max)/2 − τ]₊²` with τ from the exact sort algorithm of
/// `entmax._tsallis_threshold_and_support`. Between softmax and sparsemax; exact zeros. +∞ entries share the mass.
/// The threshold search sorts (scalar, in f64, in both twins); the weights and their normalisation are SIMD128.
pub fn entmax15(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    entmax15_impl(x, y, true)
}

/// The scalar twin of [`entmax15`].
pub fn entmax15_scalar(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    entmax15_impl(x, y, false)
}

fn entmax15_impl(x: &[f32], y: &mut [f32], fast: bool) -> Result<(), KernelError> {
    check_elementwise(x, y)?;
    if poisoned(x, y) || infinite_limit(x, y) {
        return Ok(());
    }
    let top = x.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
    let z: Vec<f64> = sorted_descending(x).iter().map(|v| (v - top) / 2.0).collect();
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    let mut tau_star = 0.0;
    for (k, &v) in z.iter().enumerate() {
        if v == f64::NEG_INFINITY {
            break;
        }
        let n = (k + 1) as f64;
        sum += v;
        sum_sq += v * v;
        let mean = sum / n;
        let ss = n * (sum_sq / n - mean * mean);
        let delta = (1.0 - ss) / n;
        let tau = mean - delta.max(0.0).sqrt();
        if tau <= v {
            tau_star = tau;
        }
    }
    // The exact algorithm already sums to 1; renormalising removes the rounding of τ and of the squares.
    map_normalise(x, y, Map::Entmax { top: top as f32, tau: tau_star as f32 }, fast);
    Ok(())
}

/// `softplus(x) / Σ softplus`, with softplus(x) = max(x, 0) + ln(1 + e^(−|x|)) so nothing overflows. +∞ entries
/// share the mass. SIMD128 on wasm32.
pub fn softplus_normalised(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    normalised_map(x, y, Map::Softplus, true)
}

/// The scalar twin of [`softplus_normalised`].
pub fn softplus_normalised_scalar(x: &[f32], y: &mut [f32]) -> Result<(), KernelError> {
    normalised_map(x, y, Map::Softplus, false)
}

/// ln(1 + eˣ) without overflow for large x or loss of digits for very negative x.
pub fn softplus(v: f64) -> f64 {
    if v > 0.0 {
        v + (-v).exp().ln_1p()
    } else {
        v.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: fn(&[f32], &mut [f32]) -> Result<(), KernelError>, x: &[f32], want: &[f64]) {
        let mut y = vec![0.0; x.len()];
        f(x, &mut y).unwrap();
        for (y, w) in y.iter().zip(want) {
            assert!((f64::from(*y) - w).abs() < 1e-6, "{x:?}: {y:?} vs {want:?}");
        }
    }

    #[test]
    fn stablemax_fixtures() {
        // ALGORITHMS.md §2.9.
        check(stablemax, &[1.0, 2.0, 3.0], &[0.222222, 0.333333, 0.444444]);
        check(stablemax, &[-1.0, 0.0, 1.0], &[0.142857, 0.285714, 0.571429]);
        check(stablemax, &[0.0, 0.0, 0.0], &[1.0 / 3.0; 3]);
        check(stablemax, &[10.0, 0.0, -10.0], &[0.909774, 0.082707, 0.007519]);
    }

    #[test]
    fn sparsemax_fixtures() {
        check(sparsemax, &[1.0, 2.0, 3.0], &[0.0, 0.0, 1.0]);
        check(sparsemax, &[0.5, 1.0, 1.2], &[0.0, 0.4, 0.6]);
        check(sparsemax, &[1.0, 0.8, 0.1, -1.0], &[0.6, 0.4, 0.0, 0.0]);
    }

    #[test]
    fn entmax_fixtures() {
        check(entmax15, &[1.0, 2.0, 3.0], &[0.0, 0.169281, 0.830719]);
        check(entmax15, &[0.5, 1.0, 1.2], &[0.128358, 0.369994, 0.501648]);
        check(entmax15, &[1.0, 0.8, 0.1, -1.0], &[0.529248, 0.393749, 0.077003, 0.0]);
    }

    #[test]
    fn sigmoid_relu_and_softplus() {
        let mut y = [0.0f32; 3];
        sigmoid(&[1.0, 2.0, 3.0], -(3.0f32).ln(), &mut y).unwrap();
        for (y, w) in y.iter().zip([0.475367, 0.711235, 0.870049]) {
            assert!((f64::from(*y) - w).abs() < 1e-6);
        }
        check(relu_normalised, &[-1.0, 1.0, 3.0], &[0.0, 0.25, 0.75]);
        let s = [softplus(-1.0), softplus(0.0), softplus(2.0)];
        let total: f64 = s.iter().sum();
        check(softplus_normalised, &[-1.0, 0.0, 2.0], &[s[0] / total, s[1] / total, s[2] / total]);
        assert!((softplus(1000.0) - 1000.0).abs() < 1e-12 && softplus(-1000.0) >= 0.0);
    }

    #[test]
    fn edge_rows_follow_the_policy() {
        let mut y = [0.0f32; 3];
        relu_normalised(&[-1.0, -2.0, 0.0], &mut y).unwrap();
        assert!(y.iter().all(|v| v.is_nan()), "no positive entry, no mass");
        sparsemax(&[1.0, f32::INFINITY, f32::INFINITY], &mut y).unwrap();
        assert_eq!(y, [0.0, 0.5, 0.5]);
        entmax15(&[f32::NAN, 1.0, 2.0], &mut y).unwrap();
        assert!(y.iter().all(|v| v.is_nan()));
        entmax15(&[f32::NEG_INFINITY, 1.0, 1.0], &mut y).unwrap();
        assert_eq!(y, [0.0, 0.5, 0.5]);
        check(sparsemax, &[5.0], &[1.0]);
        check(entmax15, &[5.0], &[1.0]);
        assert_eq!(stablemax(&[], &mut []), Err(KernelError::Empty));
    }
}
