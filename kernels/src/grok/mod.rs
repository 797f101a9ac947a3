//! Grokking on modular arithmetic, after Prieto et al., "Grokking at the Edge of Numerical Stability" (ICLR 2025;
//! ALGORITHMS.md §4): the data, the bias-free ReLU MLP 2p → w → w → p, softmax cross-entropy in an emulated
//! precision and StableMax cross-entropy in f64, SGD / Adam / AdamW with optional ⊥Grad, and the per-step metrics
//! that show Softmax Collapse.
//!
//! Everything is sequential and every SIMD128 kernel is bit-identical to its scalar twin, so a configuration and
//! a seed give the same metrics, bit for bit, natively and in any browser.

pub mod loss;
mod train;

pub use train::{orthogonalise, Metrics, StepStats, Trainer, BLOCK};

use crate::precision::Precision;
use crate::rng::SplitMix64;
use core::fmt;
use serde::{Deserialize, Serialize};

/// The binary operation the model learns, modulo p.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// (a + b) mod p.
    Add,
    /// (a − b) mod p.
    Sub,
    /// (a · b) mod p.
    Mul,
    /// a · b⁻¹ mod p, b ≠ 0 (p must be prime).
    Div,
}

/// The training loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LossKind {
    /// Softmax cross-entropy, computed in the configured precision.
    Softmax,
    /// StableMax cross-entropy, computed in f64 as the paper's code does.
    StableMax,
}

/// The base optimiser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimiserKind {
    /// SGD with momentum; weight decay as an L2 term in the gradient.
    Sgd,
    /// Adam; weight decay as an L2 term in the gradient.
    Adam,
    /// AdamW: decoupled weight decay.
    AdamW,
}

/// One training run's whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// The operation.
    pub task: Task,
    /// The modulus, 3 to 113.
    pub p: u32,
    /// Share of the p² (or p(p − 1)) pairs used for training, in (0, 1).
    pub train_fraction: f64,
    /// Hidden width w.
    pub width: u32,
    /// The loss.
    pub loss: LossKind,
    /// Precision of the softmax cross-entropy (and of the collapse test).
    pub precision: Precision,
    /// The optimiser.
    pub optimiser: OptimiserKind,
    /// Learning rate, > 0.
    pub lr: f64,
    /// Weight decay, ≥ 0.
    pub weight_decay: f64,
    /// Adam's β₁, or SGD's momentum.
    pub beta1: f64,
    /// Adam's β₂.
    pub beta2: f64,
    /// Adam's ε, > 0 (the paper uses 1e-25).
    pub eps: f64,
    /// Wrap the optimiser in ⊥Grad.
    pub ortho: bool,
    /// Seed of the split and the initial weights.
    pub seed: u64,
}

impl Default for Config {
    /// The paper's setting at a browser-friendly size: a + b mod 113, 40% train, width 200, AdamW without decay.
    fn default() -> Self {
        Self {
            task: Task::Add,
            p: 113,
            train_fraction: 0.4,
            width: 200,
            loss: LossKind::Softmax,
            precision: Precision::F32,
            optimiser: OptimiserKind::AdamW,
            lr: 0.01,
            weight_decay: 0.0,
            beta1: 0.9,
            beta2: 0.99,
            eps: 1e-25,
            ortho: false,
            seed: 42,
        }
    }
}

/// Why a run was refused or stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum GrokError {
    /// A configuration value out of range, with the reason.
    Config(String),
    /// NaN or ±∞ appeared in the loss or the weights at this step.
    Diverged {
        /// The step whose update produced it.
        step: u64,
    },
}

impl fmt::Display for GrokError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(why) => write!(f, "{why}"),
            Self::Diverged { step } => write!(
                f,
                "training diverged at step {step}: NaN or infinity appeared in the loss or the weights (try a smaller \
                 learning rate or a larger ε)"
            ),
        }
    }
}

impl std::error::Error for GrokError {}

/// Whether `p` is prime.
pub fn is_prime(p: u32) -> bool {
    p >= 2 && (2..).take_while(|d| d * d <= p).all(|d| !p.is_multiple_of(d))
}

impl Config {
    /// Refuses what cannot train: every message names the setting and its allowed range.
    pub fn validate(&self) -> Result<(), GrokError> {
        let bad = |why: String| Err(GrokError::Config(why));
        if !(3..=113).contains(&self.p) {
            return bad(format!("p must be between 3 and 113, not {}", self.p));
        }
        if self.task == Task::Div && !is_prime(self.p) {
            return bad(format!("division needs a prime modulus: {} is not prime", self.p));
        }
        if !(self.train_fraction > 0.0 && self.train_fraction < 1.0) {
            return bad(format!("the train fraction must lie strictly between 0 and 1, not {}", self.train_fraction));
        }
        if !(1..=512).contains(&self.width) {
            return bad(format!("the width must be between 1 and 512, not {}", self.width));
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return bad(format!("the learning rate must be positive, not {}", self.lr));
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            return bad(format!("weight decay must be 0 or more, not {}", self.weight_decay));
        }
        for (name, beta) in [("β₁ (momentum)", self.beta1), ("β₂", self.beta2)] {
            if !(0.0..1.0).contains(&beta) {
                return bad(format!("{name} must lie in [0, 1), not {beta}"));
            }
        }
        if !(self.eps > 0.0 && self.eps.is_finite()) {
            return bad(format!("ε must be positive, not {}", self.eps));
        }
        let samples = self.samples();
        let train = self.train_count();
        if train == 0 || train == samples {
            return bad(format!(
                "a train fraction of {} leaves {} of {samples} pairs for training: both sets need one",
                self.train_fraction, train
            ));
        }
        Ok(())
    }

    /// All pairs of the task.
    pub fn samples(&self) -> usize {
        let p = self.p as usize;
        if self.task == Task::Div {
            p * (p - 1)
        } else {
            p * p
        }
    }

    /// Pairs in the training set.
    pub fn train_count(&self) -> usize {
        (self.train_fraction * self.samples() as f64).round() as usize
    }
}

fn pow_mod(mut base: u64, mut exponent: u64, p: u64) -> u64 {
    let mut result = 1;
    base %= p;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = result * base % p;
        }
        base = base * base % p;
        exponent >>= 1;
    }
    result
}

/// The answer of `task` on (a, b) modulo `p`.
pub fn answer(task: Task, a: u32, b: u32, p: u32) -> u32 {
    let (a, b, p) = (u64::from(a), u64::from(b), u64::from(p));
    let r = match task {
        Task::Add => (a + b) % p,
        Task::Sub => (a + p - b) % p,
        Task::Mul => a * b % p,
        // Fermat: b⁻¹ = b^(p−2) for prime p.
        Task::Div => a * pow_mod(b, p - 2, p) % p,
    };
    r as u32
}

/// The pairs, shuffled by the seed and split: the first `train` are the training set.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// (a, b, answer) for every pair.
    pub pairs: Vec<(u32, u32, u32)>,
    /// Number of training pairs.
    pub train: usize,
}

impl Dataset {
    /// The split of `config` (assumed valid).
    pub fn new(config: &Config) -> Self {
        let p = config.p;
        let first_b = u32::from(config.task == Task::Div);
        let mut pairs: Vec<(u32, u32, u32)> =
            (0..p).flat_map(|a| (first_b..p).map(move |b| (a, b, answer(config.task, a, b, p)))).collect();
        let mut rng = SplitMix64::new(config.seed);
        for i in (1..pairs.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            pairs.swap(i, j);
        }
        Self { pairs, train: config.train_count() }
    }
}
