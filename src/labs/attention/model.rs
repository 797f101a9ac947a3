//! The attention lab's pure model: seeded queries and keys, softmax attention maps and entropy against query norm.

use crate::labs::softmax::model::softmax;
use softscope_kernels::rng::SplitMix64;

crate::url_state! {
    /// The attention lab's parameters, all in the URL.
    pub struct AttentionParams {
        keys: u32 = 64, range(4, 256), "Number of keys";
        dim: u32 = 16, range(2, 64), "Head dimension d";
        query_scale: f64 = 1.0, range(0.1, 10.0), "Query norm scale";
        seed: u64 = 1, "Seed";
    }
}

/// How many queries the heatmap shows.
pub const QUERIES: usize = 32;

/// Row-major `rows × cols` attention weights with each row's entropy.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionMap {
    /// Number of queries.
    pub rows: usize,
    /// Number of keys.
    pub cols: usize,
    /// softmax(q·k / √d) per query, row-major.
    pub weights: Vec<f32>,
    /// Entropy of each row in nats.
    pub row_entropy: Vec<f64>,
}

impl AttentionMap {
    /// The mean of the rows' entropies.
    pub fn mean_entropy(&self) -> f64 {
        self.row_entropy.iter().sum::<f64>() / self.rows.max(1) as f64
    }
}

/// `count` seeded standard-normal vectors of dimension `dim`, row-major.
fn normal_vectors(rng: &mut SplitMix64, count: usize, dim: usize) -> Vec<f32> {
    (0..count * dim).map(|_| rng.normal() as f32).collect()
}

/// Softmax attention of [`QUERIES`] seeded queries (scaled by `query_scale`) over the seeded keys.
pub fn attention_map(params: &AttentionParams, query_scale: f64) -> AttentionMap {
    let (dim, cols) = (params.dim as usize, params.keys as usize);
    let mut rng = SplitMix64::new(params.seed);
    let queries = normal_vectors(&mut rng, QUERIES, dim);
    let keys = normal_vectors(&mut rng, cols, dim);
    let factor = (query_scale / (dim as f64).sqrt()) as f32;
    let mut weights = Vec::with_capacity(QUERIES * cols);
    let mut row_entropy = Vec::with_capacity(QUERIES);
    for q in queries.chunks_exact(dim) {
        let scores: Vec<f32> =
            keys.chunks_exact(dim).map(|k| factor * q.iter().zip(k).map(|(a, b)| a * b).sum::<f32>()).collect();
        // Keys are never empty (at least 4 by the parameter range), so the distribution always exists.
        if let Some(row) = softmax(&scores, 1.0) {
            weights.extend_from_slice(&row.probabilities);
            row_entropy.push(row.entropy);
        }
    }
    AttentionMap { rows: row_entropy.len(), cols, weights, row_entropy }
}

/// Mean row entropy at `points` query scales spaced evenly in log10 from 0.1 to 10.
pub fn entropy_vs_query_scale(params: &AttentionParams, points: usize) -> Vec<(f64, f64)> {
    (0..points)
        .map(|i| {
            let scale = 10f64.powf(-1.0 + 2.0 * i as f64 / (points - 1).max(1) as f64);
            (scale, attention_map(params, scale).mean_entropy())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_distributions() {
        let p = AttentionParams::default();
        let map = attention_map(&p, p.query_scale);
        assert_eq!((map.rows, map.cols, map.weights.len()), (QUERIES, 64, QUERIES * 64));
        for row in map.weights.chunks_exact(map.cols) {
            let sum: f32 = row.iter().sum();
            assert!((sum - 1.0).abs() < 1e-5 && row.iter().all(|&w| w >= 0.0));
        }
    }

    #[test]
    fn entropy_falls_as_the_query_norm_grows() {
        // dH/dc = −c·Var_p(a) ≤ 0 (ALGORITHMS.md §1.1): larger query norms make attention spikier.
        let curve = entropy_vs_query_scale(&AttentionParams::default(), 12);
        assert!(curve.windows(2).all(|w| w[1].1 <= w[0].1 + 1e-6), "{curve:?}");
        assert!(curve[0].1 > 0.95 * (64f64).ln(), "tiny queries attend almost uniformly");
        assert!(curve[11].1 < 0.5 * curve[0].1);
    }
}
