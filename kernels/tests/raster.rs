//! Heatmap resampling and histograms, native and as wasm32.
#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softscope_kernels::raster::{finite_range, histogram, resample_extreme};
use softscope_kernels::rng::SplitMix64;

#[test]
fn shrinking_keeps_the_extreme_of_each_block() {
    let grid = [0.1, 0.9, 0.2, 0.0, -0.5, 0.3, 0.0, 0.1, 0.2, 0.3, 0.4, f32::NAN];
    let pooled = resample_extreme(&grid, 3, 4, 1, 2);
    assert_eq!(pooled.len(), 2);
    assert_eq!(pooled[0], 0.9);
    assert!(pooled[1].is_nan());
    assert_eq!(resample_extreme(&grid, 3, 4, 3, 4)[..4], grid[..4]);
    assert_eq!(resample_extreme(&[0.0, 0.0, 0.0, -2.0], 2, 2, 1, 1), vec![-2.0]);
    // A NaN first in its block is kept too.
    assert!(resample_extreme(&[f32::NAN, 5.0], 1, 2, 1, 1)[0].is_nan());
    // Uneven blocks: five columns into two pixels.
    assert_eq!(resample_extreme(&[1.0, -3.0, 2.0, 0.5, 4.0], 1, 5, 1, 2), vec![-3.0, 4.0]);
}

#[test]
fn growing_repeats_cells() {
    let grown = resample_extreme(&[1.0, 2.0, 3.0, 4.0], 2, 2, 4, 6);
    assert_eq!(&grown[..6], &[1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
    assert_eq!(&grown[6..12], &grown[..6]);
    assert_eq!(&grown[18..], &[3.0, 3.0, 3.0, 4.0, 4.0, 4.0]);
    // More rows than pixels and fewer columns: both at once.
    assert_eq!(resample_extreme(&[1.0, -2.0, 0.5, 0.0], 4, 1, 2, 2), vec![-2.0, -2.0, 0.5, 0.5]);
    assert!(resample_extreme(&[1.0], 2, 2, 2, 2).iter().all(|v| v.is_nan()));
}

/// The definition, cell by cell: the value of largest magnitude in the cell's block, the positive one of a tie, NaN
/// if any is NaN.
fn naive(values: &[f32], rows: usize, cols: usize, out_rows: usize, out_cols: usize) -> Vec<f32> {
    let span = |i: usize, n: usize, out: usize| (i * n / out, ((i + 1) * n / out).max(i * n / out + 1));
    let mut out = Vec::new();
    for y in 0..out_rows {
        for x in 0..out_cols {
            let ((r0, r1), (c0, c1)) = (span(y, rows, out_rows), span(x, cols, out_cols));
            let block: Vec<f32> = (r0..r1).flat_map(|r| (c0..c1).map(move |c| values[r * cols + c])).collect();
            out.push(if block.iter().any(|v| v.is_nan()) {
                f32::NAN
            } else {
                let top = block.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                block.iter().copied().filter(|v| v.abs() == top).fold(-top, f32::max)
            });
        }
    }
    out
}

#[test]
fn resampling_matches_its_definition_on_random_grids() {
    let mut rng = SplitMix64::new(9);
    for _ in 0..300 {
        let mut size = || 1 + (rng.next_u64() % 37) as usize;
        let (rows, cols, out_rows, out_cols) = (size(), size(), size(), size());
        let values: Vec<f32> = (0..rows * cols)
            .map(|_| match rng.next_u64() % 50 {
                0 => f32::NAN,
                1 => 2.5,
                2 => -2.5,
                _ => rng.normal() as f32,
            })
            .collect();
        let got = resample_extreme(&values, rows, cols, out_rows, out_cols);
        let want = naive(&values, rows, cols, out_rows, out_cols);
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                "{rows}×{cols} → {out_rows}×{out_cols} cell {i}: {g} vs {w}"
            );
        }
    }
}

#[test]
fn histograms_bin_clamp_and_skip_non_finite_values() {
    assert_eq!(histogram(&[0.0, 0.1, 0.9, 5.0, f32::NAN], 2, 0.0, 1.0), [2.0, 2.0]);
    assert_eq!(histogram(&[-1.0, 0.5, 1.0, f32::INFINITY], 2, 0.0, 1.0), [1.0, 2.0]);
    assert_eq!(histogram(&[3.0, 3.0], 3, 3.0, 3.0), [2.0, 0.0, 0.0], "an empty range puts everything first");
    assert!(histogram(&[1.0], 0, 0.0, 1.0).is_empty());
}

/// Values with every kind of hard case: NaN, ±∞, zeros, values below and above a range.
fn hostile(rng: &mut SplitMix64, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| match rng.next_u64() % 20 {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            3 => 0.0,
            _ => (rng.normal() * 2.0) as f32,
        })
        .collect()
}

#[test]
fn histograms_and_ranges_agree_with_their_definitions_on_every_length() {
    let mut rng = SplitMix64::new(31);
    for n in 0..70 {
        let values = hostile(&mut rng, n);
        let finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let (lo, hi) = finite_range(&values);
        assert_eq!(lo, finite.iter().copied().fold(f32::MAX, f32::min), "n = {n}");
        assert_eq!(hi, finite.iter().copied().fold(f32::MIN, f32::max), "n = {n}");
        for (bins, lo, hi) in [(7, -1.0f32, 1.5f32), (1, 0.0, 1.0), (24, lo, hi)] {
            let per_unit = bins as f32 / (hi - lo).max(f32::MIN_POSITIVE);
            let mut want = vec![0.0f32; bins];
            for v in &finite {
                want[((v - lo) * per_unit).clamp(0.0, (bins - 1) as f32) as usize] += 1.0;
            }
            assert_eq!(histogram(&values, bins, lo, hi), want, "n = {n}, {bins} bins over {lo}..{hi}");
        }
    }
    assert_eq!(finite_range(&[f32::NAN, f32::INFINITY]), (f32::MAX, f32::MIN));
}
