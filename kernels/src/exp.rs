//! `exp(x)` for `x ≤ 0` in XNNPACK's rr2_p5 scheme: magic-bias rounding, a two-constant Cody–Waite reduction and a
//! degree-5 minimax polynomial (ALGORITHMS.md §1.5), as a scalar reference and a SIMD128 twin.
//!
//! Numerics, identical in both twins (the SIMD128 kernel is tested bit for bit against the scalar one):
//! - `x` in [−87.336 54, 0]: at most 2.5 ULP from the correctly rounded result (the exhaustive native test measures
//!   ≈ 2.2); `exp(0) = exp(−0) = 1` exactly.
//! - `x < −87.336 54` (where `exp` would be subnormal) and `x = −∞`: `+0`, since subnormal results are flushed.
//! - `x > 0` lies outside the kernel's domain (softmax subtracts the maximum first): it saturates to `exp(0) = 1`
//!   instead of wrapping the exponent field.
//! - NaN in, NaN out.

use crate::error::{check_elementwise, KernelError};

// Constants are written as bit patterns so both twins use the exact same f32 values.
/// 1.5·2²³ + 127: adding it rounds to an integer and leaves that integer + 127 (the exponent bias) in the low bits.
const MAGIC_BIAS: f32 = f32::from_bits(0x4B40_007F); // 0x1.8000FEp23
pub(crate) const LOG2E: f32 = f32::from_bits(0x3FB8_AA3B); // 0x1.715476p0
/// ln 2 split in two; the high part has seven trailing zero bits so that `n·LN2_HI` is exact for |n| ≤ 127.
const LN2_HI: f32 = f32::from_bits(0x3F31_7200); // 0x1.62E400p-1
const LN2_LO: f32 = f32::from_bits(0x35BF_BE8E); // 0x1.7F7D1Cp-20
                                                 // Minimax coefficients of (exp(t) − 1)/t on [−ln2/2, ln2/2], from XNNPACK src/math/f32-expminus-scalar-rr2-p5.c.
pub(crate) const C1: f32 = f32::from_bits(0x3F7F_FFFB); // 0x1.FFFFF6p-1
pub(crate) const C2: f32 = f32::from_bits(0x3EFF_FEE3); // 0x1.FFFDC6p-2
pub(crate) const C3: f32 = f32::from_bits(0x3E2A_AD40); // 0x1.555A80p-3
pub(crate) const C4: f32 = f32::from_bits(0x3D2B_9D0D); // 0x1.573A1Ap-5
pub(crate) const C5: f32 = f32::from_bits(0x3C07_CFCE); // 0x1.0F9F9Cp-7
/// The smallest `x` whose `exp(x)` is a normal f32; below it the result is flushed to zero.
pub const DENORMAL_CUTOFF: f32 = f32::from_bits(0xC2AE_AC4F); // −0x1.5D589Ep6 = −87.336 54

/// `exp(x)` for one `x ≤ 0`, the scalar reference of [`exp_neg`]. See the module docs for the numerics.
#[inline]
pub fn exp_neg_scalar(x: f32) -> f32 {
    // NOTE: `x > 0.0` is false for NaN, so NaN flows through to the result.
    let x = if x > 0.0 { 0.0 } else { x };
    exp_neg_unchecked_scalar(x)
}

/// The rr2_p5 core without the clamp at 0, for callers that already guarantee `x ≤ 0` (or NaN).
#[inline]
pub(crate) fn exp_neg_unchecked_scalar(x: f32) -> f32 {
    // Each `a * b + c` is a separate multiply and add, as in the non-FMA SIMD128 kernel, to stay bit-identical.
    let n = x * LOG2E + MAGIC_BIAS;
    let s = f32::from_bits(n.to_bits() << 23);
    let n = n - MAGIC_BIAS;
    let t = n * -LN2_HI + x;
    let t = n * -LN2_LO + t;
    let p = C5 * t + C4;
    let p = p * t + C3;
    let p = p * t + C2;
    let p = p * t + C1;
    let t = t * s;
    let f = t * p + s;
    if x < DENORMAL_CUTOFF {
        0.0
    } else {
        f
    }
}

/// `exp(x − m)` for `x ≤ m`, with the rounding error of the subtraction compensated.
///
/// NOTE: `x − m` in f32 can be off by half an ULP of the difference (≈ 1.9e-6 for differences near −40), which
/// `exp` turns into the same relative error: more than the kernel's own 2.5 ULP. TwoSum recovers the exact error
/// `lo` of the subtraction and `exp(s + lo) ≈ exp(s)·(1 + lo)` restores it, at the price of eight flops.
#[inline]
pub(crate) fn exp_diff_scalar(x: f32, m: f32) -> f32 {
    let s = x - m;
    let f = exp_neg_unchecked_scalar(s);
    if s == f32::NEG_INFINITY {
        return f;
    }
    let bb = s - x;
    let aa = s - bb;
    let lo = (x - aa) + (-m - bb);
    f * lo + f
}

/// Scalar twin of [`exp_neg`]: `output[i] = exp(input[i])` for `input[i] ≤ 0`.
pub fn exp_neg_scalar_slice(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    check_elementwise(input, output)?;
    for (y, &x) in output.iter_mut().zip(input) {
        *y = exp_neg_scalar(x);
    }
    Ok(())
}

/// `output[i] = exp(input[i])` for `input[i] ≤ 0`: the SIMD128 kernel on wasm32, the scalar twin elsewhere.
pub fn exp_neg(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd128::exp_neg(input, output)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        exp_neg_scalar_slice(input, output)
    }
}

