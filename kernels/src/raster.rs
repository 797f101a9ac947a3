//! Rasterising numbers for figures: resampling heatmaps to canvas pixels, ranges, and histograms.
//!
//! The attention lab runs them over whole 512 × 512 maps on every slider step, so they live here, where the crate
//! is compiled for speed (the app is compiled for size), with SIMD128 inner loops on wasm32 where the compiler
//! leaves the loop scalar. There are no separate scalar twins: the tests check both builds against the
//! definitions.

/// Resamples a row-major `rows` × `cols` grid to exactly `out_rows` × `out_cols` cells, one per canvas pixel.
/// Shrinking, each cell keeps the value of largest magnitude in its block (the positive one of a tie, NaN if any
/// is NaN): a heatmap wider than its canvas would otherwise be decimated, and a single spiky weight could fall
/// between the sampled pixels. Growing, each cell repeats its source cell, so cells stay crisp rectangles. A grid
/// shorter than `rows` × `cols` gives NaN cells.
#[inline(never)]
pub fn resample_extreme(values: &[f32], rows: usize, cols: usize, out_rows: usize, out_cols: usize) -> Vec<f32> {
    let (out_rows, out_cols) = (out_rows.max(1), out_cols.max(1));
    if rows == 0 || cols == 0 || values.len() < rows * cols {
        return vec![f32::NAN; out_rows * out_cols];
    }
    // Each output index's source indices, start..end, never empty.
    let spans = |n: usize, out: usize| -> Vec<(usize, usize)> {
        (0..out)
            .map(|i| {
                let start = i * n / out;
                (start, ((i + 1) * n / out).max(start + 1))
            })
            .collect()
    };
    let (row_spans, col_spans) = (spans(rows, out_rows), spans(cols, out_cols));
    let mut out = vec![0.0f32; out_rows * out_cols];
    // PERF: a block's rows are merged first, element by element, then its columns once per output row.
    let mut line = vec![0.0f32; cols];
    for (out_row, &(first, end)) in out.chunks_exact_mut(out_cols).zip(&row_spans) {
        line.copy_from_slice(&values[first * cols..(first + 1) * cols]);
        for row in values[(first + 1) * cols..end * cols].chunks_exact(cols) {
            merge_row(&mut line, row);
        }
        for (cell, &(c0, c1)) in out_row.iter_mut().zip(&col_spans) {
            *cell = line[c0 + 1..c1].iter().fold(line[c0], |kept, &v| extreme(kept, v));
        }
    }
    out
}

