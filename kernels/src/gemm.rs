//! Matrix products `C (m × n) = A · B` where B is row-major k × n and A is read through strides, so that Aᵀ·B
//! (the grokking MLP's weight gradients) needs no transposed copy; attention's feature maps use it too.
//!
//! Every entry is `Σ_s A(r, s)·B(s, j)` summed from 0.0 in order s = 0, 1, …, one rounding per multiply and per
//! add. The SIMD128 kernel keeps each entry in its own lane with exactly that order, so it is bit-identical to the
//! scalar twin: training is deterministic across native and wasm builds.

use crate::error::KernelError;

/// The left factor: `A(r, s) = data[r·row_stride + s·col_stride]`.
#[derive(Debug, Clone, Copy)]
pub struct Lhs<'a> {
    /// The elements.
    pub data: &'a [f32],
    /// Step between rows.
    pub row_stride: usize,
    /// Step between columns.
    pub col_stride: usize,
}

impl<'a> Lhs<'a> {
    /// A row-major m × k matrix.
    pub fn rows(data: &'a [f32], k: usize) -> Self {
        Self { data, row_stride: k, col_stride: 1 }
    }

    /// The transpose of a row-major k × m matrix.
    pub fn transposed(data: &'a [f32], m: usize) -> Self {
        Self { data, row_stride: 1, col_stride: m }
    }

    #[inline]
    fn at(&self, r: usize, s: usize) -> f32 {
        self.data[r * self.row_stride + s * self.col_stride]
    }

    fn fits(&self, m: usize, k: usize) -> bool {
        m == 0 || k == 0 || (m - 1) * self.row_stride + (k - 1) * self.col_stride < self.data.len()
    }
}

fn check(a: &Lhs<'_>, b: &[f32], m: usize, k: usize, n: usize, c: &[f32]) -> Result<(), KernelError> {
    if !a.fits(m, k) {
        return Err(KernelError::LengthMismatch { input: m * k, output: a.data.len() });
    }
    if b.len() != k * n {
        return Err(KernelError::LengthMismatch { input: k * n, output: b.len() });
    }
    if c.len() != m * n {
        return Err(KernelError::LengthMismatch { input: m * n, output: c.len() });
    }
    Ok(())
}

/// `c = A · b`, the scalar twin of [`gemm`]. Errors: slices too short for the shapes.
pub fn gemm_scalar(a: Lhs<'_>, b: &[f32], m: usize, k: usize, n: usize, c: &mut [f32]) -> Result<(), KernelError> {
    check(&a, b, m, k, n, c)?;
    c.fill(0.0);
    for (r, row) in c.chunks_exact_mut(n.max(1)).enumerate().take(m) {
        for s in 0..k {
            let x = a.at(r, s);
            for (o, &y) in row.iter_mut().zip(&b[s * n..(s + 1) * n]) {
                *o += x * y;
            }
        }
    }
    Ok(())
}

/// `c = A · b`: SIMD128 on wasm32 (bit-identical to [`gemm_scalar`]), the scalar twin elsewhere.
pub fn gemm(a: Lhs<'_>, b: &[f32], m: usize, k: usize, n: usize, c: &mut [f32]) -> Result<(), KernelError> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        check(&a, b, m, k, n, c)?;
        simd128::gemm(a, b, m, k, n, c);
        Ok(())
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        gemm_scalar(a, b, m, k, n, c)
    }
}

/// Floating-point operations of one `m × k · k × n` product.
pub fn flops(m: usize, k: usize, n: usize) -> f64 {
    2.0 * m as f64 * k as f64 * n as f64
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use super::Lhs;
    use core::arch::wasm32::*;

    /// Rows of C per register tile.
    const R: usize = 4;
    /// f32x4 vectors of C per register tile row.
    const V: usize = 2;

    /// One tile of `rows ≤ R` rows and `V` vectors starting at column j: 8 accumulators live in registers over the
    /// whole sum.
    #[inline(always)]
    fn tile<const ROWS: usize>(a: &Lhs<'_>, b: &[f32], r0: usize, j: usize, k: usize, n: usize, c: &mut [f32]) {
        let mut acc = [[f32x4_splat(0.0); V]; ROWS];
        for s in 0..k {
            // SAFETY: j + 4·V ≤ n, so both loads lie within row s of b (checked k × n).
            let y: [v128; V] =
                core::array::from_fn(|v| unsafe { v128_load(b.as_ptr().add(s * n + j + 4 * v) as *const v128) });
            for (r, acc) in acc.iter_mut().enumerate() {
                let x = f32x4_splat(a.at(r0 + r, s));
                for v in 0..V {
                    acc[v] = f32x4_add(acc[v], f32x4_mul(x, y[v]));
                }
            }
        }
        for (r, acc) in acc.iter().enumerate() {
            for (v, &value) in acc.iter().enumerate() {
                // SAFETY: row r0 + r < m and j + 4·v + 4 ≤ n within the checked m × n output.
                unsafe { v128_store(c.as_mut_ptr().add((r0 + r) * n + j + 4 * v) as *mut v128, value) };
            }
        }
    }

    fn rows<const ROWS: usize>(a: &Lhs<'_>, b: &[f32], r0: usize, k: usize, n: usize, c: &mut [f32]) {
        let wide = n / (4 * V) * (4 * V);
        let mut j = 0;
        while j < wide {
            tile::<ROWS>(a, b, r0, j, k, n, c);
            j += 4 * V;
        }
        // Columns past the last whole tile: the same per-entry order, one at a time.
        for r in r0..r0 + ROWS {
            for j in wide..n {
                let mut sum = 0.0f32;
                for s in 0..k {
                    sum += a.at(r, s) * b[s * n + j];
                }
                c[r * n + j] = sum;
            }
        }
    }

    pub(super) fn gemm(a: Lhs<'_>, b: &[f32], m: usize, k: usize, n: usize, c: &mut [f32]) {
        let full = m / R * R;
        let mut r = 0;
        while r < full {
            rows::<R>(&a, b, r, k, n, c);
            r += R;
        }
        for r in full..m {
            rows::<1>(&a, b, r, k, n, c);
        }
    }
}
