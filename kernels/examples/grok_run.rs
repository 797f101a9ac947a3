//! Runs one grokking configuration natively and prints its curve: `cargo run --release -p softscope-kernels
//! --example grok_run -- key=value …` (keys as in [`Config`], e.g. `p=31 width=64 loss=stablemax steps=3000`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // A developer's tool: bad arguments end it loudly.
#![allow(clippy::disallowed_methods)] // A native tool: `Instant::now` only panics on wasm32.

use softscope_kernels::grok::{Config, Trainer};

fn main() {
    let mut json = serde_json::to_value(Config::default()).unwrap();
    let (mut steps, mut every) = (2000u64, 100u64);
    for arg in std::env::args().skip(1) {
        let (k, v) = arg.split_once('=').expect("key=value");
        match k {
            "steps" => steps = v.parse().unwrap(),
            "every" => every = v.parse().unwrap(),
            _ => {
                json[k] = serde_json::from_str(v).unwrap_or_else(|_| serde_json::Value::String(v.into()));
            }
        }
    }
    let config: Config = serde_json::from_value(json).unwrap();
    let mut trainer = Trainer::new(&config).unwrap();
    let started = std::time::Instant::now();
    let mut crossed = None;
    for _ in 0..steps {
        let stats = trainer.train_step().unwrap();
        // Logged as the lab logs (every 10 steps and the first), so the crossing matches what the page shows.
        let logged = trainer.step().is_multiple_of(10) || trainer.step() == 1;
        if crossed.is_none() && logged && stats.collapse > 0.5 {
            crossed = Some(trainer.step());
        }
        if trainer.step().is_multiple_of(every) {
            let m = trainer.metrics(stats);
            println!(
                "{:6} train {:.3} test {:.3} loss {:.2e} SC {:.3} zero {:.3} |W| {:.1} {:.1} {:.1} |z| {:.1}",
                m.step,
                m.train.train_acc,
                m.test_acc,
                m.train.train_loss,
                m.train.collapse,
                m.train.zero_loss,
                m.weight_norms[0],
                m.weight_norms[1],
                m.weight_norms[2],
                m.train.logit_norm
            );
        }
    }
    println!("collapse > 50% at {crossed:?}; {:.1} steps/s", steps as f64 / started.elapsed().as_secs_f64());
}
