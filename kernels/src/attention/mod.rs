//! Attention scores and the weight rows of softmax attention and its relatives (ALGORITHMS.md §2–3).
//!
//! [`scores`] is `QKᵀ/√d` as a SIMD128 matrix multiply with a bit-identical scalar twin ([`scores_scalar`]): each
//! dot product sums four lanes of products in order, then the lanes pairwise, then the tail.
//! [`weights`] turns one query and the keys into one weight row by a [`Method`]; it is a scalar reference in f64,
//! rounded once to f32. [`measures`] summarises a row. Bad input (d = 0, no keys, lengths that do not match,
//! NaN in Q or K, a zero-norm query) is a typed error or a documented value, never a panic.

mod prepared;

pub use prepared::Prepared;

use crate::alternatives::{entmax15, softplus, stablemax_s};
use crate::error::KernelError;

fn check_shapes(q_len: usize, k_len: usize, d: usize) -> Result<(usize, usize), KernelError> {
    if d == 0 || q_len == 0 || k_len == 0 {
        return Err(KernelError::Empty);
    }
    if !q_len.is_multiple_of(d) {
        return Err(KernelError::Shape { len: q_len, cols: d });
    }
    if !k_len.is_multiple_of(d) {
        return Err(KernelError::Shape { len: k_len, cols: d });
    }
    Ok((q_len / d, k_len / d))
}