/// `kept[i] = extreme(kept[i], row[i])` for every i.
fn merge_row(kept: &mut [f32], row: &[f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let done = {
        use core::arch::wasm32::*;
        // PERF: written out because the compiler leaves this loop scalar on wasm32 (7× slower than natively).
        let quads = kept.len().min(row.len()) / 4;
        for i in (0..quads).map(|q| 4 * q) {
            // SAFETY: i + 4 ≤ 4 · quads ≤ both lengths; v128 loads and stores need no alignment.
            unsafe {
                let (k, v) = (v128_load(kept.as_ptr().add(i).cast()), v128_load(row.as_ptr().add(i).cast()));
                let (size_k, size_v) = (f32x4_abs(k), f32x4_abs(v));
                let tie = v128_and(f32x4_eq(size_v, size_k), f32x4_gt(v, k));
                let take = v128_or(v128_or(f32x4_ne(v, v), f32x4_gt(size_v, size_k)), tie);
                v128_store(kept.as_mut_ptr().add(i).cast(), v128_bitselect(v, k, take));
            }
        }
        4 * quads
    };
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let done = 0;
    kept[done..].iter_mut().zip(&row[done..]).for_each(|(kept, &v)| *kept = extreme(*kept, v));
}

/// The value of larger magnitude, the positive one on a tie; NaN once either is NaN. Commutative and associative,
/// so a block's rows and columns can be merged in either order.
#[inline]
fn extreme(kept: f32, v: f32) -> f32 {
    if v.is_nan() || v.abs() > kept.abs() || (v.abs() == kept.abs() && v > kept) {
        v
    } else {
        kept
    }
}

/// Counts of `values` in `bins` equal bins over [lo, hi], for large rows: values outside are clamped in,
/// non-finite ones left out.
#[inline(never)]
pub fn histogram(values: &[f32], bins: usize, lo: f32, hi: f32) -> Vec<f32> {
    let Some(last) = bins.checked_sub(1) else { return Vec::new() };
    // PERF: most weights of a map fall in one bin; four counters a bin, used in turn, keep each increment from
    // waiting for the one before it. And a multiplication per value, not a division.
    let mut counts = vec![[0u32; 4]; bins + 1];
    let (per_unit, top) = (bins as f32 / (hi - lo).max(f32::MIN_POSITIVE), last as f32);
    // Clamped in; non-finite values land in a bin past the last.
    let bin = |v: f32| if v.is_finite() { ((v - lo) * per_unit).clamp(0.0, top) as usize } else { bins };
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let done = {
        use core::arch::wasm32::*;
        let quads = values.len() / 4;
        let (lo, per_unit, top) = (f32x4_splat(lo), f32x4_splat(per_unit), f32x4_splat(top));
        let (infinity, past_last) = (f32x4_splat(f32::INFINITY), i32x4_splat(bins as i32));
        for i in (0..quads).map(|q| 4 * q) {
            // SAFETY: i + 4 ≤ 4 · quads ≤ the length; v128 loads need no alignment.
            let v = unsafe { v128_load(values.as_ptr().add(i).cast()) };
            // The scalar bins lane by lane: pmin/pmax clamp as `clamp` does (NaN stays NaN, and truncates to 0).
            let t = f32x4_pmax(f32x4_pmin(f32x4_mul(f32x4_sub(v, lo), per_unit), top), f32x4_splat(0.0));
            let b = v128_bitselect(i32x4_trunc_sat_f32x4(t), past_last, f32x4_lt(f32x4_abs(v), infinity));
            counts[i32x4_extract_lane::<0>(b) as usize][0] += 1;
            counts[i32x4_extract_lane::<1>(b) as usize][1] += 1;
            counts[i32x4_extract_lane::<2>(b) as usize][2] += 1;
            counts[i32x4_extract_lane::<3>(b) as usize][3] += 1;
        }
        4 * quads
    };
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let done = 0;
    for quad in values[done..].chunks(4) {
        for (lane, &v) in quad.iter().enumerate() {
            counts[bin(v)][lane] += 1;
        }
    }
    counts[..bins].iter().map(|c| c.iter().sum::<u32>() as f32).collect()
}

/// The smallest and largest finite value, (`f32::MAX`, `f32::MIN`) when there is none.
pub fn finite_range(values: &[f32]) -> (f32, f32) {
    let merge = |(lo, hi): (f32, f32), v: f32| {
        if v.is_finite() {
            (if v < lo { v } else { lo }, if v > hi { v } else { hi })
        } else {
            (lo, hi)
        }
    };
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (done, start) = {
        use core::arch::wasm32::*;
        let quads = values.len() / 4;
        let (mut lo, mut hi) = (f32x4_splat(f32::MAX), f32x4_splat(f32::MIN));
        let infinity = f32x4_splat(f32::INFINITY);
        for i in (0..quads).map(|q| 4 * q) {
            // SAFETY: i + 4 ≤ 4 · quads ≤ the length; v128 loads need no alignment.
            let v = unsafe { v128_load(values.as_ptr().add(i).cast()) };
            let finite = f32x4_lt(f32x4_abs(v), infinity);
            lo = v128_bitselect(v, lo, v128_and(finite, f32x4_lt(v, lo)));
            hi = v128_bitselect(v, hi, v128_and(finite, f32x4_gt(v, hi)));
        }
        let lanes = |x: v128| {
            [
                f32x4_extract_lane::<0>(x),
                f32x4_extract_lane::<1>(x),
                f32x4_extract_lane::<2>(x),
                f32x4_extract_lane::<3>(x),
            ]
        };
        // Lanes that saw no finite value still hold (MAX, MIN), which neither end keeps.
        let lo = lanes(lo).into_iter().fold(f32::MAX, |a, b| if b < a { b } else { a });
        let hi = lanes(hi).into_iter().fold(f32::MIN, |a, b| if b > a { b } else { a });
        let start = (lo, hi);
        (4 * quads, start)
    };
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let (done, start) = (0, (f32::MAX, f32::MIN));
    values[done..].iter().copied().fold(start, merge)
}
