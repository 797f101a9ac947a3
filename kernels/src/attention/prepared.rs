//! Weight rows of whole scenes, fast enough to redraw on every slider step.
//!
//! [`Prepared`] computes `QKᵀ/√d` once (and each method's key-side features the first time a method needs them);
//! a change of query-norm scale c then only rescales cached scores: softmax, sigmoid, ReLU, StableMax and
//! entmax-1.5 rows are row transforms of `c·s`, ReLU-linear and MALA rows of `c·φ(q)·φ(k)`, LSSA of the cosines
//! (which do not depend on c) and SOFT of `c²‖q‖² + ‖k‖² − 2c·√d·s`. Only elu + 1 and NaLaFormer, whose query
//! features are not homogeneous in c, take a matrix product per scale (every query's features times the keys').
//! Rows match [`super::weights`], the f64 reference, to f32 rounding.

use super::{check_shapes, matmul_nt, Method, RowKind};
use crate::alternatives::{
    entmax15, entmax15_scalar, sigmoid, sigmoid_scalar, softplus_normalised, softplus_normalised_scalar, stablemax,
    stablemax_scalar,
};
use crate::error::KernelError;
use crate::exp::{exp_neg, exp_neg_scalar_slice};
use crate::gemm::{gemm, gemm_scalar, Lhs};
use crate::softmax::{softmax, softmax_scalar, Algorithm};
use std::sync::OnceLock;

/// A scene's queries and keys with their scores and norms, ready to give weight rows at any query scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    d: usize,
    n_queries: usize,
    n_keys: usize,
    queries: Vec<f32>,
    keys: Vec<f32>,
    scores: Vec<f32>,
    query_norms: Vec<f64>,
    key_norms: Vec<f64>,
    has_nan: bool,
    simd: bool,
    relu_scores: OnceLock<Vec<f32>>,
    /// elu(K) + 1, transposed (d × n).
    elu_keys: OnceLock<Vec<f32>>,
    /// [ReLU(K³), ReLU(−K³)], transposed (2d × n).
    nala_keys: OnceLock<Vec<f32>>,
    /// ln|q̂| of every query component (m × d, −∞ for zeros).
    nala_logs: OnceLock<Vec<f32>>,
}

fn norms(rows: &[f32], d: usize) -> Vec<f64> {
    rows.chunks_exact(d).map(super::norm).collect()
}

/// Σ row in the blocked order of the softmax kernels (f32 blocks summed in f64): with SIMD128 when the scene was
/// prepared with it, else the bit-identical scalar twin.
fn row_sum(simd: bool, row: &[f32]) -> f64 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if simd {
        // SAFETY: the blocked sum asks for i..i + 4 within the row only.
        let load = |i: usize| unsafe { core::arch::wasm32::v128_load(row.as_ptr().add(i).cast()) };
        return crate::softmax::blocked_sum_simd(row.len(), load, |i| row[i]);
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let _ = simd;
    crate::softmax::blocked_sum_scalar(row.len(), |i| row[i])
}

/// `row /= Σ row + extra`, rounding once from f64; a row without positive mass becomes NaN, as in the reference.
fn normalise(simd: bool, row: &mut [f32], extra: f64) {
    let sum = row_sum(simd, row) + extra;
    let scale = 1.0 / sum;
    for v in row.iter_mut() {
        *v = if sum > 0.0 { (f64::from(*v) * scale) as f32 } else { f32::NAN };
    }
}

type RowKernel = fn(&[f32], &mut [f32]) -> Result<(), KernelError>;
type SoftmaxKernel = fn(&[f32], &mut [f32], Algorithm) -> Result<(), KernelError>;
type SigmoidKernel = fn(&[f32], f32, &mut [f32]) -> Result<(), KernelError>;
type GemmKernel = fn(Lhs<'_>, &[f32], usize, usize, usize, &mut [f32]) -> Result<(), KernelError>;

/// The SIMD128 kernel when the scene was prepared with them, else its scalar twin.
fn pick<K>(simd: bool, fast: K, twin: K) -> K {
    if simd {
        fast
    } else {
        twin
    }
}

/// `tmp = factor · s`, the scores at a query scale.
fn scaled<'a>(tmp: &'a mut [f32], s: &[f32], factor: f32) -> &'a [f32] {
    tmp.iter_mut().zip(s).for_each(|(t, &v)| *t = v * factor);
    tmp
}

fn elu_plus_one(v: f32) -> f32 {
    if v > 0.0 {
        v + 1.0
    } else {
        v.exp()
    }
}