#[inline]
fn dot_scalar(a: &[f32], b: &[f32]) -> f32 {
    let full = a.len() / 4 * 4;
    let mut lanes = [0.0f32; 4];
    for i in (0..full).step_by(4) {
        for l in 0..4 {
            lanes[l] += a[i + l] * b[i + l];
        }
    }
    let mut sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for i in full..a.len() {
        sum += a[i] * b[i];
    }
    sum
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn dot_simd(a: &[f32], b: &[f32]) -> f32 {
    use core::arch::wasm32::*;
    let full = a.len().min(b.len()) / 4 * 4;
    let mut acc = f32x4_splat(0.0);
    let mut i = 0;
    while i < full {
        // SAFETY: i + 4 ≤ full ≤ both lengths; unaligned loads are allowed.
        let (x, y) =
            unsafe { (v128_load(a.as_ptr().add(i) as *const v128), v128_load(b.as_ptr().add(i) as *const v128)) };
        acc = f32x4_add(acc, f32x4_mul(x, y));
        i += 4;
    }
    let mut sum = (f32x4_extract_lane::<0>(acc) + f32x4_extract_lane::<1>(acc))
        + (f32x4_extract_lane::<2>(acc) + f32x4_extract_lane::<3>(acc));
    for t in full..a.len().min(b.len()) {
        sum += a[t] * b[t];
    }
    sum
}

/// `out[i·n + j] = scale · a_i · b_j` for row-major `a` (m × d) and `b` (n × d); SIMD128 when `simd` is set and
/// the target has it, the bit-identical scalar dot products otherwise.
pub(crate) fn matmul_nt(
    simd: bool,
    a: &[f32],
    b: &[f32],
    d: usize,
    scale: f32,
    out: &mut [f32],
) -> Result<(), KernelError> {
    let (m, n) = check_shapes(a.len(), b.len(), d)?;
    if out.len() != m * n {
        return Err(KernelError::LengthMismatch { input: m * n, output: out.len() });
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let dot: fn(&[f32], &[f32]) -> f32 = if simd { dot_simd } else { dot_scalar };
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let dot: fn(&[f32], &[f32]) -> f32 = {
        let _ = simd;
        dot_scalar
    };
    for (row, ai) in out.chunks_exact_mut(n).zip(a.chunks_exact(d)) {
        for (o, bj) in row.iter_mut().zip(b.chunks_exact(d)) {
            *o = dot(ai, bj) * scale;
        }
    }
    Ok(())
}

/// `out[i·n + j] = q_i · k_j / √d` for row-major `q` (m × d) and `k` (n × d): the scalar twin of [`scores`].
pub fn scores_scalar(q: &[f32], k: &[f32], d: usize, out: &mut [f32]) -> Result<(), KernelError> {
    matmul_nt(false, q, k, d, 1.0 / (d.max(1) as f32).sqrt(), out)
}

/// `QKᵀ/√d`: SIMD128 on wasm32 (bit-identical to [`scores_scalar`]), the scalar twin elsewhere.
pub fn scores(q: &[f32], k: &[f32], d: usize, out: &mut [f32]) -> Result<(), KernelError> {
    matmul_nt(true, q, k, d, 1.0 / (d.max(1) as f32).sqrt(), out)
}

/// How a query's scores (or features) become a weight row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// softmax(q·k/√d).
    Softmax,
    /// Selective / temperature softmax: softmax(β·q·k/√d) with a per-query β.
    Selective {
        /// The query's inverse temperature.
        beta: f32,
    },
    /// σ(q·k/√d − ln n), not normalised (Ramapuram et al. 2024).
    Sigmoid,
    /// ReLU(q·k/√d)/n, not normalised (Wortsman et al. 2023).
    ReluSeqlen,
    /// Softplus of length-scaled cosines, l1-normalised (LSSA).
    Lssa,
    /// LSSA re-weighted: ReLU(a·n − 1)^p, normalised (LSSAR).
    Lssar {
        /// The sharpening power.
        power: f32,
    },
    /// Linear attention with φ = elu + 1.
    LinearElu,
    /// Linear attention with φ = ReLU.
    LinearRelu,
    /// MALA, paper form: w = (1 + 1/Z)·s − Z/n with s = φ(q)·φ(k), ReLU kernel.
    MalaPaper,
    /// MALA, code form: the paper form on s·d^(−1/2)/n.
    MalaCode,
    /// NaLaFormer, released-code form: norm-dependent power of the query's direction, cubed keys.
    NaLa,
    /// SOFT's Gaussian kernel exp(−‖q − k‖²/(2√d)), not normalised.
    SoftGaussian,
    /// StableMax of the scores.
    StableMax,
    /// Entmax-1.5 of the scores.
    Entmax15,
}

impl Method {
    /// Every method, with the parameters the fixtures use (β = 2, LSSAR power 15).
    pub const ALL: [Method; 14] = [
        Method::Softmax,
        Method::Selective { beta: 2.0 },
        Method::Sigmoid,
        Method::ReluSeqlen,
        Method::Lssa,
        Method::Lssar { power: 15.0 },
        Method::LinearElu,
        Method::LinearRelu,
        Method::MalaPaper,
        Method::MalaCode,
        Method::NaLa,
        Method::SoftGaussian,
        Method::StableMax,
        Method::Entmax15,
    ];

    /// Whether the rows do not depend on the query-norm scale c > 0, so that a lab can keep them while c moves:
    /// ReLU-linear attention (φ(cq) = cφ(q) cancels in the normalisation) and LSSA/LSSAR (functions of the
    /// cosines).
    pub fn scale_invariant(self) -> bool {
        matches!(self, Method::LinearRelu | Method::Lssa | Method::Lssar { .. })
    }
}

/// Which caveat a row carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// Non-negative and sums to 1.
    Distribution,
    /// Non-negative but not normalised (sigmoid, ReLU/seqlen, SOFT).
    Unnormalised,
    /// Sums to 1 but has negative entries (MALA).
    Negative,
}

fn relu(v: f64) -> f64 {
    v.max(0.0)
}

fn elu_plus_one(v: f64) -> f64 {
    if v > 0.0 {
        v + 1.0
    } else {
        v.exp()
    }
}

fn norm(v: &[f32]) -> f64 {
    v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt()
}

fn dot64(a: &[f32], b: &[f32], f: impl Fn(f64) -> f64) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| f(f64::from(x)) * f(f64::from(y))).sum()
}

fn normalise_into(w: &[f64], out: &mut [f32]) {
    let sum: f64 = w.iter().sum();
    for (o, w) in out.iter_mut().zip(w) {
        *o = if sum > 0.0 { (w / sum) as f32 } else { f32::NAN };
    }
}

fn softmax_into(s: &[f64], out: &mut [f32]) {
    let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = s.iter().map(|v| (v - m).exp()).collect();
    normalise_into(&e, out);
}

