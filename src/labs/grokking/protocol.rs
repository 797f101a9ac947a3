//! The messages between the grokking lab and its training worker, sent as JSON text.

use serde::{Deserialize, Serialize};
use softscope_kernels::grok::{Config, Metrics};

/// From the page to the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Use this configuration: a run with the same data and model keeps its weights and takes the new
    /// optimiser settings from its next step; any other change starts a new run, paused at step 0.
    Configure {
        /// The run's configuration.
        config: Config,
        /// Log test metrics every this many steps.
        log_every: u32,
        /// Stop playing at this step.
        max_steps: u64,
    },
    /// Start a new run of the current configuration, paused at step 0.
    Reset,
    /// Train until paused or at the last step.
    Play,
    /// Stop after the block under way.
    Pause,
    /// Take exactly one more step, then pause.
    Step,
    /// Steps per chunk between yields, at most.
    Speed {
        /// 1 to 1000.
        steps_per_tick: u32,
    },
}

/// From the worker to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker has loaded and listens.
    Ready,
    /// A new run began (after a reset or a configuration that changes the data or the model).
    Restarted,
    /// Where training is.
    Progress {
        /// Steps completed.
        step: u64,
        /// Whether it is training.
        running: bool,
        /// Logged points since the last progress message.
        points: Vec<Metrics>,
        /// Steps per second over the last chunk of work.
        steps_per_s: f64,
    },
    /// The configuration was refused or the run stopped; training is paused.
    Failed {
        /// What happened, for people.
        message: String,
    },
}

impl ToWorker {
    /// The message as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl FromWorker {
    /// The message as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Whether two configurations train the same data and model, so that a run can continue from one to the other.
pub fn same_run(a: &Config, b: &Config) -> bool {
    (a.task, a.p, a.train_fraction.to_bits(), a.width, a.loss, a.precision, a.seed)
        == (b.task, b.p, b.train_fraction.to_bits(), b.width, b.loss, b.precision, b.seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_json() {
        let to = ToWorker::Configure { config: Config::default(), log_every: 10, max_steps: 5000 };
        assert_eq!(serde_json::from_str::<ToWorker>(&to.to_json()).unwrap(), to);
        assert!(ToWorker::Play.to_json().contains("\"play\""));
        let from = FromWorker::Progress { step: 3, running: true, points: vec![Metrics::default()], steps_per_s: 1.5 };
        assert_eq!(serde_json::from_str::<FromWorker>(&from.to_json()).unwrap(), from);
    }

    #[test]
    fn optimiser_changes_continue_a_run_but_model_changes_do_not() {
        let a = Config::default();
        assert!(same_run(&a, &Config { lr: 0.5, weight_decay: 1.0, ortho: true, ..a.clone() }));
        assert!(!same_run(&a, &Config { p: 97, ..a.clone() }));
        assert!(!same_run(&a, &Config { seed: 1, ..a }));
    }
}