/// The SIMD128 twins, compiled only where the instructions exist.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128 {
    use super::{exp_neg_scalar, C1, C2, C3, C4, C5, DENORMAL_CUTOFF, LN2_HI, LN2_LO, LOG2E, MAGIC_BIAS};
    use crate::error::{check_elementwise, KernelError};
    use core::arch::wasm32::*;

    /// The kernel's constants as vectors, held in locals for the whole loop.
    #[derive(Clone, Copy)]
    pub(crate) struct ExpConstants {
        log2e: v128,
        magic_bias: v128,
        minus_ln2_hi: v128,
        minus_ln2_lo: v128,
        c: [v128; 5],
        cutoff: v128,
        zero: v128,
        neg_inf: v128,
    }

    impl ExpConstants {
        /// PERF: V8 re-materialises every `v128.const` at each use, which costs several instructions apiece inside
        /// the loop. Passing the splats through `black_box` makes them opaque runtime values, so they are built once
        /// per call and stay in registers, as XNNPACK does by loading them from its params struct.
        #[inline(always)]
        pub(crate) fn new() -> Self {
            core::hint::black_box(Self {
                log2e: f32x4_splat(LOG2E),
                magic_bias: f32x4_splat(MAGIC_BIAS),
                minus_ln2_hi: f32x4_splat(-LN2_HI),
                minus_ln2_lo: f32x4_splat(-LN2_LO),
                c: [f32x4_splat(C1), f32x4_splat(C2), f32x4_splat(C3), f32x4_splat(C4), f32x4_splat(C5)],
                cutoff: f32x4_splat(DENORMAL_CUTOFF),
                zero: f32x4_splat(0.0),
                neg_inf: f32x4_splat(f32::NEG_INFINITY),
            })
        }

        /// Four lanes of the rr2_p5 core; `x ≤ 0` or NaN in every lane.
        #[inline(always)]
        pub(crate) fn exp_neg_unchecked(&self, x: v128) -> v128 {
            let n = f32x4_add(f32x4_mul(x, self.log2e), self.magic_bias);
            let s = i32x4_shl(n, 23);
            let n = f32x4_sub(n, self.magic_bias);
            let t = f32x4_add(f32x4_mul(n, self.minus_ln2_hi), x);
            let t = f32x4_add(f32x4_mul(n, self.minus_ln2_lo), t);
            let [c1, c2, c3, c4, c5] = self.c;
            let p = f32x4_add(f32x4_mul(c5, t), c4);
            let p = f32x4_add(f32x4_mul(p, t), c3);
            let p = f32x4_add(f32x4_mul(p, t), c2);
            let p = f32x4_add(f32x4_mul(p, t), c1);
            let t = f32x4_mul(t, s);
            let f = f32x4_add(f32x4_mul(t, p), s);
            v128_andnot(f, f32x4_lt(x, self.cutoff))
        }

        /// Four lanes of [`super::exp_diff_scalar`]: `exp(x − m)` with the subtraction's error compensated.
        #[inline(always)]
        pub(crate) fn exp_diff(&self, x: v128, m: v128) -> v128 {
            let s = f32x4_sub(x, m);
            let f = self.exp_neg_unchecked(s);
            let bb = f32x4_sub(s, x);
            let aa = f32x4_sub(s, bb);
            let lo = f32x4_add(f32x4_sub(x, aa), f32x4_sub(f32x4_neg(m), bb));
            // Where s = −∞ the correction is NaN; the result there is exp(−∞) = 0.
            let lo = v128_andnot(lo, f32x4_eq(s, self.neg_inf));
            f32x4_add(f32x4_mul(f, lo), f)
        }

        /// Four lanes of [`super::exp_neg_scalar`], clamp included.
        #[inline(always)]
        pub(crate) fn exp_neg(&self, x: v128) -> v128 {
            // PERF: pmin is one instruction on every engine, and pmin(NaN, 0) = NaN keeps the NaN policy.
            self.exp_neg_unchecked(f32x4_pmin(x, self.zero))
        }
    }

    /// SIMD128 twin of [`super::exp_neg_scalar_slice`], bit-identical to it.
    pub fn exp_neg(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
        check_elementwise(input, output)?;
        let k = ExpConstants::new();
        // PERF: four independent vectors per iteration hide the latency of the dependent Horner chain. Written out
        // by hand: array `map`/`from_fn` are not inlined at the app's size-optimised level and cost a call each.
        let mut xs = input.chunks_exact(16);
        let mut ys = output.chunks_exact_mut(16);
        for (x, y) in (&mut xs).zip(&mut ys) {
            let p = x.as_ptr() as *const v128;
            let q = y.as_mut_ptr() as *mut v128;
            // SAFETY: each chunk holds exactly four 16-byte vectors; unaligned loads and stores are allowed.
            unsafe {
                let (a, b, c, d) = (
                    p.read_unaligned(),
                    p.add(1).read_unaligned(),
                    p.add(2).read_unaligned(),
                    p.add(3).read_unaligned(),
                );
                let (a, b, c, d) = (k.exp_neg(a), k.exp_neg(b), k.exp_neg(c), k.exp_neg(d));
                q.write_unaligned(a);
                q.add(1).write_unaligned(b);
                q.add(2).write_unaligned(c);
                q.add(3).write_unaligned(d);
            }
        }
        for (y, &x) in ys.into_remainder().iter_mut().zip(xs.remainder()) {
            *y = exp_neg_scalar(x);
        }
        Ok(())
    }
}
