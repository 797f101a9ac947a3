//! The softmax lab's pure model: seeded logits, and their softmax with the measures the page reads out.

use crate::url_state::{Choice, Chosen};
use softscope_kernels::exp::exp_neg;
use softscope_kernels::rng::SplitMix64;

/// How the logits are generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogitShape {
    /// Standard normal, scaled by 2.
    Normal,
    /// Uniform in [−4, 4].
    Uniform,
    /// Mostly small with one dominant logit, as after confident training.
    Spiky,
}

impl Choice for LogitShape {
    const ALL: &'static [Self] = &[Self::Normal, Self::Uniform, Self::Spiky];
    fn slug(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Uniform => "uniform",
            Self::Spiky => "spiky",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::Normal => "Normal (σ = 2)",
            Self::Uniform => "Uniform [−4, 4]",
            Self::Spiky => "One dominant logit",
        }
    }
}

crate::url_state! {
    /// The softmax lab's parameters, all in the URL.
    pub struct SoftmaxParams {
        temperature: f64 = 1.0, range(0.01, 100.0), "Temperature";
        n: u32 = 12, range(2, 64), "Number of logits";
        shape: Chosen<LogitShape> = Chosen(LogitShape::Normal), "Logit distribution";
        seed: u64 = 1, "Seed";
    }
}

/// `n` seeded logits of the given shape.
pub fn generate_logits(shape: LogitShape, n: usize, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|i| match shape {
            LogitShape::Normal => 2.0 * rng.normal(),
            LogitShape::Uniform => rng.uniform(-4.0, 4.0),
            LogitShape::Spiky => {
                let noise = 0.5 * rng.normal();
                if i == n / 3 {
                    6.0 + noise
                } else {
                    noise
                }
            }
        } as f32)
        .collect()
}

/// A softmax distribution and its summary measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    /// The probabilities, in logit order.
    pub probabilities: Vec<f32>,
    /// Shannon entropy in nats, from the stable form `ln S − Σ p (x − m)`.
    pub entropy: f64,
    /// The index of the largest probability (first on ties).
    pub argmax: usize,
}

impl Distribution {
    /// exp(H): how many outcomes the distribution effectively spreads over.
    pub fn effective_support(&self) -> f64 {
        self.entropy.exp()
    }

    /// The largest probability.
    pub fn max_probability(&self) -> f32 {
        self.probabilities[self.argmax]
    }
}

/// softmax(logits / temperature) in f32, max-shifted, with the rr2_p5 exp kernel; `None` for an empty input.
pub fn softmax(logits: &[f32], temperature: f64) -> Option<Distribution> {
    let inverse = (1.0 / temperature) as f32;
    let scaled: Vec<f32> = logits.iter().map(|&x| x * inverse).collect();
    let (argmax, &max) = scaled.iter().enumerate().fold(None, |best: Option<(usize, &f32)>, (i, x)| match best {
        Some((_, m)) if m >= x => best,
        _ => Some((i, x)),
    })?;
    let shifted: Vec<f32> = scaled.iter().map(|&x| x - max).collect();
    let mut probabilities = vec![0.0; shifted.len()];
    exp_neg(&shifted, &mut probabilities).ok()?;
    let sum: f32 = probabilities.iter().sum();
    let inverse_sum = 1.0 / sum;
    probabilities.iter_mut().for_each(|p| *p *= inverse_sum);
    let expected_shift: f64 = probabilities.iter().zip(&shifted).map(|(&p, &x)| f64::from(p) * f64::from(x)).sum();
    let entropy = (f64::from(sum).ln() - expected_shift).max(0.0);
    Some(Distribution { probabilities, entropy, argmax })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn matches_the_hand_checked_fixture() {
        // ALGORITHMS.md §1.7: x = [1, 2, 3] → p = [0.090031, 0.244728, 0.665241], H = 0.832396 nats.
        let d = softmax(&[1.0, 2.0, 3.0], 1.0).unwrap();
        for (p, want) in d.probabilities.iter().zip([0.090031, 0.244728, 0.665241]) {
            assert!(close(f64::from(*p), want, 1e-6), "{p} vs {want}");
        }
        assert!(close(d.entropy, 0.832396, 1e-6));
        assert_eq!(d.argmax, 2);
        // T = 0.5 and T = 2 from the same fixture.
        assert!(close(softmax(&[1.0, 2.0, 3.0], 0.5).unwrap().entropy, 0.441057, 1e-6));
        assert!(close(softmax(&[1.0, 2.0, 3.0], 2.0).unwrap().entropy, 1.020191, 1e-6));
    }

    #[test]
    fn shift_invariant_where_naive_exp_would_overflow() {
        let far = softmax(&[1001.0, 1002.0, 1003.0], 1.0).unwrap();
        let near = softmax(&[1.0, 2.0, 3.0], 1.0).unwrap();
        for (a, b) in far.probabilities.iter().zip(&near.probabilities) {
            assert!((a - b).abs() < 2e-7);
        }
    }

    #[test]
    fn extreme_temperatures_give_one_hot_and_uniform() {
        let logits = generate_logits(LogitShape::Normal, 12, 3);
        let cold = softmax(&logits, 0.01).unwrap();
        assert!(cold.max_probability() > 0.999 && cold.entropy < 0.01);
        let hot = softmax(&logits, 100.0).unwrap();
        assert!(close(hot.entropy, (12f64).ln(), 0.01));
        assert!(close(hot.effective_support(), 12.0, 0.2));
        assert_eq!(softmax(&[], 1.0), None);
    }

    #[test]
    fn generated_logits_are_seeded_and_shaped() {
        assert_eq!(generate_logits(LogitShape::Uniform, 5, 9), generate_logits(LogitShape::Uniform, 5, 9));
        assert_ne!(generate_logits(LogitShape::Uniform, 5, 9), generate_logits(LogitShape::Uniform, 5, 10));
        let spiky = generate_logits(LogitShape::Spiky, 12, 1);
        assert_eq!(softmax(&spiky, 1.0).unwrap().argmax, 4);
    }
}