impl Prepared {
    /// Prepares queries (m × d) and keys (n × d) with the SIMD128 kernels (on wasm32).
    ///
    /// Errors: d = 0 or no queries or keys ([`KernelError::Empty`]), lengths not a multiple of d
    /// ([`KernelError::Shape`]).
    pub fn new(queries: &[f32], keys: &[f32], d: usize) -> Result<Self, KernelError> {
        Self::with(true, queries, keys, d)
    }

    /// [`Prepared::new`] with the scalar twins of every kernel.
    pub fn new_scalar(queries: &[f32], keys: &[f32], d: usize) -> Result<Self, KernelError> {
        Self::with(false, queries, keys, d)
    }

    fn with(simd: bool, queries: &[f32], keys: &[f32], d: usize) -> Result<Self, KernelError> {
        let (n_queries, n_keys) = check_shapes(queries.len(), keys.len(), d)?;
        let mut scores = vec![0.0; n_queries * n_keys];
        matmul_nt(simd, queries, keys, d, 1.0 / (d as f32).sqrt(), &mut scores)?;
        Ok(Self {
            d,
            n_queries,
            n_keys,
            queries: queries.to_vec(),
            keys: keys.to_vec(),
            scores,
            query_norms: norms(queries, d),
            key_norms: norms(keys, d),
            has_nan: queries.iter().chain(keys).any(|v| v.is_nan()),
            simd,
            relu_scores: OnceLock::new(),
            elu_keys: OnceLock::new(),
            nala_keys: OnceLock::new(),
            nala_logs: OnceLock::new(),
        })
    }

    /// Number of queries.
    pub fn queries(&self) -> usize {
        self.n_queries
    }

    /// Number of keys.
    pub fn keys(&self) -> usize {
        self.n_keys
    }

    /// The score `q_i · k_j / √d` at unit query scale; NaN outside the scene.
    pub fn score(&self, i: usize, j: usize) -> f32 {
        if i < self.n_queries && j < self.n_keys {
            self.scores[i * self.n_keys + j]
        } else {
            f32::NAN
        }
    }

    fn relu_scores(&self) -> &[f32] {
        self.relu_scores.get_or_init(|| {
            let relu = |m: &[f32]| m.iter().map(|v| v.max(0.0)).collect::<Vec<_>>();
            let mut out = vec![0.0; self.n_queries * self.n_keys];
            // Shapes were checked when the scene was prepared.
            let _ = matmul_nt(self.simd, &relu(&self.queries), &relu(&self.keys), self.d, 1.0, &mut out);
            out
        })
    }

    /// `features(k, out)` writes key k's feature vector (length `width`) to `out`; the result is their matrix
    /// transposed, width × n, the right factor of one product with every query's features.
    fn transposed_features(&self, width: usize, features: impl Fn(&[f32], &mut [f32])) -> Vec<f32> {
        // PERF: keys are featurised a block at a time and written out in runs of the block's length; one key at a
        // time, every write lands `n` floats from the last, and 4096 keys × 512 features took 20 ms in cache misses.
        const KEYS: usize = 64;
        let n = self.n_keys;
        let mut out = vec![0.0; width * n];
        let mut block = vec![0.0; KEYS * width];
        for (b, keys) in self.keys.chunks(KEYS * self.d).enumerate() {
            let count = keys.len() / self.d;
            for (k, f) in keys.chunks_exact(self.d).zip(block.chunks_exact_mut(width)) {
                features(k, f);
            }
            for (t, run) in out.chunks_exact_mut(n).enumerate() {
                for (j, o) in run[b * KEYS..b * KEYS + count].iter_mut().enumerate() {
                    *o = block[j * width + t];
                }
            }
        }
        out
    }

    fn elu_keys(&self) -> &[f32] {
        self.elu_keys.get_or_init(|| {
            self.transposed_features(self.d, |k, out| out.iter_mut().zip(k).for_each(|(o, &v)| *o = elu_plus_one(v)))
        })
    }

    /// Each key as [ReLU(k³), ReLU(−k³)], so that NaLaFormer's two-signed feature product is one dot product.
    fn nala_keys(&self) -> &[f32] {
        self.nala_keys.get_or_init(|| {
            self.transposed_features(2 * self.d, |k, out| {
                let (positive, negative) = out.split_at_mut(k.len());
                for ((p, m), &v) in positive.iter_mut().zip(negative).zip(k) {
                    let cube = f64::from(v).powi(3);
                    (*p, *m) = (cube.max(0.0) as f32, (-cube).max(0.0) as f32);
                }
            })
        })
    }