/// The weight row of one query `q` (length d) over `keys` (n × d, row-major) by `method`, written to `out` (n).
///
/// Errors: d = 0 or no keys ([`KernelError::Empty`]), lengths that do not match ([`KernelError::Shape`] /
/// [`KernelError::LengthMismatch`]). NaN in `q` or `keys` gives a NaN row. A zero-norm query gives the uniform row
/// for the cosine-based methods (LSSA, LSSAR, NaLaFormer), whose direction is then undefined.
pub fn weights(method: Method, q: &[f32], keys: &[f32], out: &mut [f32]) -> Result<RowKind, KernelError> {
    let d = q.len();
    let (_, n) = check_shapes(q.len(), keys.len(), d.max(1))?;
    if d == 0 {
        return Err(KernelError::Empty);
    }
    if out.len() != n {
        return Err(KernelError::LengthMismatch { input: n, output: out.len() });
    }
    let kind = match method {
        Method::Sigmoid | Method::ReluSeqlen | Method::SoftGaussian => RowKind::Unnormalised,
        Method::MalaPaper | Method::MalaCode => RowKind::Negative,
        _ => RowKind::Distribution,
    };
    if q.iter().chain(keys).any(|v| v.is_nan()) {
        out.fill(f32::NAN);
        return Ok(kind);
    }
    let ks: Vec<&[f32]> = keys.chunks_exact(d).collect();
    let inv_sqrt_d = 1.0 / (d as f64).sqrt();
    let score = |k: &[f32]| dot64(q, k, |x| x) * inv_sqrt_d;
    let nf = n as f64;
    let q_norm = norm(q);
    match method {
        Method::Softmax => softmax_into(&ks.iter().map(|k| score(k)).collect::<Vec<_>>(), out),
        Method::Selective { beta } => {
            softmax_into(&ks.iter().map(|k| f64::from(beta) * score(k)).collect::<Vec<_>>(), out)
        }
        Method::Sigmoid => {
            for (o, k) in out.iter_mut().zip(&ks) {
                *o = (1.0 / (1.0 + (-(score(k) - nf.ln())).exp())) as f32;
            }
        }
        Method::ReluSeqlen => {
            for (o, k) in out.iter_mut().zip(&ks) {
                *o = (relu(score(k)) / nf) as f32;
            }
        }
        Method::Lssa | Method::Lssar { .. } => {
            if q_norm == 0.0 {
                out.fill((1.0 / nf) as f32);
                return Ok(kind);
            }
            let length_scale = (d as f64).ln() * nf.ln();
            let a: Vec<f64> = ks
                .iter()
                .map(|k| {
                    let k_norm = norm(k);
                    let cosine = if k_norm == 0.0 { 0.0 } else { dot64(q, k, |x| x) / (q_norm * k_norm) };
                    softplus(length_scale * cosine)
                })
                .collect();
            let total: f64 = a.iter().sum();
            let a: Vec<f64> = a.iter().map(|v| v / total).collect();
            if let Method::Lssar { power } = method {
                let r: Vec<f64> = a.iter().map(|v| relu(v * nf - 1.0).powf(f64::from(power))).collect();
                normalise_into(&r, out);
            } else {
                normalise_into(&a, out);
            }
        }
        Method::LinearElu => normalise_into(&ks.iter().map(|k| dot64(q, k, elu_plus_one)).collect::<Vec<_>>(), out),
        Method::LinearRelu => normalise_into(&ks.iter().map(|k| dot64(q, k, relu)).collect::<Vec<_>>(), out),
        Method::MalaPaper | Method::MalaCode => {
            let factor = if method == Method::MalaCode { inv_sqrt_d / nf } else { 1.0 };
            let s: Vec<f64> = ks.iter().map(|k| dot64(q, k, relu) * factor).collect();
            let z: f64 = s.iter().sum();
            for (o, s) in out.iter_mut().zip(&s) {
                *o = if z > 0.0 { ((1.0 + 1.0 / z) * s - z / nf) as f32 } else { (1.0 / nf) as f32 };
            }
        }
        Method::NaLa => {
            if q_norm == 0.0 {
                out.fill((1.0 / nf) as f32);
                return Ok(kind);
            }
            let p = 3.0 * (0.5 + q_norm.tanh());
            let phi_q: Vec<(f64, f64)> = q
                .iter()
                .map(|&v| {
                    let v = f64::from(v) / q_norm;
                    (relu(v).powf(p), relu(-v).powf(p))
                })
                .collect();
            let w: Vec<f64> = ks
                .iter()
                .map(|k| {
                    phi_q
                        .iter()
                        .zip(k.iter())
                        .map(|(&(pos, neg), &kv)| {
                            let cube = f64::from(kv).powi(3);
                            pos * relu(cube) + neg * relu(-cube)
                        })
                        .sum::<f64>()
                })
                .collect();
            let total: f64 = w.iter().sum::<f64>() + 1e-6;
            for (o, w) in out.iter_mut().zip(&w) {
                *o = (w / total) as f32;
            }
        }
        Method::SoftGaussian => {
            let width = 2.0 * (d as f64).sqrt();
            for (o, k) in out.iter_mut().zip(&ks) {
                let dist2: f64 = q.iter().zip(k.iter()).map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2)).sum();
                *o = (-dist2 / width).exp() as f32;
            }
        }
        Method::StableMax => normalise_into(&ks.iter().map(|k| stablemax_s(score(k))).collect::<Vec<_>>(), out),
        Method::Entmax15 => {
            let s: Vec<f32> = ks.iter().map(|k| score(k) as f32).collect();
            entmax15(&s, out)?;
        }
    }
    Ok(kind)
}

