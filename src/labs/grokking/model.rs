//! The grokking lab's pure model: where float32 cross-entropy collapses to exactly zero (Softmax Collapse).

use crate::url_state::{Choice, Chosen};
use softscope_kernels::exp::exp_neg_scalar;

/// The order in which the normaliser Σ exp(z − m) is accumulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SumOrder {
    /// Start at the correct class's 1.0 and add each tiny term: each is absorbed on its own.
    LargestFirst,
    /// Add the tiny terms first, then 1.0: their sum may survive.
    SmallestFirst,
}

impl Choice for SumOrder {
    const ALL: &'static [Self] = &[Self::LargestFirst, Self::SmallestFirst];
    fn slug(self) -> &'static str {
        match self {
            Self::LargestFirst => "largest-first",
            Self::SmallestFirst => "smallest-first",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::LargestFirst => "Largest term first",
            Self::SmallestFirst => "Smallest terms first",
        }
    }
}

crate::url_state! {
    /// The grokking lab's parameters, all in the URL.
    pub struct GrokkingParams {
        competitors: u32 = 1, range(1, 112), "Wrong classes";
        order: Chosen<SumOrder> = Chosen(SumOrder::LargestFirst), "Summation order";
    }
}

/// The f32 normaliser S = 1 + k·e^(−g) for a correct logit `g` above `k` equal competitors, summed in `order`.
pub fn normaliser_f32(gap: f32, competitors: u32, order: SumOrder) -> f32 {
    let term = exp_neg_scalar(-gap);
    match order {
        SumOrder::LargestFirst => (0..competitors).fold(1.0f32, |s, _| s + term),
        SumOrder::SmallestFirst => 1.0 + (0..competitors).fold(0.0f32, |s, _| s + term),
    }
}

/// Cross-entropy of the correct class in f32: ln S, exactly 0 once S rounds to 1.
pub fn loss_f32(gap: f32, competitors: u32, order: SumOrder) -> f32 {
    normaliser_f32(gap, competitors, order).ln()
}

/// The exact loss ln(1 + k·e^(−g)) in f64.
pub fn loss_f64(gap: f64, competitors: u32) -> f64 {
    (f64::from(competitors) * (-gap).exp()).ln_1p()
}

/// The smallest gap (to 0.01) from which the f32 loss is exactly zero: the onset of Softmax Collapse.
pub fn collapse_gap(competitors: u32, order: SumOrder) -> Option<f32> {
    (0..=4000).map(|i| i as f32 * 0.01).find(|&g| normaliser_f32(g, competitors, order) == 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_the_two_logit_fixture() {
        // ALGORITHMS.md §4.7: g = 16 → S = 1 + 2^-23; g = 16.5 → same; g = 16.7 and 17 → exactly 1, loss 0.
        assert_eq!(normaliser_f32(16.0, 1, SumOrder::LargestFirst), 1.0 + f32::EPSILON);
        assert_eq!(normaliser_f32(16.5, 1, SumOrder::LargestFirst), 1.0 + f32::EPSILON);
        assert_eq!(loss_f32(16.7, 1, SumOrder::LargestFirst), 0.0);
        assert_eq!(loss_f32(17.0, 1, SumOrder::LargestFirst), 0.0);
        let onset = collapse_gap(1, SumOrder::LargestFirst).unwrap();
        assert!((16.6..=16.7).contains(&onset), "{onset}");
    }

    #[test]
    fn summation_order_decides_collapse_with_many_competitors() {
        // §4.7: 112 competitors at g = 18: largest-first gives exactly 1, smallest-first 1.0000016689.
        assert_eq!(normaliser_f32(18.0, 112, SumOrder::LargestFirst), 1.0);
        let s = normaliser_f32(18.0, 112, SumOrder::SmallestFirst);
        assert!((f64::from(s) - 1.000_001_668_9).abs() < 2e-7, "{s}");
    }

    #[test]
    fn f64_loss_never_collapses_in_this_range() {
        assert!(loss_f64(30.0, 1) > 0.0);
        assert!((loss_f64(0.0, 1) - std::f64::consts::LN_2).abs() < 1e-15);
    }
}