    /// ln|q̂_t| of every query component: NaLaFormer's powers |q̂_t|ᵖ at a new scale are then exponentials, which
    /// SIMD128 computes four at a time, instead of f64 powers (a zero-norm query's logarithms are never used).
    fn nala_logs(&self) -> &[f32] {
        self.nala_logs.get_or_init(|| {
            let rows = self.queries.chunks_exact(self.d).zip(&self.query_norms);
            rows.flat_map(|(q, &norm)| q.iter().map(move |&v| (f64::from(v).abs() / norm).ln() as f32)).collect()
        })
    }

    /// Every query's features at scale c for the feature-map methods, row-major: elu(c·q) + 1, or NaLaFormer's
    /// [ReLU(q̂)ᵖ, ReLU(−q̂)ᵖ] with p = 3(½ + tanh(c‖q‖)) (zeros for a zero-norm query, whose row is uniform).
    fn query_features(&self, method: Method, c: f32, features: &mut [f32]) -> Result<(), KernelError> {
        let d = self.d;
        let queries = self.queries.chunks_exact(d);
        if method == Method::LinearElu {
            for (f, q) in features.chunks_exact_mut(d).zip(queries) {
                f.iter_mut().zip(q).for_each(|(o, &v)| *o = elu_plus_one(v * c));
            }
            return Ok(());
        }
        let exp = pick::<RowKernel>(self.simd, exp_neg, exp_neg_scalar_slice);
        let (mut exponents, mut powers) = (vec![0.0f32; d], vec![0.0f32; d]);
        for ((f, q), (logs, &norm)) in
            features.chunks_exact_mut(2 * d).zip(queries).zip(self.nala_logs().chunks_exact(d).zip(&self.query_norms))
        {
            f.fill(0.0);
            if norm == 0.0 {
                continue;
            }
            let p = (3.0 * (0.5 + (norm * f64::from(c)).tanh())) as f32;
            exponents.iter_mut().zip(logs).for_each(|(e, &l)| *e = p * l);
            exp(&exponents, &mut powers)?;
            for (t, (&v, &power)) in q.iter().zip(&powers).enumerate() {
                // Only one of ReLU(q̂_t)ᵖ and ReLU(−q̂_t)ᵖ can be non-zero.
                f[if v < 0.0 { d + t } else { t }] = power;
            }
        }
        Ok(())
    }

    /// The feature-map methods' rows: every query's features times the keys' in one matrix product.
    fn feature_rows(&self, method: Method, c: f32, rows: usize, out: &mut [f32]) -> Result<(), KernelError> {
        let (n, width) = (self.n_keys, if method == Method::NaLa { 2 * self.d } else { self.d });
        let keys = if method == Method::NaLa { self.nala_keys() } else { self.elu_keys() };
        let mut features = vec![0.0f32; rows * width];
        self.query_features(method, c, &mut features)?;
        pick::<GemmKernel>(self.simd, gemm, gemm_scalar)(Lhs::rows(&features, width), keys, rows, width, n, out)?;
        for (i, row) in out.chunks_exact_mut(n).enumerate() {
            if method == Method::LinearElu {
                normalise(self.simd, row, 0.0);
            } else if self.query_norms[i] * f64::from(c) == 0.0 {
                row.fill((1.0 / n as f64) as f32);
            } else {
                // NaLaFormer's released code adds 1e-6 to the denominator.
                normalise(self.simd, row, 1e-6);
            }
        }
        Ok(())
    }

    /// The rows of the first `rows` queries scaled by `scale`, written row-major to `out` (rows × keys).
    ///
    /// Errors: more rows than queries, or `out` of the wrong length ([`KernelError::LengthMismatch`]). NaN anywhere
    /// in the scene gives NaN rows; a zero-norm query gives the uniform row for LSSA, LSSAR and NaLaFormer.
    #[inline(never)]
    pub fn rows(&self, method: Method, scale: f32, rows: usize, out: &mut [f32]) -> Result<RowKind, KernelError> {
        let n = self.n_keys;
        if rows > self.n_queries || out.len() != rows * n {
            return Err(KernelError::LengthMismatch { input: rows.min(self.n_queries) * n, output: out.len() });
        }
        let kind = match method {
            Method::Sigmoid | Method::ReluSeqlen | Method::SoftGaussian => RowKind::Unnormalised,
            Method::MalaPaper | Method::MalaCode => RowKind::Negative,
            _ => RowKind::Distribution,
        };
        if self.has_nan {
            out.fill(f32::NAN);
            return Ok(kind);
        }
        if matches!(method, Method::LinearElu | Method::NaLa) {
            self.feature_rows(method, scale, rows, out)?;
            return Ok(kind);
        }
        let mut scratch = vec![0.0f32; n];
        for (i, row) in out.chunks_exact_mut(n).enumerate() {
            self.row(method, scale, i, &mut scratch, row)?;
        }
        Ok(kind)
    }