/// Summary of one weight row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowMeasures {
    /// Entropy in nats (zeros skipped); of |w|/Σ|w| for flagged rows.
    pub entropy: f64,
    /// exp(entropy).
    pub effective_support: f64,
    /// The sum of the `top_k` largest weights.
    pub top_k_mass: f64,
    /// The row's sum.
    pub sum: f64,
}

/// `ln x` for positive normal `x`: x = 2ᵉ·m with m in [√½, √2), then ln m = 2·atanh(f/(2 + f)), f = m − 1, by
/// five terms of the series (|s| ≤ 0.172, so the next term is below f32 resolution). Within a few ULP of f32, in
/// operations that SIMD128 repeats lane by lane in the same order.
#[inline]
fn ln_scalar(x: f32) -> f32 {
    let bits = x.to_bits();
    let mut e = (bits >> 23) as i32 - 127;
    let mut m = f32::from_bits((bits & 0x007F_FFFF) | 0x3F80_0000);
    if m > core::f32::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let s2 = s * s;
    let series = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0))));
    e as f32 * core::f32::consts::LN_2 + (2.0 * s) * series
}

/// |v|·ln|v|: 0 for zeros and subnormals (whose terms are below 1e-36), NaN for NaN.
#[inline]
fn abs_x_ln_x_scalar(v: f32) -> f32 {
    let a = v.abs();
    if a >= f32::MIN_POSITIVE || a.is_nan() {
        a * ln_scalar(a)
    } else {
        0.0
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn abs_x_ln_x_simd(v: core::arch::wasm32::v128) -> core::arch::wasm32::v128 {
    use core::arch::wasm32::*;
    let a = f32x4_abs(v);
    let mut e = i32x4_sub(u32x4_shr(a, 23), i32x4_splat(127));
    let m = v128_or(v128_and(a, i32x4_splat(0x007F_FFFF)), i32x4_splat(0x3F80_0000));
    let big = f32x4_gt(m, f32x4_splat(core::f32::consts::SQRT_2));
    let m = v128_bitselect(f32x4_mul(m, f32x4_splat(0.5)), m, big);
    // `big` lanes are all ones, i.e. −1.
    e = i32x4_sub(e, big);
    let f = f32x4_sub(m, f32x4_splat(1.0));
    let s = f32x4_div(f, f32x4_add(f32x4_splat(2.0), f));
    let s2 = f32x4_mul(s, s);
    let term = |c: f32, rest: v128| f32x4_add(f32x4_splat(c), f32x4_mul(s2, rest));
    let series = term(1.0, term(1.0 / 3.0, term(1.0 / 5.0, term(1.0 / 7.0, f32x4_splat(1.0 / 9.0)))));
    let ln = f32x4_add(
        f32x4_mul(f32x4_convert_i32x4(e), f32x4_splat(core::f32::consts::LN_2)),
        f32x4_mul(f32x4_mul(f32x4_splat(2.0), s), series),
    );
    let keep = v128_or(f32x4_ge(a, f32x4_splat(f32::MIN_POSITIVE)), f32x4_ne(a, a));
    v128_and(f32x4_mul(a, ln), keep)
}

/// The terms [`measures`] sums over a row.
#[derive(Clone, Copy)]
enum Term {
    Value,
    Abs,
    AbsXLnX,
}

/// `sum(term)` is Σ term(w) over the row in the blocked order of the softmax kernels; `largest` the largest
/// weight (NaN ignored).
fn measures_with(row: &[f32], top_k: usize, sum: impl Fn(Term) -> f64, largest: impl Fn() -> f32) -> RowMeasures {
    let abs_sum = sum(Term::Abs);
    // H(|w|/A) = ln A − Σ|w|·ln|w| / A: one logarithm per weight, none per division.
    let entropy = if abs_sum == 0.0 { 0.0 } else { abs_sum.ln() - sum(Term::AbsXLnX) / abs_sum };
    // Whole heatmaps are summarised on every redraw: the largest weight without a copy, else a partial selection.
    let top_k_mass = if top_k == 1 {
        f64::from(largest())
    } else {
        let mut sorted: Vec<f64> = row.iter().map(|&v| f64::from(v)).collect();
        if top_k > 0 && top_k < sorted.len() {
            sorted.select_nth_unstable_by(top_k - 1, |a, b| b.total_cmp(a));
        }
        sorted.iter().take(top_k).sum()
    };
    RowMeasures { entropy, effective_support: entropy.exp(), top_k_mass, sum: sum(Term::Value) }
}

/// The larger of `kept` and `v`, ignoring a NaN `v`; exact, so any order of a row gives the same maximum.
#[inline]
fn larger(kept: f32, v: f32) -> f32 {
    if v > kept {
        v
    } else {
        kept
    }
}

/// Entropy, effective support, top-k mass and sum of a row; a NaN weight makes the entropy and the sum NaN (the
/// top-1 mass skips it). Sums are SIMD128 on wasm32, in f32 summed in blocks to f64 (about 1e-7 relative); the
/// scalar twin is [`measures_scalar`], bit-identical.
#[inline(never)]
pub fn measures(row: &[f32], top_k: usize) -> RowMeasures {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use crate::softmax::blocked_sum_simd;
        use core::arch::wasm32::*;
        // SAFETY: the blocked sum and the loop below ask for i..i + 4 within the row only.
        let load = |i: usize| unsafe { v128_load(row.as_ptr().add(i).cast()) };
        let sum = |term| match term {
            Term::Value => blocked_sum_simd(row.len(), load, |i| row[i]),
            Term::Abs => blocked_sum_simd(row.len(), |i| f32x4_abs(load(i)), |i| row[i].abs()),
            Term::AbsXLnX => blocked_sum_simd(row.len(), |i| abs_x_ln_x_simd(load(i)), |i| abs_x_ln_x_scalar(row[i])),
        };
        let largest = || {
            let full = row.len() / 4 * 4;
            let mut top = f32x4_splat(f32::NEG_INFINITY);
            for i in (0..full).step_by(4) {
                let v = load(i);
                top = v128_bitselect(v, top, f32x4_gt(v, top));
            }
            let lanes = [
                f32x4_extract_lane::<0>(top),
                f32x4_extract_lane::<1>(top),
                f32x4_extract_lane::<2>(top),
                f32x4_extract_lane::<3>(top),
            ];
            lanes.into_iter().chain(row[full..].iter().copied()).fold(f32::NEG_INFINITY, larger)
        };
        measures_with(row, top_k, sum, largest)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        measures_scalar(row, top_k)
    }
}

/// The scalar twin of [`measures`].
pub fn measures_scalar(row: &[f32], top_k: usize) -> RowMeasures {
    use crate::softmax::blocked_sum_scalar;
    let sum = |term| match term {
        Term::Value => blocked_sum_scalar(row.len(), |i| row[i]),
        Term::Abs => blocked_sum_scalar(row.len(), |i| row[i].abs()),
        Term::AbsXLnX => blocked_sum_scalar(row.len(), |i| abs_x_ln_x_scalar(row[i])),
    };
    measures_with(row, top_k, sum, || row.iter().copied().fold(f32::NEG_INFINITY, larger))
}