    fn row(&self, method: Method, c: f32, i: usize, scratch: &mut [f32], out: &mut [f32]) -> Result<(), KernelError> {
        let (n, d, simd) = (self.n_keys, self.d, self.simd);
        let nf = n as f64;
        let s = &self.scores[i * n..(i + 1) * n];
        let q_norm = self.query_norms[i] * f64::from(c);
        match method {
            Method::Softmax | Method::Selective { .. } => {
                let beta = if let Method::Selective { beta } = method { beta } else { 1.0 };
                let x = scaled(&mut scratch[..n], s, c * beta);
                pick::<SoftmaxKernel>(simd, softmax, softmax_scalar)(x, out, Algorithm::ThreePassReload)
            }
            Method::Sigmoid => {
                let (x, bias) = (scaled(&mut scratch[..n], s, c), -(nf.ln() as f32));
                pick::<SigmoidKernel>(simd, sigmoid, sigmoid_scalar)(x, bias, out)
            }
            Method::ReluSeqlen => {
                out.iter_mut().zip(s).for_each(|(o, &v)| *o = ((f64::from(v * c)).max(0.0) / nf) as f32);
                Ok(())
            }
            Method::StableMax => {
                pick::<RowKernel>(simd, stablemax, stablemax_scalar)(scaled(&mut scratch[..n], s, c), out)
            }
            Method::Entmax15 => {
                pick::<RowKernel>(simd, entmax15, entmax15_scalar)(scaled(&mut scratch[..n], s, c), out)
            }
            Method::Lssa | Method::Lssar { .. } => {
                if q_norm == 0.0 {
                    out.fill((1.0 / nf) as f32);
                    return Ok(());
                }
                let tmp = &mut scratch[..n];
                let length_scale = (d as f64).ln() * nf.ln();
                let sqrt_d = (d as f64).sqrt();
                for ((t, &v), &k_norm) in tmp.iter_mut().zip(s).zip(&self.key_norms) {
                    let cosine =
                        if k_norm == 0.0 { 0.0 } else { f64::from(v) * sqrt_d / (self.query_norms[i] * k_norm) };
                    *t = (length_scale * cosine) as f32;
                }
                pick::<RowKernel>(simd, softplus_normalised, softplus_normalised_scalar)(tmp, out)?;
                if let Method::Lssar { power } = method {
                    let p = f64::from(power);
                    out.iter_mut().for_each(|w| *w = (f64::from(*w) * nf - 1.0).max(0.0).powf(p) as f32);
                    normalise(simd, out, 0.0);
                }
                Ok(())
            }
            Method::LinearRelu => {
                out.copy_from_slice(&self.relu_scores()[i * n..(i + 1) * n]);
                normalise(simd, out, 0.0);
                Ok(())
            }
            Method::MalaPaper | Method::MalaCode => {
                let factor =
                    f64::from(c) * if method == Method::MalaCode { 1.0 / ((d as f64).sqrt() * nf) } else { 1.0 };
                let r = &self.relu_scores()[i * n..(i + 1) * n];
                let z = row_sum(simd, r) * factor;
                if z > 0.0 {
                    let (slope, shift) = ((1.0 + 1.0 / z) * factor, z / nf);
                    out.iter_mut().zip(r).for_each(|(o, &v)| *o = (slope * f64::from(v) - shift) as f32);
                } else {
                    out.fill((1.0 / nf) as f32);
                }
                Ok(())
            }
            // Every row at once, in `feature_rows`.
            Method::LinearElu | Method::NaLa => Ok(()),
            Method::SoftGaussian => {
                let sqrt_d = (d as f32).sqrt();
                let q2 = (q_norm * q_norm) as f32;
                let tmp = &mut scratch[..n];
                for ((t, &v), &k_norm) in tmp.iter_mut().zip(s).zip(&self.key_norms) {
                    let dist2 = (q2 + (k_norm * k_norm) as f32 - 2.0 * c * sqrt_d * v).max(0.0);
                    *t = -dist2 / (2.0 * sqrt_d);
                }
                pick::<RowKernel>(simd, exp_neg, exp_neg_scalar_slice)(tmp, out)
            }
        }
    }
}
